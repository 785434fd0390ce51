"""An order's qualifying goods are declared to the customs Single Window (the mock, over real
HTTP on loopback): the certificate comes back signed and lands on the declaration and the
order, without ever being lost or doubled."""

from decimal import Decimal

from lxml import etree
from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from connectors.single_window.embedded import running

from .common import RcepSingleWindowCase


@tagged("post_install", "-at_install")
class TestDeclarationFlow(RcepSingleWindowCase):
    def confirm_order(self, product=None, line_values=None, **transport):
        order = self.quotation(product, **(dict(self.SHIPPED) | transport))
        order.order_line.write(line_values or {})
        order.action_confirm()
        return order

    def send(self):
        self.run_job()

    def test_a_qualifying_order_gets_a_signed_certificate_on_its_declaration(self):
        order = self.confirm_order()
        declaration = order.rcep_declaration_ids
        # confirmation makes it and wakes the job; nothing is built or sent in its transaction
        self.assertRecordValues(declaration, [{"state": "draft", "build_pending": True}])
        self.assertFalse(declaration.request_attachment_id)
        cron = self.env.ref("rcep_origin.ir_cron_submit_declarations")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        declaration.sudo()._rcep_build()  # what the job does first
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
        port = self.free_port()
        self.connector.endpoint = f"http://127.0.0.1:{port}/single-window"  # nobody answers
        declaration = self.confirm_order().rcep_declaration_ids
        self.send()
        self.assertRecordValues(declaration, [{"state": "error", "error_transient": True}])
        self.assertIn("UNREACHABLE", declaration.last_error)
        with running(self.workdir / "again", port=port) as (_endpoint, single_window):
            pem = single_window.service.identity.cert_pem.decode()
            self.connector.sudo().signing_cert_pem = pem
            self.send()
            self.assertEqual(declaration.state, "issued")
            self.assertEqual(self.certificates(single_window), 1)

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
        self.assertIn("Sales order › Other Info › RCEP origin › Vessel or flight", declaration.note)
        self.assertNotIn("transport.", declaration.note)  # no JSON paths for users
        self.assertEqual(declaration.missing_data, "transport.vessel_or_flight")

    def test_a_rule_row_typed_wrong_here_is_caught_by_the_single_window_with_its_codes(self):
        # Someone entered RVC30 for 8538.90; Annex 3A says CTH or RVC40 (85.38). Our check
        # follows the rows kept here, the Single Window follows Annex 3A.
        _rule, _contact, carrier = self.mistyped_rule_and_carrier()
        order = self.confirm_order(carrier)
        self.assertRecordValues(order.rcep_evaluation_ids, [{"criterion": "RVC"}])
        declaration = order.rcep_declaration_ids
        self.send()
        self.assertEqual(declaration.state, "rejected")
        self.assertIn(
            "[SWC-800] Machined contact carrier: the origin criterion declared does not hold",
            declaration.rejection,
        )
        self.assertIn("(CRITERION_NOT_MET)", declaration.rejection)
        self.assertNotIn("/Declaration", declaration.rejection)  # the paths are for the manager
        self.assertIn(
            "CRITERION_NOT_MET at /Declaration/Items/Item[1]/OriginCriterion",
            declaration.rejection_detail,
        )
        self.assertFalse(declaration.certificate_number)
        self.send()  # a business rejection is not sent again
        self.assertRecordValues(declaration, [{"state": "rejected", "attempts": 1}])
        self.assertEqual(self.certificates(), 0)

    def test_a_declaration_that_cannot_be_built_stops_no_other(self):
        # a vertical tab pasted into the marks: no XML can carry it
        broken = self.confirm_order(line_values={"rcep_marks": "SPE\x0bHCM 1-4"})
        sound = self.confirm_order()
        self.send()
        self.assertRecordValues(
            broken.rcep_declaration_ids, [{"state": "draft", "build_pending": False}]
        )
        self.assertIn("Marks and numbers", broken.rcep_declaration_ids.note)
        self.assertIn("(SCHEMA_INVALID)", broken.rcep_declaration_ids.note)
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
        with self.assertRaisesRegex(UserError, "cannot be queued"):  # nor can a manager
            declaration.with_user(self.rcep_manager).action_queue()
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
        declaration.with_user(self.rcep_manager).action_queue()
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
            company_ids=[Command.set(other.ids)],
        )
        found = (
            self.env["rcep.origin.declaration"]
            .with_user(outsider)
            .search([("id", "=", declaration.id)])
        )
        self.assertFalse(found)

    def test_the_answer_is_mapped_to_field_values_without_writing_anything(self):
        from connectors.ledger import Entry
        from connectors.single_window.client import Outcome, SingleWindowError

        declaration = self.confirm_order().rcep_declaration_ids
        entry = Entry(
            declaration.idempotency_key, self.endpoint, "rejected", 1, "SW-20261120-000001",
            None, None, None, "[]", None, "2026-11-20T09:00:00+00:00", "2026-11-20T09:00:00+00:00",
        )  # fmt: skip
        reasons = [
            {
                "code": "RVC_MISMATCH",
                "field_path": "/Declaration/Items/Item[1]/Evidence/RVC",
                "message": "Item 1: the RVC figures do not add up",
            }
        ]
        values = declaration._rcep_outcome_values(Outcome(entry, rejection=reasons))
        self.assertEqual(values["state"], "rejected")
        self.assertEqual(values["reference_number"], "SW-20261120-000001")
        self.assertIn("the regional value content figures do not add up", values["rejection"])
        self.assertIn("(RVC_MISMATCH)", values["rejection"])
        self.assertIn("/Declaration/Items/Item[1]/Evidence/RVC", values["rejection_detail"])
        down = SingleWindowError("UNREACHABLE", "ConnectionError: refused", transient=True)
        values = declaration._rcep_outcome_values(None, down)
        self.assertEqual(
            (values["state"], values["error_transient"], values["last_error"]),
            ("error", True, "UNREACHABLE: ConnectionError: refused"),
        )
        self.assertIn("could not be reached (UNREACHABLE)", values["note"])
        self.assertRecordValues(declaration, [{"state": "draft", "rejection": False}])
