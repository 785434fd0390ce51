"""The customs Single Window: ``mock-server`` runs the mock service; ``submit`` sends a
declaration; ``certificates`` and ``certificate`` read the ledger; ``verify`` checks a
certificate's signature and, with an endpoint, that customs registered it as is."""

import errno
import json
import os
import sqlite3
from pathlib import Path

from connectors.cli import options
from connectors.cli.errors import CommandError
from connectors.cli.output import json_out, out, table
from connectors.cli.status import Exit


def default_db() -> Path:
    """Beside the user's other rcep-origin data, never in the working folder (a repository):
    the folder holds the service's private signing key."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "rcep-origin" / "single-window" / "single-window.sqlite3"


def register(sub) -> None:
    p = options.command(
        sub, "mock-server", mock_server, "Run the mock Single Window (SOAP over HTTP).", json=False
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", default="8070", help="1 to 65535 (default 8070)")
    p.add_argument(
        "--db",
        type=Path,
        default=default_db(),
        help="its SQLite database; the signing key and certificate live beside it (default "
        "%(default)s)",
    )
    p.add_argument(
        "--rules",
        dest="server_rules",
        type=Path,
        action="append",
        metavar="CSV",
        help="rule files the Single Window checks with, besides the bundled rules (give the "
        "files the exporter imported, e.g. its user rules file)",
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
    options.ledger(p)
    p = options.command(
        sub,
        "certificate",
        certificate,
        "Write a certificate (signed XML and PDF summary).",
        json=False,
    )
    p.add_argument("number")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    options.ledger(p)
    p = options.command(
        sub,
        "verify",
        verify,
        "Check a certificate's signature against the customs signing "
        "certificate and, with an endpoint, that the Single Window issued it as is.",
    )
    p.add_argument("file", type=Path, metavar="CERTIFICATE.xml")
    options.connection(p, endpoint=None)


def mock_server(args) -> int:
    """Serve in the foreground until Ctrl-C (exit 0); a bad option, an unusable --users file
    or a port in use is one line, exit 2, before anything starts."""
    from connectors.single_window.embedded import DEMO_USERS
    from connectors.single_window.guard import Limits, create_server
    from connectors.single_window.server import Faults, SingleWindowApp
    from connectors.single_window.service import Service

    port = _port(args.port)
    users = _users(args.users) if args.users else DEMO_USERS
    rule_files = [*(args.rules or ()), *(args.server_rules or ())]
    chosen = {
        name: getattr(args, name)
        for name in ("header_timeout", "body_timeout", "per_address", "max_connections", "queue")
        if getattr(args, name) is not None
    }
    try:
        limits = Limits(**chosen)
        faults = Faults(args.latency_ms, args.error_rate, args.drop_rate)
    except (TypeError, ValueError) as exc:
        raise CommandError(
            "OPTION_INVALID", f"a limit or fault option is not valid: {exc}"
        ) from None
    reference = options.reference_from(rule_files) if rule_files else None
    try:
        service = Service(args.db, reference)
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(
            "DB_UNUSABLE",
            f"cannot open the database {args.db} or its signing key beside it: {exc}; give "
            "--db a file in a folder you can write",
            path=str(args.db),
        ) from None
    app = SingleWindowApp(service, users, faults=faults)
    try:
        server = create_server(app, args.host, port, limits)
    except OSError as exc:
        in_use = exc.errno == errno.EADDRINUSE
        raise CommandError(
            "PORT_IN_USE" if in_use else "CANNOT_LISTEN",
            f"port {port} on {args.host} is already in use (another mock-server?); give "
            "another --port"
            if in_use
            else f"cannot listen on {args.host}:{port}: {exc.strerror or exc}; check --host "
            "and --port",
        ) from None
    app.server = server
    rules = f"; rules: bundled + {', '.join(map(str, rule_files))}" if rule_files else ""
    out.print(
        f"Mock Single Window on http://{args.host}:{server.effective_port}/single-window "
        f"(WSDL: ...?wsdl; database {args.db}; {len(users)} user(s){rules}). Ctrl-C stops it."
    )
    if not args.users:
        out.print("Demo credentials: exporter / rcep-demo (give --users FILE for your own).")
    try:
        server.run()
    except KeyboardInterrupt:
        out.print("Stopped.")
    finally:
        server.task_dispatcher.shutdown()
    return Exit.OK


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise CommandError("OPTION_INVALID", f"--port {text!r} is not a port: give 1 to 65535")
    return int(text)


USERS_HINT = 'give a JSON object of user names and passwords, such as {"exporter": "a passphrase"}'


def _users(path: Path) -> dict[str, str]:
    """The --users file: a JSON object of non-empty user names and passwords."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise CommandError(
            "USERS_UNREADABLE", f"cannot read --users {path}: {reason}; {USERS_HINT}"
        ) from None
    try:
        users = json.loads(text)
    except ValueError as exc:
        raise CommandError(
            "USERS_INVALID", f"--users {path} is not JSON ({exc}); {USERS_HINT}"
        ) from None
    if (
        not isinstance(users, dict)
        or not users
        or not all(isinstance(v, str) and k and v for k, v in users.items())
    ):
        raise CommandError(
            "USERS_INVALID",
            f"--users {path} is not an object of user names and passwords; {USERS_HINT}",
        )
    return users


