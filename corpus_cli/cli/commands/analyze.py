"""``corpus analyze WORD...``: every morphological reading of each word, the first marked."""

from typing import Annotated

import typer

from ...errors import CorpusError
from ..application import command
from ..options import FormatOpt, NoHeaderOpt
from ..session import Session

COLUMNS = ["word", "reading", "first", "lemma", "root", "pos", "tag", "pattern", "stem"]


@command("analyze", shared=("color",), rich_help_panel="Commands")
def analyze(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="WORD...", help="The words to analyse, each out of context.", show_default=False
        ),
    ],
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Print every reading of each WORD: lemma, root, part of speech (noun,
    verb, function and the analyser's own tag), pattern and stem.

    The first reading of a word (first = yes) is the one its tokens carry in
    an index built with --morph. An Arabic word the analyser does not know is
    a noun of its own (tag unknown); a word that is not Arabic has no reading
    (one row, reading 0). Analyses are cached in the cache directory
    (CORPUS_CACHE_DIR). Needs the extra: pip install 'corpus-cli\\[morph]'.
    """
    from ...index.morphology import analyse

    session = Session(ctx)
    fmt_name = session.table_or(fmt, "tsv")
    analysed = analyse(words)
    rows: list[dict[str, object]] = []
    for word in words:
        readings = analysed.get(word, [])
        if not readings:
            rows.append({"word": word, "reading": 0, "first": "", **dict.fromkeys(COLUMNS[3:], "")})
        for number, reading in enumerate(readings, 1):
            rows.append(
                {
                    "word": word,
                    "reading": number,
                    "first": "yes" if number == 1 else "no",
                    **reading._asdict(),
                }
            )
    if fmt_name == "table":
        from ...output.screen import print_table

        print_table(
            session.env,
            session.color,
            COLUMNS,
            [[row[c] for c in COLUMNS] for row in rows],
            numeric=("reading",),
        )
        return
    if fmt_name not in ("tsv", "csv", "jsonl", "xlsx"):
        raise CorpusError(f"analyze writes table, tsv, csv, jsonl or xlsx, not {fmt_name}")
    from ...output.records import RowWriter

    writer = RowWriter(session.stdout, fmt_name, COLUMNS, header=not no_header, bom=session.settings.bom)
    for row in rows:
        writer.write(row)
    writer.close()
