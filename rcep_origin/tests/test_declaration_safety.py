"""One order, one certificate: whatever the people do with the order (cancel it, set it back to
quotation, confirm it again, correct a rejection twice) or whatever changes meanwhile (data
removed, a vendor's proof revoked), nothing is sent that should not be, and nothing is issued
twice — over real SOAP to the loopback Single Window."""

import psycopg2
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import html2plaintext, mute_logger

from .common import RcepSingleWindowCase


@tagged("post_install", "-at_install")
class TestDeclarationSafety(RcepSingleWindowCase):
    def messages(self, order):
        return "\n".join(html2plaintext(m.body or "") for m in order.message_ids)

    def cancel(self, order):
        order.with_context(disable_cancel_warning=True).action_cancel()

    def book(self, order):
        with Form(order.with_user(self.salesman)) as booked:
            for field, value in self.SHIPPED.items():
                setattr(booked, field, value)

    # 1 ------------------------------------------------------------------------------------------

    def test_an_order_cancelled_and_confirmed_again_keeps_its_one_certificate(self):
        order = self.confirm_shipped_order()
        self.run_job()
        issued = order.rcep_declaration_ids
        self.assertEqual(issued.state, "issued")
        self.cancel(order)
        order.action_draft()  # Set to Quotation: nothing of it can be queued or resubmitted
        self.assertRecordValues(issued, [{"can_queue": False, "can_resubmit": False}])
        order.action_confirm()
        self.run_job()
        self.assertEqual(order.rcep_declaration_ids, issued)
        self.assertEqual(self.certificates(), 1)
        self.assertIn(f"already has the declaration {issued.name}", self.messages(order))
        invoice = order._create_invoices()
        certificates = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", invoice.id)]
        )
        self.assertEqual(certificates.mapped("name"), [f"RCEP-CO-{issued.certificate_number}.xml"])

    def test_a_withdrawn_draft_is_rebuilt_when_the_order_is_confirmed_again(self):
        order = self.confirm_order()  # before the shipment is booked
        self.run_job()
        draft = order.rcep_declaration_ids
        self.assertEqual(draft.state, "draft")
        self.cancel(order)
        order.action_draft()
        self.assertRecordValues(draft, [{"can_rebuild": False, "can_queue": False}])
        self.book(order)
        order.action_confirm()
        self.run_job()
        self.assertEqual(order.rcep_declaration_ids, draft)  # the same one, not a second
        self.assertEqual(draft.state, "issued")
        self.assertEqual(self.certificates(), 1)

    # 2 ------------------------------------------------------------------------------------------

    def test_a_declaration_of_a_cancelled_order_never_received_is_not_sent_again(self):
        endpoint = self.connector.endpoint
        self.connector.endpoint = f"http://127.0.0.1:{self.free_port()}/single-window"
        order = self.confirm_shipped_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.assertRecordValues(declaration, [{"state": "error", "error_transient": True}])
        self.cancel(order)
        self.connector.endpoint = endpoint  # the Single Window is back
        self.run_job()
        self.assertEqual(self.certificates(), 0)
        self.assertEqual(declaration.state, "draft")
        self.assertIn("never received and will not be sent", declaration.note)
        self.run_job()
        self.assertEqual(self.certificates(), 0)

    def test_a_declaration_of_a_cancelled_order_the_single_window_has_is_settled_from_it(self):
        self.company.rcep_auto_submit = False
        order = self.confirm_shipped_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        # it left, and its answer was lost on the way back
        self.connector._rcep_submit(
            declaration.request_attachment_id.raw, declaration.idempotency_key
        )
        declaration.sudo().write({"state": "submitted", "attempts": 1})
        self.cancel(order)
        self.run_job()
        self.assertRecordValues(declaration, [{"state": "issued", "signature_verified": True}])
        self.assertEqual(self.certificates(), 1)

    # 3 ------------------------------------------------------------------------------------------

    def test_a_declaration_that_cannot_be_built_any_more_is_not_queued_with_its_old_xml(self):
        self.company.rcep_auto_submit = False
        order = self.confirm_shipped_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.assertRecordValues(declaration, [{"state": "draft", "can_queue": True}])
        old = declaration.request_attachment_id
        self.company.rcep_customs_code = False
        declaration.with_user(self.rcep_manager).action_rcep_rebuild()
        self.assertRecordValues(
            declaration,
            [
                {
                    "request_attachment_id": False,
                    "can_queue": False,
                    "missing_data": "exporter.customs_code",
                }
            ],
        )
        self.assertFalse(old.exists())
        with self.assertRaisesRegex(UserError, "cannot be queued"):  # as RPC would call it
            declaration.with_user(self.rcep_manager).action_queue()
        self.run_job()
        self.assertEqual(self.certificates(), 0)

    # 4 ------------------------------------------------------------------------------------------

    def test_a_rejected_declaration_is_corrected_once_only(self):
        rule, contact, carrier = self.mistyped_rule_and_carrier()
        order = self.confirm_shipped_order(carrier)
        self.run_job()
        rejected = order.rcep_declaration_ids
        self.assertEqual(rejected.state, "rejected")
        rule.psr = "CTH or RVC40"
        contact.standard_price = 50.0
        manager = rejected.with_user(self.rcep_manager)
        corrected = self.env["rcep.origin.declaration"].browse(
            manager.action_rcep_resubmit()["res_id"]
        )
        with self.assertRaisesRegex(UserError, "already corrected"):  # the second click
            manager.action_rcep_resubmit()
        # and the database itself refuses a second correction of the same declaration
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            corrected.sudo().copy({"previous_declaration_id": rejected.id})
        self.run_job()
        self.assertEqual(self.certificates(), 1)

    # 5 ------------------------------------------------------------------------------------------

    def test_a_proof_revoked_after_confirmation_stops_the_declaration_waiting_for_the_vessel(self):
        order = self.confirm_order()  # waiting for the vessel and ports
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.assertEqual(declaration.state, "draft")
        self.contact_certificate.action_revoke()  # the vendor's certificate, issued in error
        self.book(order)
        self.run_job()  # the data it waited for is there: built again, but not sent
        self.assertEqual(self.certificates(), 0)
        self.assertRecordValues(
            declaration,
            [{"state": "draft", "request_attachment_id": False, "can_queue": False}],
        )
        self.assertIn("JP-RCEP-2026-118842", declaration.note)
        self.assertIn("revoked", declaration.note)
        self.assertIn("JP-RCEP-2026-118842", self.messages(order))

    def test_a_proof_revoked_after_the_build_stops_the_queued_declaration(self):
        self.company.rcep_auto_submit = False
        order = self.confirm_shipped_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.contact_certificate.action_revoke()
        with self.assertRaisesRegex(UserError, "cannot be queued"):
            declaration.with_user(self.rcep_manager).action_queue()
        self.assertIn("JP-RCEP-2026-118842", declaration.note)
        self.run_job()
        self.assertEqual(self.certificates(), 0)

    # 6 ------------------------------------------------------------------------------------------

    def test_what_the_quotation_lacks_is_worded_without_looking_for_a_language(self):
        with self.assertNoLogs("odoo.tools.translate", "WARNING"):
            order = self.quotation()
            self.assertIn("Vessel or flight", order.rcep_missing_data)
