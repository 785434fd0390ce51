"""An exporter talks to the customs Single Window with `rcep-origin`: submits a shipment,
lists and writes the certificates that come back, and verifies them (the XML signature against
the customs signing certificate and, with an endpoint, that customs registered them as is).

Exit codes (connectors/cli/): `submit` 0 issued, 1 rejected, 2 not settled; `verify` 0 valid,
1 not valid, 2 nothing to check. Every test runs the mock Single Window in-process on a free
loopback port under tmp_path, keeps the exporter's ledger in tmp_path (`--ledger`), and points
RCEP_ORIGIN_LEDGER and RCEP_ORIGIN_RULES at temporary files, so the user's own ledger and rules
file are never read or written.
"""

import dataclasses
import json
import re
import socket
import time
import uuid
from pathlib import Path

import pytest
import requests

from connectors.cli import main
from connectors.declaration import build, load_shipment_file, to_xml
from connectors.single_window.client import SingleWindowClient
from connectors.single_window.embedded import DEMO_USERS, running
from connectors.single_window.signing import fingerprint
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

ROOT = Path(__file__).resolve().parent.parent
SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
SHIPMENT_KEY = json.loads(SHIPMENT.read_text())["idempotency_key"]
SAMPLES = data_path("samples")
INVALID_DECLARATION = ROOT / "xsd" / "examples" / "invalid-01-hs-four-digits.xml"
PASSWORD = "rcep-demo"
assert DEMO_USERS == {"exporter": PASSWORD}
CERTIFICATE_NUMBER = re.compile(r"R\d{2}[0-9A-Z]{10}\d{5}")


# --- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def user_files(tmp_path, monkeypatch):
    """The default ledger and user rules file live in a temporary folder for every test; no
    password or user name comes from the environment unless a test sets it."""
    home = tmp_path / "user-home"
    monkeypatch.setenv("RCEP_ORIGIN_LEDGER", str(home / "ledger.sqlite3"))
    monkeypatch.setenv("RCEP_ORIGIN_RULES", str(home / "psr_user.csv"))
    monkeypatch.delenv("RCEP_SW_PASSWORD", raising=False)
    monkeypatch.delenv("RCEP_SW_USER", raising=False)
    return home


@pytest.fixture
def cli(capsys):
    """Run `rcep-origin ARGS` in-process: (exit code, stdout, stderr)."""

    def run(*args):
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def mock(tmp_path):
    """A running mock Single Window: (endpoint URL, WSGI app)."""
    with running(tmp_path / "single-window") as (url, app):
        yield url, app


@pytest.fixture
def ledger(tmp_path):
    return tmp_path / "exporter" / "ledger.sqlite3"


@pytest.fixture
def backoff(monkeypatch):
    """The client's sleeps between retries, recorded instead of slept (keeps the tests fast)."""
    delays = []
    monkeypatch.setitem(SingleWindowClient.__init__.__kwdefaults__, "sleep", delays.append)
    return delays


def rows(app, table: str) -> int:
    """How many rows the mock Single Window's database holds in a table."""
    return app.service._db().execute(f"select count(*) from {table}").fetchone()[0]


def submit(cli, file, url, ledger, *extra, password=PASSWORD):
    return cli(
        "submit", file, "--endpoint", url, "--password", password, "--ledger", ledger, *extra
    )


def entries(cli, ledger) -> list[dict]:
    code, out, _ = cli("certificates", "--ledger", ledger, "--json")
    assert code == 0
    return json.loads(out)


def issue(cli, url, ledger, out_dir) -> tuple[str, Path]:
    """Submit the bundled shipment and write its certificate: (number, certificate XML)."""
    code, out, err = submit(cli, SHIPMENT, url, ledger, "--json")
    assert code == 0, err
    number = json.loads(out)["certificate_number"]
    code, _, err = cli("certificate", number, "--out", out_dir, "--ledger", ledger)
    assert code == 0, err
    return number, out_dir / f"{number}.xml"


def ledger_bytes(ledger: Path) -> bytes:
    """Everything the ledger has on disk: the database and its WAL and shared-memory files."""
    files = sorted(ledger.parent.glob(ledger.name + "*"))
    assert files
    return b"".join(f.read_bytes() for f in files)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def published_certificate(url, path: Path) -> Path:
    answer = requests.get(f"{url}/signing-certificate.pem", timeout=10)
    assert answer.status_code == 200
    path.write_bytes(answer.content)
    return path


