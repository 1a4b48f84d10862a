"""CQP (the IMS Corpus Workbench 3.5.1) as the oracle of CQL: samples of the shared corpora
written with the project's own VRT exporter, encoded with ``cwb-encode``/``cwb-makeall``,
queried by one ``cqp -c`` process per corpus, and read back as match tuples comparable with
``corpus_cli.query.cql.find_matches``.

Where CQP is: ``$CWB_PREFIX/bin`` (or ``$CWB_PREFIX`` itself), else ``cqp`` on ``PATH``,
else ``/tmp/cwb/bin`` (what ``../shared/tools/cwb/build.sh /tmp/cwb`` makes).  cqp exits 0
even on a syntax or regex error, with the message on stderr: any stderr output is a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from corpus_cli.output.vrt import attribute_names, document_vrt
from corpus_cli.store.corpus import Document, load_corpus
from corpus_cli.text.normalize import Normalizer
from tests.conftest import SHARED_CORPORA

#: Where the corpora are unpacked (``../shared/corpora/unpack.sh /tmp/corpora``); a corpus
#: that is not there is read from its archive in ../shared/corpora.
CORPORA = Path(os.environ.get("CORPUS_TEST_CORPORA", "/tmp/corpora"))
#: The line ``.EOL.`` prints in child mode.
EOL = "-::-EOL-::-"
#: The positional attributes after ``word``, as ``corpus export --format vrt`` writes them.
P_ATTRIBUTES = ("norm", "kind", "start", "end")
#: What cwb-encode stores for an empty column (a token whose normalized form is empty).
UNDEF = "__UNDEF__"


def cwb_bin() -> Path | None:
    """The directory of ``cqp``, ``cwb-encode`` and ``cwb-makeall``, or None."""
    prefix = os.environ.get("CWB_PREFIX")
    candidates = [Path(prefix) / "bin", Path(prefix)] if prefix else []
    found = shutil.which("cqp")
    if found:
        candidates.append(Path(found).parent)
    candidates.append(Path("/tmp/cwb/bin"))
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("cqp", "cwb-encode", "cwb-makeall")):
            return folder
    return None


class CqpMatch(NamedTuple):
    """One line of CQP's ``dump``; ``target``/``keyword`` None where CQP prints -1."""

    first: int
    last: int
    target: int | None
    keyword: int | None


class CqpError(AssertionError):
    """cqp wrote on stderr (a syntax or regex error, an unknown attribute...)."""


# --------------------------------------------------------------------------- samples


@dataclass(frozen=True)
class SampleSpec:
    """How to take a sample of a corpus: its files (``pick`` from the sorted list of its
    ``.txt`` files, paths relative to the corpus folder) and the metadata of each
    (``fields``, from that path)."""

    corpus: str
    pick: Callable[[list[Path]], list[Path]]
    fields: Callable[[Path], dict[str, str]]


def _first_of_each_folder(count: int) -> Callable[[list[Path]], list[Path]]:
    """The first ``count`` files of each folder."""

    def pick(files: list[Path]) -> list[Path]:
        taken: dict[str, int] = {}
        chosen = []
        for file in files:
            folder = file.parent.name
            if taken.get(folder, 0) < count:
                taken[folder] = taken.get(folder, 0) + 1
                chosen.append(file)
        return chosen

    return pick


def _news_fields(relative: Path) -> dict[str, str]:
    """saudinewsnet: ``PAPER/2015-07-21_00001.txt``."""
    return {"source": relative.parts[0], "date": relative.stem.split("_")[0]}


def _tweet_fields(relative: Path) -> dict[str, str]:
    """arsarcasm_v2: ``train/00000_msa_NEU.txt``."""
    _, dialect, sentiment = relative.stem.split("_")
    return {"split": relative.parts[0], "dialect": dialect, "sentiment": sentiment}


def _numbered(name: str) -> Callable[[Path], dict[str, str]]:
    return lambda relative: {name: str(int(relative.stem))}


#: The samples: a few hundred documents of four corpora, deterministic (files by name).
SAMPLES = {
    # 20 articles of each of the 14 papers (the first by name), dated.
    "news": SampleSpec("saudinewsnet", _first_of_each_folder(20), _news_fields),
    # The first 250 hadith: fully diacritized, RLM marks around the narrators.
    "hadith": SampleSpec("hadith_darimi", lambda files: files[:250], _numbered("number")),
    # The last 60 suras (the short ones), Uthmani script: marks that are not in NFC order.
    "quran": SampleSpec("tanzil_quran_uthmani", lambda files: files[-60:], _numbered("sura")),
    # The first 400 tweets by name (of the test split): dialects, emoji, URLs, elongation.
    "tweets": SampleSpec("arsarcasm_v2", lambda files: files[:400], _tweet_fields),
}


