"""XML from outside is never trusted: no DTD, no entity, no network, nothing read from disk;
no comment or processing instruction splits a value so that the schema sees one text and the
reader another (the service, the client, the CLI and the certificate readers alike)."""

import base64
import datetime
import http.server
import re
import threading
import uuid

import pytest
import requests
from lxml import etree

from connectors.cli import main
from connectors.declaration import build, from_xml, load_shipment_file, to_xml
from connectors.ledger import Ledger
from connectors.single_window.client import SingleWindowClient
from connectors.single_window.embedded import running
from connectors.single_window.service import Service
from connectors.single_window.signing import verify
from connectors.summary_pdf import certificate_items
from connectors.xmlsafe import XMLUnreadable, parse_untrusted, problems
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

DECLARATION = "urn:rcep-origin:declaration:1"


@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets (there must be none)."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "x">')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_an_external_entity_pointing_at_a_local_file_is_refused_and_the_file_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<d:Declaration xmlns:d="{DECLARATION}">&x;</d:Declaration>'
    ).encode()
    with pytest.raises(XMLUnreadable) as refused:
        parse_untrusted(doc)
    assert "DOCTYPE" in str(refused.value) and "TOP-SECRET" not in str(refused.value)


def test_billion_laughs_is_refused_without_expanding_anything():
    lol = "".join(f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 10}">' for i in range(1, 10))
    doc = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{lol}]><r>&l9;</r>'.encode()
    with pytest.raises(XMLUnreadable):
        parse_untrusted(doc)


def test_an_external_dtd_is_never_fetched(listener):
    url, seen = listener
    doc = f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{url}/evil.dtd"><r/>'.encode()
    with pytest.raises(XMLUnreadable):
        parse_untrusted(doc)
    assert seen == []


def test_an_external_parameter_entity_is_never_fetched(listener):
    url, seen = listener
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]><r/>'
    ).encode()
    with pytest.raises(XMLUnreadable):
        parse_untrusted(doc)
    assert seen == []


def test_a_schema_location_in_the_document_is_never_followed(listener):
    url, seen = listener
    doc = (
        f'<d:Declaration xmlns:d="{DECLARATION}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{DECLARATION} {url}/evil.xsd"/>'
    ).encode()
    found = problems(parse_untrusted(doc))
    assert found  # judged by our own schema (it lacks every required element)
    assert seen == []


def test_the_command_line_refuses_hostile_xml_with_exit_2(tmp_path, capsys):
    path = tmp_path / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><r>&x;</r>'
    )
    assert main(["validate", str(path)]) == 2
    assert "DOCTYPE" in capsys.readouterr().err


def test_a_document_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(XMLUnreadable, match="larger than"):
        parse_untrusted(b"<r>" + b" " * (21 * 1024 * 1024) + b"</r>")


# --- comments and processing instructions: what is validated is what is read -----------------

SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
SW = "urn:rcep-origin:single-window:1"
C = "urn:rcep-origin:common:1"
K = "urn:rcep-origin:certificate:1"
SPLITS = {
    "a comment in a quantity": (
        b'<c:Quantity unit="PCE">400<',
        b'<c:Quantity unit="PCE">4<!--c-->00<',
    ),
    "a comment in UnitFOB": (b"<d:UnitFOB>48.00<", b"<d:UnitFOB>4<!-- x -->8.00<"),
    "a comment in a date": (
        b"<c:DepartureDate>2026-11-20<",
        b"<c:DepartureDate>2026-<!---->11-20<",
    ),
    "a processing instruction in a quantity": (
        b'<c:Quantity unit="PCE">400<',
        b'<c:Quantity unit="PCE">4<?pi 0?>00<',
    ),
}


@pytest.fixture(scope="module")
def declared():
    """A declaration as the exporter writes it: (the object, its XML)."""
    declaration = build(
        load_shipment_file(SHIPMENT), SHIPMENT.parent, Reference.load(rule_files=())
    )
    return declaration, to_xml(declaration)


def split(xml: bytes, where: str, key: str | None = None) -> bytes:
    original, hostile = SPLITS[where]
    assert xml.count(original) >= 1
    xml = xml.replace(original, hostile, 1)
    if key:  # a new idempotency key: another declaration for the Single Window
        xml = re.sub(rb"<d:IdempotencyKey>[^<]+<", f"<d:IdempotencyKey>{key}<".encode(), xml)
    return xml


@pytest.mark.parametrize("where", SPLITS)
def test_a_value_split_by_a_comment_or_instruction_is_read_whole(declared, where):
    declaration, xml = declared
    assert from_xml(split(xml, where)) == declaration


def test_the_safe_parser_keeps_no_comment_and_no_instruction():
    tree = parse_untrusted(
        b"<?xml version='1.0'?><!--a--><?b c?><r>1<!--d-->2<?e?>3<s/><!--f--></r>"
    )
    assert tree.getroot().text == "123" and len(tree.getroot()) == 1
    assert etree.tostring(tree) == b"<r>123<s/></r>"


