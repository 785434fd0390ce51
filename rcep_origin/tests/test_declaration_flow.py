"""An order's qualifying goods are declared to the customs Single Window (the mock, over real
HTTP on loopback): the certificate comes back signed and lands on the declaration and the
order, without ever being lost or doubled."""

import re
import shutil
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from lxml import etree
from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from connectors.single_window.embedded import running


@tagged("post_install", "-at_install")
class TestDeclarationFlow(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.company.write({"rcep_check_mode": "block", "rcep_customs_code": "3302961A27"})
        evaluations = env["rcep.origin.evaluation"]._rcep_load_demo()
        cls.good = evaluations.filtered(
            lambda e: e.product_tmpl_id.default_code == "SWC-630"
        ).product_tmpl_id.product_variant_id
        cls.customer = env["res.partner"].create(
            {
                "name": "Saigon Power Equipment JSC",
                "street": "12 Nguyen Van Linh",
                "city": "Ho Chi Minh City",
                "country_id": env.ref("base.vn").id,
            }
        )
        cls.workdir = Path(tempfile.mkdtemp(prefix="rcep-odoo-test-"))
        cls.addClassCleanup(shutil.rmtree, cls.workdir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.single_window = running(self.workdir / self._testMethodName)
        self.endpoint, self.app = self.single_window.__enter__()
        self.addCleanup(self.single_window.__exit__, None, None, None)
        self.connector = self.env["rcep.origin.connector"].create(
            {"endpoint": self.endpoint, "username": "exporter", "password": "rcep-demo"}
        )
        self.connector.action_fetch_signing_certificate()

    def confirm_order(self, line_values=None, **transport):
        order = Form(self.env["sale.order"])
        order.partner_id = self.customer
        with order.order_line.new() as line:
            line.product_id = self.good
            line.product_uom_qty = 400
            line.price_unit = 100.0
        order = order.save()
        order.write(
            {
                "date_order": datetime(2026, 11, 20, 9, 0),
                "rcep_vessel_or_flight": "KOTA LARIS V.612S",
                "rcep_port_of_loading": "Ningbo (CNNGB)",
                "rcep_port_of_discharge": "Ho Chi Minh City (VNSGN)",
                **transport,
            }
        )
        order.order_line.write(line_values or {})
        order.action_confirm()
        return order

    def send(self):
        self.env["rcep.origin.declaration"].with_context(rcep_no_commit=True)._cron_submit()

    def certificates(self):
        return self.app.service._db().execute("SELECT count(*) FROM certificates").fetchone()[0]

    def test_a_qualifying_order_gets_a_signed_certificate_on_its_declaration(self):
        order = self.confirm_order()
        declaration = order.rcep_declaration_ids
        # confirmation makes it and wakes the job; nothing is built or sent in its transaction
        self.assertRecordValues(declaration, [{"state": "draft", "build_pending": True}])
        self.assertFalse(declaration.request_attachment_id)
        cron = self.env.ref("rcep_origin.ir_cron_submit_declarations")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        declaration._rcep_build()
        self.assertEqual(declaration.state, "to_submit")  # built and validated, not yet sent
        self.assertIn(b"<d:Declaration", declaration.request_attachment_id.raw)
        self.send()
        self.assertEqual(declaration.state, "issued")
        self.assertRegex(declaration.certificate_number, r"^R\d{2}3302961A27\d{5}$")
        self.assertTrue(declaration.issued_at.endswith("+00:00"))
        self.assertRecordValues(
            declaration,
            [{"certificate_format": "RCEP-CO-XML-1", "signature_verified": True, "attempts": 1}],
        )
        certificate = self.env["ir.attachment"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertIn(declaration.certificate_number.encode(), certificate.raw)
        self.send()  # running the cron again settles nothing twice
        self.assertEqual(self.certificates(), 1)

    def test_a_server_that_is_down_leaves_an_error_and_the_next_run_issues_exactly_one(self):
        order = self.confirm_order()
        declaration = order.rcep_declaration_ids
        port = int(re.search(r":(\d+)/", self.endpoint).group(1))
        self.single_window.__exit__(None, None, None)  # the Single Window goes down
        self.send()
        self.assertRecordValues(declaration, [{"state": "error", "error_transient": True}])
        self.assertIn("UNREACHABLE", declaration.last_error)
        with running(self.workdir / "again", port=port) as (_endpoint, app):
            self.connector.sudo().signing_cert_pem = app.service.identity.cert_pem.decode()
            self.send()
            self.assertEqual(declaration.state, "issued")
            count = app.service._db().execute("SELECT count(*) FROM certificates").fetchone()
            self.assertEqual(count[0], 1)
        self.single_window = running(self.workdir / "cleanup")  # for the registered cleanup
        self.single_window.__enter__()

    def test_each_item_carries_its_lines_packages_marks_and_a_un_ece_quantity(self):
        box = self.env["uom.uom"].create(
            {
                "name": "Box of 10",
                "category_id": self.env.ref("uom.product_uom_categ_unit").id,
                "uom_type": "bigger",
                "factor_inv": 10,
                "rounding": 1,
            }
        )
        order = self.confirm_order(
            line_values={
                "product_uom": box.id,
                "product_uom_qty": 40,
                "rcep_package_count": 4,
                "rcep_package_kind": "pallet",
                "rcep_marks": "SPE/HCM 1-4",
            }
        )
        self.send()
        xml = order.rcep_declaration_ids.request_attachment_id.raw
        ns = {"c": "urn:rcep-origin:common:1"}
        item = etree.fromstring(xml).find(".//{urn:rcep-origin:declaration:1}Item")
        self.assertEqual(item.findtext("c:MarksAndNumbers", namespaces=ns), "SPE/HCM 1-4")
        self.assertEqual(item.findtext("c:Packages/c:Number", namespaces=ns), "4")
        self.assertEqual(item.findtext("c:Packages/c:Kind", namespaces=ns), "pallet")
        quantity = item.find("c:Quantity", ns)
        self.assertEqual((quantity.get("unit"), Decimal(quantity.text)), ("PCE", 400))

    def test_a_declaration_without_transport_data_is_kept_as_a_draft_with_the_reason(self):
        order = self.confirm_order(rcep_vessel_or_flight=False)
        declaration = order.rcep_declaration_ids
        self.send()
        self.assertRecordValues(declaration, [{"state": "draft", "build_pending": False}])
        self.assertFalse(declaration.request_attachment_id)
        self.assertIn("vessel_or_flight", declaration.note)

    def test_a_rule_row_typed_wrong_here_is_caught_by_the_single_window_with_its_codes(self):
        # Someone entered RVC30 for 8538.90; Annex 3A says CTH or RVC40 (85.38). Our check
        # follows the rows kept here, the Single Window follows Annex 3A.
        self.env["rcep.origin.psr"].create(
            {
                "hs_version": "HS2022",
                "level": "subheading",
                "code": "8538.90",
                "psr": "RVC30",
                "source_url": "http://ebookservicepro.com/showcase/DTN/02/files/basic-html/page197.html",
            }
        )
        machining = self.env["rcep.origin.process"].search([("code", "=", "cnc_machining")])
        contact = self.env["product.product"].create(
            {
                "name": "Imported contact set",
                "default_code": "CONTACT-DE",
                "hs_code": "8538.90",
                "standard_price": 65.0,
                "country_of_origin": self.env.ref("base.de").id,
            }
        )
        self.good = self.env["product.product"].create(
            {
                "name": "Machined contact carrier",
                "default_code": "SWC-800",
                "hs_code": "8538.90",
                "rcep_process_ids": [(6, 0, machining.ids)],
            }
        )
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.good.product_tmpl_id.id,
                "bom_line_ids": [(0, 0, {"product_id": contact.id, "product_qty": 1})],
            }
        )
        order = self.confirm_order()
        self.assertRecordValues(order.rcep_evaluation_ids, [{"criterion": "RVC"}])
        declaration = order.rcep_declaration_ids
        self.send()
        self.assertEqual(declaration.state, "rejected")
        self.assertIn("CRITERION_NOT_MET", declaration.rejection)
        self.assertIn("/Declaration/Items/Item[1]/OriginCriterion", declaration.rejection)
        self.assertFalse(declaration.certificate_number)
        self.send()  # a business rejection is not sent again
        self.assertRecordValues(declaration, [{"state": "rejected", "attempts": 1}])
        self.assertEqual(self.certificates(), 0)

    def test_a_declaration_that_cannot_be_built_stops_no_other(self):
        # a vertical tab pasted into the marks: no XML can carry it
        broken = self.confirm_order(line_values={"rcep_marks": "SPE\x0bHCM 1-4"})
        sound = self.confirm_order()
        with self.assertLogs("odoo.addons.rcep_origin", "ERROR"):
            self.send()
        self.assertRecordValues(
            broken.rcep_declaration_ids, [{"state": "draft", "build_pending": False}]
        )
        self.assertIn("Not queued", broken.rcep_declaration_ids.note)
        self.assertEqual(sound.rcep_declaration_ids.state, "issued")
        self.send()  # the broken one does not come back at every run
        self.assertEqual(self.certificates(), 1)

    def test_a_cancelled_order_sends_nothing(self):
        order = self.confirm_order()
        declaration = order.rcep_declaration_ids
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.send()
        self.assertRecordValues(declaration, [{"state": "draft", "build_pending": False}])
        self.assertIn("cancelled", declaration.note)
        declaration.action_queue()  # a manager cannot queue it either
        self.send()
        self.assertEqual(self.certificates(), 0)

    def test_the_password_is_for_system_administrators_only(self):
        salesman = new_test_user(self.env, "sw_salesman", groups="sales_team.group_sale_salesman")
        rcep_user = new_test_user(self.env, "sw_rcep", groups="rcep_origin.group_rcep_user")
        with self.assertRaises(AccessError):
            self.connector.with_user(salesman).read(["endpoint"])
        with self.assertRaises(AccessError):
            self.connector.with_user(rcep_user).read(["password"])

    def test_with_automatic_submission_off_a_manager_queues_the_declaration(self):
        self.company.rcep_auto_submit = False
        declaration = self.confirm_order().rcep_declaration_ids
        self.send()  # built and validated, but not queued
        self.assertEqual(declaration.state, "draft")
        self.assertIn("Automatic submission is off", declaration.note)
        self.assertEqual(self.certificates(), 0)
        declaration.action_queue()
        self.send()
        self.assertEqual(declaration.state, "issued")

    def test_the_buyer_gets_a_summary_with_the_certificate_data(self):
        declaration = self.confirm_order().rcep_declaration_ids
        self.send()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("rcep_origin.report_rcep_certificate", declaration.ids)[0]
            .decode()
        )
        self.assertIn(declaration.certificate_number, html)
        self.assertIn(declaration.reference_number, html)
        # the fingerprint may wrap between its groups (<wbr/> after each colon)
        self.assertIn(declaration._rcep_signing_fingerprint(), html.replace("<wbr/>", ""))
        self.assertIn("CTC ACU", html)
        action = declaration.action_send_to_customer()
        self.assertEqual(action["res_model"], "mail.compose.message")

    def test_an_invoice_made_after_issuance_carries_the_signed_certificate(self):
        order = self.confirm_order()
        self.send()
        number = order.rcep_declaration_ids.certificate_number
        order.order_line.qty_delivered = 400
        invoice = order._create_invoices()
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", invoice.id)]
        )
        self.assertEqual(attachment.name, f"RCEP-CO-{number}.xml")

    def test_another_companys_user_sees_none_of_these_declarations(self):
        declaration = self.confirm_order().rcep_declaration_ids
        other = self.env["res.company"].create({"name": "Other factory"})
        outsider = new_test_user(
            self.env,
            "decl_outsider",
            groups="rcep_origin.group_rcep_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        found = (
            self.env["rcep.origin.declaration"]
            .with_user(outsider)
            .search([("id", "=", declaration.id)])
        )
        self.assertFalse(found)
