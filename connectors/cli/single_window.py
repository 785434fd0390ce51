"""The customs Single Window: ``mock-server`` runs the mock service; ``submit`` sends a
declaration; ``certificates`` and ``certificate`` read the ledger; ``verify`` checks a
certificate's signature and, with an endpoint, that customs registered it as is."""

import json
import os
from pathlib import Path

from connectors.cli import options
from connectors.cli.output import err, fail, json_out, out


def register(sub) -> None:
    p = options.command(
        sub, "mock-server", mock_server, "Run the mock Single Window (SOAP over HTTP).", json=False
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

    p = options.command(
        sub,
        "submit",
        submit,
        "Declare (if given a shipment file) and submit to the "
        "Single Window; exit 0 issued, 1 rejected, 2 not settled.",
    )
    p.add_argument("file", type=Path, metavar="SHIPMENT.json|FILE.xml")
    options.connection(p)
    p = options.command(
        sub, "certificates", certificates, "The declarations and certificates in the ledger."
    )
    p.add_argument("--ledger", type=Path, default=None)
    p = options.command(
        sub,
        "certificate",
        certificate,
        "Write a certificate (signed XML and PDF summary).",
        json=False,
    )
    p.add_argument("number")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--ledger", type=Path, default=None)
    p = options.command(
        sub,
        "verify",
        verify,
        "Check a certificate's signature against the customs signing "
        "certificate and, with an endpoint, that the Single Window issued it as is.",
    )
    p.add_argument("file", type=Path, metavar="CERTIFICATE.xml")
    p.add_argument("--endpoint", default=None)
    p.add_argument("--user", default=os.environ.get("RCEP_SW_USER", "exporter"))
    p.add_argument("--password", default=None, help="as for submit: prefer $RCEP_SW_PASSWORD")
    p.add_argument("--signing-cert", type=Path, metavar="PEM")
    p.add_argument("--ledger", type=Path, default=None)


def mock_server(args) -> int:
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


def submit(args) -> int:
    from connectors.declaration import DeclarationError, build, load_shipment_file, to_xml
    from connectors.ledger import Ledger, LedgerConflict
    from connectors.single_window.client import SingleWindowError
    from connectors.xmlsafe import SchemaInvalid, XMLUnreadable

    try:
        if args.file.suffix.lower() == ".xml":
            xml = args.file.read_bytes()
        else:
            data = load_shipment_file(args.file)
            xml = to_xml(build(data, args.file.parent, options.reference(args)))
        ledger = Ledger(args.ledger)
        outcome = options.client(args, ledger).submit(xml)
    except DeclarationError as exc:
        fail(args, {**exc.as_dict(), "message": f"{exc} Nothing was sent."})
        return 2
    except (SchemaInvalid, XMLUnreadable) as exc:
        fail(
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
    except (LedgerConflict, OSError, options.Usage) as exc:
        fail(
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
        fail(args, {"code": exc.code, "path": str(args.file), "message": exc.message, "hint": hint})
        return 2
    entry = outcome.entry
    if args.json:
        json_out({**entry.as_dict(), "rejection": outcome.rejection})
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


def certificates(args) -> int:
    from connectors.ledger import Ledger

    entries = Ledger(args.ledger).entries()
    if args.json:
        json_out([e.as_dict() for e in entries])
        return 0
    if not entries:
        out.print("The ledger holds no declaration yet.")
    for e in entries:  # one line each, never cut: the numbers are what the user types next
        out.print(
            f"{e.state:<10} {e.certificate_number or '-':<20} {e.reference_number or '-':<20}"
            f" {e.issued_at or '-':<26} key {e.idempotency_key} attempts {e.attempts}"
        )
    return 0


def certificate(args) -> int:
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


def verify(args) -> int:
    from connectors.ledger import Ledger
    from connectors.single_window.signing import SignatureInvalid, fingerprint, verify

    checks = []
    data = args.file.read_bytes() if args.file.exists() else None
    if data is None:
        fail(
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
        fail(
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
            client = options.client(args, ledger)
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
        json_out({"file": str(args.file), "certificate": number, "valid": ok, "checks": checks})
    else:
        for check in checks:
            out.print(f"{'OK  ' if check['ok'] else 'FAIL'} {check['check']}: {check['detail']}")
        out.print(f"{args.file}: {'VALID' if ok else 'NOT VALID'}")
    return 0 if ok else 1


def _c14n(data: bytes) -> bytes:
    from lxml import etree

    from connectors.xmlsafe import parse_untrusted

    return etree.tostring(parse_untrusted(data), method="c14n")