def submit(args) -> int:
    from connectors.declaration import DeclarationError, build, load_shipment_file, to_xml
    from connectors.ledger import Ledger, LedgerConflict
    from connectors.single_window.client import SingleWindowError
    from connectors.xmlsafe import MAX_BYTES, SchemaInvalid, XMLUnreadable

    try:
        if args.file.suffix.lower() == ".xml":
            xml = options.read_capped(args.file, MAX_BYTES)
        else:
            data = load_shipment_file(args.file)
            xml = to_xml(build(data, args.file.parent, options.reference(args)))
        ledger = Ledger(args.ledger)
        outcome = options.client(args, ledger).submit(xml)
    except DeclarationError as exc:
        error = exc.as_dict()
        raise CommandError(
            error["code"], f"{exc} Nothing was sent.", error.get("hint", ""), error.get("path", "")
        ) from None
    except (SchemaInvalid, XMLUnreadable) as exc:
        raise CommandError(
            exc.code,
            f"the declaration is not valid against the schema; nothing was sent:\n{exc}",
            "Correct the declaration (rcep-origin validate names each problem).",
            str(args.file),
        ) from None
    except (LedgerConflict, OSError) as exc:
        raise CommandError(
            getattr(exc, "code", "ERROR"),
            f"{exc}; nothing was sent",
            "Correct it and run again.",
            str(args.file),
        ) from None
    except SingleWindowError as exc:
        hint = (
            "Nothing is lost: the ledger keeps the declaration and its key; run submit "
            "again to settle it."
            if exc.transient
            else "The declaration stays in the ledger with this error; correct the cause "
            "before sending a new declaration."
        )
        raise CommandError(exc.code, exc.message, hint, str(args.file)) from None
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
    return {"issued": Exit.OK, "rejected": Exit.NO}.get(entry.state, Exit.ERROR)


def certificates(args) -> int:
    """The ledger, one declaration per line under a header: its state, certificate and
    reference numbers (never cut: they are what the user types next), the goods and the
    importer it was declared for."""
    from connectors.ledger import Ledger

    ledger = Ledger(args.ledger)
    entries = [(e, _declared(ledger, e.idempotency_key)) for e in ledger.entries()]
    ledger.close()
    if args.json:
        json_out([dict(e.as_dict(), **declared) for e, declared in entries])
        return Exit.OK
    if not entries:
        out.print("The ledger holds no declaration yet.")
        return Exit.OK
    table(
        ("state", "certificate", "reference", "issued at", "goods", "importer", "attempts", "key"),
        [
            (
                e.state,
                e.certificate_number or "-",
                e.reference_number or "-",
                e.issued_at or "-",
                ", ".join(declared["goods"]) or "?",
                declared["importer"] or "?",
                str(e.attempts),
                e.idempotency_key,
            )
            for e, declared in entries
        ],
        keep=("state", "certificate", "reference", "issued at", "attempts", "key"),
    )
    return Exit.OK


def _declared(ledger, key: str) -> dict:
    """The goods (item codes) and the importer of a declaration kept in the ledger."""
    from connectors.declaration import decode_xml as from_xml

    try:
        declaration = from_xml(ledger.declaration(key))
    except Exception:  # kept before sending, so it was valid; an old or foreign one may not be
        return {"goods": [], "importer": None}
    importer = declaration.importer
    return {
        "goods": [item.evidence.item_code for item in declaration.items],
        "importer": f"{importer.name} ({importer.country})",
    }


def certificate(args) -> int:
    """0 written and its signature verified, 1 written but not verified, 2 not in the ledger
    or the folder cannot be written."""
    from connectors.ledger import Ledger
    from connectors.single_window.signing import SignatureInvalid
    from connectors.summary_pdf import certificate_pdf

    stored = Ledger(args.ledger).certificate(args.number)
    if stored is None:
        raise CommandError(
            "NOT_FOUND",
            f"No certificate {args.number} in the ledger",
            "See `rcep-origin certificates` for the numbers it holds.",
        )
    signed, pdf, valid, fp = stored
    try:
        pdf = pdf or certificate_pdf(signed, fp or "unknown")
    except SignatureInvalid as exc:  # not a certificate in the shape that verifies
        _write(args.out, f"{args.number}.xml", signed)
        out.print(f"Wrote {args.number}.xml (signature NOT verified) to {args.out}; no PDF:")
        out.print(f"  {exc.code}: {exc}")
        return Exit.NO
    _write(args.out, f"{args.number}.xml", signed)
    _write(args.out, f"{args.number}.pdf", pdf)
    out.print(
        f"Wrote {args.number}.xml (signature {'verified' if valid else 'NOT verified'}) "
        f"and {args.number}.pdf to {args.out}."
    )
    return Exit.OK if valid else Exit.NO


