"""The customer gets what customs issued: a summary of the signed certificate, in the
customer's language, with every box a buyer and an ASEAN customs officer look for, and the
signed XML with it. Nothing is printed or sent before the certificate is issued."""

import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from lxml import etree
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from connectors.single_window.embedded import running
from connectors.single_window.service import ISSUING_BODY
from connectors.single_window.signing import SigningIdentity

from .common import RcepSingleWindowCase, RcepWorldCase


@tagged("post_install", "-at_install")
class TestBuyerDocument(RcepWorldCase):
    """The shared world (frozen on 20 November 2026), its Single Window for the whole class,
    and one certificate issued for an order of two goods: one by CTC with cumulation, one by
    RVC (its German contact is of its own heading)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["res.lang"]._activate_lang("zh_CN")
        env["ir.module.module"]._load_module_terms(["rcep_origin"], ["zh_CN"], overwrite=True)
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.customer.write({"lang": "en_US", "email": "purchasing@saigon-power.example"})
        cls.chinese_customer = cls.customer.copy(
            {"name": "Hanoi Switchgear JSC", "lang": "zh_CN", "email": "buy@hanoi.example"}
        )
        contact_de = cls.product(
            "CONTACT-DE", "Silver contact, German", "8538.90", standard_price=30.0,
            country_of_origin=env.ref("base.de").id,
        )  # fmt: skip
        rvc_carrier = cls.product(
            "SWC-800", "Contact carrier for 800 A switch", "8538.90", list_price=100.0,
            rcep_process_ids=cls.processes("cnc_machining", "assembly"),
        )  # fmt: skip
        cls.bom(rvc_carrier, contact_de)
        cls.goods = cls.good | rvc_carrier
        cls.workdir = Path(tempfile.mkdtemp(prefix="rcep-buyer-test-"))
        cls.addClassCleanup(shutil.rmtree, cls.workdir, ignore_errors=True)
        endpoint, cls.app = cls.enterClassContext(running(cls.workdir / "single-window"))
        cls.connector = env["rcep.origin.connector"].create(
            {"endpoint": endpoint, "username": "exporter", "password": "rcep-demo"}
        )
        cls.connector.action_fetch_signing_certificate()
        cls.declaration = cls._issued_for(cls.customer)

    @classmethod
    def _confirmed_for(cls, customer):
        """The salesperson's order of both goods, with transport, packages and marks."""
        order = Form(cls.env["sale.order"].with_user(cls.salesman))
        order.partner_id = customer
        order.client_order_ref = "PO-SPE-7781"
        for field, value in RcepSingleWindowCase.SHIPPED.items():
            setattr(order, field, value)
        for good in cls.goods:
            with order.order_line.new() as line:
                line.product_id = good
                line.product_uom_qty = 400
                line.price_unit = 100.0
                line.rcep_package_count = 4
                line.rcep_package_kind = "pallet"
                line.rcep_marks = "SPE/HCM 1-4"
        order = order.save()
        order.action_confirm()
        return order

    @classmethod
    def _issued_for(cls, customer):
        declaration = cls._confirmed_for(customer).rcep_declaration_ids
        cls.env["rcep.origin.declaration"]._cron_submit()
        return declaration

    def fob_of(self, declaration):
        """The FOB value the signed certificate declares for its RVC item, with its currency."""
        fob = etree.fromstring(declaration.certificate_attachment_id.raw).find(
            ".//{urn:rcep-origin:common:1}FOBValue"
        )
        return f"{fob.text} {fob.get('currency')}"

    def summary_html(self, declaration):
        report = self.env["ir.actions.report"]
        return report._render_qweb_html("rcep_origin.report_rcep_certificate", declaration.ids)[
            0
        ].decode()

    def test_the_summary_carries_every_box_a_buyer_and_customs_look_for(self):
        declaration = self.declaration
        self.assertRecordValues(declaration, [{"state": "issued", "signature_verified": True}])
        html = self.summary_html(declaration)
        order = declaration.sale_order_id
        expected = [
            # exporter with its customs code, consignee and destination
            self.company.name,
            "88 Zhongshan East Road",
            "3302961A27",
            "Saigon Power Equipment JSC",
            "12 Nguyen Van Linh",
            "Destination",
            "Vietnam",
            # invoice, transport
            order.name,
            "2026-11-20",
            "Sea",
            "KOTA LARIS V.612S",
            "Ningbo (CNNGB)",
            "Ho Chi Minh City (VNSGN)",
            "Departure date",
            # items: marks, packages, quantity and unit, HS, criteria, origin, FOB where RVC
            "SPE/HCM 1-4",
            "4 pallet",
            "400 PCE",
            "853890",
            "CTC ACU",
            "RVC",
            "China",
            self.fob_of(declaration),
            # the footnote says what the criteria mean
            "accumulation: originating materials of other RCEP Parties count as originating",
            "regional value content",
            "change in tariff classification",
            # numbers, issuing body, format, the signature as a status
            declaration.certificate_number,
            declaration.reference_number,
            ISSUING_BODY[0],
            "RCEP-CO-XML-1",
            "yes, with the customs signing certificate",
        ]
        plain = html.replace("<wbr/>", "")
        for text in expected:
            with self.subTest(text=text):
                self.assertIn(text, plain)
        # long values wrap between groups of characters, never across a cell's border
        self.assertIn("SPE/<wbr/>HCM 1-<wbr/>4", html)
        # the fingerprint wraps between its groups, never inside one
        fingerprint = self.connector.signing_fingerprint
        self.assertIn(fingerprint.replace(":", ":<wbr/>"), html)
        self.assertIn("table-layout: fixed", html)

    def test_the_issuance_time_is_the_exporters_with_its_offset(self):
        # the Single Window stamps UTC; the exporter in Ningbo reads Beijing time
        issued = datetime.fromisoformat(self.declaration.issued_at)
        self.assertEqual(issued.utcoffset(), timedelta(0))
        beijing = (issued + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
        self.assertIn(f"{beijing} (UTC+08:00, Asia/Shanghai)", self.summary_html(self.declaration))
        # no time zone on the company's address: its country's (China has one official time)
        self.company.partner_id.tz = False
        self.assertEqual(
            self.declaration._rcep_exporter_time("2026-11-20T01:02:03Z"),
            "2026-11-20 09:02:03 (UTC+08:00, Asia/Shanghai)",
        )
        # an exporter in Auckland, in its summer time
        self.company.partner_id.tz = "Pacific/Auckland"
        self.assertEqual(
            self.declaration._rcep_exporter_time("2026-11-20T01:02:03+00:00"),
            "2026-11-20 14:02:03 (UTC+13:00, Pacific/Auckland)",
        )

    def test_a_certificate_that_does_not_verify_with_the_pinned_certificate_has_no_summary(self):
        stranger = SigningIdentity.load_or_create(self.workdir / "stranger")
        self.connector.sudo().signing_cert_pem = stranger.cert_pem.decode()
        with self.assertRaisesRegex(UserError, "does not verify with the signing certificate"):
            self.summary_html(self.declaration)

    def test_a_draft_has_no_summary_to_print_or_send(self):
        self.company.rcep_auto_submit = False
        declaration = self._confirmed_for(self.customer).rcep_declaration_ids
        self.run_job()
        self.assertEqual(declaration.state, "draft")
        with self.assertRaisesRegex(UserError, "only once the Single Window has issued"):
            self.summary_html(declaration)
        # the Print menu offers it for the issued declaration only
        report = self.env.ref("rcep_origin.action_report_rcep_certificate")
        self.assertFalse(report.get_valid_action_reports(declaration._name, declaration.ids))
        self.assertEqual(
            report.get_valid_action_reports(declaration._name, self.declaration.ids), report.ids
        )
        template = self.env.ref("rcep_origin.mail_template_rcep_certificate")
        with self.assertRaisesRegex(UserError, "only once the Single Window has issued"):
            template._generate_template(declaration.ids, ("attachment_ids", "report_template_ids"))

    def test_send_to_customer_mails_the_summary_and_the_signed_xml(self):
        # an RCEP user (who reads declarations, and may not change them) sends it
        user = new_test_user(
            self.env,
            "rcep_sender",
            groups="sales_team.group_sale_salesman,rcep_origin.group_rcep_user",
            email="sender@kaida.example",
        )
        declaration = self.declaration.with_user(user)
        action = declaration.action_send_to_customer()
        composer = Form(self.env[action["res_model"]].with_context(action["context"]))
        number = declaration.certificate_number
        self.assertIn(number, composer.subject)
        self.assertIn("PO-SPE-7781", composer.subject)
        composer = composer.save()
        self.assertEqual(
            sorted(composer.attachment_ids.mapped("name")),
            [f"RCEP-CO-{number}.html", f"RCEP-CO-{number}.xml"],  # the PDF is HTML in tests
        )
        composer.action_send_mail()
        message = declaration.message_ids[0]
        self.assertEqual(message.partner_ids, self.customer)
        # what the mail carried (read as the system: once sent, the mail's attachments are the
        # mail system's, whatever the sender may read)
        attachments = {a.name: a for a in message.sudo().attachment_ids}
        self.assertEqual(
            attachments[f"RCEP-CO-{number}.xml"].raw, declaration.certificate_attachment_id.raw
        )
        self.assertIn(number, attachments[f"RCEP-CO-{number}.html"].raw.decode())

    def test_a_chinese_speaking_customer_gets_the_summary_and_mail_in_chinese(self):
        declaration = self._issued_for(self.chinese_customer)
        self.assertEqual(declaration.state, "issued", declaration.last_error)
        chinese = self.summary_html(declaration)
        english = self.summary_html(self.declaration)
        self.assertIn("证书编号", chinese)  # Certificate number
        self.assertIn("已验证签名", chinese)  # Signature verified
        self.assertIn(
            "是，已用海关签名证书验证", chinese
        )  # yes, with the customs signing certificate
        self.assertIn("累积", chinese)  # the footnote's accumulation, from Python
        self.assertNotIn("Certificate number", chinese)
        self.assertIn("Certificate number", english)
        self.assertNotIn("证书编号", english)
        action = declaration.action_send_to_customer()
        composer = Form(self.env[action["res_model"]].with_context(action["context"]))
        self.assertIn("随函附上", composer.body)  # the mail, in the customer's language
        self.assertIn("原产地证书", composer.subject)
