"""Declarations go over real SOAP/HTTP (loopback) to a strict mock Single Window, which checks
them again and issues signed certificates or coded rejections; the exporter's side never loses
or doubles one."""

import base64
import dataclasses
import datetime
import hashlib
import logging
import re
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import urllib3
import zeep
from lxml import etree

from connectors.declaration import DeclarationError, build, from_xml, load_shipment_file, to_xml
from connectors.ledger import Ledger
from connectors.single_window import SOAP_ENV, WSSE, WSU
from connectors.single_window.client import SingleWindowClient, SingleWindowError
from connectors.single_window.embedded import running
from connectors.single_window.server import Faults
from connectors.single_window.signing import SignatureInvalid, SigningIdentity, verify
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
USER, PASSWORD = "exporter", "rcep-demo"


@pytest.fixture(scope="module")
def declaration():
    return build(load_shipment_file(SHIPMENT), SHIPMENT.parent, Reference.load(rule_files=()))


def variant(declaration, **changes):
    """The same declaration with a new idempotency key and some changes."""
    return dataclasses.replace(declaration, idempotency_key=str(uuid.uuid4()), **changes)


@pytest.fixture
def single_window(tmp_path):
    with running(tmp_path / "sw") as (endpoint, app):
        yield endpoint, app


def client(endpoint, tmp_path, name="ledger", **options):
    options.setdefault("sleep", lambda seconds: None)
    return SingleWindowClient(
        endpoint,
        USER,
        options.pop("password", PASSWORD),
        Ledger(tmp_path / f"{name}.sqlite3"),
        **options,
    )


def count(app, table):
    return app.service._db().execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- issuing ------------------------------------------------------------------------------------


def test_an_originating_shipment_gets_a_signed_certificate_with_its_metadata(
    single_window, tmp_path, declaration
):
    endpoint, app = single_window
    outcome = client(endpoint, tmp_path).submit(to_xml(declaration))

    entry = outcome.entry
    assert entry.state == "issued" and entry.attempts == 1
    assert re.fullmatch(r"R\d{2}3302961A27\d{5}", entry.certificate_number)
    assert re.fullmatch(r"SW-\d{8}-\d{6}", entry.reference_number)
    assert entry.issued_at.endswith("+00:00") and entry.certificate_format == "RCEP-CO-XML-1"
    signed = verify(outcome.certificate_xml, app.service.identity.cert_pem)
    items = signed.findall(".//{urn:rcep-origin:certificate:1}Item")
    assert len(items) == 3  # as declared, without the evidence


def test_sending_the_same_declaration_again_returns_the_same_certificate(
    single_window, tmp_path, declaration
):
    endpoint, app = single_window
    xml = to_xml(declaration)
    first = client(endpoint, tmp_path, "office").submit(xml)
    again = client(endpoint, tmp_path, "office").submit(xml)  # settled locally
    elsewhere = client(endpoint, tmp_path, "laptop").submit(xml)  # a fresh ledger asks again
    numbers = {
        first.entry.certificate_number,
        again.entry.certificate_number,
        elsewhere.entry.certificate_number,
    }
    assert len(numbers) == 1
    assert count(app, "certificates") == 1


def test_the_same_key_for_another_declaration_is_refused(single_window, tmp_path, declaration):
    endpoint, app = single_window
    client(endpoint, tmp_path, "a").submit(to_xml(declaration))
    changed = dataclasses.replace(declaration, declaration_date=datetime.date(2026, 11, 19))
    with pytest.raises(SingleWindowError) as refused:
        client(endpoint, tmp_path, "b").submit(to_xml(changed))
    assert refused.value.code == "IDEMPOTENCY_CONFLICT" and not refused.value.transient
    assert count(app, "certificates") == 1


