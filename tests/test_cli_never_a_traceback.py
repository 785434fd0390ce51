"""Mistakes at the command line get a sentence and exit 2, never a traceback (issue 13).

A customs clerk mistypes a port, points --users at the wrong file, gives `verify` a folder or
a declaration, or a goods file holds a number of 5,000 digits. Every test runs the real
command in a child process, as the clerk would, and reads what the clerk would read.
"""

import contextlib
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from test_single_window_tls import https_single_window, self_signed

from rcep_rules.datafiles import data_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = data_path("samples")
CTC_SAMPLE = SAMPLES / "01_switchgear_contact_carrier_ctc.json"
NO_RULE_SAMPLE = SAMPLES / "10_cnc_spindle_housing_psr_not_found.json"
SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
UNSIGNED_CERTIFICATE = ROOT / "xsd" / "examples" / "certificate-unsigned.xml"
DECLARATION = ROOT / "xsd" / "examples" / "valid-rvc.xml"
SPINDLE_RULES = (
    "hs_version,level,code,description,psr,legibility,source_url,locator\n"
    "HS2012,subheading,8466.93,Parts and accessories for machine tools of 84.56 to 84.61,"
    "CTH or RVC40,clear,https://example.org/annex-3a.pdf,p.170\n"
)


@pytest.fixture
def env(tmp_path):
    home = tmp_path / "home"
    return {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "RCEP_ORIGIN_RULES": str(home / "psr_user.csv"),
        "RCEP_ORIGIN_LEDGER": str(home / "ledger.sqlite3"),
        "RCEP_SW_PASSWORD": "rcep-demo",
        "PATH": "/usr/bin:/bin",
    }


