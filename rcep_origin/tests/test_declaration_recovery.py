"""A declaration that could not be built, was rejected or could not be sent is never a dead
end: the order's chatter says what happened in words, the salesperson and the RCEP manager
get an activity, and Rebuild, Retry or Correct and resubmit (or the job by itself) take it
to an issued certificate over real SOAP to the loopback Single Window."""

from lxml import etree
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import html2plaintext
from odoo.tools.safe_eval import safe_eval

from connectors.single_window.embedded import running

from .common import RcepSingleWindowCase

VESSEL = "Sales order › Other Info › RCEP origin › Vessel or flight"
LOADING = "Sales order › Other Info › RCEP origin › Port of loading"
DISCHARGE = "Sales order › Other Info › RCEP origin › Port of discharge"
CUSTOMS_CODE = "Settings › Sales › RCEP origin › Customs registration code"


@tagged("post_install", "-at_install")
class TestDeclarationRecovery(RcepSingleWindowCase):
    def last_message(self, order):
        return html2plaintext(order.message_ids.sorted("id")[-1:].body or "")

    def rcep_activities(self, order):
        kind = self.env.ref("rcep_origin.mail_activity_rcep_declaration")
        return order.activity_ids.filtered(lambda a: a.activity_type_id == kind)

    def needs_action(self):
        """What the RCEP manager finds with the "Needs action" filter of the declarations."""
        arch = self.env.ref("rcep_origin.rcep_origin_declaration_view_search").arch
        found = etree.fromstring(arch).find(".//filter[@name='filter_needs_action']")
        return self.env["rcep.origin.declaration"].search(safe_eval(found.get("domain")))

    def test_a_plain_order_without_vessel_and_ports_is_rebuilt_once_they_are_filled_in(self):
        # the normal case for a plain order: confirmed before the shipment is booked
        order = self.confirm_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.assertRecordValues(
            declaration,
            [
                {
                    "state": "draft",
                    "request_attachment_id": False,
                    "can_rebuild": True,
                    "missing_data": "transport.vessel_or_flight,transport.port_of_loading,"
                    "transport.port_of_discharge",
                }
            ],
        )
        for place in (VESSEL, LOADING, DISCHARGE, "the RCEP manager"):
            self.assertIn(place, declaration.note)
        self.assertNotIn("transport.", declaration.note)
        # the salesperson sees it on the order: smart button, chatter, an activity
        seen = order.with_user(self.salesman)
        self.assertRecordValues(
            seen, [{"rcep_declaration_count": 1, "rcep_declaration_label": "Draft"}]
        )
        self.assertEqual(seen.action_rcep_declarations()["res_id"], declaration.id)
        self.assertIn(VESSEL, Form(declaration.with_user(self.salesman)).note)  # the banner
        self.assertIn(declaration, self.needs_action())
        self.assertIn("cannot be built yet", self.last_message(order))
        self.assertIn(VESSEL, self.last_message(order))
        self.assertEqual(self.rcep_activities(order).user_id, self.salesman | self.rcep_manager)

        with Form(order.with_user(self.salesman)) as booked:
            booked.rcep_vessel_or_flight = "KOTA LARIS V.612S"
            booked.rcep_port_of_loading = "Ningbo (CNNGB)"
            booked.rcep_port_of_discharge = "Ho Chi Minh City (VNSGN)"
        declaration.with_user(self.rcep_manager).action_rcep_rebuild()
        self.assertRecordValues(
            declaration, [{"state": "to_submit", "note": False, "missing_data": False}]
        )
        self.assertTrue(declaration.request_attachment_id)

        self.run_job()
        self.assertRecordValues(declaration, [{"state": "issued", "signature_verified": True}])
        self.assertEqual(self.certificates(), 1)
        self.assertEqual(seen.rcep_declaration_label, declaration.certificate_number)
        self.assertIn(
            f"RCEP certificate of origin {declaration.certificate_number} issued",
            self.last_message(order),
        )
        self.assertFalse(self.rcep_activities(order))  # done: nothing left to do
        self.assertNotIn(declaration, self.needs_action())

    def test_a_draft_without_the_customs_code_is_rebuilt_by_the_job_once_it_is_set(self):
        self.company.rcep_customs_code = False
        order = self.confirm_shipped_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.assertRecordValues(
            declaration, [{"state": "draft", "missing_data": "exporter.customs_code"}]
        )
        self.assertIn(CUSTOMS_CODE, declaration.note)
        self.assertIn(CUSTOMS_CODE, self.last_message(order))
        messages = len(order.message_ids)
        self.run_job()  # nothing changed: it is left alone, and says nothing more
        self.assertEqual(declaration.state, "draft")
        self.assertEqual(len(order.message_ids), messages)

        settings = Form(self.env["res.config.settings"])
        settings.rcep_customs_code = "3302961A27"
        settings.save().execute()
        self.run_job()  # builds it again by itself, and sends it
        self.assertRecordValues(
            declaration, [{"state": "issued", "note": False, "missing_data": False}]
        )
        self.assertRegex(declaration.certificate_number, r"^R\d{2}3302961A27\d{5}$")

    def test_a_rejected_declaration_is_corrected_and_submitted_again_as_a_new_one(self):
        # a rule row typed wrong here (RVC30; Annex 3A says CTH or RVC40 for 85.38) and a
        # contact entered at 65 though the vendor invoices 50: the Single Window rejects
        rule, contact, carrier = self.mistyped_rule_and_carrier()
        order = self.confirm_shipped_order(carrier)
        self.run_job()
        rejected = order.rcep_declaration_ids
        self.assertRecordValues(rejected, [{"state": "rejected", "can_resubmit": True}])
        told = self.last_message(order)
        self.assertIn("The Single Window rejected the RCEP declaration", told)
        self.assertIn("the origin criterion declared does not hold", told)
        self.assertIn("(CRITERION_NOT_MET)", told)
        self.assertNotIn("/Declaration", told)
        self.assertEqual(self.rcep_activities(order).user_id, self.salesman | self.rcep_manager)

        # the RCEP manager corrects the rule and the cost, and submits again
        rule.with_user(self.rcep_manager).psr = "CTH or RVC40"
        contact.standard_price = 50.0
        action = rejected.with_user(self.rcep_manager).action_rcep_resubmit()
        corrected = self.env["rcep.origin.declaration"].browse(action["res_id"])
        self.assertRecordValues(
            corrected, [{"state": "to_submit", "previous_declaration_id": rejected.id}]
        )
        self.assertNotEqual(corrected.idempotency_key, rejected.idempotency_key)
        self.run_job()
        self.assertEqual(corrected.state, "issued")
        # the rejection stays on record, linked to what corrected it
        self.assertRecordValues(
            rejected,
            [{"state": "rejected", "correction_ids": corrected.ids, "can_resubmit": False}],
        )
        self.assertEqual(self.certificates(), 1)
        self.assertRecordValues(
            order,
            [
                {
                    "rcep_declaration_count": 2,
                    "rcep_declaration_label": corrected.certificate_number,
                }
            ],
        )
        self.assertFalse(self.rcep_activities(order))

    def test_a_single_window_that_is_down_is_tried_again_with_retry(self):
        port = self.free_port()
        self.connector.endpoint = f"http://127.0.0.1:{port}/single-window"
        order = self.confirm_shipped_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.assertRecordValues(
            declaration, [{"state": "error", "error_transient": True, "can_retry": True}]
        )
        self.assertIn("the Single Window could not be reached (UNREACHABLE)", declaration.note)
        self.assertFalse(self.rcep_activities(order))  # it passes by itself: nobody is asked
        with running(self.workdir / "back", port=port) as (_endpoint, single_window):
            pem = single_window.service.identity.cert_pem.decode()
            self.connector.sudo().signing_cert_pem = pem
            declaration.with_user(self.rcep_manager).action_rcep_retry()
            self.assertEqual(declaration.state, "to_submit")
            self.run_job()
            self.assertRecordValues(declaration, [{"state": "issued", "attempts": 2}])
            self.assertEqual(self.certificates(single_window), 1)

    def test_a_refused_password_asks_the_manager_and_retry_sends_it_after_the_fix(self):
        self.connector.password = "not-the-password"
        order = self.confirm_shipped_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.assertRecordValues(
            declaration, [{"state": "error", "error_transient": False, "can_retry": True}]
        )
        self.assertIn("refused the user name or password", self.last_message(order))
        self.assertIn("(AUTHENTICATION_FAILED)", self.last_message(order))
        self.assertEqual(self.rcep_activities(order).user_id, self.salesman | self.rcep_manager)
        self.run_job()  # not tried again by itself
        self.assertEqual(declaration.attempts, 1)
        self.connector.password = "rcep-demo"
        declaration.with_user(self.rcep_manager).action_rcep_retry()
        self.run_job()
        self.assertEqual(declaration.state, "issued")
        self.assertEqual(self.certificates(), 1)

    def test_only_a_declaration_never_sent_can_be_rebuilt(self):
        declaration = self.confirm_shipped_order().rcep_declaration_ids
        self.run_job()
        self.assertRecordValues(declaration, [{"state": "issued", "can_rebuild": False}])
        with self.assertRaises(UserError):
            declaration.with_user(self.rcep_manager).action_rcep_rebuild()
