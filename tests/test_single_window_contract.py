"""The Single Window contract (1.2) as other SOAP stacks see it: a retry from another stack is
the same declaration, the WSDL names the Declaration type, declares its faults and its
WS-Security policy; and the attacks on the token that 1.2 closes."""

import base64
import datetime
import hashlib
import logging
import re
import uuid
import warnings

import pytest
import requests
import zeep
from lxml import etree

from connectors.declaration import build, load_shipment_file, to_xml
from connectors.single_window import SOAP_ENV, SW, WSSE, WSU
from connectors.single_window.embedded import running
from connectors.xmlsafe import schema, xsd_path
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
D, C = "urn:rcep-origin:declaration:1", "urn:rcep-origin:common:1"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"
WSP = "http://www.w3.org/ns/ws-policy"
SP = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"
SP13 = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200802"
PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"


@pytest.fixture(scope="module")
def declaration_xml():
    declaration = build(
        load_shipment_file(SHIPMENT), SHIPMENT.parent, Reference.load(rule_files=())
    )
    return to_xml(declaration)


@pytest.fixture
def single_window(tmp_path):
    with running(tmp_path / "sw") as (endpoint, app):
        yield endpoint, app


def token(password="rcep-demo", digest=True, nonce=None, created=None, with_nonce=True):
    created = created or datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    raw = nonce or uuid.uuid4().bytes
    if digest:
        text = base64.b64encode(hashlib.sha1(raw + created.encode() + password.encode()).digest())
        kind, text = "PasswordDigest", text.decode()
    else:
        kind, text = "PasswordText", password
    extra = (
        f"<wsse:Nonce>{base64.b64encode(raw).decode()}</wsse:Nonce>"
        f"<wsu:Created>{created}</wsu:Created>"
        if with_nonce
        else ""
    )
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
        "<wsse:Username>exporter</wsse:Username>"
        f'<wsse:Password Type="{PROFILE}#{kind}">{text}</wsse:Password>{extra}'
        "</wsse:UsernameToken></wsse:Security>"
    )


def post(endpoint, body: bytes):
    answer = requests.post(
        endpoint, data=body, headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=10
    )
    return answer.status_code, answer.content


def reference(answer: bytes) -> str:
    return etree.fromstring(answer).findtext(".//{urn:rcep-origin:receipt:1}ReferenceNumber")


def fault_code(answer: bytes) -> str:
    return etree.fromstring(answer).findtext(f".//{{{SW}}}FaultDetail/{{{SW}}}Code")


# --- "the same content" ---------------------------------------------------------------------


def as_our_client_sends_it(declaration: bytes) -> bytes:
    inner = declaration.split(b"?>", 1)[1].decode()
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Header>{token()}</soap:Header>'
        f'<soap:Body><s:SubmitDeclaration xmlns:s="{SW}">{inner}</s:SubmitDeclaration>'
        "</soap:Body></soap:Envelope>"
    ).encode()


def as_another_stack_sends_it(declaration: bytes) -> bytes:
    """Other prefixes everywhere (the declaration's own too: a default namespace for d, 'cm'
    for c), namespaces declared on the envelope, no indentation, and a comment."""
    source = etree.fromstring(declaration)
    root = etree.Element(f"{{{D}}}Declaration", nsmap={None: D, "cm": C})

    def copy(node, parent):
        for child in node:
            made = etree.SubElement(parent, child.tag, dict(child.attrib))
            if len(child):
                copy(child, made)
            else:
                made.text = child.text

    root.attrib.update(source.attrib)
    copy(source, root)
    root.insert(0, etree.Comment(" sent by another stack "))
    inner = etree.tostring(root).decode()
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{SW}" xmlns:x="urn:x">'
        f"<soapenv:Header>{token()}</soapenv:Header><soapenv:Body>\n    "
        f"<tns:SubmitDeclaration>\n      {inner}\n    </tns:SubmitDeclaration>\n  "
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()


