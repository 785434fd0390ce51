"""A signed certificate is read only when the document is exactly the element customs signed.

XML signature wrapping: the genuine signed certificate is kept somewhere in the document (in a
ds:Object of the signature, as a child of a forged root, beside a forged one under another
root) while the root, which every reader takes, is a forged certificate. Each is refused with
a code by the one verifier the client, the CLI, the mock and Odoo share, and the genuine
certificate still verifies."""

import base64
import contextlib
import copy
import dataclasses
import re
import threading
import uuid

import pytest
import requests
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, methods
from waitress.server import create_server

from connectors.cli import main
from connectors.declaration import build, load_shipment_file, to_xml
from connectors.ledger import Ledger
from connectors.single_window import matching
from connectors.single_window.client import SingleWindowClient, SingleWindowError
from connectors.single_window.embedded import running
from connectors.single_window.service import Service
from connectors.single_window.signing import (
    SignatureInvalid,
    SigningIdentity,
    signed_root,
    verify,
)
from connectors.summary_pdf import certificate_items, certificate_pdf
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
K = "urn:rcep-origin:certificate:1"
C = "urn:rcep-origin:common:1"
DS = "http://www.w3.org/2000/09/xmldsig#"


@pytest.fixture(scope="module")
def issued(tmp_path_factory, declaration):
    """A certificate as the mock Single Window issues it: (signed bytes, service)."""
    service = Service(tmp_path_factory.mktemp("sw") / "single-window.sqlite3")
    record = service.submit(to_xml(declaration))
    assert record.status == "ISSUED"
    return service.certificate(record.certificate_number), service


@pytest.fixture(scope="module")
def genuine(issued):
    return issued[0]


@pytest.fixture(scope="module")
def pem(issued):
    return issued[1].identity.cert_pem


def quantities(root) -> list[str]:
    return [q.text for q in root.iter(f"{{{C}}}Quantity")]


def forged_from(genuine: bytes) -> etree._Element:
    """The attacker's certificate: the genuine one, unsigned, with ten times the quantities."""
    forged = etree.fromstring(genuine)
    forged.remove(forged.find(f"{{{DS}}}Signature"))
    for quantity in forged.iter(f"{{{C}}}Quantity"):
        quantity.text = quantity.text + "0"
    del forged.attrib["Id"]
    return forged


def split(genuine: bytes) -> tuple[etree._Element, etree._Element]:
    """The genuine certificate without its signature (exactly what was digested), and the
    signature."""
    root = etree.fromstring(genuine)
    signature = root.find(f"{{{DS}}}Signature")
    root.remove(signature)
    return root, signature


def in_signature_object(genuine):
    forged = forged_from(genuine)
    original, signature = split(genuine)
    etree.SubElement(signature, f"{{{DS}}}Object").append(original)
    forged.append(signature)
    return forged


def as_child_of_a_forged_root(genuine):
    forged = forged_from(genuine)
    forged.append(etree.fromstring(genuine))  # signed, signature and all
    return forged


def beside_a_forged_one_under_another_root(genuine):
    wrapper = etree.Element("{urn:attacker}Documents", nsmap={"w": "urn:attacker"})
    wrapper.append(forged_from(genuine))
    wrapper.append(etree.fromstring(genuine))
    return wrapper


def id_moved_to_the_forged_root(genuine):
    # the forged root carries the referenced Id (as xml:id, which looks like its own); the
    # genuine one, kept inside it, still has Id="certificate", which signxml resolves first
    forged = forged_from(genuine)
    forged.set("{http://www.w3.org/XML/1998/namespace}id", "certificate")
    original, signature = split(genuine)
    forged.append(original)
    forged.append(signature)
    return forged


def id_duplicated(genuine):
    # the forged root and the genuine one (kept inside it) both carry Id="certificate"
    forged = forged_from(genuine)
    forged.set("Id", "certificate")
    original, signature = split(genuine)
    forged.append(original)
    forged.append(signature)
    return forged


def a_second_signature(genuine):
    # another signature inside the genuine one (the enveloped transform removes both from
    # the digest): which of the two a reader trusts is no longer clear
    root = etree.fromstring(genuine)
    signature = root.find(f"{{{DS}}}Signature")
    signature.find(f"{{{DS}}}KeyInfo").append(copy.deepcopy(signature))
    return root


