"""The examples at the end of the main commands' ``--help``, as ripgrep's and httpie's.

Each one runs as written on the bundled seeds (``tests/cli/test_application.py`` runs every example
of every command's help); those that name the corpus take it from ``CORPUS_PATH``.
"""

#: Command (``"index build"`` for a subcommand) → (what it does, the command line).
EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "list": (
        ("The documents, with their sizes and the corpus's totals", "corpus list"),
        ("One document as JSON (a unique prefix of its id names it)", "corpus list --doc 003 --format jsonl"),
        ("Every document as CSV, for a spreadsheet", "corpus list --format csv"),
    ),
    "show": (
        ("A document's text, with the matches of a word marked", "corpus show 002 --highlight لافروف"),
        ("One row per line (doc, line, text), to filter or number", "corpus show 003 --format tsv"),
    ),
    "grep": (
        ("The lines with the whole word سوريا", "corpus grep -w سوريا"),
        ("Lines per document, the word with clitics too (وسوريا, لسوريا)", "corpus grep -c --clitics سوريا"),
        ("Every year from 2000 to 2099, one per line", r"corpus grep -o -w '20\d\d'"),
        (
            "The first line with أستانة in each document, with a line around it",
            "corpus grep -C 1 -m 1 أستانة",
        ),
    ),
    "kwic": (
        ("Every hit with four words on each side", "corpus kwic الأزمة --words 4"),
        (
            "With clitics (وسوريا, بسوريا), sorted by the word after the hit",
            "corpus kwic --clitics سوريا --sort A1",
        ),
        ("A phrase, the first five hits", "corpus kwic 'وزير الخارجية' --limit 5"),
        (
            "The ten most frequent three-word clusters around the word",
            "corpus kwic سوريا --clusters 3 --limit 10",
        ),
    ),
    "freq": (
        ("The ten most frequent words, function words left out", "corpus freq --top 10 --stopwords builtin"),
        ("The most frequent two-word phrases", "corpus freq --ngram 2 --stopwords builtin"),
        (
            "These words, and how evenly they spread over the documents",
            "corpus freq سوريا مصر تركيا --dispersion",
        ),
    ),
    "normalize": (
        ("The form that matching and counting use", "corpus normalize 'الأُمَمُ المتّحدة'"),
        ("Teh marbuta and final yeh folded too", "corpus normalize --norm aggressive 'مدرسةٌ إسلاميّة'"),
        ("One step more than the level: alef maqsura as yeh", "corpus normalize --fold yeh 'على علي'"),
    ),
    "export": (
        ("The corpus as a vertical file (VRT), for cwb-encode or Sketch Engine", "corpus export"),
        (
            "One document, its norm column at the aggressive level",
            "corpus export --doc 003 --norm aggressive",
        ),
    ),
    "dispersion": (
        ("Where the word occurs in each document, and how evenly", "corpus dispersion سوريا"),
        (
            "With clitics, also drawn as an SVG picture",
            "corpus dispersion --clitics الأزمة --svg dispersion.svg",
        ),
    ),
    "collocates": (
        (
            "Words within two of التصعيد, by logDice",
            "corpus collocates التصعيد --window 2 --stopwords builtin",
        ),
        (
            "By mutual information, pairs seen three times or more",
            "corpus collocates سوريا --measure mi --min-freq 3",
        ),
        (
            "The words right before and after سوريا, position by position (L2 L1 R1 R2)",
            "corpus collocates سوريا --window 2 --by-position --top 10",
        ),
    ),
    "keywords": (
        ("The words of document 003 against the rest of the corpus", "corpus keywords --target 003 --top 10"),
        (
            "By log ratio, function words left out",
            "corpus keywords --target 002 --measure logratio --stopwords builtin",
        ),
    ),
    "index build": (
        ("Index the corpus that CORPUS_PATH (or --corpus) names", "corpus index build"),
        (
            "Another index, for the queries made with --norm aggressive",
            "corpus index build --norm aggressive",
        ),
        ("An archive that never changes: queries check its folders only", "corpus index build --frozen"),
    ),
    "shard": (
        (
            "The corpus of CORPUS_PATH as Parquet shards of 256 MB in ./shards",
            'corpus shard "$CORPUS_PATH" shards',
        ),
        ("As JSON Lines shards of 64 MB", 'corpus shard "$CORPUS_PATH" lines --format jsonl --size 64MB'),
    ),
}


def epilog(name: str) -> str | None:
    """The examples of command ``name`` as a help epilog (Rich markup), or None."""
    examples = EXAMPLES.get(name)
    if not examples:
        return None
    lines = ["", "Examples:"]  # the blank line keeps the indents (Typer dedents the epilog)
    for what, line in examples:
        lines += [f"  {what}:", f"    $ {line}"]
    return "\n".join(lines).replace("[", "\\[")