def sample_records(
    spec: SampleSpec, root: Path = CORPORA, archives: Path = SHARED_CORPORA
) -> list[dict[str, str]] | None:
    """The sample's documents as records (``id``, ``text``, then its fields), from the
    corpus unpacked under ``root``, else from its archive in ``archives`` (read twice as
    a stream: the names, then the files picked); None when neither is there."""
    folder, archive = root / spec.corpus, archives / f"{spec.corpus}.tar.xz"
    texts: dict[Path, str] = {}
    if folder.is_dir():
        files = [f.relative_to(folder) for f in folder.rglob("*.txt")]
        for relative in spec.pick(sorted(f for f in files if "_about" not in f.parts)):
            texts[relative] = (folder / relative).read_bytes().decode("utf-8")
    elif archive.is_file():
        texts = _from_archive(archive, spec)
    records = [
        {"id": relative.with_suffix("").as_posix(), "text": texts[relative], **spec.fields(relative)}
        for relative in sorted(texts)
    ]
    return records or None


def _from_archive(archive: Path, spec: SampleSpec) -> dict[Path, str]:
    """The files ``spec`` picks, read from the corpus's archive: with GNU tar (the names,
    then the files picked: about 2 s for saudinewsnet), else with ``tarfile`` (slower)."""
    prefix = f"{spec.corpus}/"
    tar = shutil.which("tar")
    if tar is None:
        with tarfile.open(archive, "r|xz") as stream:
            names = [m.name for m in stream if m.isfile()]
    else:
        listed = subprocess.run([tar, "-tJf", str(archive)], capture_output=True, text=True, check=True)
        names = listed.stdout.splitlines()
    documents = [
        Path(n).relative_to(spec.corpus)
        for n in names
        if n.startswith(prefix) and n.endswith(".txt") and "_about" not in Path(n).parts
    ]
    picked = spec.pick(sorted(documents))
    with tempfile.TemporaryDirectory() as folder:
        if tar is None:
            wanted = {f"{prefix}{p.as_posix()}" for p in picked}
            with tarfile.open(archive, "r|xz") as stream:
                for member in stream:
                    if member.name in wanted:
                        stream.extract(member, folder, filter="data")
        else:
            listing = Path(folder) / "picked"
            listing.write_text("".join(f"{prefix}{p.as_posix()}\n" for p in picked), encoding="utf-8")
            subprocess.run([tar, "-xJf", str(archive), "-C", folder, "-T", str(listing)], check=True)
        return {p: (Path(folder) / spec.corpus / p).read_bytes().decode("utf-8") for p in picked}