def test_a_retry_from_another_soap_stack_is_the_same_declaration(single_window, declaration_xml):
    endpoint, app = single_window
    ours, theirs = (
        as_our_client_sends_it(declaration_xml),
        as_another_stack_sends_it(declaration_xml),
    )
    assert b"xmlns:cm=" in theirs and b"<cm:Name>" in theirs and b"  <d:" not in theirs
    status, first = post(endpoint, ours)
    assert status == 200 and b"ISSUED" in first
    for body in (
        theirs,
        as_another_stack_sends_it(declaration_xml),
        as_our_client_sends_it(declaration_xml),
    ):
        status, again = post(endpoint, body)
        assert status == 200, again
        assert reference(again) == reference(first)
    assert app.service._db().execute("SELECT count(*) FROM declarations").fetchone()[0] == 1


def test_other_content_under_the_same_key_is_still_refused_whatever_the_stack(
    single_window, declaration_xml
):
    endpoint, _ = single_window
    assert post(endpoint, as_our_client_sends_it(declaration_xml))[0] == 200
    changed = declaration_xml.replace(b"88 Jiangnan Road", b"89 Jiangnan Road", 1)
    status, answer = post(endpoint, as_another_stack_sends_it(changed))
    assert status == 500 and fault_code(answer) == "IDEMPOTENCY_CONFLICT"
    # whitespace inside a leaf is data, not layout
    spaced = declaration_xml.replace(b"Beilun, Ningbo", b"Beilun,  Ningbo", 1)
    status, answer = post(endpoint, as_our_client_sends_it(spaced))
    assert status == 500 and fault_code(answer) == "IDEMPOTENCY_CONFLICT"


def test_a_declaration_kept_before_1_2_is_still_the_same_content(tmp_path, declaration_xml):
    # a 1.1 service hashed the inclusive c14n of the element as it came in the envelope
    with running(tmp_path / "sw") as (endpoint, app):
        body = as_our_client_sends_it(declaration_xml)
        assert post(endpoint, body)[0] == 200
        element = etree.fromstring(body).find(f".//{{{D}}}Declaration")
        old = hashlib.sha256(etree.tostring(element, method="c14n")).hexdigest()
        app.service._db().execute("UPDATE declarations SET payload_sha256 = ?", (old,))
        status, answer = post(endpoint, as_our_client_sends_it(declaration_xml))
        assert status == 200 and b"ISSUED" in answer


# --- the WSDL other stacks read -----------------------------------------------------------------


def test_the_wsdl_names_the_declaration_declares_faults_and_policy(single_window):
    endpoint, _ = single_window
    wsdl = etree.fromstring(requests.get(f"{endpoint}?WSDL", timeout=10).content)
    ns = {"wsdl": WSDL_NS, "soap": SOAP_BINDING, "wsp": WSP, "sp": SP, "sp13": SP13}
    operations = wsdl.findall("wsdl:portType/wsdl:operation", ns)
    assert len(operations) == 3
    for operation in operations:
        assert operation.find("wsdl:fault", ns).get("message") == "s:SingleWindowFault"
    for operation in wsdl.findall("wsdl:binding/wsdl:operation", ns):
        assert operation.find("wsdl:fault/soap:fault", ns).get("use") == "literal"
    part = wsdl.find("wsdl:message[@name='SingleWindowFault']/wsdl:part", ns)
    assert part.get("element") == "s:FaultDetail"
    # WS-SecurityPolicy on the binding: digest or text, both with Nonce and Created
    reference = wsdl.find("wsdl:binding/wsp:PolicyReference", ns).get("URI")
    policy = wsdl.find(f"wsp:Policy[@{{{WSU}}}Id='{reference[1:]}']", ns)
    alternatives = policy.findall("wsp:ExactlyOne/wsp:All", ns)
    tokens = [a.find(".//sp:UsernameToken/wsp:Policy", ns) for a in alternatives]
    assert [t.find("sp:HashPassword", ns) is not None for t in tokens] == [True, False]
    for t in tokens:
        assert t.find("sp13:Nonce", ns) is not None and t.find("sp13:Created", ns) is not None
    assert policy.find(".//sp:IncludeTimestamp", ns) is None
    # the schema: SubmitDeclaration refers to d:Declaration, not to a wildcard
    xsd = etree.parse(str(xsd_path("single-window-1.xsd")))
    submit = xsd.find(".//{http://www.w3.org/2001/XMLSchema}element[@name='SubmitDeclaration']")
    assert submit.find(".//{http://www.w3.org/2001/XMLSchema}any") is None
    assert submit.find(".//{http://www.w3.org/2001/XMLSchema}element").get("ref") == (
        "d:Declaration"
    )
    assert xsd.getroot().get("version") == "1.2"


