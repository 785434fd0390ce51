"""The buyer's summary reads a signed certificate's content only from what its signature
covers, with the pinned signing certificate."""

from pathlib import Path

import pytest
from lxml import etree

from connectors.single_window.signing import SignatureInvalid, SigningIdentity, fingerprint
from connectors.summary_pdf import verified_certificate

EXAMPLE = Path(__file__).parent.parent / "xsd" / "examples" / "certificate-unsigned.xml"


def signed(identity: SigningIdentity, text: str | None = None) -> bytes:
    return identity.sign(etree.fromstring((text or EXAMPLE.read_text()).encode()))


def test_the_summary_carries_parties_transport_invoices_and_items(tmp_path):
    customs = SigningIdentity.load_or_create(tmp_path / "customs")
    content = verified_certificate(signed(customs), customs.cert_pem)
    assert content["certificate_number"] == "R2633029610001"
    assert content["issued_at"] == "2026-11-18T09:14:05+08:00"
    assert content["issuing_body"] == {
        "name": "Ningbo Customs District",
        "address": "Ningbo, Zhejiang",
        "country": "CN",
    }
    assert content["exporter"]["customs_code"] == "3302961A27"
    assert content["producer"] is None  # optional in the schema, absent here
    assert content["importer"]["name"] == "Saigon Power Equipment JSC"
    assert content["transport"]["vessel_or_flight"] == "KOTA LARIS V.612S"
    assert content["invoices"] == [{"number": "KD-2026-1187", "date": "2026-11-17"}]
    [item] = content["items"]
    assert (item["marks"], item["packages_number"], item["packages_kind"]) == (
        "SPE/HCMC/23-30",
        "8",
        "carton",
    )
    assert (item["base_criterion"], item["annotations"], item["fob_value"]) == ("CTC", ["ACU"], "")
    assert (item["quantity_value"], item["unit"]) == ("800", "PCE")
    assert content["signing_fingerprint"] == fingerprint(customs.cert_pem)


def test_an_rvc_item_carries_its_fob_value(tmp_path):
    customs = SigningIdentity.load_or_create(tmp_path / "customs")
    text = EXAMPLE.read_text().replace(
        "<c:CTC/>", '<c:RVC><c:FOBValue currency="USD">12800.00</c:FOBValue></c:RVC>'
    )
    [item] = verified_certificate(signed(customs, text), customs.cert_pem)["items"]
    assert (item["criterion"], item["fob_value"], item["fob_currency"]) == (
        "RVC ACU",
        "12800.00",
        "USD",
    )


def test_a_certificate_signed_by_another_key_is_not_read(tmp_path):
    customs = SigningIdentity.load_or_create(tmp_path / "customs")
    stranger = SigningIdentity.load_or_create(tmp_path / "stranger")
    with pytest.raises(SignatureInvalid):
        verified_certificate(signed(stranger), customs.cert_pem)


def test_an_administrator_sees_a_certificates_subject_validity_and_fingerprint(tmp_path):
    from connectors.certificates import NotACertificate, certificate_facts

    customs = SigningIdentity.load_or_create(tmp_path / "customs")
    facts = certificate_facts(customs.cert_pem)
    assert "Mock Single Window" in facts["subject"]
    assert facts["not_before"] < facts["not_after"]
    assert facts["not_after"].utcoffset().total_seconds() == 0
    assert facts["fingerprint"] == fingerprint(customs.cert_pem)
    with pytest.raises(NotACertificate):
        certificate_facts(b"-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
