"""A Single Window behind HTTPS whose certificate the exporter does not trust: refused at once
(TLS_UNTRUSTED, no retries, the declaration kept), and trusted once its CA is named in
REQUESTS_CA_BUNDLE. A real loopback HTTPS server with a certificate made here."""

import contextlib
import datetime
import ipaddress
import ssl
import threading
import wsgiref.simple_server

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.declaration import build, load_shipment_file, to_xml
from connectors.ledger import Ledger
from connectors.single_window.client import SingleWindowClient, SingleWindowError
from connectors.single_window.embedded import DEMO_USERS
from connectors.single_window.server import SingleWindowApp
from connectors.single_window.service import Service
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")


def self_signed(directory):
    """A private CA's certificate for 127.0.0.1 (self-signed), and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test customs private CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Quiet(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def https_single_window(directory):
    cert_path, key_path = self_signed(directory)
    app = SingleWindowApp(Service(directory / "sw" / "single-window.sqlite3"), DEMO_USERS)
    server = wsgiref.simple_server.make_server("127.0.0.1", 0, app, handler_class=Quiet)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handshakes = 0
    accept = server.get_request

    def counted():
        server.handshakes += 1
        return accept()

    server.get_request = counted
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_port}/single-window", app, cert_path, server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def declaration_xml():
    return to_xml(
        build(load_shipment_file(SHIPMENT), SHIPMENT.parent, Reference.load(rule_files=()))
    )


def test_an_untrusted_certificate_is_refused_at_once_and_says_how_to_trust_it(
    tmp_path, monkeypatch, declaration_xml
):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    naps = []
    with https_single_window(tmp_path) as (endpoint, app, ca, server):
        sender = SingleWindowClient(
            endpoint,
            "exporter",
            "rcep-demo",
            Ledger(tmp_path / "ledger.sqlite3"),
            signing_cert_pem=app.service.identity.cert_pem,
            sleep=naps.append,
        )
        with pytest.raises(SingleWindowError) as refused:
            sender.submit(declaration_xml)
        error = refused.value
        assert error.code == "TLS_UNTRUSTED" and not error.transient
        assert "REQUESTS_CA_BUNDLE" in error.message and "not trusted" in error.message
        assert naps == [] and server.handshakes == 1  # no retry, no backoff
        (entry,) = sender.ledger.entries()
        assert entry.state == "error" and entry.attempts == 1
        assert entry.last_error.startswith("TLS_UNTRUSTED")

        # the exporter names the private CA, and the kept declaration goes through
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
        trusting = SingleWindowClient(
            endpoint,
            "exporter",
            "rcep-demo",
            sender.ledger,
            signing_cert_pem=app.service.identity.cert_pem,
        )
        assert trusting.submit(declaration_xml).entry.state == "issued"


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_the_signing_certificate_is_fetched_only_over_trusted_tls_unless_told_otherwise(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with https_single_window(tmp_path) as (endpoint, app, ca, _server):

        def fetcher(name, **options):
            ledger = Ledger(tmp_path / f"{name}.sqlite3")
            return SingleWindowClient(endpoint, "exporter", "rcep-demo", ledger, **options)

        with pytest.raises(SingleWindowError) as refused:
            fetcher("untrusted").fetch_signing_certificate()
        assert refused.value.code == "TLS_UNTRUSTED" and not refused.value.transient
        # TLS verification turned off (a connector's setting) is honoured, CA bundle or not
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "some-other-ca.pem"))
        unverified = fetcher("unverified", verify_tls=False)
        assert unverified.fetch_signing_certificate() == app.service.identity.cert_pem
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
        assert fetcher("trusting").fetch_signing_certificate() == app.service.identity.cert_pem