def test_zeep_loads_the_published_wsdl_without_a_warning_and_sees_the_types(single_window, caplog):
    endpoint, _ = single_window
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        client = zeep.Client(f"{endpoint}?wsdl")
    assert caught == [] and [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    binding = client.service._binding
    signature = binding._operations["SubmitDeclaration"].input.signature()
    assert re.match(r"Declaration: \w+:Declaration", signature)
    for operation in binding._operations.values():
        assert set(operation.abstract.fault_messages) == {"SingleWindowFault"}
    detail = client.get_element(f"{{{SW}}}FaultDetail")
    assert [name for name, _ in detail.type.elements] == ["Code", "Problem"]


def test_every_fault_detail_is_valid_against_the_declared_element(single_window, declaration_xml):
    endpoint, _ = single_window
    bad = as_our_client_sends_it(declaration_xml.replace(b"<c:Country>CN<", b"<c:Country>C<", 1))
    status, answer = post(endpoint, bad)
    assert status == 500
    detail = etree.fromstring(answer).find(".//detail")
    assert len(detail) == 1  # one part, as the fault message says
    xsd = schema("single-window-1.xsd")
    assert xsd.validate(etree.ElementTree(detail[0])), xsd.error_log
    problem = detail[0].find(f"{{{SW}}}Problem")
    assert detail[0].findtext(f"{{{SW}}}Code") == "SCHEMA_INVALID"
    assert int(problem.get("line")) >= 1 and problem.get("path")


# --- the token ----------------------------------------------------------------------------------

STATUS = (
    f'<s:GetStatus xmlns:s="{SW}">'
    "<s:IdempotencyKey>00000000-0000-4000-8000-000000000000</s:IdempotencyKey></s:GetStatus>"
)


def request(security: str, body: str = STATUS) -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Header>{security}</soap:Header>'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def test_a_password_text_token_without_nonce_and_created_is_refused(single_window):
    # it could be captured once and replayed for ever
    endpoint, _ = single_window
    status, answer = post(endpoint, request(token(digest=False, with_nonce=False)))
    assert status == 500 and fault_code(answer) == "AUTHENTICATION_FAILED"
    assert b"needs a Nonce and a Created time" in answer
    # with them it is accepted once, and a replay is refused
    replayable = request(token(digest=False, nonce=b"text-nonce-000001"))
    assert fault_code(post(endpoint, replayable)[1]) == "NOT_FOUND"
    assert fault_code(post(endpoint, replayable)[1]) == "NONCE_REPLAYED"


def test_the_same_nonce_spelt_another_way_in_base64_is_a_replay(single_window):
    endpoint, _ = single_window
    created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    nonce = b"0123456789abcdef"
    spelt = base64.b64encode(nonce).decode()  # 22 characters and '==': the last has 4 slack bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    other = spelt[:21] + alphabet[alphabet.index(spelt[21]) + 1] + "=="
    assert base64.b64decode(other) == nonce and other != spelt
    first = request(token(nonce=nonce, created=created))
    assert fault_code(post(endpoint, first)[1]) == "NOT_FOUND"
    status, answer = post(endpoint, first.replace(spelt.encode(), other.encode()))
    assert status == 500 and fault_code(answer) == "NONCE_REPLAYED"


def test_nonces_are_forgotten_past_the_freshness_window_and_stale_replays_still_refused(
    single_window,
):
    endpoint, app = single_window
    service = app.service
    old = [request(token(nonce=f"nonce-{i:011d}".encode())) for i in range(3)]
    for message in old:
        assert fault_code(post(endpoint, message)[1]) == "NOT_FOUND"

    def count():
        return service._db().execute("SELECT count(*) FROM nonces").fetchone()[0]

    assert count() == 3
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=11)
    service.clock = lambda: later
    fresh = request(token(created=later.strftime("%Y-%m-%dT%H:%M:%SZ")))
    assert fault_code(post(endpoint, fresh)[1]) == "NOT_FOUND"
    assert count() == 1  # the three older ones are gone, the table does not grow for ever
    for message in old:  # and what was forgotten cannot be replayed: its token is stale
        status, answer = post(endpoint, message)
        assert status == 500
        assert fault_code(answer) == "AUTHENTICATION_FAILED" and b"stale" in answer
