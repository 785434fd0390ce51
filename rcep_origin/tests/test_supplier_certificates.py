"""Inbound certificates: a vendor uploads on the supplier portal the RCEP certificate of origin
its customs issued, as signed XML. It is verified (signature with the customs signing
certificate pinned on the Single Window connector, the vendor named as exporter, an item with
the product's HS code) before it can serve as proof; anything else gets a clear message."""

from datetime import date

from connectors.single_window.signing import SigningIdentity

from .supplier_portal_common import RcepSupplierPortalCase


class TestSupplierCertificates(RcepSupplierPortalCase):
    def setUp(self):
        super().setUp()
        self.rfq = self.request_from(self.osaka)

    def upload(self, content, filename="certificate.xml"):
        return self.answer(self.rfq, self.contact, document=content, filename=filename)

    def test_a_signed_certificate_is_verified_and_its_content_is_what_counts(self):
        self.assertEqual(self.upload(self.signed_certificate()), [])
        declaration = self.rfq.declaration_ids
        self.assertRecordValues(
            declaration,
            [
                {
                    "name": "JP26-RCEP-0077315",
                    "proof_type": "RCEP_CO",
                    "origin_country_id": self.env.ref("base.jp").id,
                    "criterion": "CTC",
                    "valid_from": date(2026, 11, 2),
                    "valid_to": date(2027, 11, 1),  # one year from its issue (Art 3.16.6)
                    "rcep_document": "verified",
                    "rcep_document_fingerprint": self.connector.signing_fingerprint,
                    "state": "submitted",
                }
            ],
        )
        said = declaration.message_ids.filtered(lambda m: m.author_id == self.osaka)
        self.assertIn("verified with the customs signing certificate", said.body)
        self.assertEqual(said.attachment_ids.mimetype, "application/xml")
        self.approve(declaration)
        self.assertEqual(declaration.state, "valid")

    def test_a_forged_certificate_is_refused_with_a_clear_message(self):
        signed = self.signed_certificate().replace(b"Osaka Contacts KK", b"Osaka Contacts KG")
        errors = self.upload(signed)
        self.assertEqual(len(errors), 1)
        self.assertIn(
            "certificate.xml is not an RCEP certificate of origin signed by customs, and was not "
            "accepted (SIGNATURE_INVALID",
            errors[0],
        )
        self.assertFalse(self.rfq.declaration_ids)

    def test_a_certificate_signed_with_another_key_is_refused(self):
        other = SigningIdentity.load_or_create(self.tmp_dir(), "Someone")
        errors = self.upload(self.signed_certificate(identity=other))
        self.assertIn("(SIGNATURE_INVALID", errors[0])
        self.assertFalse(self.rfq.declaration_ids)

    def test_malformed_or_hostile_xml_gets_a_message_not_a_traceback(self):
        for content, code in [
            (b"<k:Certificate xmlns:k='urn:rcep-origin:certificate:1'>", "SIGNATURE_INVALID"),
            (
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b"<x>&e;</x>",
                "SIGNATURE_INVALID",
            ),
            (b"<unsigned/>", "SIGNATURE_WRAPPED"),
        ]:
            errors = self.upload(content)
            self.assertIn(f"({code}", errors[0])
            self.assertNotIn("Traceback", errors[0])
        self.assertFalse(self.rfq.declaration_ids)

    def test_a_certificate_of_another_exporter_or_another_product_is_refused(self):
        errors = self.upload(self.signed_certificate(exporter="Kyoto Relay KK", hs="850440"))
        self.assertEqual(
            errors,
            [
                "The certificate JP26-RCEP-0077315 names Kyoto Relay KK as exporter, not Osaka "
                "Contacts KK.",
                "The certificate JP26-RCEP-0077315 has no item with the HS code of [CONTACT-JP] "
                "Silver contact, Japanese (8538.90).",
            ],
        )
        self.assertFalse(self.rfq.declaration_ids)

    def test_without_a_pinned_signing_certificate_the_vendor_is_asked_for_the_pdf(self):
        self.connector.sudo().signing_cert_pem = False
        errors = self.upload(self.signed_certificate())
        self.assertIn("cannot check signed certificates yet: upload the PDF", errors[0])

    def tmp_dir(self):
        import shutil
        import tempfile
        from pathlib import Path

        path = Path(tempfile.mkdtemp(prefix="rcep-portal-other-"))
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        return path
