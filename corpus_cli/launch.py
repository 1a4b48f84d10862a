"""The ``corpus`` entry point: start what can run beside start-up, then the CLI.

Importing the CLI (Typer, Click) takes most of a quick command's time; an index's
freshness check (a ``stat`` of every corpus file) runs meanwhile on another core.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        from .fingerprint import start_early

        start_early(sys.argv[1:], os.environ)
        from .cli import main as cli_main
    except KeyboardInterrupt:  # Ctrl-C while starting up: as quiet as Ctrl-C later on
        sys.exit(130)
    cli_main()