def test_concurrent_submissions_of_one_declaration_issue_one_certificate(
    single_window, tmp_path, declaration
):
    endpoint, app = single_window
    xml = to_xml(declaration)
    numbers = []

    def send(name):
        numbers.append(client(endpoint, tmp_path, name).submit(xml).entry.certificate_number)

    threads = [threading.Thread(target=send, args=(f"l{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == 4 and len(set(numbers)) == 1
    assert count(app, "certificates") == 1


# --- the second-level check ---------------------------------------------------------------------


def test_a_criterion_the_evidence_does_not_support_is_rejected_with_a_code(
    single_window, tmp_path, declaration
):
    endpoint, _ = single_window
    items = list(declaration.items)
    items[1] = dataclasses.replace(items[1], criterion="CTC", fob_value=None)  # RVC only
    outcome = client(endpoint, tmp_path).submit(to_xml(variant(declaration, items=tuple(items))))
    assert outcome.entry.state == "rejected" and outcome.entry.attempts == 1
    (reason,) = outcome.rejection
    assert reason["code"] == "CRITERION_NOT_MET"
    assert reason["field_path"] == "/Declaration/Items/Item[2]/OriginCriterion"


def test_an_expired_proof_claimed_as_originating_is_rejected(single_window, tmp_path, declaration):
    endpoint, _ = single_window
    item = declaration.items[2]  # the magnetron: its anode block is Japanese (cumulation)
    bom = tuple(
        dataclasses.replace(
            line, proof=dataclasses.replace(line.proof, valid_until=datetime.date(2026, 11, 1))
        )
        if line.code == "ANODE-BLOCK"
        else line
        for line in item.evidence.bom
    )
    item = dataclasses.replace(item, evidence=dataclasses.replace(item.evidence, bom=bom))
    outcome = client(endpoint, tmp_path).submit(to_xml(variant(declaration, items=(item,))))
    codes = {r["code"] for r in outcome.rejection}
    assert "ORIGIN_NOT_PROVEN" in codes and "CRITERION_NOT_MET" in codes


def test_an_rvc_that_does_not_add_up_is_rejected(single_window, tmp_path, declaration):
    endpoint, _ = single_window
    item = declaration.items[1]
    rvc = dataclasses.replace(item.evidence.rvc, vnm=Decimal("1000.00"))
    item = dataclasses.replace(item, evidence=dataclasses.replace(item.evidence, rvc=rvc))
    outcome = client(endpoint, tmp_path).submit(to_xml(variant(declaration, items=(item,))))
    assert [r["code"] for r in outcome.rejection] == ["RVC_MISMATCH"]


def test_a_party_not_yet_in_force_on_the_departure_date_is_rejected(
    single_window, tmp_path, declaration
):
    endpoint, _ = single_window
    importer = dataclasses.replace(declaration.importer, country="PH")  # in force 2023-06-02
    transport = dataclasses.replace(
        declaration.transport, departure_date=datetime.date(2023, 1, 15)
    )
    outcome = client(endpoint, tmp_path).submit(
        to_xml(
            variant(
                declaration, importer=importer, transport=transport, items=declaration.items[:1]
            )
        )
    )
    assert "PARTY_NOT_IN_FORCE" in {r["code"] for r in outcome.rejection}


def test_an_hs_code_that_does_not_exist_is_rejected(single_window, tmp_path, declaration):
    endpoint, _ = single_window
    item = dataclasses.replace(declaration.items[0], hs="853800")  # not a subheading
    outcome = client(endpoint, tmp_path).submit(to_xml(variant(declaration, items=(item,))))
    assert "HS_INVALID" in {r["code"] for r in outcome.rejection}


# --- transient failures, retries and restarts ---------------------------------------------------


def test_a_lost_answer_is_settled_by_asking_the_status_not_by_sending_twice(tmp_path, declaration):
    faults = Faults(drop_next=1)  # the first answer is lost after the service handled it
    with running(tmp_path / "sw", faults=faults) as (endpoint, app):
        outcome = client(endpoint, tmp_path).submit(to_xml(declaration))
        assert outcome.entry.state == "issued"
        assert outcome.entry.attempts == 1  # the second try found it by GetStatus
        assert count(app, "declarations") == 1 and count(app, "certificates") == 1


def test_sent_before_from_another_store_the_status_is_asked_before_anything_is_sent(
    tmp_path, declaration
):
    # Odoo keeps its declarations in its own records and gives the client a fresh ledger for
    # each run: it says the declaration left before, and the client asks before sending
    with running(tmp_path / "sw") as (endpoint, app):
        client(endpoint, tmp_path, name="first").submit(to_xml(declaration))
        later = client(endpoint, tmp_path, name="later")
        sent = []
        submit = later.service.SubmitDeclaration
        later.service.SubmitDeclaration = lambda *a, **k: sent.append(1) or submit(*a, **k)
        outcome = later.submit(to_xml(declaration), sent_before=True)
        assert outcome.entry.state == "issued" and not sent  # found by its status
        assert count(app, "certificates") == 1
        never = variant(declaration)  # another key
        assert later.submit(to_xml(never), sent_before=True).entry.state == "issued"
        assert sent == [1]  # never received: then it is sent, once


def test_busy_answers_are_retried_with_the_same_key(tmp_path, declaration):
    delays = []
    with running(tmp_path / "sw", faults=Faults(error_next=2)) as (endpoint, app):
        outcome = client(endpoint, tmp_path, sleep=delays.append).submit(to_xml(declaration))
        # two sends: the first got a 503, then a GetStatus got the second 503, then the
        # status said "never received" and the declaration was sent again
        assert outcome.entry.state == "issued" and outcome.entry.attempts == 2
        assert count(app, "certificates") == 1
    assert len(delays) == 2 and delays[1] > delays[0] * 0.5  # exponential, with jitter


def test_a_server_that_is_down_keeps_the_declaration_and_a_later_run_issues_exactly_one(
    tmp_path, declaration
):
    with running(tmp_path / "probe") as (endpoint, _):
        pass  # a port where nothing listens any more
    sender = client(endpoint, tmp_path, retries=2)
    with pytest.raises(SingleWindowError) as down:
        sender.submit(to_xml(declaration))
    assert down.value.transient and down.value.code == "UNREACHABLE"
    kept = sender.ledger.entry(declaration.idempotency_key)
    # sent once; the two retries asked for the status first, and could not reach it either
    assert kept.state == "submitted" and kept.attempts == 1

    _host, port = endpoint.split("//")[1].split("/")[0].split(":")
    with running(tmp_path / "sw", port=int(port)) as (endpoint, app):
        (outcome,) = sender.resume()
        assert outcome.entry.state == "issued"
        sender.resume()  # nothing left to settle: no second certificate
        assert count(app, "certificates") == 1


def test_a_restart_of_the_single_window_loses_nothing(tmp_path, declaration):
    with running(tmp_path / "sw") as (endpoint, _):
        issued = client(endpoint, tmp_path, "a").submit(to_xml(declaration))
    with running(tmp_path / "sw") as (endpoint, app):  # same database, new process state
        again = client(endpoint, tmp_path, "b").submit(to_xml(declaration))
        assert again.entry.certificate_number == issued.entry.certificate_number
        assert count(app, "certificates") == 1


def test_a_certificate_not_signed_by_the_pinned_key_is_not_accepted(
    single_window, tmp_path, declaration
):
    endpoint, _ = single_window
    stranger = SigningIdentity.load_or_create(tmp_path / "stranger")
    sender = client(endpoint, tmp_path, signing_cert_pem=stranger.cert_pem)
    with pytest.raises(SingleWindowError) as refused:
        sender.submit(to_xml(declaration))
    assert refused.value.code == "SIGNATURE_INVALID"
    assert sender.ledger.entry(declaration.idempotency_key).state == "error"


def test_a_tampered_certificate_fails_verification(single_window, tmp_path, declaration):
    endpoint, app = single_window
    signed = client(endpoint, tmp_path).submit(to_xml(declaration)).certificate_xml
    tampered = signed.replace(
        b'<c:Quantity unit="PCE">400</c:Quantity>', b'<c:Quantity unit="PCE">4000</c:Quantity>'
    )
    assert tampered != signed
    with pytest.raises(SignatureInvalid):
        verify(tampered, app.service.identity.cert_pem)


# --- a strict endpoint --------------------------------------------------------------------------


def envelope(body: str, user=USER, password=PASSWORD, digest=True, nonce=None, created=None):
    created = created or datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    raw = nonce or uuid.uuid4().bytes
    if digest:
        text = base64.b64encode(
            hashlib.sha1(raw + created.encode() + password.encode()).digest()
        ).decode()
        kind = "PasswordDigest"
    else:
        text, kind = password, "PasswordText"
    token = (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
        f"<wsse:Username>{user}</wsse:Username>"
        f'<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/'
        f'oasis-200401-wss-username-token-profile-1.0#{kind}">{text}</wsse:Password>'
        f"<wsse:Nonce>{base64.b64encode(raw).decode()}</wsse:Nonce>"
        f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"
    )
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Header>{token}</soap:Header>'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


STATUS = (
    '<s:GetStatus xmlns:s="urn:rcep-origin:single-window:1">'
    "<s:IdempotencyKey>00000000-0000-4000-8000-000000000000</s:IdempotencyKey>"
    "</s:GetStatus>"
)


def post(endpoint, data):
    answer = requests.post(endpoint, data=data, headers={"Content-Type": "text/xml"}, timeout=10)
    return answer.status_code, answer.text


def test_password_digest_and_password_text_are_both_accepted(single_window):
    endpoint, _ = single_window
    for digest in (True, False):
        _status, text = post(endpoint, envelope(STATUS, digest=digest))
        assert "NOT_FOUND" in text  # authenticated, and the key is unknown


@pytest.mark.parametrize(
    ("request_body", "code"),
    [
        (lambda: envelope(STATUS, password="guess"), "AUTHENTICATION_FAILED"),
        (lambda: envelope(STATUS, user="nobody"), "AUTHENTICATION_FAILED"),
        (lambda: envelope(STATUS, created="2026-01-01T00:00:00Z"), "AUTHENTICATION_FAILED"),
        (
            lambda: (
                f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>{STATUS}</soap:Body>'
                "</soap:Envelope>".encode()
            ),
            "AUTHENTICATION_REQUIRED",
        ),
        (
            lambda: (
                b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<e>&x;</e>"
            ),
            "XML_UNREADABLE",
        ),
        (lambda: b"<not-closed>", "XML_UNREADABLE"),
        (
            lambda: envelope(
                '<s:GetCertificate xmlns:s="urn:rcep-origin:single-window:1">'
                "<s:Bogus/></s:GetCertificate>"
            ),
            "SCHEMA_INVALID",
        ),
        (
            lambda: envelope(
                '<s:SubmitDeclaration xmlns:s="urn:rcep-origin:single-window:1">'
                '<d:Declaration xmlns:d="urn:rcep-origin:declaration:1"/>'
                "</s:SubmitDeclaration>"
            ),
            "SCHEMA_INVALID",
        ),
    ],
    ids=[
        "wrong-password",
        "unknown-user",
        "stale-token",
        "no-token",
        "xxe",
        "malformed",
        "bad-operation-body",
        "empty-declaration",
    ],
)
def test_the_endpoint_answers_bad_requests_with_a_client_fault(single_window, request_body, code):
    endpoint, app = single_window
    status, text = post(endpoint, request_body())
    assert status == 500 and "soap:Client" in text and code in text
    assert "root:" not in text  # nothing of /etc/passwd was read
    assert count(app, "declarations") == 0


def test_a_replayed_nonce_is_refused(single_window):
    endpoint, _ = single_window
    message = envelope(STATUS, nonce=b"same-nonce-123456")
    assert "NOT_FOUND" in post(endpoint, message)[1]
    status, text = post(endpoint, message)
    assert status == 500 and "NONCE_REPLAYED" in text


def submission(declaration) -> str:
    inner = to_xml(declaration).split(b"?>", 1)[-1].decode()
    return (
        f'<s:SubmitDeclaration xmlns:s="urn:rcep-origin:single-window:1">{inner}'
        "</s:SubmitDeclaration>"
    )


def test_a_replayed_submission_is_refused_and_issues_nothing_more(single_window, declaration):
    # a new declaration keeps its nonce in the same transaction as the declaration itself
    endpoint, app = single_window
    message = envelope(submission(variant(declaration)), nonce=b"submit-nonce-0001")
    status, text = post(endpoint, message)
    assert status == 200 and "ISSUED" in text
    status, text = post(endpoint, message)
    assert status == 500 and "NONCE_REPLAYED" in text
    assert count(app, "declarations") == 1 and count(app, "nonces") == 1


def test_a_replayed_resubmission_of_a_known_key_is_refused(single_window, declaration):
    endpoint, app = single_window
    body = submission(variant(declaration))
    assert "ISSUED" in post(endpoint, envelope(body))[1]
    again = envelope(body, nonce=b"resubmit-nonce-01")
    assert "ISSUED" in post(endpoint, again)[1]  # the same key again: the same answer
    status, text = post(endpoint, again)
    assert status == 500 and "NONCE_REPLAYED" in text
    assert count(app, "declarations") == 1 and count(app, "nonces") == 2


def test_the_nonce_of_a_refused_request_is_still_remembered(single_window):
    endpoint, app = single_window
    bogus = envelope(
        '<s:GetCertificate xmlns:s="urn:rcep-origin:single-window:1"><s:Bogus/></s:GetCertificate>',
        nonce=b"refused-nonce-001",
    )
    assert "SCHEMA_INVALID" in post(endpoint, bogus)[1]
    status, text = post(endpoint, bogus)
    assert status == 500 and "NONCE_REPLAYED" in text
    assert count(app, "nonces") == 1


def with_date(xml: str, tag: str, value: str) -> str:
    """The declaration (or a request carrying it) with the first ``tag`` date replaced."""
    changed, found = re.subn(rf"(<\w+:{tag}>)[^<]*<", rf"\g<1>{value}<", xml, count=1)
    assert found == 1, tag
    return changed


# schema-valid xs:date values (the schema takes them) that no customs date should be
ODD_DATES = ["2026-01-01Z", "2026-01-01+08:00", "2026-01-01-14:00", "10000-01-01", "-0001-01-01"]
DATE_FIELDS = {
    "DeclarationDate": r"/Declaration/DeclarationDate",
    "DepartureDate": r"/Declaration/Transport/DepartureDate",
    "Date": r"/Declaration/Invoices/Invoice\[1\]/Date",
    "ValidUntil": r"/Declaration/Items/Item\[1\]/Evidence/BOMLine\[\d+\]/Proof/ValidUntil",
}


@pytest.mark.parametrize("value", ODD_DATES)
@pytest.mark.parametrize("tag", DATE_FIELDS)
def test_a_schema_valid_date_a_declaration_does_not_take_is_a_client_fault_naming_it(
    single_window, declaration, tag, value
):
    # these once escaped as a bare HTTP 500 from the WSGI server, with no SOAP fault at all
    endpoint, app = single_window
    status, text = post(endpoint, envelope(with_date(submission(variant(declaration)), tag, value)))
    assert status == 500 and "soap:Client" in text
    fault = etree.fromstring(text.encode())
    assert fault.findtext(".//{urn:rcep-origin:single-window:1}Code") == "DATE_UNSUPPORTED"
    problem = fault.find(".//{urn:rcep-origin:single-window:1}Problem")
    assert re.fullmatch(DATE_FIELDS[tag], problem.get("path"))
    assert int(problem.get("line")) > 1 and repr(value) in problem.text
    assert count(app, "declarations") == 0 and count(app, "certificates") == 0


@pytest.mark.parametrize("value", ["2026-01-01+08:00", "10000-01-01"])
def test_an_odd_date_is_refused_by_the_exporter_before_anything_is_kept_or_sent(
    single_window, tmp_path, declaration, value
):
    endpoint, app = single_window
    xml = with_date(to_xml(variant(declaration)).decode(), "ValidUntil", value).encode()
    sender = client(endpoint, tmp_path)
    with pytest.raises(DeclarationError) as refused:
        sender.submit(xml)
    assert refused.value.code == "DATE_UNSUPPORTED"
    assert re.fullmatch(DATE_FIELDS["ValidUntil"], refused.value.path)
    assert sender.ledger.entries() == [] and count(app, "declarations") == 0


@pytest.mark.parametrize(
    "stamp", ["2026-01-01T24:00:00Z", "10000-01-01T00:00:00Z", "-0001-01-01T00:00:00+14:00"]
)
def test_answers_with_odd_but_schema_valid_timestamps_are_read_without_a_traceback(
    tmp_path, declaration, monkeypatch, caplog, stamp
):
    # xs:dateTime values Python's datetime cannot hold; zeep logged a traceback for each
    monkeypatch.setattr("connectors.single_window.service.now_utc", lambda: stamp)
    with running(tmp_path / "sw") as (endpoint, _app):
        sender = client(endpoint, tmp_path)
        key = variant(declaration)
        outcome = sender.submit(to_xml(key))
        assert outcome.entry.state == "issued" and outcome.entry.issued_at == stamp
        assert sender.status(key.idempotency_key).Receipt.UpdatedAt == stamp
        items = list(declaration.items)  # and a rejection, which carries RejectedAt too
        items[1] = dataclasses.replace(items[1], criterion="CTC", fob_value=None)
        rejected = sender.submit(to_xml(variant(declaration, items=tuple(items))))
        assert rejected.entry.state == "rejected"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


def test_a_request_over_the_size_limit_gets_413(single_window):
    endpoint, app = single_window
    app.max_bytes = 10_000
    status, _ = post(endpoint, envelope(STATUS) + b" " * 20_000)
    assert status == 413


def test_the_wsdl_and_its_schemas_are_published_and_usable_by_zeep(single_window):
    endpoint, app = single_window
    client_from_wsdl = zeep.Client(f"{endpoint}?wsdl")
    assert set(client_from_wsdl.service._binding._operations) == {
        "SubmitDeclaration",
        "GetStatus",
        "GetCertificate",
    }
    pem = requests.get(f"{endpoint}/signing-certificate.pem", timeout=10).content
    assert pem == app.service.identity.cert_pem
    assert requests.get(f"{endpoint}/xsd/../../etc/passwd", timeout=10).status_code == 404


def test_an_invalid_declaration_never_leaves_the_exporter(single_window, tmp_path):
    endpoint, app = single_window
    bad = Path(__file__).resolve().parent.parent / "xsd/examples/invalid-01-hs-four-digits.xml"
    sender = client(endpoint, tmp_path)
    with pytest.raises(Exception) as refused:
        sender.submit(bad.read_bytes())
    assert "HSCode" in str(refused.value)
    assert count(app, "declarations") == 0 and sender.ledger.entries() == []


def test_the_ledger_never_holds_the_password(single_window, tmp_path, declaration):
    endpoint, _ = single_window
    sender = client(endpoint, tmp_path, password="s3cret-Pa55")
    with pytest.raises(SingleWindowError):  # the mock knows another password
        sender.submit(to_xml(declaration))
    assert b"s3cret-Pa55" not in (tmp_path / "ledger.sqlite3").read_bytes()


def test_a_declaration_read_back_from_the_service_is_the_one_sent(
    single_window, tmp_path, declaration
):
    endpoint, app = single_window
    client(endpoint, tmp_path).submit(to_xml(declaration))
    stored = app.service._db().execute("SELECT declaration_xml FROM declarations").fetchone()[0]
    assert from_xml(bytes(stored)) == declaration


def test_a_slow_answer_times_out_and_the_status_query_finds_the_certificate(tmp_path, declaration):
    faults = Faults(latency_ms=800, slow_next=1)  # only the first request is slow
    with running(tmp_path / "sw", faults=faults) as (endpoint, app):
        sender = client(
            endpoint, tmp_path, operation_timeout=0.3, sleep=lambda seconds: time.sleep(1.0)
        )
        outcome = sender.submit(to_xml(declaration))
        assert outcome.entry.state == "issued" and outcome.entry.attempts == 1
        assert count(app, "certificates") == 1


def reset_first_posts(monkeypatch, times=1):
    """The exporter's kept-alive connection, closed by the Single Window just as a request
    goes out: the next ``times`` POSTs fail with the reset urllib3 reports, nothing sent."""
    send, left = requests.adapters.HTTPAdapter.send, [times]

    def flaky(adapter, request, *args, **kwargs):
        if request.method == "POST" and left[0] > 0:
            left[0] -= 1
            reset = ConnectionResetError(104, "Connection reset by peer")
            raise requests.exceptions.ConnectionError(
                urllib3.exceptions.ProtocolError("Connection aborted.", reset)
            )
        return send(adapter, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", flaky)


def test_a_kept_alive_connection_closed_under_the_request_is_sent_again_at_once(
    tmp_path, declaration, monkeypatch
):
    with running(tmp_path / "sw") as (endpoint, app):
        sender = client(endpoint, tmp_path, retries=0)  # no retry of the client's own
        reset_first_posts(monkeypatch)
        outcome = sender.submit(to_xml(declaration))
        assert outcome.entry.state == "issued" and outcome.entry.attempts == 1
        assert count(app, "certificates") == 1


def test_a_connection_reset_twice_is_the_callers_and_the_declaration_stays(
    tmp_path, declaration, monkeypatch
):
    with running(tmp_path / "sw") as (endpoint, app):
        sender = client(endpoint, tmp_path, retries=0)
        reset_first_posts(monkeypatch, times=2)
        with pytest.raises(SingleWindowError, match="UNREACHABLE") as refused:
            sender.submit(to_xml(declaration))
        assert refused.value.transient
        assert count(app, "certificates") == 0
        entry = sender.ledger.entry(declaration.idempotency_key)
        assert entry.state == "submitted" and entry.attempts == 1  # kept, retried later


def test_http_500_answers_are_retried_like_other_server_errors(tmp_path, declaration):
    faults = Faults(error_next=2, error_status="500 Internal Server Error")
    with running(tmp_path / "sw", faults=faults) as (endpoint, app):
        outcome = client(endpoint, tmp_path).submit(to_xml(declaration))
        assert outcome.entry.state == "issued" and count(app, "certificates") == 1


def test_a_malformed_answer_is_an_unknown_outcome_settled_by_the_status(tmp_path, declaration):
    with running(tmp_path / "sw", faults=Faults(garbage_next=1)) as (endpoint, app):
        outcome = client(endpoint, tmp_path).submit(to_xml(declaration))
        assert outcome.entry.state == "issued" and outcome.entry.attempts == 1
        assert count(app, "certificates") == 1


def test_a_hostile_answer_is_refused_unread_and_the_declaration_kept(tmp_path, declaration):
    with running(tmp_path / "sw", faults=Faults(hostile_next=1)) as (endpoint, _):
        sender = client(endpoint, tmp_path)
        with pytest.raises(SingleWindowError) as refused:
            sender.submit(to_xml(declaration))
        assert refused.value.code == "HOSTILE_RESPONSE"
        assert "root:" not in str(refused.value)
        kept = sender.ledger.entry(declaration.idempotency_key)
        assert kept.state == "error" and "HOSTILE_RESPONSE" in kept.last_error


def test_the_client_reads_proxy_and_ca_settings_from_the_environment_once(tmp_path, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "bypassed.example")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "ca.pem"))
    proxied = client("https://sw.example/single-window", tmp_path, name="a").session
    assert proxied.proxies["https"] == "http://proxy.example:3128"
    assert proxied.verify == str(tmp_path / "ca.pem")  # as requests itself would use it
    unverified = client("https://sw.example/sw", tmp_path, name="e", verify_tls=False).session
    assert unverified.verify is False  # turned off stays off, as requests.get(verify=False)
    bypassed = client("https://bypassed.example/single-window", tmp_path, name="b").session
    assert "https" not in bypassed.proxies
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert client("https://sw.example/sw", tmp_path, name="c").session.verify is True
    assert (
        client("https://sw.example/sw", tmp_path, name="d", verify_tls=False).session.verify
        is False
    )


# --- 1.1: the certificate with the receipt --------------------------------------------------------

RETURN_CERTIFICATE = (
    '<s:ReturnSignedCertificate xmlns:s="urn:rcep-origin:single-window:1">'
    "{}</s:ReturnSignedCertificate>"
)


def with_option(message: bytes, value: str) -> bytes:
    return message.replace(
        b"</soap:Header>", RETURN_CERTIFICATE.format(value).encode() + b"</soap:Header>"
    )


def operations(app):
    """Record the SOAP operations the app handles."""
    seen = []
    handle = app.handle

    def recording(body):
        request = etree.fromstring(body).find(f"{{{SOAP_ENV}}}Body")[0]
        seen.append(etree.QName(request).localname)
        return handle(body)

    app.handle = recording
    return seen


def test_a_submission_is_settled_in_one_round_trip(single_window, tmp_path, declaration):
    endpoint, app = single_window
    sender = client(endpoint, tmp_path)
    sender.signing_certificate()  # pinned beforehand, as after the first submission
    seen = operations(app)
    outcome = sender.submit(to_xml(declaration))
    assert outcome.entry.state == "issued"
    assert seen == ["SubmitDeclaration"]  # no GetCertificate: it came with the receipt
    stored = app.service.certificate(outcome.entry.certificate_number)
    assert outcome.certificate_xml == stored  # the exact signed bytes
    verify(outcome.certificate_xml, app.service.identity.cert_pem)


def test_a_1_0_request_gets_a_1_0_answer(single_window, declaration):
    # no header, no certificate in the answer: a 1.0 client sees nothing new
    endpoint, app = single_window
    _, plain = post(endpoint, envelope(submission(declaration)))
    assert "ISSUED" in plain and "SignedCertificate" not in plain
    _, asked = post(endpoint, with_option(envelope(submission(declaration)), "true"))
    signed = re.search(r"<s:SignedCertificate>([^<]+)<", asked).group(1)
    number = re.search(r"<r:CertificateNumber>([^<]+)<", asked).group(1)
    assert base64.b64decode(signed) == app.service.certificate(number)
    _, declined = post(endpoint, with_option(envelope(submission(declaration)), "false"))
    assert "ISSUED" in declined and "SignedCertificate" not in declined


def test_a_rejection_carries_no_certificate(single_window, declaration):
    endpoint, _ = single_window
    item = dataclasses.replace(declaration.items[0], criterion="WO")
    _, text = post(
        endpoint, with_option(envelope(submission(variant(declaration, items=(item,)))), "1")
    )
    assert "REJECTED" in text and "SignedCertificate" not in text


def test_an_invalid_option_header_is_a_schema_fault(single_window):
    endpoint, _ = single_window
    status, text = post(endpoint, with_option(envelope(STATUS), "maybe"))
    assert status == 500 and "SCHEMA_INVALID" in text


def test_against_a_1_0_service_the_client_fetches_the_certificate(
    single_window, tmp_path, declaration, monkeypatch
):
    endpoint, app = single_window
    monkeypatch.setattr(app, "_wants_certificate", lambda header: False)  # ignores the header
    sender = client(endpoint, tmp_path)
    sender.signing_certificate()
    seen = operations(app)
    outcome = sender.submit(to_xml(declaration))
    assert outcome.entry.state == "issued"
    assert seen == ["SubmitDeclaration", "GetCertificate"]
    verify(outcome.certificate_xml, app.service.identity.cert_pem)


def test_after_a_lost_answer_the_status_brings_the_certificate(
    single_window, tmp_path, declaration
):
    endpoint, app = single_window
    sender = client(endpoint, tmp_path)
    sender.signing_certificate()
    app.faults.drop_next = 1  # handled, then the answer is lost
    seen = operations(app)
    outcome = sender.submit(to_xml(declaration))
    assert outcome.entry.state == "issued" and outcome.entry.attempts == 1
    assert seen == ["SubmitDeclaration", "GetStatus"]
    assert count(app, "certificates") == 1


def test_a_certificate_with_the_receipt_not_signed_by_the_pinned_key_is_refused(
    single_window, tmp_path, declaration
):
    endpoint, app = single_window
    stranger = SigningIdentity.load_or_create(tmp_path / "stranger")
    sender = client(endpoint, tmp_path, signing_cert_pem=stranger.cert_pem)
    seen = operations(app)
    with pytest.raises(SingleWindowError) as refused:
        sender.submit(to_xml(declaration))
    assert refused.value.code == "SIGNATURE_INVALID" and seen == ["SubmitDeclaration"]


def test_the_declaration_is_kept_and_marked_submitted_before_it_leaves(
    single_window, tmp_path, declaration
):
    # persist before send: what another connection to the ledger sees while the request is in
    # the Single Window's hands (the record and its first attempt are one commit)
    endpoint, app = single_window
    sender = client(endpoint, tmp_path)
    sender.signing_certificate()
    seen = []
    handle = app.handle

    def looking(body):
        other = Ledger(tmp_path / "ledger.sqlite3")
        seen.append(other.entry(declaration.idempotency_key))
        other.close()
        return handle(body)

    app.handle = looking
    outcome = sender.submit(to_xml(declaration))
    assert [(e.state, e.attempts) for e in seen] == [("submitted", 1)]
    assert outcome.entry.state == "issued" and outcome.entry.attempts == 1