def tamper(xml: bytes, tag: bytes) -> bytes:
    """The certificate with one character of one element's text changed."""
    match = re.search(rb"<k:" + tag + rb">([^<]+)</k:" + tag + rb">", xml)
    assert match, tag
    last = match.end(1) - 1
    changed = b"1" if xml[last : last + 1] != b"1" else b"2"
    return xml[:last] + changed + xml[last + 1 :]


# --- 1. submit: issued once --------------------------------------------------------------------


def test_submitting_the_bundled_shipment_to_the_single_window_issues_a_certificate(
    cli, mock, ledger
):
    url, app = mock

    code, out, err = submit(cli, SHIPMENT, url, ledger)

    assert code == 0, err
    assert out.startswith("ISSUED: certificate ")
    number = CERTIFICATE_NUMBER.search(out).group()
    assert re.fullmatch(r"R\d{2}3302961A27\d{5}", number)  # the exporter's customs code inside
    assert "signature verified" in out
    assert re.search(r"reference SW-\d{8}-\d{6}", out)
    issued = app.service._db().execute("select certificate_number from certificates").fetchall()
    assert issued == [(number,)]


def test_submitting_the_same_shipment_again_gives_the_same_certificate_and_no_second_one(
    cli, mock, ledger
):
    url, app = mock
    code, out, _ = submit(cli, SHIPMENT, url, ledger)
    assert code == 0
    number = CERTIFICATE_NUMBER.search(out).group()

    code, out, err = submit(cli, SHIPMENT, url, ledger, "--json")

    assert code == 0, err
    again = json.loads(out)
    assert again["state"] == "issued"
    assert again["certificate_number"] == number
    assert again["idempotency_key"] == SHIPMENT_KEY
    assert again["attempts"] == 1  # settled from the ledger: nothing was sent twice
    assert again["rejection"] is None
    assert rows(app, "certificates") == 1
    assert rows(app, "declarations") == 1


def test_a_second_ledger_submitting_the_same_shipment_gets_the_same_certificate_from_customs(
    cli, mock, ledger, tmp_path
):
    """Another workstation (its own empty ledger) sends the same declaration: the Single Window
    recognises the idempotency key and answers with the certificate it issued before."""
    url, app = mock
    code, out, _ = submit(cli, SHIPMENT, url, ledger, "--json")
    assert code == 0
    first = json.loads(out)

    code, out, err = submit(cli, SHIPMENT, url, tmp_path / "colleague" / "ledger.sqlite3", "--json")

    assert code == 0, err
    second = json.loads(out)
    assert second["certificate_number"] == first["certificate_number"]
    assert second["reference_number"] == first["reference_number"]
    assert rows(app, "certificates") == 1


# --- 2. the ledger, the certificate files, the signature -----------------------------------------


def test_the_ledger_lists_the_issued_certificate(cli, mock, ledger):
    url, _ = mock
    code, out, _ = submit(cli, SHIPMENT, url, ledger)
    assert code == 0
    number = CERTIFICATE_NUMBER.search(out).group()

    (entry,) = entries(cli, ledger)

    assert entry["state"] == "issued"
    assert entry["certificate_number"] == number
    assert entry["idempotency_key"] == SHIPMENT_KEY
    assert entry["endpoint"] == url
    assert entry["certificate_format"] == "RCEP-CO-XML-1"
    assert entry["last_error"] is None


def test_the_human_list_shows_whole_certificate_numbers_on_an_80_column_terminal(
    cli, mock, ledger, monkeypatch
):
    """The number is what `rcep-origin certificate NUMBER` needs: it must not be cut to 'R26…'."""
    import connectors.cli

    url, _ = mock
    code, out, _ = submit(cli, SHIPMENT, url, ledger)
    number = CERTIFICATE_NUMBER.search(out).group()
    monkeypatch.setattr(connectors.cli.out, "_width", 80)

    code, out, _ = cli("certificates", "--ledger", ledger)

    assert code == 0
    assert "issued" in out
    assert number in out