@pytest.fixture
def rcep(env):
    def run(*args, timeout=60):
        return subprocess.run(
            [sys.executable, "-m", "connectors.cli", *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=timeout,
        )

    return run


def said_in_one_sentence(done, *words):
    """Exit 2, one line on stderr naming ``words``, no traceback."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert "unexpected error" not in done.stderr  # a bug caught by the last resort
    for word in words:
        assert word in done.stderr


def one_line(done) -> str:
    [line] = done.stderr.strip().splitlines()
    return line


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- mock-server ---------------------------------------------------------------------------------


def test_mock_server_on_a_port_in_use_says_so_in_one_line(rcep, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        done = rcep("mock-server", "--port", port, "--db", tmp_path / "sw" / "sw.sqlite3")

    said_in_one_sentence(done, "PORT_IN_USE", str(port), "--port")
    assert "already in use" in one_line(done)


@pytest.mark.parametrize("port", ["eighty", "70000", "0", "-1"])
def test_mock_server_with_an_invalid_port_says_so_in_one_line(rcep, port):
    done = rcep("mock-server", "--port", port)

    said_in_one_sentence(done, "--port", port, "1 to 65535")
    one_line(done)


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "No such file"),
        ("folder", "Is a directory"),
        ("{not json", "is not JSON"),
        ('["exporter", "rcep-demo"]', "not an object of user names and passwords"),
        ('{"exporter": 1234}', "not an object of user names and passwords"),
        ("{}", "not an object of user names and passwords"),
        (b"\xff\xfe\x00", "cannot read"),
    ],
    ids=["missing", "folder", "not-json", "a-list", "a-number-password", "empty", "not-utf8"],
)
def test_mock_server_with_a_bad_users_file_says_what_it_must_hold(rcep, tmp_path, content, reason):
    users = tmp_path / "users.json"
    if content == "folder":
        users.mkdir()
    elif isinstance(content, bytes):
        users.write_bytes(content)
    elif content is not None:
        users.write_text(content, encoding="utf-8")

    done = rcep("mock-server", "--users", users, "--port", free_port())

    said_in_one_sentence(done, "--users", str(users), reason)
    assert '{"exporter": "a passphrase"}' in one_line(done)


def test_mock_server_keeps_its_signing_key_out_of_the_working_folder(rcep, env):
    done = rcep("mock-server", "--help")

    assert done.returncode == 0
    default = str(Path(env["XDG_DATA_HOME"]) / "rcep-origin" / "single-window")
    assert default in done.stdout.replace("\n", "").replace(" ", "")  # help may wrap it


@contextlib.contextmanager
def mock_server(rcep_env, tmp_path, *extra):
    """`rcep-origin mock-server` as a child process; yields its endpoint once it answers."""
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "connectors.cli", "mock-server", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=rcep_env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}/single-window"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert child.poll() is None, child.stderr.read().decode()
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{url}?wsdl", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, "mock-server did not start"
            time.sleep(0.2)
        yield url
    finally:
        child.terminate()
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()


def test_the_single_window_checks_with_the_rules_the_exporter_imported(rcep, env, tmp_path):
    """The spindle housing has no bundled rule; the exporter imported it. A Single Window
    started with the same rule file issues; one started without rejects PSR_NOT_FOUND."""
    rules = tmp_path / "spindle.csv"
    rules.write_text(SPINDLE_RULES, encoding="utf-8")
    shipment = json.loads(SHIPMENT.read_text())
    shipment["items"] = [dict(shipment["items"][0], goods_file=str(NO_RULE_SAMPLE))]
    shipment["items"][0].pop("good", None)
    path = tmp_path / "spindles.json"
    path.write_text(json.dumps(shipment), encoding="utf-8")

    with mock_server(
        env, tmp_path, "--db", tmp_path / "with" / "sw.sqlite3", "--rules", rules
    ) as url:
        done = rcep("--rules", rules, "submit", path, "--endpoint", url, "--ledger", tmp_path / "a")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ISSUED")

    with mock_server(env, tmp_path, "--db", tmp_path / "without" / "sw.sqlite3") as url:
        done = rcep("--rules", rules, "submit", path, "--endpoint", url, "--ledger", tmp_path / "b")
    assert done.returncode == 1
    assert "PSR_NOT_FOUND" in done.stdout


# --- verify ---------------------------------------------------------------------------------------


def test_verify_of_a_missing_file_or_a_folder_says_so(rcep, tmp_path):
    for path, reason in ((tmp_path / "nowhere.xml", "No such file"), (tmp_path, "directory")):
        done = rcep("verify", path, "--signing-cert", tmp_path / "customs.pem")

        said_in_one_sentence(done, "XML_UNREADABLE", str(path), reason)


def test_verify_of_a_declaration_says_it_is_not_a_certificate(rcep, tmp_path):
    done = rcep("verify", DECLARATION, "--signing-cert", tmp_path / "customs.pem")

    said_in_one_sentence(done, "NOT_A_CERTIFICATE", "is a declaration, not a certificate")


def test_verify_with_a_signing_certificate_that_is_missing_or_not_a_pem_says_so(rcep, tmp_path):
    missing = tmp_path / "customs.pem"
    done = rcep("verify", UNSIGNED_CERTIFICATE, "--signing-cert", missing)
    said_in_one_sentence(done, "NO_SIGNING_CERTIFICATE", str(missing), "No such file")

    not_pem = tmp_path / "customs.txt"
    not_pem.write_text("the customs certificate, copied by hand", encoding="utf-8")
    done = rcep("verify", UNSIGNED_CERTIFICATE, "--signing-cert", not_pem)
    said_in_one_sentence(done, "NO_SIGNING_CERTIFICATE", "is not a PEM certificate")


def test_verify_against_an_unreachable_single_window_says_nothing_was_checked(rcep, tmp_path):
    url = f"http://127.0.0.1:{free_port()}/single-window"  # nobody listens

    done = rcep("verify", UNSIGNED_CERTIFICATE, "--endpoint", url, "--ledger", tmp_path / "l")

    said_in_one_sentence(done, "UNREACHABLE", url, "nothing was checked")


def test_verify_against_an_untrusted_single_window_says_how_to_trust_it(rcep, tmp_path):
    with https_single_window(tmp_path) as (url, _app, _ca, _server):
        done = rcep("verify", UNSIGNED_CERTIFICATE, "--endpoint", url, "--ledger", tmp_path / "l")

    said_in_one_sentence(done, "TLS_UNTRUSTED", "is not trusted", "REQUESTS_CA_BUNDLE")


def test_verify_of_a_certificate_the_signature_does_not_cover_is_not_valid_exit_1(rcep, tmp_path):
    """A real answer, not a mistake: the unsigned example is a certificate, but not valid."""
    pem, _key = self_signed(tmp_path)
    done = rcep("verify", UNSIGNED_CERTIFICATE, "--signing-cert", pem)

    assert done.returncode == 1
    assert "NOT VALID" in done.stdout


# --- goods files and XML files ---------------------------------------------------------------


def goods_with_fob(tmp_path, fob_text: str) -> Path:
    text = CTC_SAMPLE.read_text().replace('"fob": "48.00"', f'"fob": {fob_text}')
    assert fob_text in text
    path = tmp_path / "typo.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["evaluate", "review"])
def test_a_number_of_5000_digits_is_input_invalid_at_its_field(rcep, tmp_path, command):
    path = goods_with_fob(tmp_path, "9" * 5000)

    done = rcep(command, path)

    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
    assert "INPUT_INVALID" in done.stdout
    assert "good.fob" in done.stdout
    assert "(5000 characters)" in done.stdout  # not 5,000 nines
    done = rcep(command, "--json", path)
    issues = json.loads(done.stdout)["issues"]
    assert ("INPUT_INVALID", "good.fob") in {(i["code"], i["path"]) for i in issues}


def test_validate_of_dev_zero_stops_at_the_size_cap(rcep):
    started = time.monotonic()

    done = rcep("validate", "/dev/zero", timeout=30)

    said_in_one_sentence(done, "XML_UNREADABLE", "larger than 20 MiB")
    assert time.monotonic() - started < 30


def test_validate_of_a_folder_says_so(rcep, tmp_path):
    said_in_one_sentence(rcep("validate", tmp_path), "XML_UNREADABLE", "directory")