def the_signature_inside_the_items(genuine):
    root = etree.fromstring(genuine)
    root.find(f"{{{K}}}Items").append(root.find(f"{{{DS}}}Signature"))
    return root


WRAPPINGS = [
    in_signature_object,
    as_child_of_a_forged_root,
    beside_a_forged_one_under_another_root,
    id_moved_to_the_forged_root,
    id_duplicated,
    a_second_signature,
    the_signature_inside_the_items,
]


def test_the_genuine_certificate_verifies_and_what_is_read_is_what_was_signed(genuine, pem):
    signed = verify(genuine, pem)
    assert signed.tag == f"{{{K}}}Certificate"
    assert signed.find(f"{{{DS}}}Signature") is None  # the signed content, without the signature
    assert quantities(signed) == quantities(etree.fromstring(genuine))
    assert [i["quantity"].split()[0] for i in certificate_items(genuine)] == quantities(signed)


@pytest.mark.parametrize("wrap", WRAPPINGS, ids=lambda f: f.__name__)
def test_a_wrapped_certificate_is_refused_with_a_code(genuine, pem, wrap):
    document = etree.tostring(wrap(genuine))
    with pytest.raises(SignatureInvalid) as refused:
        verify(document, pem)
    assert refused.value.code == "SIGNATURE_WRAPPED", str(refused.value)
    # nothing that reads a kept certificate reads it either, even without the cryptography
    with pytest.raises(SignatureInvalid):
        certificate_items(document)
    with pytest.raises(SignatureInvalid):
        certificate_pdf(document, "00:11")


@pytest.mark.parametrize("wrap", WRAPPINGS[:3], ids=lambda f: f.__name__)
def test_the_genuine_signature_in_a_wrapper_still_holds_on_its_own(genuine, pem, wrap):
    # the attacks are real: the signed certificate inside the wrapper is intact; only where
    # it sits makes it refused (take it out, and it verifies)
    wrapper = wrap(genuine)
    inner = next(c for c in wrapper.iter(f"{{{K}}}Certificate") if c.get("Id") == "certificate")
    if inner.find(f"{{{DS}}}Signature") is None:
        inner.append(copy.deepcopy(wrapper.find(f".//{{{DS}}}Signature")))
        inner.find(f"{{{DS}}}Signature").remove(inner.find(f"{{{DS}}}Signature/{{{DS}}}Object"))
    verify(etree.tostring(inner), pem)


