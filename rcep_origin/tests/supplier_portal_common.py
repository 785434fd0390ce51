"""The supplier portal's small world, on the shared one: the vendors have email addresses and
their item codes on their price list lines; a Vietnamese brass mill supplies the brass bar too;
the company's Single Window connector has a customs signing certificate pinned (a real key,
made for the class), with which a certificate of origin from the Japanese vendor is signed."""

import shutil
import tempfile
from pathlib import Path

from lxml import etree
from odoo import Command
from odoo.tests import Form

from connectors.single_window.signing import SigningIdentity

from .common import RcepWorldCase

NS = {"k": "urn:rcep-origin:certificate:1", "c": "urn:rcep-origin:common:1"}
EXAMPLES = Path(__file__).resolve().parents[2] / "xsd" / "examples"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class RcepSupplierPortalCase(RcepWorldCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.osaka.email = "origin@osaka-contacts.example.jp"
        cls.hamburg.email = "export@hamburg-metall.example.de"
        cls.osaka_sales = env["res.partner"].create(
            {"name": "Kenji Sato", "parent_id": cls.osaka.id, "email": "sato@osaka.example.jp"}
        )
        cls.contact.seller_ids.write({"product_code": "OC-AG-118"})
        cls.haiphong = env["res.partner"].create(
            {
                "name": "Haiphong Brass Co.",
                "country_id": env.ref("base.vn").id,
                "email": "sales@haiphong-brass.example.vn",
            }
        )
        cls.brass.seller_ids = [
            Command.create({"partner_id": cls.haiphong.id, "price": 29.0, "product_code": "HPB-40"})
        ]
        workdir = Path(tempfile.mkdtemp(prefix="rcep-portal-test-"))
        cls.addClassCleanup(shutil.rmtree, workdir, ignore_errors=True)
        cls.customs = SigningIdentity.load_or_create(workdir, "Japan Customs")
        cls.connector = env["rcep.origin.connector"].create(
            {"endpoint": "http://127.0.0.1:9/single-window", "username": "exporter"}
        )
        cls.connector.sudo().signing_cert_pem = cls.customs.cert_pem.decode()

    # --- what the people do ---------------------------------------------------------------

    def request_from(self, vendor, user=None):
        """Contacts › (vendor) › Action › Request origin declaration."""
        vendor = vendor.with_user(user or self.rcep_manager)
        action = vendor.action_rcep_request_origin_declaration()
        return self.env["rcep.origin.supplier.request"].browse(action["res_id"])

    def answer(self, rfq, product, document=PDF, filename="declaration.pdf", **form):
        """The vendor answers for ``product`` on the portal (as the controller hands it over,
        once the token was checked): originating in Viet Nam, PE, signed, a PDF attached."""
        line = rfq.line_ids.filtered(lambda ln: ln.product_tmpl_id == product.product_tmpl_id)
        values = {
            "originating": "yes",
            "country": "VN",
            "criterion": "PE",
            "valid_from": "2026-11-20",
            "valid_to": "2027-11-19",
            "signatory_name": "Nguyen Thi Lan",
            "signatory_position": "Export manager",
            "reference": "HPB-SD-2026-031",
        } | form
        return line.sudo()._rcep_portal_answer(values, filename if document else None, document)

    def approve(self, declaration):
        declaration.with_user(self.rcep_manager).action_rcep_approve()

    def refuse(self, declaration, reason):
        action = declaration.with_user(self.rcep_manager).action_rcep_refuse()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.rcep_manager)
            .with_context(action["context"])
        )
        wizard.reason = reason
        wizard.save().action_refuse()

    def signed_certificate(self, exporter="Osaka Contacts KK", hs="853890", identity=None):
        """An RCEP certificate of origin as Japanese customs issue it to the vendor, signed."""
        root = etree.fromstring((EXAMPLES / "certificate-unsigned.xml").read_bytes())
        root.find("k:CertificateNumber", NS).text = "JP26-RCEP-0077315"
        root.find("k:IssuedAt", NS).text = "2026-11-02T10:30:00+09:00"
        root.find("k:Exporter/c:Name", NS).text = exporter
        root.find("k:Exporter/c:Country", NS).text = "JP"
        item = root.find("k:Items/k:Item", NS)
        item.find("c:HSCode", NS).text = hs
        item.find("c:CountryOfOrigin", NS).text = "JP"
        return (identity or self.customs).sign(root)

    def proofs(self, vendor, product, day):
        return self.env["rcep.origin.supplier.declaration"]._fetch_origin_proofs(
            self.company, vendor, product.product_tmpl_id, day
        )