def _write(folder: Path, name: str, data: bytes) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    except OSError as exc:
        raise CommandError(
            "CANNOT_WRITE",
            f"cannot write {folder / name}: {exc.strerror or exc}",
            "Give --out a folder you can write.",
            str(folder),
        ) from None


def verify(args) -> int:
    """0 valid, 1 not valid (the signature, or the Single Window's copy, says no), 2 nothing
    could be checked: no certificate to read, no signing certificate, the Single Window
    unreachable or not trusted."""
    from connectors.ledger import Ledger
    from connectors.single_window.client import SingleWindowError
    from connectors.single_window.signing import SignatureInvalid, fingerprint, verify

    tree, data = options.read_xml(args.file, "certificate")
    root = tree.getroot().tag
    if root != f"{{{CERTIFICATE_NS}}}Certificate":
        what = KNOWN_DOCUMENTS.get(root, f"a {root.rpartition('}')[2]} document")
        raise CommandError(
            "NOT_A_CERTIFICATE",
            f"{args.file} is {what}, not a certificate of origin",
            "Give the signed certificate XML (rcep-origin certificate NUMBER --out DIR writes it).",
            str(args.file),
        )
    ledger = Ledger(args.ledger) if args.endpoint else None  # offline: no ledger is touched
    client = options.client(args, ledger) if args.endpoint else None
    if args.signing_cert:
        pem = options.read_pem(args.signing_cert)
    elif client is not None:
        try:
            pem = client.signing_certificate()
        except SingleWindowError as exc:
            raise _not_checked(args, exc) from None
    else:
        raise CommandError(
            "NO_SIGNING_CERTIFICATE",
            "no signing certificate to check against",
            "Give --signing-cert PEM (from customs) or --endpoint URL.",
            str(args.file),
        )
    checks = []
    ok = True
    try:
        signed = verify(data, pem)
        number = signed.findtext(f"{{{CERTIFICATE_NS}}}CertificateNumber")
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
    if ok and client is not None:
        try:
            registered = client.registered_certificate(number)
        except SingleWindowError as error:
            if error.transient or error.code in NOT_CHECKED:
                raise _not_checked(args, error) from None
            ok = False  # the Single Window answered: it does not know it, or not from us
            checks.append({"check": "registered", "ok": False, "detail": str(error)[:300]})
        else:
            same = _c14n(registered) == _c14n(data)
            checks.append(
                {
                    "check": "registered",
                    "ok": same,
                    "detail": f"the Single Window knows certificate {number}"
                    + (" with the same content" if same else " but with DIFFERENT content"),
                }
            )
            ok = ok and same
    if args.json:
        json_out({"file": str(args.file), "certificate": number, "valid": ok, "checks": checks})
    else:
        for check in checks:
            out.print(f"{'OK  ' if check['ok'] else 'FAIL'} {check['check']}: {check['detail']}")
        out.print(f"{args.file}: {'VALID' if ok else 'NOT VALID'}")
    return Exit.OK if ok else Exit.NO


CERTIFICATE_NS = "urn:rcep-origin:certificate:1"
KNOWN_DOCUMENTS = {
    "{urn:rcep-origin:declaration:1}Declaration": "a declaration",
    "{urn:rcep-origin:receipt:1}Receipt": "a receipt",
    "{urn:rcep-origin:rejection:1}Rejection": "a rejection",
}
NOT_CHECKED = {"TLS_UNTRUSTED", "HOSTILE_RESPONSE", "UNEXPECTED"}


def _not_checked(args, error) -> CommandError:
    """The Single Window could not be asked: nothing was checked (exit 2)."""
    if error.code == "TLS_UNTRUSTED":
        hint = (
            "If its TLS certificate is issued by a private CA, set REQUESTS_CA_BUNDLE to that "
            "CA's certificate (a PEM file); or check offline with --signing-cert PEM."
        )
        message = f"the Single Window at {args.endpoint} is not trusted: its TLS certificate "
        message += "does not verify; nothing was checked"
    else:
        hint = "Check the --endpoint URL and the network, or check offline with --signing-cert."
        message = f"the Single Window at {args.endpoint} could not be asked ({error.message}); "
        message += "nothing was checked"
    return CommandError(error.code, message, hint, str(args.file))


def _c14n(data: bytes) -> bytes:
    from lxml import etree

    from connectors.xmlsafe import parse_untrusted

    return etree.tostring(parse_untrusted(data), method="c14n")