def write_jsonl(records: Sequence[dict[str, str]], path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def load_documents(path: Path) -> list[Document]:
    """The documents of a JSONL sample as the CLI loads them (``--id-field id``)."""
    return list(load_corpus([str(path)], id_field="id").documents)


# --------------------------------------------------------------------------- encoding


def write_vrt(documents: Sequence[Document], normalizer: Normalizer, path: Path) -> Path:
    """The VRT of ``corpus export --format vrt`` (the exporter's own ``document_vrt``)."""
    cache: dict[str, str] = {}
    with path.open("w", encoding="utf-8") as out:
        for doc in documents:
            out.write(document_vrt(doc, normalizer, cache))
    return path


def encode(
    bin_dir: Path,
    vrt: Path,
    folder: Path,
    name: str,
    fields: Sequence[str],
    p_attributes: Sequence[str] = P_ATTRIBUTES,
) -> Path:
    """``vrt`` encoded as corpus ``NAME`` (upper case) into ``folder/data`` with its
    registry in ``folder/registry`` (``p_attributes``: its columns after ``word``); the
    registry directory."""
    data, registry = folder / "data", folder / "registry"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    registry.mkdir(parents=True, exist_ok=True)
    doc_attributes = "+".join(["id", *attribute_names(fields).values()])
    command = [str(bin_dir / "cwb-encode"), "-c", "utf8", "-x", "-s", "-B", "-d", str(data), "-f", str(vrt)]
    command += ["-R", str(registry / name.lower())]
    for attribute in p_attributes:
        command += ["-P", attribute]
    command += ["-S", f"doc:0+{doc_attributes}", "-S", "s:0"]
    _run(command)
    _run([str(bin_dir / "cwb-makeall"), "-r", str(registry), "-V", name.upper()])
    return registry


def _run(command: list[str], stdin: str | None = None) -> str:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 or done.stderr.strip():
        raise CqpError(f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr.strip()[:2000]}")
    return done.stdout


def decode_tokens(
    bin_dir: Path, registry: Path, name: str, p_attributes: Sequence[str] = P_ATTRIBUTES
) -> list[list[str]]:
    """Every token of the encoded corpus: its ``word`` and the ``p_attributes``."""
    attributes = [a for p in ("word", *p_attributes) for a in ("-P", p)]
    out = _run([str(bin_dir / "cwb-decode"), "-C", "-r", str(registry), name.upper(), *attributes])
    return [line.split("\t") for line in out.split("\n") if line]


def decode_regions(bin_dir: Path, registry: Path, name: str, attribute: str) -> list[tuple[int, int, str]]:
    """The regions of a structural attribute (``s``, ``doc``, ``doc_id``...): first and
    last position (inclusive), and the value for an attribute that has one."""
    out = _run([str(bin_dir / "cwb-s-decode"), "-r", str(registry), name.upper(), "-S", attribute])
    regions = []
    for line in out.split("\n"):
        if line:
            first, last, *value = line.split("\t")
            regions.append((int(first), int(last), value[0] if value else ""))
    return regions


# --------------------------------------------------------------------------- querying


class Cqp:
    """One encoded corpus and the cqp binary that queries it."""

    def __init__(self, bin_dir: Path, registry: Path, name: str, cache: Path | None = None) -> None:
        self.cqp = bin_dir / "cqp"
        self.registry = registry
        self.name = name.upper()
        self.cache = cache  # a folder for the answers of ``matches``, by their script

    def matches(self, queries: Sequence[tuple[str, str]]) -> list[list[CqpMatch]]:
        """The matches of each ``(query, strategy)``, all in one cqp process (answers kept
        in ``cache``, when given, for the next caller with the same queries)."""
        if self.cache is None:
            return self._matches(queries)
        key = hashlib.sha256(json.dumps([self.name, *queries]).encode()).hexdigest()[:32]
        path = self.cache / f"{key}.json"
        if path.exists():
            return [[CqpMatch(*m) for m in part] for part in json.loads(path.read_text())]
        found = self._matches(queries)
        self.cache.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}")
        temporary.write_text(json.dumps(found))
        temporary.replace(path)  # whole or not at all, for a worker that reads it now
        return found

    def run(self, commands: Sequence[str]) -> list[list[str]]:
        """Run ``commands`` (without their ``;``) in one cqp process; the output of each
        command after which ``.EOL.`` is among them, split at the markers."""
        script = "".join(f"{c};\n" for c in [self.name, *commands])
        done = subprocess.run(
            [str(self.cqp), "-c", "-r", str(self.registry)],
            input=script,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0 or done.stderr.strip():
            raise CqpError(f"cqp ({done.returncode}): {done.stderr.strip()[:2000]}")
        lines = done.stdout.split("\n")[1:]  # after the version line
        parts: list[list[str]] = [[]]
        for line in lines:
            if line == EOL:
                parts.append([])
            elif line:
                parts[-1].append(line)
        return parts[:-1]

    def _matches(self, queries: Sequence[tuple[str, str]]) -> list[list[CqpMatch]]:
        """The matches of each ``(query, strategy)``, all in one cqp process; on an error,
        each query is run alone to name the ones that fail."""
        commands = []
        for query, strategy in queries:
            commands += [f"set MatchingStrategy {strategy}", f"Q = {query}", "dump Q", ".EOL."]
        try:
            parts = self.run(commands)
        except CqpError:
            failing = []
            for query, strategy in queries:
                try:
                    self.run([f"set MatchingStrategy {strategy}", f"Q = {query}", "dump Q", ".EOL."])
                except CqpError as exc:
                    failing.append(f"{query!r} ({strategy}): {exc}")
            raise CqpError("\n".join(failing) or "cqp failed on the whole script only") from None
        assert len(parts) == len(queries), (len(parts), len(queries))
        return [[_dump_line(line) for line in part] for part in parts]


def _dump_line(line: str) -> CqpMatch:
    first, last, target, keyword = (int(v) for v in line.split("\t"))
    return CqpMatch(first, last, None if target < 0 else target, None if keyword < 0 else keyword)


def nfc(text: str) -> str:
    """What cwb-encode stores for a token (it puts every token into NFC)."""
    return unicodedata.normalize("NFC", text)


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"' + r"|'(?:[^'\\]|\\.)*'")


def outside_quotes(query: str) -> str:
    """``query`` with its quoted values blanked (to look for operators only)."""
    return _QUOTED.sub('""', query)