def test_the_exporter_writes_the_certificate_as_signed_xml_and_a_pdf_summary(
    cli, mock, ledger, tmp_path
):
    url, _ = mock
    code, out, _ = submit(cli, SHIPMENT, url, ledger)
    number = CERTIFICATE_NUMBER.search(out).group()
    out_dir = tmp_path / "for-the-buyer"

    code, out, err = cli("certificate", number, "--out", out_dir, "--ledger", ledger)

    assert code == 0, err
    assert f"Wrote {number}.xml (signature verified)" in out
    assert sorted(p.name for p in out_dir.iterdir()) == [f"{number}.pdf", f"{number}.xml"]
    xml = (out_dir / f"{number}.xml").read_bytes()
    assert f"<k:CertificateNumber>{number}</k:CertificateNumber>".encode() in xml
    assert b"<ds:Signature" in xml or b"Signature xmlns" in xml
    pdf = (out_dir / f"{number}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert f"RCEP CO {number}".encode() in pdf  # the PDF's title


def test_the_written_certificate_verifies_with_the_published_signing_certificate(
    cli, mock, ledger, tmp_path
):
    url, app = mock
    number, certificate = issue(cli, url, ledger, tmp_path / "certs")
    pem = published_certificate(url, tmp_path / "customs.pem")
    assert pem.read_bytes() == app.service.identity.cert_pem

    code, out, err = cli("verify", certificate, "--signing-cert", pem)

    assert code == 0, err
    assert re.search(r"^OK\s+signature: XML-DSig RSA-SHA256 verifies", out, re.M)
    assert fingerprint(pem.read_bytes()) in out
    assert out.rstrip().endswith(f"{certificate}: VALID")

    code, out, _ = cli("verify", certificate, "--signing-cert", pem, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["valid"] is True
    assert report["certificate"] == number
    assert [(c["check"], c["ok"]) for c in report["checks"]] == [("signature", True)]


# --- 3. a tampered certificate --------------------------------------------------------------------


@pytest.mark.parametrize("element", [b"ReferenceNumber", b"IssuedAt"])
def test_a_certificate_changed_by_one_character_is_not_valid(cli, mock, ledger, tmp_path, element):
    url, app = mock
    _, certificate = issue(cli, url, ledger, tmp_path / "certs")
    forged = tmp_path / "forged.xml"
    forged.write_bytes(tamper(certificate.read_bytes(), element))
    assert forged.read_bytes() != certificate.read_bytes()
    pem = tmp_path / "customs.pem"
    pem.write_bytes(app.service.identity.cert_pem)

    code, out, _ = cli("verify", forged, "--signing-cert", pem)

    assert code == 1
    assert re.search(
        r"^FAIL signature: SIGNATURE_INVALID: the signature does not verify", out, re.M
    )
    assert out.rstrip().endswith(f"{forged}: NOT VALID")
    code, _, _ = cli("verify", certificate, "--signing-cert", pem)
    assert code == 0  # the original still verifies


# --- 4. verify with the Single Window --------------------------------------------------------


def test_verify_with_the_endpoint_confirms_customs_registered_the_same_certificate(
    cli, mock, ledger, tmp_path
):
    url, _ = mock
    number, certificate = issue(cli, url, ledger, tmp_path / "certs")

    code, out, err = cli(
        "verify", certificate, "--endpoint", url, "--password", PASSWORD, "--ledger", ledger
    )

    assert code == 0, err
    assert re.search(r"^OK\s+signature:", out, re.M)
    assert re.search(
        rf"^OK\s+registered: the Single Window knows certificate {number} with the same content$",
        out,
        re.M,
    )
    assert out.rstrip().endswith("VALID")
    assert PASSWORD not in out + err


def test_verify_with_the_endpoint_pins_the_published_signing_certificate_on_first_use(
    cli, mock, ledger, tmp_path
):
    """An importer with an empty ledger checks a certificate the exporter sent them."""
    url, app = mock
    number, certificate = issue(cli, url, ledger, tmp_path / "certs")
    importer_ledger = tmp_path / "importer" / "ledger.sqlite3"

    code, out, err = cli(
        "verify",
        certificate,
        "--endpoint",
        url,
        "--password",
        PASSWORD,
        "--ledger",
        importer_ledger,
        "--json",
    )

    assert code == 0, err
    report = json.loads(out)
    assert report["certificate"] == number
    assert [(c["check"], c["ok"]) for c in report["checks"]] == [
        ("signature", True),
        ("registered", True),
    ]
    from connectors.ledger import Ledger

    assert Ledger(importer_ledger).pinned(url) == app.service.identity.cert_pem


def test_a_certificate_signed_by_another_single_window_is_not_valid_for_this_one(
    cli, mock, ledger, tmp_path
):
    url, app = mock
    code, _, _ = submit(cli, SHIPMENT, url, ledger)  # pins this endpoint's certificate
    assert code == 0
    with running(tmp_path / "other-single-window") as (other_url, other_app):
        assert other_app.service.identity.cert_pem != app.service.identity.cert_pem
        _, foreign = issue(cli, other_url, tmp_path / "other.sqlite3", tmp_path / "other")

    code, out, _ = cli(
        "verify", foreign, "--endpoint", url, "--password", PASSWORD, "--ledger", ledger
    )

    assert code == 1
    assert re.search(r"^FAIL signature:", out, re.M)
    assert "registered" not in out  # a certificate that does not verify is not looked up
    assert out.rstrip().endswith("NOT VALID")
    pem = tmp_path / "this-customs.pem"
    pem.write_bytes(app.service.identity.cert_pem)
    code, out, _ = cli("verify", foreign, "--signing-cert", pem)
    assert code == 1
    assert "NOT VALID" in out


def test_verify_with_a_wrong_password_fails_the_registration_check_and_hides_the_password(
    cli, mock, ledger, tmp_path
):
    url, _ = mock
    _, certificate = issue(cli, url, ledger, tmp_path / "certs")
    wrong = "not-the-Pa55word"

    code, out, err = cli(
        "verify", certificate, "--endpoint", url, "--password", wrong, "--ledger", ledger
    )

    assert code == 1
    assert re.search(r"^OK\s+signature:", out, re.M)
    assert re.search(r"^FAIL registered: .*AUTHENTICATION_FAILED", out, re.M)
    assert wrong not in out + err


def test_verify_offline_with_a_signing_certificate_leaves_the_ledger_alone(
    cli, mock, ledger, tmp_path, user_files
):
    """Checking a signature against a PEM file needs no ledger: none is created or opened."""
    url, app = mock
    _, certificate = issue(cli, url, ledger, tmp_path / "certs")
    pem = tmp_path / "customs.pem"
    pem.write_bytes(app.service.identity.cert_pem)

    code, _, _ = cli("verify", certificate, "--signing-cert", pem)

    assert code == 0
    assert not (user_files / "ledger.sqlite3").exists()


def test_verify_without_a_signing_certificate_or_endpoint_says_what_to_give(cli, mock, tmp_path):
    url, _ = mock
    _, certificate = issue(cli, url, tmp_path / "l.sqlite3", tmp_path / "certs")

    code, _, err = cli("verify", certificate, "--ledger", tmp_path / "empty.sqlite3")

    assert code == 2
    assert "NO_SIGNING_CERTIFICATE" in err
    assert "--signing-cert" in err


def test_verify_of_a_missing_file_exits_2(cli, tmp_path):
    code, _, err = cli("verify", tmp_path / "nowhere.xml", "--ledger", tmp_path / "l.sqlite3")

    assert code == 2
    assert "XML_UNREADABLE" in err
    assert "nowhere.xml" in err


def test_asking_for_a_certificate_the_ledger_does_not_hold_exits_2(cli, tmp_path):
    out_dir = tmp_path / "out"

    code, _, err = cli(
        "certificate", "R260000000000000001", "--out", out_dir, "--ledger", tmp_path / "l.sqlite3"
    )

    assert code == 2
    assert "No certificate R260000000000000001" in err
    assert not out_dir.exists() or not any(out_dir.iterdir())


# --- 5. credentials ------------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_never_shown_or_stored(cli, mock, ledger):
    url, app = mock
    wrong = "Wr0ng-pa55word-xyz"

    code, out, err = submit(cli, SHIPMENT, url, ledger, password=wrong)

    assert code == 2
    assert "AUTHENTICATION_FAILED" in err
    assert wrong not in out + err
    assert PASSWORD not in out + err
    code, out, err = submit(cli, SHIPMENT, url, ledger, "--json", password=wrong)
    assert code == 2
    assert json.loads(out)["error"]["code"] == "AUTHENTICATION_FAILED"
    assert wrong not in out + err
    assert rows(app, "declarations") == 0
    (entry,) = entries(cli, ledger)
    assert entry["state"] == "error"
    assert "AUTHENTICATION_FAILED" in entry["last_error"]
    assert wrong.encode() not in ledger_bytes(ledger)

    code, out, err = submit(cli, SHIPMENT, url, ledger)  # the right password settles it

    assert code == 0, err
    assert out.startswith("ISSUED")
    assert PASSWORD not in out + err
    stored = ledger_bytes(ledger)
    assert PASSWORD.encode() not in stored
    assert wrong.encode() not in stored


def test_the_password_can_come_from_the_environment(cli, mock, ledger, monkeypatch):
    url, _ = mock
    monkeypatch.setenv("RCEP_SW_PASSWORD", PASSWORD)

    code, out, err = cli("submit", SHIPMENT, "--endpoint", url, "--ledger", ledger)

    assert code == 0, err
    assert out.startswith("ISSUED")
    assert PASSWORD not in out + err
    assert PASSWORD.encode() not in ledger_bytes(ledger)


def test_without_a_password_submit_says_how_to_give_one_and_sends_nothing(cli, mock, ledger):
    url, app = mock

    code, _, err = cli("submit", SHIPMENT, "--endpoint", url, "--ledger", ledger)

    assert code == 2
    assert "--password" in err
    assert "RCEP_SW_PASSWORD" in err
    assert rows(app, "nonces") == 0  # no request reached the Single Window


def test_a_password_on_the_command_line_is_warned_about_and_never_shown(cli, mock, ledger):
    # any local user can read another process's arguments (ps, /proc/PID/cmdline)
    url, _ = mock

    code, out, err = submit(cli, SHIPMENT, url, ledger)

    assert code == 0, err
    assert "Warning: --password can be read by other users" in err
    assert "RCEP_SW_PASSWORD" in err and PASSWORD not in out + err


def test_the_environment_password_needs_no_warning(cli, mock, ledger, monkeypatch):
    url, _ = mock
    monkeypatch.setenv("RCEP_SW_PASSWORD", PASSWORD)

    code, _, err = cli("submit", SHIPMENT, "--endpoint", url, "--ledger", ledger)

    assert code == 0, err
    assert "Warning" not in err


def test_at_a_terminal_the_password_is_asked_for_not_echoed(cli, mock, ledger, monkeypatch):
    url, _ = mock
    asked = []

    def getpass(prompt):
        asked.append(prompt)
        return PASSWORD

    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", getpass)

    code, out, err = cli("submit", SHIPMENT, "--endpoint", url, "--ledger", ledger)

    assert code == 0, err
    assert asked == ["Single Window password for exporter: "]
    assert PASSWORD not in out + err and "Warning" not in err


# --- 6. nobody listening ------------------------------------------------------------------------


def test_an_unreachable_single_window_keeps_the_declaration_and_a_later_submit_settles_it(
    cli, ledger, tmp_path, backoff
):
    port = free_port()
    url = f"http://127.0.0.1:{port}/single-window"
    started = time.monotonic()

    code, out, err = submit(cli, SHIPMENT, url, ledger)

    assert code == 2
    assert time.monotonic() - started < 10
    assert "UNREACHABLE" in err
    assert "after 5 attempts" in err
    # exponential backoff with jitter: 0.5, 1, 2, 4 seconds, each times 0.5 .. 1.5
    assert len(backoff) == 4
    for delay, base in zip(backoff, (0.5, 1, 2, 4), strict=True):
        assert base * 0.5 <= delay <= base * 1.5
    (entry,) = entries(cli, ledger)
    assert entry["state"] == "submitted"  # nothing lost: kept, to be settled with the same key
    assert entry["idempotency_key"] == SHIPMENT_KEY
    assert entry["attempts"] >= 1
    assert entry["last_error"].startswith("UNREACHABLE")

    with running(tmp_path / "single-window", port=port) as (same_url, app):
        assert same_url == url
        code, out, err = submit(cli, SHIPMENT, url, ledger)

        assert code == 0, err
        assert out.startswith("ISSUED")
        assert rows(app, "certificates") == 1
    (entry,) = entries(cli, ledger)
    assert entry["state"] == "issued"
    assert CERTIFICATE_NUMBER.fullmatch(entry["certificate_number"])


# --- 7. and 8. nothing invalid leaves ----------------------------------------------------------


def test_a_declaration_that_fails_the_schema_is_not_sent(cli, mock, ledger):
    url, app = mock

    code, out, err = submit(cli, INVALID_DECLARATION, url, ledger)

    assert code == 2
    assert "SCHEMA_INVALID" in err
    assert "nothing was sent" in err
    assert "HSCode" in err  # the problem is named
    assert out == ""
    assert rows(app, "declarations") == 0
    assert rows(app, "certificates") == 0
    assert rows(app, "nonces") == 0  # not even an authenticated request reached it
    assert entries(cli, ledger) == []


def test_a_shipment_with_a_good_that_is_not_originating_is_not_sent(cli, mock, ledger, tmp_path):
    url, app = mock
    data = json.loads(SHIPMENT.read_text())
    data["idempotency_key"] = str(uuid.uuid4())
    data["items"] = [
        dict(data["items"][0], goods_file=str(SAMPLES / "01_switchgear_contact_carrier_ctc.json")),
        dict(data["items"][0], goods_file=str(SAMPLES / "06_busbar_parts_minimal_operations.json")),
    ]
    shipment = tmp_path / "busbar_shipment.json"
    shipment.write_text(json.dumps(data))

    code, _, err = submit(cli, shipment, url, ledger)

    assert code == 2
    assert "ITEM_NOT_ORIGINATING" in err
    assert "item 2 (BB-KIT-400) is not originating" in err
    code, out, _ = submit(cli, shipment, url, ledger, "--json")
    assert code == 2
    assert json.loads(out)["error"]["code"] == "ITEM_NOT_ORIGINATING"
    assert rows(app, "declarations") == 0
    assert rows(app, "nonces") == 0
    assert entries(cli, ledger) == []


def test_a_shipment_refused_before_sending_gets_the_fix_not_a_promise_about_the_ledger(
    cli, mock, ledger, tmp_path
):
    """Nothing was recorded, so the message must not say the ledger keeps the declaration; it
    should say what to do, as `rcep-origin declare` does for the same shipment."""
    url, _ = mock
    data = json.loads(SHIPMENT.read_text())
    data["items"] = [
        dict(data["items"][0], goods_file=str(SAMPLES / "06_busbar_parts_minimal_operations.json"))
    ]
    shipment = tmp_path / "busbar_shipment.json"
    shipment.write_text(json.dumps(data))

    code, out, _ = submit(cli, shipment, url, ledger, "--json")

    assert code == 2
    error = json.loads(out)["error"]
    assert entries(cli, ledger) == []
    assert "rcep-origin evaluate" in error["hint"]
    assert "ledger keeps" not in error["hint"]


def test_a_declaration_the_single_window_rejects_exits_1_with_its_reasons(
    cli, mock, ledger, tmp_path
):
    """Claiming CTC for the base station, which only meets RVC: customs' own check refuses it."""
    url, app = mock
    declaration = build(load_shipment_file(SHIPMENT), SHIPMENT.parent, Reference.load(()))
    items = list(declaration.items)
    items[1] = dataclasses.replace(items[1], criterion="CTC", fob_value=None)
    wrong = dataclasses.replace(declaration, idempotency_key=str(uuid.uuid4()), items=tuple(items))
    xml = tmp_path / "wrong-criterion.xml"
    xml.write_bytes(to_xml(wrong))

    code, out, err = submit(cli, xml, url, ledger)

    assert code == 1, err
    assert out.startswith("REJECTED: reference SW-")
    assert "CRITERION_NOT_MET" in out
    assert rows(app, "certificates") == 0
    (entry,) = entries(cli, ledger)
    assert entry["state"] == "rejected"
    assert entry["certificate_number"] is None


# --- 9. the mock server command -----------------------------------------------------------------


def test_mock_server_help_describes_its_options_without_starting_it(cli, capsys, monkeypatch):
    import connectors.single_window.server as server

    def refuse(*args, **kwargs):
        raise AssertionError("the server must not start for --help")

    monkeypatch.setattr(server, "serve", refuse)

    with pytest.raises(SystemExit) as exit_:
        main(["mock-server", "--help"])

    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "Run the mock Single Window" in out
    for option in ("--host", "--port", "--db", "--users", "--latency-ms", "--error-rate"):
        assert option in out
    assert "--drop-rate" in out


def test_the_demo_keeps_its_ledger_and_a_certificate_that_verifies(cli, tmp_path):
    workdir = tmp_path / "demo"

    code, out, err = cli("demo", "--json", "--keep", workdir)

    assert code == 0, err
    report = json.loads(out)
    numbers = [g["certificate"] for g in report["goods"] if g["certificate"]]
    assert len(numbers) == 6  # the six originating samples
    assert all(CERTIFICATE_NUMBER.fullmatch(n) for n in numbers)
    number = numbers[0]
    assert (workdir / f"{number}.pdf").read_bytes().startswith(b"%PDF")
    states = sorted(e["state"] for e in entries(cli, workdir / "ledger.sqlite3"))
    assert states == ["issued"] * 6 + ["rejected"]
    pem = workdir / "single-window" / "signing-certificate.pem"
    assert fingerprint(pem.read_bytes())  # the published certificate the demo pinned
    code, out, _ = cli("verify", workdir / f"{number}.xml", "--signing-cert", pem, "--json")
    assert code == 0
    assert json.loads(out)["valid"] is True