def test_a_quantity_split_by_a_comment_is_issued_and_signed_whole(tmp_path, declared):
    _, xml = declared
    with running(tmp_path / "sw") as (endpoint, app):
        sender = SingleWindowClient(
            endpoint, "exporter", "rcep-demo", Ledger(tmp_path / "ledger.sqlite3"), retries=0
        )
        outcome = sender.submit(split(xml, "a comment in a quantity"))
        assert outcome.entry.state == "issued"
        signed = verify(outcome.certificate_xml, app.service.identity.cert_pem)
    assert signed.findtext(f"{{{K}}}Items/{{{K}}}Item/{{{C}}}Quantity") == "400"
    assert certificate_items(outcome.certificate_xml)[0]["quantity"] == "400 PCE"


def soap(body: bytes, header: bytes = b"") -> bytes:
    # PasswordText, with the Nonce and Created the service requires of every token
    nonce = base64.b64encode(uuid.uuid4().bytes)
    created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    token = (
        b'<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
        b'oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/'
        b'wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>'
        b"<wsse:Username>exporter</wsse:Username><wsse:Password>rcep-demo</wsse:Password>"
        b"<wsse:Nonce>" + nonce + b"</wsse:Nonce><wsu:Created>" + created + b"</wsu:Created>"
        b"</wsse:UsernameToken></wsse:Security>"
    )
    return (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>'
        + token
        + header
        + b"</soap:Header><soap:Body>"
        + body
        + b"</soap:Body></soap:Envelope>"
    )


def submission(xml: bytes) -> bytes:
    return (
        f'<s:SubmitDeclaration xmlns:s="{SW}">'.encode()
        + xml.split(b"?>", 1)[1]
        + (b"</s:SubmitDeclaration>")
    )


RETURN_CERTIFICATE = (
    f'<s:ReturnSignedCertificate xmlns:s="{SW}">tr<!-- yes -->ue</s:ReturnSignedCertificate>'
).encode()


@pytest.mark.parametrize("where", SPLITS)
def test_the_single_window_reads_split_values_whole_and_answers_in_soap(tmp_path, declared, where):
    _, xml = declared
    with running(tmp_path / "sw") as (endpoint, app):
        answer = requests.post(
            endpoint,
            data=soap(submission(split(xml, where, str(uuid.uuid4()))), RETURN_CERTIFICATE),
            headers={"Content-Type": "text/xml"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["Content-Type"].startswith("text/xml")
        signed = base64.b64decode(
            etree.fromstring(answer.content).findtext(f".//{{{SW}}}SignedCertificate")
        )
        certificate = verify(signed, app.service.identity.cert_pem)
    item = certificate.find(f"{{{K}}}Items/{{{K}}}Item")
    assert item.findtext(f"{{{C}}}Quantity") == "400"
    assert certificate.findtext(f"{{{K}}}Transport/{{{C}}}DepartureDate") == "2026-11-20"


def test_a_failure_inside_the_single_window_is_a_soap_fault_with_a_code(
    tmp_path, declared, monkeypatch, caplog
):
    _, xml = declared
    with running(tmp_path / "sw") as (endpoint, app):

        def broken(*args, **kwargs):
            raise RuntimeError("a bug in the service")

        monkeypatch.setattr(app.service, "submit", broken)
        answer = requests.post(
            endpoint, data=soap(submission(xml)), headers={"Content-Type": "text/xml"}, timeout=10
        )
    assert answer.status_code == 500 and answer.headers["Content-Type"].startswith("text/xml")
    fault = etree.fromstring(answer.content)
    assert fault.findtext(".//faultcode") == "soap:Server"
    assert fault.findtext(f".//detail/{{{SW}}}FaultDetail/{{{SW}}}Code") == "INTERNAL_ERROR"
    assert "Traceback" not in answer.text and "a bug in the service" not in answer.text
    assert "failed on a request" in caplog.text  # the service's own log says what broke


def test_an_answer_split_by_instructions_and_comments_is_read_whole_by_the_client(
    tmp_path, declared
):
    _, xml = declared
    with running(tmp_path / "sw") as (endpoint, app):
        handle = app.handle

        def splitting(body):
            return (
                handle(body)
                .replace(b"<r:Status>ISSUED<", b"<r:Status>ISS<?x y?>UED<")
                .replace(b"<r:CertificateNumber>R", b"<r:CertificateNumber>R<?x?><!--c-->")
            )

        app.handle = splitting
        sender = SingleWindowClient(
            endpoint, "exporter", "rcep-demo", Ledger(tmp_path / "ledger.sqlite3"), retries=0
        )
        outcome = sender.submit(xml)
        assert outcome.entry.state == "issued"
        assert (
            outcome.entry.certificate_number.startswith("R")
            and len(outcome.entry.certificate_number) == 18
        )


@pytest.mark.parametrize("inserted", [b"4<!--c-->00", b"4<?pi?>00", b"400<!-- 0 -->"])
def test_a_comment_put_into_a_signed_certificate_changes_nothing_that_is_read(
    tmp_path, declared, inserted
):
    _, xml = declared
    service = Service(tmp_path / "sw" / "single-window.sqlite3")
    genuine = service.certificate(service.submit(xml).certificate_number)
    hostile = genuine.replace(
        b'<c:Quantity unit="PCE">400<', b'<c:Quantity unit="PCE">' + inserted + b"<", 1
    )
    assert hostile != genuine
    signed = verify(hostile, service.identity.cert_pem)  # c14n signs no comment
    assert signed.findtext(f"{{{K}}}Items/{{{K}}}Item/{{{C}}}Quantity") == "400"
    assert certificate_items(hostile) == certificate_items(genuine)
