"""The parser of ``rcep-origin`` and the one place where a command is run."""

import argparse
from pathlib import Path

from connectors.cli import demo, documents, goods, psr, remedies, single_window
from connectors.cli.output import err
from rcep_rules import __version__
from rcep_rules.psr import PsrFileError

DESCRIPTION = "rcep-origin: RCEP origin pre-review, declarations and the customs Single Window."


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except PsrFileError as exc:
        err.print(f"[bold red]Rule file refused[/] (nothing was loaded):\n{exc}", markup=True)
        err.print("Fix the lines named above; the columns are described in README.md.")
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rcep-origin", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"rcep-origin {__version__}")
    parser.add_argument(
        "--rules",
        type=Path,
        action="append",
        metavar="CSV",
        help="extra PSR rule file(s) to load instead of the user rules file",
    )
    sub = parser.add_subparsers(metavar="COMMAND")
    goods.register(sub)
    remedies.register(sub)
    documents.register(sub)
    demo.register(sub)
    single_window.register(sub)
    psr.register(sub)
    return parser
