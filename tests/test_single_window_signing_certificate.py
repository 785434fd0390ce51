"""The exporter fetches the customs signing certificate the Single Window publishes: the one
fetch every caller uses (the client pinning it on first use, the Odoo connector's Fetch signing
certificate button). An endpoint that publishes none, publishes something else, or does not
answer says so with a code, and nothing is pinned. Against the real loopback mock Single
Window, started on a directory whose published certificate the test chooses when it must."""

import socket
import threading
import time

import pytest

from connectors.ledger import Ledger
from connectors.single_window.client import SingleWindowClient, SingleWindowError
from connectors.single_window.embedded import running
from connectors.single_window.signing import SigningIdentity

USER, PASSWORD = "exporter", "rcep-demo"


def client(endpoint, tmp_path, **options):
    return SingleWindowClient(
        endpoint, USER, PASSWORD, Ledger(tmp_path / "ledger.sqlite3"), **options
    )


def publishing(directory, cert_pem: bytes):
    """A mock Single Window whose published signing certificate is ``cert_pem`` (what a
    misconfigured or broken endpoint serves at .../signing-certificate.pem)."""
    SigningIdentity.load_or_create(directory)  # its key stays; what it publishes is replaced
    (directory / "signing-certificate.pem").write_bytes(cert_pem)
    return running(directory)


def refused(call) -> SingleWindowError:
    with pytest.raises(SingleWindowError) as error:
        call()
    return error.value


def test_the_published_certificate_is_fetched_and_pinned_only_by_signing_certificate(tmp_path):
    with running(tmp_path / "sw") as (endpoint, app):
        sender = client(endpoint, tmp_path)
        published = sender.fetch_signing_certificate()
        assert published == app.service.identity.cert_pem
        assert sender.ledger.pinned(endpoint) is None  # fetched, not trusted yet
        assert sender.signing_certificate() == published  # first use: fetched and pinned
        assert sender.ledger.pinned(endpoint) == published
    # the Single Window is gone: the pinned certificate is what the client uses, unfetched
    assert sender.signing_certificate() == published


def test_an_endpoint_that_publishes_no_certificate_says_so_with_the_http_status(tmp_path):
    with running(tmp_path / "sw") as (endpoint, _app):
        sender = client(f"{endpoint}/elsewhere", tmp_path)  # a wrong address: 404
        error = refused(sender.fetch_signing_certificate)
        assert (error.code, error.http_status, error.transient) == (
            "NO_SIGNING_CERTIFICATE",
            404,
            False,
        )
        assert "HTTP 404" in error.message and f"{endpoint}/elsewhere" in error.message
        assert refused(sender.signing_certificate).code == "NO_SIGNING_CERTIFICATE"
        assert sender.ledger.pinned(f"{endpoint}/elsewhere") is None


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Scheduled maintenance</body></html>\n",
        b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
        b"-----END PUBLIC KEY-----\n",
        b"x" * (1024 * 1024) + b"\n-----BEGIN CERTIFICATE-----\n",  # past any certificate's size
    ],
    ids=["a web page", "a public key", "over a mebibyte"],
)
def test_an_answer_that_is_not_a_pem_certificate_is_no_signing_certificate(tmp_path, body):
    with publishing(tmp_path / "sw", body) as (endpoint, _app):
        sender = client(endpoint, tmp_path)
        error = refused(sender.fetch_signing_certificate)
        assert (error.code, error.http_status) == ("NO_SIGNING_CERTIFICATE", 200)
        assert "not a PEM certificate" in error.message
        assert refused(sender.signing_certificate).code == "NO_SIGNING_CERTIFICATE"
        assert sender.ledger.pinned(endpoint) is None


def test_a_pem_certificate_that_cannot_be_read_is_refused_and_never_pinned(tmp_path):
    broken = b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
    with publishing(tmp_path / "sw", broken) as (endpoint, _app):
        sender = client(endpoint, tmp_path)
        error = refused(sender.fetch_signing_certificate)
        assert (error.code, error.http_status) == ("SIGNING_CERTIFICATE_UNREADABLE", 200)
        assert "cannot be read" in error.message
        assert refused(sender.signing_certificate).code == "SIGNING_CERTIFICATE_UNREADABLE"
        assert sender.ledger.pinned(endpoint) is None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_single_window_that_is_down_is_unreachable_like_any_request(tmp_path):
    sender = client(f"http://127.0.0.1:{free_port()}/single-window", tmp_path, connect_timeout=2)
    error = refused(sender.fetch_signing_certificate)
    assert error.code == "UNREACHABLE" and error.transient and error.http_status is None
    assert "ConnectionError" in error.message and not error.timed_out
    assert sender.ledger.pinned(sender.endpoint) is None


def test_a_single_window_that_never_answers_times_out_within_the_operation_timeout(tmp_path):
    with socket.socket() as silent:  # accepts connections (the kernel does) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/single-window"
        sender = client(endpoint, tmp_path, connect_timeout=2, operation_timeout=0.3)
        error = refused(sender.fetch_signing_certificate)
    assert error.code == "UNREACHABLE" and error.transient and error.timed_out
    assert "ReadTimeout" in error.message


def test_an_answer_whose_body_stops_coming_times_out_too(tmp_path):
    """The headers come, then nothing: requests reports it as a ConnectionError around
    urllib3's read timeout; it is a timeout all the same (Odoo says to raise the timeouts,
    not to check that the service runs)."""
    with socket.socket() as stalling:
        stalling.bind(("127.0.0.1", 0))
        stalling.listen(1)

        def answer_half():
            connection, _ = stalling.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n-----BEGIN CERTIFICATE"
                )
                time.sleep(1.5)

        server = threading.Thread(target=answer_half, daemon=True)
        server.start()
        endpoint = f"http://127.0.0.1:{stalling.getsockname()[1]}/single-window"
        sender = client(endpoint, tmp_path, connect_timeout=2, operation_timeout=0.3)
        error = refused(sender.fetch_signing_certificate)
        server.join()
    assert error.code == "UNREACHABLE" and error.transient and error.timed_out