def test_the_command_line_says_a_wrapped_certificate_is_not_valid_and_why(
    genuine, pem, tmp_path, capsys
):
    path, pem_path = tmp_path / "forged.xml", tmp_path / "customs.pem"
    path.write_bytes(etree.tostring(in_signature_object(genuine)))
    pem_path.write_bytes(pem)
    assert main(["verify", str(path), "--signing-cert", str(pem_path)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^FAIL signature: SIGNATURE_WRAPPED: ", out, re.M)
    assert out.rstrip().endswith("NOT VALID")


def test_a_changed_value_breaks_the_signature(genuine, pem):
    root = etree.fromstring(genuine)
    root.find(f".//{{{C}}}Quantity").text += "0"
    with pytest.raises(SignatureInvalid) as refused:
        verify(etree.tostring(root), pem)
    assert refused.value.code == "SIGNATURE_INVALID"


def test_a_certificate_without_a_signature_is_refused(genuine, pem):
    original, _ = split(genuine)
    with pytest.raises(SignatureInvalid) as refused:
        verify(etree.tostring(original), pem)
    assert refused.value.code == "SIGNATURE_MISSING"


def test_a_certificate_signed_by_another_key_is_refused(genuine, tmp_path):
    stranger = SigningIdentity.load_or_create(tmp_path / "stranger")
    with pytest.raises(SignatureInvalid) as refused:
        verify(genuine, stranger.cert_pem)
    assert refused.value.code == "SIGNATURE_INVALID"


def resigned(genuine, issued, **options) -> bytes:
    """The genuine certificate signed again with the customs key, with other options."""
    original, _ = split(genuine)
    identity = issued[1].identity
    signer = XMLSigner(method=methods.enveloped, **options)
    return etree.tostring(
        signer.sign(original, key=identity.key_pem, cert=identity.cert_pem.decode())
    )


@pytest.mark.parametrize(
    "options",
    [
        {"c14n_algorithm": CanonicalizationMethod.CANONICAL_XML_1_1},
        {"c14n_algorithm": CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0_WITH_COMMENTS},
        {
            "c14n_algorithm": CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
            "signature_algorithm": SignatureMethod.RSA_SHA512,
        },
        {
            "c14n_algorithm": CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
            "digest_algorithm": DigestAlgorithm.SHA512,
        },
    ],
    ids=["c14n-1.1", "exc-c14n-with-comments", "rsa-sha512", "sha512-digest"],
)
def test_a_signature_with_other_algorithms_is_refused_even_with_the_right_key(
    genuine, issued, pem, options
):
    document = resigned(genuine, issued, **options)
    with pytest.raises(SignatureInvalid) as refused:
        verify(document, pem)
    assert refused.value.code == "SIGNATURE_ALGORITHM"


def test_a_certificate_kept_from_before_exclusive_c14n_is_read_but_no_longer_verifies(
    genuine, issued, pem
):
    # the mock signed with c14n 1.1 before: such a certificate, kept in a ledger or in Odoo,
    # is still summarised (it is not a wrapper), but `verify` says why it is not accepted now
    legacy = resigned(genuine, issued, c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_1)
    assert certificate_items(legacy) == certificate_items(genuine)
    with pytest.raises(SignatureInvalid) as refused:
        verify(legacy, pem)
    assert refused.value.code == "SIGNATURE_ALGORITHM"


def test_the_command_line_writes_no_summary_of_a_kept_wrapped_certificate(
    genuine, tmp_path, capsys
):
    # kept by a version without these checks: its XML is written out, never summarised
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    wrapped = etree.tostring(in_signature_object(genuine))
    ledger.store_certificate("R26FORGED000000001", str(uuid.uuid4()), wrapped, None, True, "")
    ledger.close()
    out_dir = tmp_path / "out"
    code = main(
        ["certificate", "R26FORGED000000001", "--out", str(out_dir), "--ledger", str(ledger.path)]
    )
    assert code == 1
    assert "SIGNATURE_WRAPPED" in capsys.readouterr().out
    assert (out_dir / "R26FORGED000000001.xml").read_bytes() == wrapped
    assert not (out_dir / "R26FORGED000000001.pdf").exists()


def test_the_same_signature_made_as_the_single_window_makes_it_verifies(genuine, issued, pem):
    # the check above is the algorithms', not the re-signing's
    document = resigned(
        genuine,
        issued,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
    )
    assert quantities(verify(document, pem)) == quantities(etree.fromstring(genuine))


def test_a_reference_to_the_whole_document_is_accepted(genuine, issued, pem):
    original, _ = split(genuine)
    del original.attrib["Id"]
    identity = issued[1].identity
    signed = identity.sign(original)
    assert b'URI=""' in signed
    assert verify(signed, pem).get("Id") is None


def test_a_reference_to_nothing_but_the_root_is_refused(genuine, issued, pem):
    # a signature over a part of the certificate (here its exporter) covers less than is read
    root, _ = split(genuine)
    exporter = root.find(f"{{{K}}}Exporter")
    exporter.set("Id", "exporter")
    identity = issued[1].identity
    signer = XMLSigner(
        method=methods.enveloped,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(
        root, key=identity.key_pem, cert=identity.cert_pem.decode(), reference_uri="#exporter"
    )
    with pytest.raises(SignatureInvalid) as refused:
        verify(etree.tostring(signed), pem)
    assert refused.value.code == "SIGNATURE_WRAPPED"


def test_kept_certificates_are_read_only_in_the_shape_that_verifies(genuine):
    assert signed_root(genuine).tag == f"{{{K}}}Certificate"
    assert certificate_pdf(genuine, "00:11").startswith(b"%PDF")


# --- a genuinely signed certificate of another declaration ----------------------------------------

SW = "urn:rcep-origin:single-window:1"
R = "urn:rcep-origin:receipt:1"


class SwappingProxy:
    """A man in the middle on loopback (the default endpoint is plain HTTP): a real HTTP proxy
    that forwards every request to the real mock Single Window and, once armed, answers a
    submission with what it kept from the one before."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.split("/single-window")[0]
        self.mode = None  # None: pass everything through
        self.kept = None  # the last ISSUED answer that went through, as it came

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        url = self.upstream + environ["PATH_INFO"]
        if environ.get("QUERY_STRING"):
            url += "?" + environ["QUERY_STRING"]
        headers = {h: environ[k] for h, k in (("Content-Type", "CONTENT_TYPE"),) if environ.get(k)}
        if environ.get("HTTP_SOAPACTION"):
            headers["SOAPAction"] = environ["HTTP_SOAPACTION"]
        answer = requests.request(
            environ["REQUEST_METHOD"], url, data=body, headers=headers, timeout=10
        )
        content = answer.content
        if b"SignedCertificate" in content and b"ISSUED" in content:
            content = self.swap(content)
        start_response(
            f"{answer.status_code} {answer.reason}",
            [
                ("Content-Type", answer.headers["Content-Type"]),
                ("Content-Length", str(len(content))),
            ],
        )
        return [content]

    def swap(self, content: bytes) -> bytes:
        kept, self.kept = self.kept, content
        if self.mode is None or kept is None:
            return content
        if self.mode == "whole answer":  # the other declaration's receipt and certificate
            return kept
        this, other = etree.fromstring(content), etree.fromstring(kept)
        certificate = f".//{{{SW}}}SignedCertificate"
        this.find(certificate).text = other.find(certificate).text
        if self.mode == "certificate and numbers":  # this key, the other's numbers
            for tag in ("ReferenceNumber", "CertificateNumber"):
                this.find(f".//{{{R}}}{tag}").text = other.find(f".//{{{R}}}{tag}").text
        if self.mode == "tampered certificate":  # the other's number, a broken signature
            this.find(f".//{{{R}}}CertificateNumber").text = other.find(
                f".//{{{R}}}CertificateNumber"
            ).text
            signed = base64.b64decode(this.find(certificate).text).replace(
                b"</c:Name>", b"x</c:Name>", 1
            )
            this.find(certificate).text = base64.b64encode(signed).decode()
        return etree.tostring(this, xml_declaration=True, encoding="UTF-8")


@contextlib.contextmanager
def swapping_proxy(upstream: str):
    proxy = SwappingProxy(upstream)
    server = create_server(proxy, host="127.0.0.1", port=0, threads=2, asyncore_loop_timeout=0.05)
    stopping = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except (OSError, ValueError):  # sockets closed under the loop while stopping
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/single-window", proxy
    finally:  # as connectors/single_window/embedded.py stops the mock
        stopping.set()
        server.task_dispatcher.shutdown()
        while server._map:
            for channel in list(server._map.values()):
                channel.close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def declaration():
    return build(load_shipment_file(SHIPMENT), SHIPMENT.parent, Reference.load(rule_files=()))


@pytest.mark.parametrize(
    "mode",
    ["certificate", "certificate and numbers", "whole answer", "tampered certificate"],
)
def test_a_certificate_swapped_in_transit_is_never_kept_as_this_declarations(
    tmp_path, declaration, mode
):
    first = dataclasses.replace(declaration, idempotency_key=str(uuid.uuid4()))
    item = dataclasses.replace(declaration.items[0], quantity=declaration.items[0].quantity * 2)
    second = dataclasses.replace(
        declaration,
        idempotency_key=str(uuid.uuid4()),
        importer=dataclasses.replace(declaration.importer, name="Another Importer Pty Ltd"),
        items=(item, *declaration.items[1:]),
    )
    with running(tmp_path / "sw") as (endpoint, app), swapping_proxy(endpoint) as (url, proxy):
        ledger = Ledger(tmp_path / "ledger.sqlite3")
        sender = SingleWindowClient(
            url,
            "exporter",
            "rcep-demo",
            ledger,
            signing_cert_pem=app.service.identity.cert_pem,  # pinned out of band
            retries=0,
            operation_timeout=10,
        )
        kept = sender.submit(to_xml(first))
        assert kept.entry.state == "issued"
        proxy.mode = mode

        with pytest.raises(SingleWindowError) as refused:
            sender.submit(to_xml(second))

        code = "SIGNATURE_INVALID" if mode == "tampered certificate" else "CERTIFICATE_MISMATCH"
        assert refused.value.code == code, str(refused.value)
        entry = ledger.entry(second.idempotency_key)
        assert entry.state == "error" and entry.last_error.startswith(code)
        if code == "CERTIFICATE_MISMATCH":
            assert entry.certificate_number is None  # nothing of it was kept
            assert "Importer/Name" in str(refused.value) or "IdempotencyKey" in str(refused.value)
        # the first declaration's certificate is kept as it was, still valid
        signed, _, valid, _ = ledger.certificate(kept.entry.certificate_number)
        assert (signed, valid) == (kept.certificate_xml, True)
        assert ledger.entry(first.idempotency_key).state == "issued"

        # customs did issue the second one: without the man in the middle, the same key
        # brings its own certificate, and nothing is issued twice
        proxy.mode = None
        settled = sender.submit(to_xml(second))
        assert settled.entry.state == "issued"
        assert settled.certificate_xml == app.service.certificate(settled.entry.certificate_number)
        assert settled.entry.certificate_number != kept.entry.certificate_number
        items = certificate_items(settled.certificate_xml)
        assert items[0]["quantity"].split()[0] == f"{item.quantity:f}"
        assert app.service._db().execute("SELECT count(*) FROM certificates").fetchone()[0] == 2
        ledger.close()


def changed(declaration, change: str):
    """The declaration with one Annex 3B fact changed, as another declaration would have it."""
    items = list(declaration.items)
    replace = dataclasses.replace
    if change == "quantity":
        items[0] = replace(items[0], quantity=items[0].quantity + 1)
    elif change == "unit":
        items[0] = replace(items[0], unit="SET")
    elif change == "HS code":
        items[0] = replace(items[0], hs="853890" if items[0].hs != "853890" else "853710")
    elif change == "criterion":
        items[0] = replace(items[0], criterion="PE")
    elif change == "annotation":
        items[2] = replace(items[2], annotations=())
    elif change == "FOB value":
        items[1] = replace(items[1], fob_value=items[1].fob_value + 1)
    elif change == "an item less":
        items = items[:-1]
    elif change == "departure date":
        transport = declaration.transport
        date = transport.departure_date.replace(day=transport.departure_date.day - 1)
        return replace(declaration, transport=replace(transport, departure_date=date))
    elif change == "exporter's customs code":
        exporter = replace(declaration.exporter, customs_code="9999999999")
        return replace(declaration, exporter=exporter)
    elif change == "producer":
        return replace(declaration, producer=None)
    return replace(declaration, items=tuple(items))


CHANGES = {
    "quantity": "Items/Item[1]/Quantity",
    "unit": "Items/Item[1]/Quantity/@unit",
    "HS code": "Items/Item[1]/HSCode",
    "criterion": "Items/Item[1]/OriginCriterion",
    "annotation": "Items/Item[3]/OriginCriterion/Annotation",
    "FOB value": "Items/Item[2]/OriginCriterion/RVC/FOBValue",
    "an item less": "Items/Item[3]/ItemNumber",
    "departure date": "Transport/DepartureDate",
    "exporter's customs code": "Exporter/CustomsCode",
    "producer": "Producer/Name",
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_certificate_that_differs_from_the_declaration_in_one_fact_is_not_its_own(
    issued, pem, declaration, change
):
    genuine, service = issued
    certificate = verify(genuine, pem)
    record = service.find(key=declaration.idempotency_key)

    class Receipt:  # as zeep reads the r:Receipt that came with it
        IdempotencyKey = record.idempotency_key
        ReferenceNumber = record.reference_number
        CertificateNumber = record.certificate_number

    assert matching.differences_between(certificate, declaration, Receipt) == []
    differences = matching.differences_between(certificate, changed(declaration, change), Receipt)
    paths = [d.split(":")[0] for d in differences]
    if change in ("an item less", "producer"):  # every field of the item or party
        assert paths[0] == CHANGES[change] and len(paths) > 1
    else:
        assert paths == [CHANGES[change]]
    with pytest.raises(matching.CertificateMismatch) as refused:
        matching.check(certificate, changed(declaration, change), Receipt)
    assert refused.value.code == "CERTIFICATE_MISMATCH" and CHANGES[change] in str(refused.value)
