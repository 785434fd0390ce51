"""rcep-origin: RCEP origin pre-review, declarations and the customs Single Window.

Exit codes (DESIGN.md, README): ``evaluate`` 0 originating, 1 not originating, 2 could not be
evaluated; ``review`` 0 no errors, 2 errors; ``psr import`` 0 imported, 1 conflicts left
unimported, 2 the file was refused; ``submit`` 0 issued, 1 rejected, 2 not settled. Human
output puts the verdict first; ``--json`` gives the machine form everywhere.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table
from rich.text import Text

from connectors.cli_remedies import register as register_remedies
from connectors.ledger import default_path as default_ledger
from connectors.single_window import ENDPOINT
from rcep_rules import GoodsFileError, Reference, __version__, evaluate, load_shipments
from rcep_rules.datafiles import data_path
from rcep_rules.explain import evaluation_dict, percent, verdict_line
from rcep_rules.hs import HS2022, VERSIONS, display, normalise
from rcep_rules.psr import PsrFileError, RuleMatch, code_problem, read_rule_file, write_rule_file
from rcep_rules.reference import default_user_rules_path

PROGRESS_FROM = 20  # goods; fewer take no more than a moment

out = Console(highlight=False, markup=False, emoji=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rcep-origin", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"rcep-origin {__version__}")
    parser.add_argument(
        "--rules",
        type=Path,
        action="append",
        metavar="CSV",
        help="extra PSR rule file(s) to load instead of the user rules file",
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    def command(name: str, run, help: str, json=True, group=sub) -> argparse.ArgumentParser:
        p = group.add_parser(name, help=help, description=help)
        p.set_defaults(run=run)
        if json:
            p.add_argument("--json", action="store_true", help="machine-readable output")
        return p

    p = command("evaluate", _evaluate, "Evaluate the RCEP origin of the goods in goods files.")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    register_remedies(command)
    p = command("review", _review, "Pre-review goods files: list every issue with its fix.")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p = command(
        "declare",
        _declare,
        "Build the declaration XML of a shipment file; it is "
        "validated against xsd/ before it is written.",
    )
    p.add_argument("shipment", type=Path, metavar="SHIPMENT.json")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.xml")
    p = command(
        "validate",
        _validate,
        "Validate an XML document (declaration, receipt, "
        "certificate or rejection) against xsd/; exit 0 valid, 1 invalid, 2 unreadable.",
    )
    p.add_argument("file", type=Path, metavar="FILE.xml")
    p = command(
        "demo",
        _demo,
        "The whole pipeline on the bundled samples: evaluate, declare, "
        "submit to an embedded mock Single Window, verify the signed certificate.",
    )
    p.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the demo's ledger, service database and certificates in DIR",
    )

    p = command(
        "mock-server", _mock_server, "Run the mock Single Window (SOAP over HTTP).", json=False
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8070)
    p.add_argument(
        "--db",
        type=Path,
        default=Path("single-window") / "single-window.sqlite3",
        help="its SQLite database; the signing key and certificate live beside it",
    )
    p.add_argument(
        "--users",
        type=Path,
        metavar="FILE",
        help='JSON {"user": "password", ...}; default: exporter / rcep-demo',
    )
    p.add_argument("--latency-ms", type=int, default=0, help="fault injection: delay")
    p.add_argument("--error-rate", type=float, default=0.0, help="fault injection: 503s")
    p.add_argument(
        "--drop-rate",
        type=float,
        default=0.0,
        help="fault injection: answers lost after the request is handled",
    )
    for flag, kind, help_text in (
        ("--header-timeout", float, "seconds for a request's headers (default 5)"),
        ("--body-timeout", float, "seconds for a request's body after its headers (default 10)"),
        ("--per-address", int, "connections from one client address (default 64)"),
        ("--max-connections", int, "open connections in all (default 1024)"),
        ("--queue", int, "complete requests waiting for a worker (default 64)"),
    ):
        p.add_argument(flag, type=kind, default=None, help=f"limit: {help_text}")

    def connection(p):
        p.add_argument("--endpoint", default=ENDPOINT)
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
        p.add_argument(
            "--ledger",
            type=Path,
            default=None,
            help=f"default $RCEP_ORIGIN_LEDGER or {default_ledger()}",
        )

    p = command(
        "submit",
        _submit,
        "Declare (if given a shipment file) and submit to the "
        "Single Window; exit 0 issued, 1 rejected, 2 not settled.",
    )
    p.add_argument("file", type=Path, metavar="SHIPMENT.json|FILE.xml")
    connection(p)
    p = command("certificates", _certificates, "The declarations and certificates in the ledger.")
    p.add_argument("--ledger", type=Path, default=None)
    p = command(
        "certificate", _certificate, "Write a certificate (signed XML and PDF summary).", json=False
    )
    p.add_argument("number")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--ledger", type=Path, default=None)
    p = command(
        "verify",
        _verify,
        "Check a certificate's signature against the customs signing "
        "certificate and, with an endpoint, that the Single Window issued it as is.",
    )
    p.add_argument("file", type=Path, metavar="CERTIFICATE.xml")
    p.add_argument("--endpoint", default=None)
    p.add_argument("--user", default=os.environ.get("RCEP_SW_USER", "exporter"))
    p.add_argument("--password", default=None, help="as for submit: prefer $RCEP_SW_PASSWORD")
    p.add_argument("--signing-cert", type=Path, metavar="PEM")
    p.add_argument("--ledger", type=Path, default=None)

    psr = sub.add_parser("psr", help="Show or import product-specific rules (Annex 3A).")
    psr_sub = psr.add_subparsers(metavar="ACTION")
    p = command(
        "show",
        _psr_show,
        "The rule that applies to an HS code, or the rows under a chapter or heading.",
        group=psr_sub,
    )
    p.add_argument("code")
    p.add_argument("--hs-version", choices=VERSIONS, default=HS2022)
    p = command(
        "import",
        _psr_import,
        "Validate a PSR CSV file and add its rows to the user rules file.",
        group=psr_sub,
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--rules-file",
        type=Path,
        default=None,
        help=f"where imported rows are kept (default {default_user_rules_path()})",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="let imported rows replace loaded rows with a different rule",
    )
    return parser


# --- evaluate / review / demo --------------------------------------------------------------------


def _load(files: list[Path]):
    """Shipments of all files; a file that cannot be read is reported and yields none."""
    shipments, failures = [], []
    for path in files:
        try:
            for shipment in load_shipments(path.read_bytes()):
                shipments.append((path, shipment))
        except OSError as exc:
            failures.append(
                {
                    "file": str(path),
                    "code": "INPUT_INVALID",
                    "message": f"cannot read {path}: {exc.strerror}",
                    "hint": "Check the file name.",
                }
            )
        except GoodsFileError as exc:
            failures.append(
                {"file": str(path), "code": exc.code, "message": f"{path}: {exc}", "hint": exc.hint}
            )
    return shipments, failures


def _reference(args) -> Reference:
    """Bundled rules plus --rules files if given, else plus the user rules file."""
    return Reference.load(tuple(args.rules) if args.rules is not None else None)


def _evaluate_all(args, shipments):
    reference = _reference(args)
    items = shipments
    if len(shipments) >= PROGRESS_FROM and err.is_terminal:
        items = track(shipments, description="Evaluating", console=err, transient=True)
    return [(path, evaluate(s, reference)) for path, s in items]


def _report_failures(failures, as_json: bool) -> None:
    if not as_json:
        for f in failures:
            err.print(f"[bold red]{f['code']}[/] {f['message']} {f['hint']}", markup=True)


def _evaluate(args) -> int:
    shipments, failures = _load(args.files)
    results = _evaluate_all(args, shipments)
    if args.json:
        payload = [dict(evaluation_dict(ev), file=str(p)) for p, ev in results]
        payload += [dict(f, originating=None) for f in failures]
        out.print_json(data=payload[0] if len(payload) == 1 else payload)
    else:
        _report_failures(failures, False)
        if len(results) == 1:
            _show_one(results[0][1])
        elif results:
            _show_table(results)
    codes = [ev.exit_code for _, ev in results] + [2] * len(failures)
    return max(codes) if 2 in codes else max(codes, default=2)


def _review(args) -> int:
    shipments, failures = _load(args.files)
    results = _evaluate_all(args, shipments)
    if args.json:
        payload = [
            {
                "file": str(p),
                "good": ev.shipment.good.code if ev.shipment.good else None,
                "errors": len(ev.errors),
                "issues": [i.as_dict() for i in sorted(ev.issues, key=lambda i: i.severity)],
            }
            for p, ev in results
        ] + [dict(f, errors=1, issues=[]) for f in failures]
        out.print_json(data=payload[0] if len(payload) == 1 else payload)
    else:
        _report_failures(failures, False)
        for path, ev in results:
            _show_issues(path, ev)
    return 2 if failures or any(ev.errors for _, ev in results) else 0


def _demo(args) -> int:
    """The README's main job: evaluate the bundled samples, declare every originating one,
    submit the declarations over SOAP to a mock Single Window started in this process on a
    free loopback port, verify and store the signed certificates, and show one rejection."""
    import dataclasses
    import uuid

    from connectors.declaration import build, load_shipment_file, to_xml
    from connectors.ledger import Ledger
    from connectors.single_window.client import SingleWindowClient, SingleWindowError
    from connectors.single_window.embedded import DEMO_USERS, running
    from connectors.summary_pdf import certificate_pdf

    files = sorted(data_path("samples").glob("*.json"))
    args.rules = args.rules or []  # the demo is reproducible: bundled rules only
    reference = _reference(args)
    shipments, failures = _load(files)
    results = _evaluate_all(args, shipments)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="rcep-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    base_path = data_path("shipments", "hcmc_switchgear_and_phones.json")
    base = load_shipment_file(base_path)
    rows, rejection = [], None
    with running(workdir / "single-window") as (endpoint, _app):
        user, password = next(iter(DEMO_USERS.items()))
        client = SingleWindowClient(endpoint, user, password, Ledger(workdir / "ledger.sqlite3"))
        try:
            for path, ev in results:
                row = {
                    "file": path.name,
                    "good": ev.shipment.good.code,
                    "originating": ev.originating,
                    "criterion": ev.criterion,
                    "annotations": list(ev.annotations),
                    "reference": None,
                    "certificate": None,
                    "issued_at": None,
                }
                rows.append(row)
                if not ev.originating:
                    continue
                shipment = dict(
                    base,
                    idempotency_key=str(
                        uuid.uuid5(uuid.NAMESPACE_URL, f"rcep-origin-demo/{path.name}")
                    ),
                    items=[
                        {
                            "goods_file": str(path),
                            "marks_and_numbers": "N/M",
                            "packages": {"number": 1, "kind": "carton"},
                            "quantity": {"value": "100", "unit": "PCE"},
                        }
                    ],
                )
                outcome = client.submit(to_xml(build(shipment, base_path.parent, reference)))
                entry = outcome.entry
                row |= {
                    "reference": entry.reference_number,
                    "certificate": entry.certificate_number,
                    "issued_at": entry.issued_at,
                }
                number = entry.certificate_number
                (workdir / f"{number}.xml").write_bytes(outcome.certificate_xml)
                _, _, _, signing = client.ledger.certificate(number)
                (workdir / f"{number}.pdf").write_bytes(
                    certificate_pdf(outcome.certificate_xml, signing or "")
                )
            # A declaration that claims CTC for the base station, which only meets RVC: the
            # Single Window's own check refuses it.
            declaration = build(base, base_path.parent, reference)
            items = list(declaration.items)
            items[1] = dataclasses.replace(items[1], criterion="CTC", fob_value=None)
            wrong = dataclasses.replace(
                declaration,
                idempotency_key=str(
                    uuid.uuid5(uuid.NAMESPACE_URL, "rcep-origin-demo/wrong-criterion")
                ),
                items=tuple(items),
            )
            refused = client.submit(to_xml(wrong))
            rejection = {"reference": refused.entry.reference_number, "reasons": refused.rejection}
        except SingleWindowError as error:
            err.print(f"The Single Window did not settle a demo declaration: {error}")
            return 2
    report = {"endpoint": endpoint, "workdir": str(workdir), "goods": rows, "rejection": rejection}
    if args.json:
        out.print_json(data=report)
    else:
        out.print(
            f"RCEP origin demo: {len(rows)} sample goods evaluated; the originating ones "
            f"declared and submitted over SOAP to a mock Single Window at {endpoint}; "
            "certificates verified with its signing certificate."
        )
        table = Table()
        for column in ("good", "verdict", "criterion", "reference", "certificate", "issued at"):
            table.add_column(column, no_wrap=True)
        for row in rows:
            verdict = {True: "originating", False: "not originating", None: "not evaluated"}
            criterion = " ".join([row["criterion"] or "-", *row["annotations"]])
            table.add_row(
                row["good"],
                verdict[row["originating"]],
                criterion,
                row["reference"] or "-",
                row["certificate"] or "not declared",
                row["issued_at"] or "-",
            )
        wide = (
            out
            if out.is_terminal
            else Console(highlight=False, markup=False, emoji=False, width=132)
        )
        wide.print(table)
        reason = (rejection["reasons"] or [{}])[0]
        out.print(
            f"Rejected ({rejection['reference']}): a declaration claiming CTC for the base "
            f"station: {reason.get('code')}: {reason.get('message')}"
        )
        out.print(f"Certificates (signed XML and PDF) and the ledger are in {workdir}.")
    _report_failures(failures, args.json)
    return 2 if failures else 0


# --- the Single Window -------------------------------------------------------------------------


def _mock_server(args) -> int:
    from connectors.single_window.embedded import DEMO_USERS
    from connectors.single_window.guard import Limits
    from connectors.single_window.server import Faults, SingleWindowApp, serve
    from connectors.single_window.service import Service

    users = DEMO_USERS
    if args.users:
        users = json.loads(args.users.read_text())
    app = SingleWindowApp(
        Service(args.db), users, faults=Faults(args.latency_ms, args.error_rate, args.drop_rate)
    )
    out.print(
        f"Mock Single Window on http://{args.host}:{args.port}/single-window "
        f"(WSDL: ...?wsdl; database {args.db}; {len(users)} user(s)). Ctrl-C stops it."
    )
    if not args.users:
        out.print("Demo credentials: exporter / rcep-demo (give --users FILE for your own).")
    chosen = {
        name: getattr(args, name)
        for name in ("header_timeout", "body_timeout", "per_address", "max_connections", "queue")
        if getattr(args, name) is not None
    }
    serve(app, args.host, args.port, Limits(**chosen))
    return 0


def _client(args, ledger):
    from connectors.single_window.client import SingleWindowClient

    password = _password(args)
    pem = args.signing_cert.read_bytes() if getattr(args, "signing_cert", None) else None
    return SingleWindowClient(args.endpoint, args.user, password, ledger, signing_cert_pem=pem)


def _password(args) -> str:
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
    raise _Usage(
        "no password: set RCEP_SW_PASSWORD, or run from a terminal to be asked for it "
        "(--password works too, but other local users can read it in the process list)"
    )


class _Usage(Exception):
    pass


def _submit(args) -> int:
    from connectors.declaration import DeclarationError, build, load_shipment_file, to_xml
    from connectors.ledger import Ledger, LedgerConflict
    from connectors.single_window.client import SingleWindowError
    from connectors.xmlsafe import SchemaInvalid, XMLUnreadable

    try:
        if args.file.suffix.lower() == ".xml":
            xml = args.file.read_bytes()
        else:
            data = load_shipment_file(args.file)
            xml = to_xml(build(data, args.file.parent, _reference(args)))
        ledger = Ledger(args.ledger)
        outcome = _client(args, ledger).submit(xml)
    except DeclarationError as exc:
        _fail(args, {**exc.as_dict(), "message": f"{exc} Nothing was sent."})
        return 2
    except (SchemaInvalid, XMLUnreadable) as exc:
        _fail(
            args,
            {
                "code": exc.code,
                "path": str(args.file),
                "message": f"the declaration is not valid against the schema; nothing was "
                f"sent:\n{exc}",
                "hint": "Correct the declaration (rcep-origin validate names each problem).",
            },
        )
        return 2
    except (LedgerConflict, OSError, _Usage) as exc:
        _fail(
            args,
            {
                "code": getattr(exc, "code", "ERROR"),
                "path": str(args.file),
                "message": f"{exc}; nothing was sent",
                "hint": "Correct it and run again.",
            },
        )
        return 2
    except SingleWindowError as exc:
        hint = (
            "Nothing is lost: the ledger keeps the declaration and its key; run submit "
            "again to settle it."
            if exc.transient
            else "The declaration stays in the ledger with this error; correct the cause "
            "before sending a new declaration."
        )
        _fail(
            args, {"code": exc.code, "path": str(args.file), "message": exc.message, "hint": hint}
        )
        return 2
    entry = outcome.entry
    if args.json:
        out.print_json(data={**entry.as_dict(), "rejection": outcome.rejection})
    elif entry.state == "issued":
        out.print(
            f"ISSUED: certificate {entry.certificate_number}, reference "
            f"{entry.reference_number}, issued {entry.issued_at}, format "
            f"{entry.certificate_format}; signature verified."
        )
    elif entry.state == "rejected":
        out.print(f"REJECTED: reference {entry.reference_number}")
        for reason in outcome.rejection or []:
            out.print(f"  {reason['code']} at {reason['field_path']}: {reason['message']}")
    else:
        out.print(
            f"{entry.state.upper()}: reference {entry.reference_number}; "
            "run submit again later to settle it."
        )
    return {"issued": 0, "rejected": 1}.get(entry.state, 2)


def _certificates(args) -> int:
    from connectors.ledger import Ledger

    entries = Ledger(args.ledger).entries()
    if args.json:
        out.print_json(data=[e.as_dict() for e in entries])
        return 0
    if not entries:
        out.print("The ledger holds no declaration yet.")
    for e in entries:  # one line each, never cut: the numbers are what the user types next
        out.print(
            f"{e.state:<10} {e.certificate_number or '-':<20} {e.reference_number or '-':<20}"
            f" {e.issued_at or '-':<26} key {e.idempotency_key} attempts {e.attempts}"
        )
    return 0


def _certificate(args) -> int:
    from connectors.ledger import Ledger
    from connectors.single_window.signing import SignatureInvalid
    from connectors.summary_pdf import certificate_pdf

    stored = Ledger(args.ledger).certificate(args.number)
    if stored is None:
        err.print(f"No certificate {args.number} in the ledger (see `rcep-origin certificates`).")
        return 2
    signed, pdf, valid, fp = stored
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.number}.xml").write_bytes(signed)
    try:
        pdf = pdf or certificate_pdf(signed, fp or "unknown")
    except SignatureInvalid as exc:  # not a certificate in the shape that verifies
        out.print(f"Wrote {args.number}.xml (signature NOT verified) to {args.out}; no PDF:")
        out.print(f"  {exc.code}: {exc}")
        return 1
    (args.out / f"{args.number}.pdf").write_bytes(pdf)
    out.print(
        f"Wrote {args.number}.xml (signature {'verified' if valid else 'NOT verified'}) "
        f"and {args.number}.pdf to {args.out}."
    )
    return 0 if valid else 1


def _verify(args) -> int:
    from connectors.ledger import Ledger
    from connectors.single_window.signing import SignatureInvalid, fingerprint, verify

    checks = []
    data = args.file.read_bytes() if args.file.exists() else None
    if data is None:
        _fail(
            args,
            {
                "code": "XML_UNREADABLE",
                "path": str(args.file),
                "message": f"cannot read {args.file}",
                "hint": "Check the file name.",
            },
        )
        return 2
    ledger = Ledger(args.ledger) if args.endpoint else None  # offline: no ledger is touched
    pem = args.signing_cert.read_bytes() if args.signing_cert else None
    if pem is None and args.endpoint:
        pem = ledger.pinned(args.endpoint)
        if pem is None:
            import requests

            answer = requests.get(f"{args.endpoint}/signing-certificate.pem", timeout=10)
            pem = answer.content if answer.status_code == 200 else None
            if pem:
                ledger.pin(args.endpoint, pem)
    if pem is None:
        _fail(
            args,
            {
                "code": "NO_SIGNING_CERTIFICATE",
                "path": str(args.file),
                "message": "no signing certificate to check against",
                "hint": "Give --signing-cert PEM (from customs) or --endpoint URL.",
            },
        )
        return 2
    ok = True
    try:
        signed = verify(data, pem)
        ns = {"k": "urn:rcep-origin:certificate:1"}
        number = signed.findtext("k:CertificateNumber", namespaces=ns)
        checks.append(
            {
                "check": "signature",
                "ok": True,
                "detail": f"XML-DSig RSA-SHA256 verifies with the signing certificate "
                f"{fingerprint(pem)}",
            }
        )
    except SignatureInvalid as exc:  # wrapped, missing, other algorithms, or not verified
        ok, number = False, None
        checks.append(
            {"check": "signature", "ok": False, "code": exc.code, "detail": f"{exc.code}: {exc}"}
        )
    if ok and args.endpoint:
        try:
            client = _client(args, ledger)
            answer = client.service.GetCertificate(CertificateNumber=number)
            same = _c14n(answer.SignedCertificate) == _c14n(data)
            checks.append(
                {
                    "check": "registered",
                    "ok": same,
                    "detail": f"the Single Window knows certificate {number}"
                    + (" with the same content" if same else " but with DIFFERENT content"),
                }
            )
            ok = ok and same
        except Exception as exc:  # an unreachable endpoint is a failed check, said plainly
            ok = False
            checks.append({"check": "registered", "ok": False, "detail": str(exc)[:300]})
    if args.json:
        out.print_json(
            data={"file": str(args.file), "certificate": number, "valid": ok, "checks": checks}
        )
    else:
        for check in checks:
            out.print(f"{'OK  ' if check['ok'] else 'FAIL'} {check['check']}: {check['detail']}")
        out.print(f"{args.file}: {'VALID' if ok else 'NOT VALID'}")
    return 0 if ok else 1


def _c14n(data: bytes) -> bytes:
    from lxml import etree

    from connectors.xmlsafe import parse_untrusted

    return etree.tostring(parse_untrusted(data), method="c14n")


# --- declare / validate ---------------------------------------------------------------------------


def _declare(args) -> int:
    from connectors.declaration import DeclarationError, build, load_shipment_file, to_xml
    from connectors.xmlsafe import SchemaInvalid

    try:
        data = load_shipment_file(args.shipment)
        declaration = build(data, args.shipment.parent, _reference(args))
        xml = to_xml(declaration)
    except DeclarationError as exc:
        _fail(args, exc.as_dict())
        return 1 if exc.code.startswith("ITEM_NOT") or exc.code == "ITEM_REVIEW_ERRORS" else 2
    except SchemaInvalid as exc:
        _fail(
            args,
            {
                "code": exc.code,
                "path": str(args.shipment),
                "message": "the declaration built from this shipment does not match "
                "xsd/declaration-1.xsd; nothing was written",
                "hint": "Correct the shipment fields named below.",
                "problems": [p.as_dict() for p in exc.problems],
            },
        )
        return 2
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(xml)
    tmp.replace(args.out)
    summary = {
        "file": str(args.out),
        "idempotency_key": declaration.idempotency_key,
        "items": [
            {
                "number": i.number,
                "code": i.evidence.item_code,
                "hs": i.hs,
                "criterion": i.criterion,
                "annotations": list(i.annotations),
            }
            for i in declaration.items
        ],
    }
    if args.json:
        out.print_json(data=summary)
    else:
        out.print(
            f"Declaration {declaration.idempotency_key} written to {args.out} "
            f"({len(declaration.items)} item(s), valid against xsd/declaration-1.xsd):"
        )
        for item in summary["items"]:
            notes = f" ({', '.join(item['annotations'])})" if item["annotations"] else ""
            out.print(
                f"  {item['number']}. {item['code']} HS {item['hs']}: {item['criterion']}{notes}"
            )
    return 0


def _validate(args) -> int:
    from connectors.xmlsafe import XMLUnreadable, parse_untrusted, problems

    try:
        tree = parse_untrusted(args.file.read_bytes())
    except OSError as exc:
        _fail(
            args,
            {
                "code": "XML_UNREADABLE",
                "path": str(args.file),
                "message": f"cannot read {args.file}: {exc.strerror}",
                "hint": "Check the file name.",
            },
        )
        return 2
    except XMLUnreadable as exc:
        _fail(
            args,
            {
                "code": exc.code,
                "path": str(args.file),
                "message": f"{args.file}: {exc}",
                "hint": "Send plain XML without DOCTYPE or entities.",
            },
        )
        return 2
    found = problems(tree)
    if args.json:
        out.print_json(
            data={
                "file": str(args.file),
                "valid": not found,
                "problems": [p.as_dict() for p in found],
            }
        )
    elif found:
        out.print(f"{args.file}: INVALID, {len(found)} problem(s):")
        for p in found:
            out.print(f"  line {p.line}, {p.path}: {p.message}")
    else:
        out.print(f"{args.file}: valid")
    return 1 if found else 0


def _fail(args, error: dict) -> None:
    if args.json:
        out.print_json(data={"error": error})
        return
    err.print(f"{error['code']} at {error['path']}: {error['message']}")
    for p in error.get("problems", []):
        err.print(f"  line {p['line']}, {p['path']}: {p['message']}")
    err.print(error["hint"])


# --- human output --------------------------------------------------------------------------------


def _short_verdict(ev) -> Text:
    if ev.originating is None:
        return Text("NOT EVALUATED", style="bold red")
    if not ev.originating:
        return Text("NOT ORIGINATING", style="bold yellow")
    notes = f" ({', '.join(ev.annotations)})" if ev.annotations else ""
    return Text(f"ORIGINATING {ev.criterion}{notes}", style="bold green")


def _verdict_text(ev) -> Text:
    style = (
        "bold red" if ev.originating is None else "bold green" if ev.originating else "bold yellow"
    )
    return Text(verdict_line(ev), style=style)


def _show_one(ev) -> None:
    out.print(_verdict_text(ev))
    out.print(ev.explanation)
    if ev.errors:
        _show_issues(None, ev)


def _show_table(results) -> None:
    table = Table(show_lines=False)
    for column in ("verdict", "good", "HS", "rule", "RVC %", "issues", "file"):
        table.add_column(column)
    for path, ev in results:
        good = ev.shipment.good
        rule = ev.rule
        rvc = ev.result.rvc.build_down if ev.result and ev.originating is not None else None
        counts = {}
        for issue in ev.issues:
            counts[issue.code] = counts.get(issue.code, 0) + 1
        table.add_row(
            _short_verdict(ev),
            good.code if good else "?",
            display(good.hs_full) if good and good.hs_full else "",
            rule.row.psr if isinstance(rule, RuleMatch) else "-",
            percent(rvc) or "-",
            ", ".join(counts),
            Path(path).name,
        )
    out.print(table)


def _show_issues(path, ev) -> None:
    good = ev.shipment.good
    title = f"{path or ''} {good.code if good else ''}".strip()
    if not ev.issues:
        out.print(f"[green]{title}: no issues[/]", markup=True)
        return
    table = Table(
        title=f"{title}: {len(ev.errors)} error(s), {len(ev.issues) - len(ev.errors)} warning(s)",
        title_justify="left",
    )
    for column in ("severity", "code", "path", "message", "what to do"):
        table.add_column(column, overflow="fold")
    for issue in sorted(ev.issues, key=lambda i: i.severity):
        style = "red" if issue.is_error else "yellow"
        table.add_row(
            Text(issue.severity, style=style), issue.code, issue.path, issue.message, issue.hint
        )
    out.print(table)


# --- psr -----------------------------------------------------------------------------------------


def _psr_show(args) -> int:
    reference = _reference(args)
    code = normalise(args.code)
    if code is None or (len(code) not in (2, 4) and len(code) < 6):
        err.print(f"{args.code!r} is not an HS chapter, heading or subheading code.")
        return 2
    if problem := code_problem(code, args.hs_version, reference.nomenclatures):
        err.print(f"{problem}.")  # (a code of no HS edition has no rule to show)
        return 2
    if len(code) < 6:
        rows = [
            r
            for r in reference.rules.rows.values()
            if r.code.startswith(code) or code.startswith(r.code)
        ]
        if args.json:
            out.print_json(data=[dict(r.as_csv()) for r in rows])
        elif not rows:
            out.print(f"No rule rows loaded under {display(code)}.")
        if not rows:
            return 1  # as for a code: no rule loaded
        if not args.json:
            table = Table()
            for column in ("version", "code", "rule", "legibility", "description"):
                table.add_column(column)
            for r in sorted(rows, key=lambda r: (r.hs_version, r.code)):
                table.add_row(r.hs_version, display(r.code), r.psr, r.legibility, r.description)
            out.print(table)
        return 0
    found = reference.rules.find(code[:6], args.hs_version)
    if isinstance(found, RuleMatch):
        row = found.row
        info = {
            "hs": display(code[:6]),
            "hs_version": args.hs_version,
            **{f"rule_{k}" if k == "hs_version" else k: v for k, v in row.as_csv().items()},
            "transposed": found.transposed,
            "correlation": [display(c) for c in found.mapped],
            "relationship": found.relationship,
        }
        if args.json:
            out.print_json(data=info)
        else:
            out.print(
                f"[bold]{display(code[:6])}[/] ({args.hs_version}): [bold]{row.psr}[/]", markup=True
            )
            out.print(f"  row {row.hs_version} {row.level} {display(row.code)} {row.description}")
            if found.transposed:
                out.print(
                    f"  transposed through the UNSD correlation -> "
                    f"{', '.join(info['correlation'])} ({found.relationship}): confirm the "
                    "HS2022 rule and import it"
                )
            out.print(f"  legibility {row.legibility}; source {row.source_url} ({row.locator})")
        return 0
    message = (
        f"No rule loaded for {display(code[:6])} ({args.hs_version}){found.detail}. "
        "Import the official row with `rcep-origin psr import FILE`."
    )
    if args.json:
        out.print_json(data={"hs": display(code[:6]), "code": "PSR_NOT_FOUND", "message": message})
    else:
        out.print(message)
    return 1


def _psr_import(args) -> int:
    # Compared with the bundled rows and the rows already in the file imported into.
    target = args.rules_file or default_user_rules_path()
    reference = Reference.load((target,) if target.exists() else ())
    rows = read_rule_file(args.file, reference.nomenclatures)
    user_rows = read_rule_file(target, reference.nomenclatures) if target.exists() else []
    report = reference.rules.merge(rows, replace=args.replace)
    kept = {r.key: r for r in user_rows}
    for row in report.added:
        kept[row.key] = row
    for row, _ in report.replaced:
        kept[row.key] = row
    if report.added or report.replaced:
        write_rule_file(target, kept.values())
    summary = {
        "file": str(args.file),
        "rules_file": str(target),
        "added": [display(r.code) for r in report.added],
        "replaced": [display(r.code) for r, _ in report.replaced],
        "unchanged": [display(r.code) for r in report.unchanged],
        "conflicts": [
            {
                "code": display(new.code),
                "hs_version": new.hs_version,
                "new": new.psr,
                "loaded": old.psr,
                "loaded_from": old.origin,
            }
            for new, old in report.conflicts
        ],
    }
    if args.json:
        out.print_json(data=summary)
    else:
        out.print(
            f"{len(report.added)} row(s) added, {len(report.replaced)} replaced, "
            f"{len(report.unchanged)} already loaded; kept in {target}."
        )
        for c in summary["conflicts"]:
            out.print(
                f"[yellow]CONFLICT[/] {c['hs_version']} {c['code']}: the file says "
                f"{c['new']!r}, the loaded rule ({c['loaded_from']}) says {c['loaded']!r}; "
                "not imported. Check the official text; use --replace to let the file win.",
                markup=True,
            )
    return 1 if report.conflicts else 0


if __name__ == "__main__":
    sys.exit(main())
