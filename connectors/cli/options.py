"""What several commands share: the command helper (``--json``), the goods files read, the
rules loaded, the Single Window connection options, the password and the client."""

import argparse
import os
import sys
from pathlib import Path

from rich.progress import track

from connectors.cli.errors import CommandError
from connectors.cli.output import err
from connectors.ledger import default_path as default_ledger
from connectors.single_window import ENDPOINT
from rcep_rules import GoodsFileError, Reference, evaluate, load_shipments

PROGRESS_FROM = 20  # goods; fewer take no more than a moment
GOODS_MAX_BYTES = 256 * 1024 * 1024  # a goods file beyond this is not one (/dev/zero)


def command(group, name: str, run, help: str, json=True) -> argparse.ArgumentParser:
    p = group.add_parser(name, help=help, description=help)
    p.set_defaults(run=run)
    if json:
        p.add_argument("--json", action="store_true", help="machine-readable output")
    return p


def goods_files(p) -> None:
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="goods files (JSON)")


def connection(p, endpoint: str | None = ENDPOINT) -> None:
    """The Single Window options of submit and verify (verify has no default endpoint: it
    checks offline unless told where)."""
    p.add_argument("--endpoint", default=endpoint)
    p.add_argument("--user", default=os.environ.get("RCEP_SW_USER", "exporter"))
    p.add_argument(
        "--password",
        default=None,
        help="visible to other local users in the process list: prefer $RCEP_SW_PASSWORD, "
        "or give neither to be asked (never printed or stored)",
    )
    p.add_argument(
        "--signing-cert",
        type=Path,
        metavar="PEM",
        help="pin this signing certificate (else the one published on first use)",
    )
    ledger(p)


def ledger(p) -> None:
    p.add_argument(
        "--ledger",
        type=Path,
        default=None,
        help=f"default $RCEP_ORIGIN_LEDGER or {default_ledger()}",
    )


def load(files: list[Path]):
    """Shipments of all files; a file that cannot be read is reported and yields none."""
    shipments, failures = [], []
    for path in files:
        try:
            for shipment in load_shipments(read_capped(path, GOODS_MAX_BYTES)):
                shipments.append((path, shipment))
        except OSError as exc:
            failures.append(
                {
                    "file": str(path),
                    "code": "INPUT_INVALID",
                    "message": f"cannot read {path}: {exc.strerror or exc}",
                    "hint": "Give a goods file (JSON) of a sensible size."
                    if isinstance(exc, TooLarge)
                    else "Check the file name.",
                }
            )
        except GoodsFileError as exc:
            failures.append(
                {"file": str(path), "code": exc.code, "message": f"{path}: {exc}", "hint": exc.hint}
            )
    return shipments, failures


def reference(args) -> Reference:
    """Bundled rules plus --rules files if given, else plus the user rules file."""
    return Reference.load(tuple(args.rules) if args.rules is not None else None)


def reference_from(rule_files) -> Reference:
    """Bundled rules plus exactly these files."""
    return Reference.load(tuple(rule_files))


def evaluations(args, shipments: list):
    """(file, evaluation) of each shipment, one at a time, with a progress bar on a terminal;
    each shipment is let go once evaluated (``shipments`` is emptied), so that a caller that
    writes each answer before taking the next keeps one good's evaluation in memory."""
    reference_ = reference(args)
    count = len(shipments)
    shipments.reverse()

    def each():
        while shipments:
            path, shipment = shipments.pop()
            yield path, evaluate(shipment, reference_)

    if count >= PROGRESS_FROM and err.is_terminal:
        return track(each(), total=count, description="Evaluating", console=err, transient=True)
    return each()


def evaluate_all(args, shipments) -> list:
    return list(evaluations(args, shipments))


def client(args, ledger):
    from connectors.single_window.client import SingleWindowClient

    password_ = password(args)
    pem = read_pem(args.signing_cert) if getattr(args, "signing_cert", None) else None
    return SingleWindowClient(args.endpoint, args.user, password_, ledger, signing_cert_pem=pem)


def password(args) -> str:
    """--password (with a warning: other local users see it in the process list), else
    $RCEP_SW_PASSWORD, else asked for when a person is at the terminal."""
    if args.password is not None:
        err.print(
            "Warning: --password can be read by other users of this machine in the process "
            "list (ps); set RCEP_SW_PASSWORD instead, or give neither to be asked for it."
        )
        return args.password
    password = os.environ.get("RCEP_SW_PASSWORD")
    if password:
        return password
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"Single Window password for {args.user}: ")
    raise CommandError(
        "NO_PASSWORD",
        "no password for the Single Window; nothing was sent",
        "Set RCEP_SW_PASSWORD, or run from a terminal to be asked for it (--password works "
        "too, but other local users can read it in the process list).",
    )


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of a file, reading no more than ``limit`` + 1 of them: a larger file (or
    /dev/zero) raises OSError at once instead of filling the memory."""
    with open(path, "rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"it is larger than {limit // 2**20} MiB; nothing of it was used")
    return data


class TooLarge(OSError):
    pass


def read_xml(path: Path, what: str = "document"):
    """The parsed tree of an XML file from outside, through the one safe parser, with its
    bytes; a missing file, a folder, a file over the size cap or XML that is not plain and
    well-formed is a CommandError (XML_UNREADABLE, exit 2)."""
    from connectors.xmlsafe import MAX_BYTES, XMLUnreadable, parse_untrusted

    try:
        data = read_capped(path, MAX_BYTES)
    except OSError as exc:
        raise CommandError(
            "XML_UNREADABLE",
            f"cannot read {path}: {exc.strerror or exc}",
            f"Give the XML file of the {what}"
            + (f" (at most {MAX_BYTES // 2**20} MiB)." if isinstance(exc, TooLarge) else "."),
            str(path),
        ) from None
    try:
        return parse_untrusted(data), data
    except XMLUnreadable as exc:
        raise CommandError(
            exc.code,
            f"{path}: {exc}",
            "Send plain XML without DOCTYPE or entities.",
            str(path),
        ) from None


def read_pem(path: Path) -> bytes:
    """A signing certificate given with --signing-cert: a PEM file, else a CommandError."""
    try:
        pem = read_capped(path, 1024 * 1024)
    except OSError as exc:
        raise CommandError(
            "NO_SIGNING_CERTIFICATE",
            f"cannot read the signing certificate {path}: {exc.strerror or exc}",
            "Give --signing-cert the PEM file customs published (signing-certificate.pem).",
            str(path),
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise CommandError(
            "NO_SIGNING_CERTIFICATE",
            f"{path} is not a PEM certificate (no BEGIN CERTIFICATE line)",
            "Give --signing-cert the PEM file customs published (signing-certificate.pem).",
            str(path),
        )
    return pem
