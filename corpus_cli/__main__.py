"""``python -m corpus_cli``."""

from .cli import main

main()
