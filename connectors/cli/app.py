"""The parser of ``rcep-origin`` and the one place where a command is run."""

import argparse
import os
import traceback
from pathlib import Path

from rich.text import Text

from connectors.cli import demo, documents, goods, psr, remedies, single_window
from connectors.cli.errors import CommandError
from connectors.cli.output import err, fail, stdout
from connectors.cli.status import Exit
from rcep_rules import __version__
from rcep_rules.psr import PsrFileError

DESCRIPTION = "rcep-origin: RCEP origin pre-review, declarations and the customs Single Window."


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code. The errors a command expects are
    ``CommandError``s, printed here in one way (JSON under --json); anything else is a bug,
    said in one line (``RCEP_ORIGIN_DEBUG=1`` shows its traceback), exit 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return Exit.ERROR
    try:
        code = int(args.run(args))
    except CommandError as exc:
        fail(args, exc.as_dict())
        code = exc.exit_code
    except PsrFileError as exc:
        err.print(Text("Rule file refused", style="bold red"), f"(nothing was loaded):\n{exc}")
        err.print("Fix the lines named above; the columns are described in README.md.")
        code = Exit.ERROR
    except KeyboardInterrupt:
        err.print("Interrupted.")
        code = 130
    except Exception as exc:  # a bug: one line, never a traceback unless asked for
        if os.environ.get("RCEP_ORIGIN_DEBUG"):
            traceback.print_exc()
        err.print(
            f"rcep-origin: unexpected error {type(exc).__name__}: {exc} (this is a bug; "
            "RCEP_ORIGIN_DEBUG=1 shows where)"
        )
        code = Exit.ERROR
    stdout.flush()
    return code


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
