"""What the Single Window and the exporter read of a declaration or a certificate is what the
schema validated: xmlschema decodes the tree the safe parser made (never text again, never a
schema a document names), and only after lxml has validated it (issue 13, xmlschema)."""

import http.server
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from connectors.declaration import (
    build,
    decode_validated,
    decode_xml,
    from_xml,
    load_shipment_file,
    read_validated,
    to_xml,
)
from connectors.single_window.signing import SigningIdentity, verify
from connectors.summary_pdf import certificate_content, verified_certificate
from connectors.xmlsafe import SchemaInvalid, decode, parse_untrusted
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

EXAMPLES = Path(__file__).resolve().parent.parent / "xsd" / "examples"
SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
C = "{urn:rcep-origin:common:1}"
D = "{urn:rcep-origin:declaration:1}"


@pytest.fixture(scope="module")
def declaration():
    return build(load_shipment_file(SHIPMENT), SHIPMENT.parent, Reference.load(rule_files=()))


@pytest.fixture
def listener():
    """A loopback HTTP server that records every request (there must be none)."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'/>")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_a_schema_location_in_a_declaration_is_not_followed_when_it_is_decoded(
    declaration, listener
):
    url, seen = listener
    xml = to_xml(declaration).replace(
        b"<d:Declaration ",
        b'<d:Declaration xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="urn:rcep-origin:declaration:1 ' + url.encode() + b'/evil.xsd" ',
        1,
    )
    assert from_xml(xml) == declaration
    assert seen == []


def test_what_is_decoded_is_the_tree_handed_over_not_text_parsed_again(declaration):
    tree = parse_untrusted(to_xml(declaration))
    quantity = tree.getroot().find(f"{D}Items/{D}Item/{C}Quantity")
    quantity.text = "401"  # changed in the tree only; the bytes still say 400
    assert decode_validated(tree.getroot()).items[0].quantity == Decimal("401")
    assert read_validated(tree.getroot()).items[0].quantity == Decimal("401")


def test_an_element_that_fails_its_schema_is_never_decoded(declaration):
    tree = parse_untrusted(to_xml(declaration))
    tree.getroot().find(f"{D}Items/{D}Item/{C}Quantity").text = "four hundred"
    with pytest.raises(SchemaInvalid) as invalid:
        decode_validated(tree.getroot())
    (problem,) = invalid.value.problems
    assert problem.path.endswith("c:Quantity") and problem.line > 1
    with pytest.raises(SchemaInvalid):
        decode(tree.getroot())
    with pytest.raises(SchemaInvalid):  # the fast reader's way in for untrusted bytes
        from_xml(etree.tostring(tree))


def test_texts_are_read_as_the_schema_means_them(declaration):
    # xs:token collapses white space; xs:decimal keeps its digits; xs:positiveInteger is a number
    xml = to_xml(declaration).replace(
        b"<c:VesselOrFlight>KOTA LARIS V.612S<",
        b"<c:VesselOrFlight>\n  KOTA   LARIS\tV.612S \n<",
    )
    read = from_xml(xml)
    assert read.transport.vessel_or_flight == "KOTA LARIS V.612S"
    assert read == declaration
    assert isinstance(read.items[0].packages_number, int)
    assert str(read.items[1].evidence.rvc.vnm) == str(declaration.items[1].evidence.rvc.vnm)


def test_a_declaration_inside_another_document_is_decoded_in_place(declaration):
    envelope = etree.Element("{urn:example}Envelope")
    envelope.append(parse_untrusted(to_xml(declaration)).getroot())
    assert read_validated(envelope[0]) == declaration
    assert decode_validated(envelope[0]) == declaration


def test_the_certificate_read_for_the_buyer_is_decoded_from_the_verified_element(tmp_path):
    customs = SigningIdentity.load_or_create(tmp_path / "customs")
    signed = customs.sign(etree.fromstring((EXAMPLES / "certificate-unsigned.xml").read_bytes()))
    verified = verify(signed, customs.cert_pem)
    content = certificate_content(verified)
    assert content == {
        k: v
        for k, v in verified_certificate(signed, customs.cert_pem).items()
        if k != "signing_fingerprint"
    }
    [item] = content["items"]
    assert (item["number"], item["quantity"], item["packages_number"]) == ("1", "800 PCE", "8")


def test_a_certificate_element_that_fails_its_schema_is_not_read(tmp_path):
    root = parse_untrusted((EXAMPLES / "certificate-unsigned.xml").read_bytes()).getroot()
    root.find(
        f"{{urn:rcep-origin:certificate:1}}Items/{{urn:rcep-origin:certificate:1}}Item/{C}HSCode"
    ).text = "8538"
    with pytest.raises(SchemaInvalid):
        certificate_content(root)


def test_the_single_windows_reader_and_xmlschemas_decoder_read_the_same_declaration(
    declaration,
):
    # two readers of one format (the fast one on the submission path, xmlschema where a
    # person reads one back): they must never drift apart
    xml = to_xml(declaration)
    assert from_xml(xml) == decode_xml(xml) == declaration
    examples = sorted(EXAMPLES.glob("valid-*.xml"))
    assert examples
    for example in examples:
        assert from_xml(example.read_bytes()) == decode_xml(example.read_bytes()), example.name
