"""Supplier solicitation: the compliance officer asks vendors for their origin declarations,
the vendors answer on the supplier portal, and nothing they answer counts until the officer
approves it."""

from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time

from .common import SHIPMENT
from .supplier_portal_common import PDF, RcepSupplierPortalCase


class TestSupplierPortal(RcepSupplierPortalCase):
    # --- asking ---------------------------------------------------------------------------------

    def test_a_vendor_is_mailed_the_products_it_supplies_with_a_portal_link(self):
        rfq = self.request_from(self.osaka_sales)  # a contact: the request goes to its company
        self.assertRecordValues(
            rfq,
            [
                {
                    "partner_id": self.osaka.id,
                    "state": "sent",
                    "sent_on": SHIPMENT,
                    "expires_on": date(2026, 12, 20),  # 30 days, the default
                }
            ],
        )
        self.assertRecordValues(
            rfq.line_ids,
            [
                {
                    "default_code": "CONTACT-JP",
                    "vendor_code": "OC-AG-118",
                    "description": "Silver contact, Japanese",
                    "hs_code": "8538.90",
                    "state": "open",
                }
            ],
        )
        mail = rfq.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(mail.partner_ids, self.osaka)
        self.assertIn("OC-AG-118", mail.body)
        self.assertIn(f"/my/rcep/origin/{rfq.id}?access_token={rfq.access_token}", mail.body)
        # the officer sees the vendor's page through the same link
        preview = rfq.with_user(self.rcep_manager).action_preview()
        self.assertEqual(preview["url"], rfq.get_portal_url())

    def test_a_list_of_components_asks_each_vendor_for_the_ones_it_supplies(self):
        products = self.brass | self.contact | self.copper
        action = products.with_user(self.rcep_manager).action_rcep_request_origin_declaration()
        requests = self.env["rcep.origin.supplier.request"].search(action["domain"])
        self.assertEqual(
            {r.partner_id.name: r.line_ids.mapped("default_code") for r in requests},
            {
                "Hamburg Metall GmbH": ["BRASS-BAR", "CU-BUSBAR"],
                "Haiphong Brass Co.": ["BRASS-BAR"],
                "Osaka Contacts KK": ["CONTACT-JP"],
            },
        )

    def test_the_readiness_dashboard_asks_for_the_components_without_proof(self):
        self.good.product_tmpl_id.rcep_monitor = True
        rows = self.env["rcep.readiness.report"].search(
            [("product_tmpl_id", "=", self.good.product_tmpl_id.id)]
        )
        action = rows.with_user(self.rcep_manager).action_rcep_request_origin_declaration()
        requests = self.env["rcep.origin.supplier.request"].search(action["domain"])
        # the brass bar has no proof from either vendor; the contact's certificate is valid
        self.assertEqual(
            {r.partner_id.name: r.line_ids.mapped("default_code") for r in requests},
            {"Hamburg Metall GmbH": ["BRASS-BAR"], "Haiphong Brass Co.": ["BRASS-BAR"]},
        )

    def test_a_vendor_without_email_is_not_asked_and_the_officer_is_told_where_to_add_one(self):
        self.haiphong.email = False
        with self.assertRaisesRegex(UserError, "Haiphong Brass Co. has no email address"):
            self.request_from(self.haiphong)

    # --- answering and approving ----------------------------------------------------------------

    def test_the_vendors_answer_proves_nothing_until_the_officer_approves_it(self):
        rfq = self.request_from(self.haiphong)
        self.assertEqual(self.answer(rfq, self.brass), [])
        declaration = rfq.declaration_ids
        self.assertRecordValues(
            declaration,
            [
                {
                    "name": "HPB-SD-2026-031",
                    "state": "submitted",
                    "partner_id": self.haiphong.id,
                    "origin_country_id": self.vietnam.id,
                    "criterion": "PE",
                    "valid_from": date(2026, 11, 20),
                    "valid_to": date(2027, 11, 19),
                    "rcep_signatory_name": "Nguyen Thi Lan",
                    "rcep_signatory_position": "Export manager",
                    "rcep_document": "pdf",
                }
            ],
        )
        self.assertEqual(rfq.state, "submitted")
        # the vendor's words and document are in the declaration's chatter, by the vendor
        said = declaration.message_ids.filtered(lambda m: m.author_id == self.haiphong)
        self.assertIn(
            "Submitted on the supplier portal by Nguyen Thi Lan (Export manager)", said.body
        )
        self.assertEqual(said.attachment_ids.mapped("name"), ["declaration.pdf"])
        self.assertEqual(said.attachment_ids.raw, PDF)
        # submitted: not a proof for the BOM mapping nor the readiness (the one finder)
        self.assertEqual(self.proofs(self.haiphong, self.brass, SHIPMENT), {})
        self.assertIn("Submitted", declaration._get_validity_errors(SHIPMENT)[0])
        # and what the vendor said is not edited behind the review
        with self.assertRaisesRegex(UserError, "is not edited"):
            declaration.with_user(self.rcep_manager).valid_to = date(2028, 1, 1)

        self.approve(declaration)
        self.assertRecordValues(declaration, [{"state": "valid"}])
        self.assertEqual(rfq.state, "done")
        self.assertEqual(
            self.proofs(self.haiphong, self.brass, SHIPMENT),
            {(self.haiphong.id, self.brass.product_tmpl_id.id): declaration},
        )
        self.assertIn("Approved by Zhou Min", declaration.message_ids[0].body)
        # revoked later: the vendor is asked again for that product
        declaration.with_user(self.rcep_manager).action_revoke()
        self.assertEqual(rfq.line_ids.state, "open")
        self.assertEqual(rfq.state, "sent")

    def test_a_not_originating_answer_is_approved_as_the_vendors_word_and_proves_nothing(self):
        rfq = self.request_from(self.hamburg)
        errors = self.answer(
            rfq, self.brass, document=None, originating="no", country="DE", criterion=""
        )
        self.assertEqual(errors, [])
        declaration = rfq.declaration_ids
        self.assertRecordValues(declaration, [{"originating": False, "state": "submitted"}])
        self.approve(declaration)
        self.assertRecordValues(declaration, [{"state": "valid"}])
        self.assertEqual(self.proofs(self.hamburg, self.brass, SHIPMENT), {})

    def test_an_incomplete_answer_says_what_is_missing_and_creates_nothing(self):
        rfq = self.request_from(self.haiphong)
        errors = self.answer(rfq, self.brass, document=None, criterion="", signatory_position=" ")
        self.assertEqual(
            errors,
            [
                "Choose the origin criterion (WO, PE, CTC, RVC or CR).",
                "Sign the declaration: your name and your position.",
                "Upload your declaration or certificate of origin (PDF, or the signed XML "
                "certificate).",
            ],
        )
        self.assertFalse(rfq.declaration_ids)
        errors = self.answer(rfq, self.brass, document=b"GIF89a...", filename="logo.gif")
        self.assertIn("logo.gif is neither a PDF nor an XML certificate of origin", errors[0])

    def test_a_second_submit_or_a_double_click_changes_nothing(self):
        rfq = self.request_from(self.haiphong)
        self.assertEqual(self.answer(rfq, self.brass), [])
        errors = self.answer(rfq, self.brass, reference="HPB-SD-2026-032")
        self.assertEqual(
            errors,
            ["[BRASS-BAR] Brass bar 40 mm is already answered (To review): nothing was changed."],
        )
        self.assertEqual(rfq.declaration_ids.mapped("name"), ["HPB-SD-2026-031"])

    # --- refusals -------------------------------------------------------------------------------

    def test_a_refusal_tells_the_vendor_why_and_the_vendor_answers_again(self):
        rfq = self.request_from(self.haiphong)
        self.answer(rfq, self.brass)
        first = rfq.declaration_ids
        with self.assertRaisesRegex(UserError, "Give the vendor the reason"):
            first.with_user(self.rcep_manager)._rcep_refuse("  ")
        self.refuse(first, "The PDF is not signed.")
        self.assertRecordValues(
            first, [{"state": "refused", "rcep_refusal_reason": "The PDF is not signed."}]
        )
        self.assertEqual(rfq.line_ids.state, "refused")
        self.assertEqual(rfq.state, "sent")
        self.assertEqual(self.proofs(self.haiphong, self.brass, SHIPMENT), {})
        # the vendor is told by mail, with the link, and reads the reason on the portal
        told = rfq.message_ids.filtered(lambda m: m.partner_ids == self.haiphong)[0]
        self.assertIn("The PDF is not signed.", told.body)
        self.assertIn(rfq.get_portal_url(), told.body)
        shown = rfq.sudo()._rcep_portal_values()["lines"]  # the page: test_supplier_portal_http
        self.assertRecordValues(shown, [{"state": "refused", "declaration_id": first.id}])
        # a refused declaration cannot be approved afterwards
        with self.assertRaisesRegex(UserError, "Only a submitted declaration is approved"):
            self.approve(first)
        # the vendor answers again: a new declaration, to review
        self.assertEqual(self.answer(rfq, self.brass, reference="HPB-SD-2026-033"), [])
        second = rfq.declaration_ids - first
        self.assertRecordValues(second, [{"name": "HPB-SD-2026-033", "state": "submitted"}])
        self.assertEqual(rfq.line_ids.declaration_id, second)

    # --- renewals and reminders -----------------------------------------------------------------

    def test_an_answer_for_a_product_with_a_proof_renews_it(self):
        rfq = self.request_from(self.osaka)
        self.answer(rfq, self.contact, country="JP", criterion="CTC", reference="OC-SD-2027")
        self.assertEqual(rfq.declaration_ids.rcep_renews_id, self.contact_certificate)
        self.assertIn("Renews JP-RCEP-2026-118842", rfq.declaration_ids.message_ids[-1].body)

    def test_an_unanswered_request_is_recalled_after_14_days_and_again_14_days_later(self):
        rfq = self.request_from(self.haiphong)
        Request = self.env["rcep.origin.supplier.request"]

        def reminders():
            return rfq.message_ids.filtered(lambda m: (m.subject or "").startswith("Reminder"))

        with freeze_time("2026-12-03 09:00:00"):  # 13 days
            Request._cron_rcep_reminders()
        self.assertFalse(reminders())
        with freeze_time("2026-12-04 09:00:00"):  # 14 days
            Request._cron_rcep_reminders()
            Request._cron_rcep_reminders()  # the job run twice the same day: one reminder
        self.assertEqual(len(reminders()), 1)
        self.assertEqual(reminders().partner_ids, self.haiphong)
        self.assertIn("BRASS-BAR", reminders().body)
        self.assertRecordValues(
            rfq, [{"reminded_on": date(2026, 12, 4), "expires_on": date(2027, 1, 3)}]
        )
        with freeze_time("2026-12-18 09:00:00"):
            Request._cron_rcep_reminders()
        self.assertEqual(len(reminders()), 2)
        # once answered, no more reminders
        self.answer(rfq, self.brass)
        with freeze_time("2027-01-01 09:00:00"):
            Request._cron_rcep_reminders()
        self.assertEqual(len(reminders()), 2)

    def test_the_settings_decide_when_to_remind(self):
        self.company.rcep_request_reminder_days = 7
        rfq = self.request_from(self.haiphong)
        with freeze_time("2026-11-27 09:00:00"):
            self.env["rcep.origin.supplier.request"]._cron_rcep_reminders()
        self.assertEqual(rfq.reminded_on, date(2026, 11, 27))

    def test_a_declaration_running_out_within_30_days_is_asked_for_renewal_once(self):
        Request = self.env["rcep.origin.supplier.request"]
        with freeze_time("2027-04-02 09:00:00"):  # 31 days before it runs out
            Request._cron_rcep_reminders()
        self.assertFalse(self.contact_certificate.rcep_renewal_request_ids)
        with freeze_time("2027-04-03 09:00:00"):  # 30 days
            Request._cron_rcep_reminders()
            Request._cron_rcep_reminders()
        rfq = self.contact_certificate.rcep_renewal_request_ids
        self.assertEqual(len(rfq), 1)
        self.assertRecordValues(
            rfq, [{"partner_id": self.osaka.id, "state": "sent", "sent_on": date(2027, 4, 3)}]
        )
        self.assertEqual(rfq.line_ids.product_tmpl_id, self.contact.product_tmpl_id)
        mail = rfq.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertIn("JP-RCEP-2026-118842", mail.body)
        self.assertIn("run out soon", mail.body)

    def test_request_renewal_on_an_expiring_proof_links_to_the_portal(self):
        self.contact_certificate.with_user(self.rcep_manager).action_rcep_request_renewal()
        rfq = self.contact_certificate.rcep_renewal_request_ids
        self.assertRecordValues(rfq, [{"partner_id": self.osaka.id, "state": "sent"}])
        mail = self.contact_certificate.message_ids[0]
        self.assertIn(f"/my/rcep/origin/{rfq.id}?access_token={rfq.access_token}", mail.body)

    # --- security -------------------------------------------------------------------------------

    def test_a_link_opens_only_its_own_request_and_not_after_its_last_day(self):
        Request = self.env["rcep.origin.supplier.request"]
        osaka = self.request_from(self.osaka)
        haiphong = self.request_from(self.haiphong)
        self.assertEqual(Request._rcep_portal_find(osaka.id, osaka.access_token), osaka)
        for request_id, token in [
            (osaka.id, haiphong.access_token),  # another vendor's token
            (osaka.id, None),
            (osaka.id, osaka.access_token[:-1] + ("1" if osaka.access_token[-1] == "0" else "0")),
            (99999999, osaka.access_token),
        ]:
            with self.assertRaisesRegex(AccessError, "This link is not valid"):
                Request._rcep_portal_find(request_id, token)
        with freeze_time("2026-12-20 23:00:00"):  # its last day
            self.assertEqual(Request._rcep_portal_find(osaka.id, osaka.access_token), osaka)
        with (
            freeze_time("2026-12-21 09:00:00"),
            self.assertRaisesRegex(AccessError, "This link expired on 12/20/2026"),
        ):
            Request._rcep_portal_find(osaka.id, osaka.access_token)
        # sent again: a new link, and the old one no longer opens
        old = osaka.access_token
        osaka.with_user(self.rcep_manager).action_send()
        self.assertNotEqual(osaka.access_token, old)
        with self.assertRaises(AccessError):
            Request._rcep_portal_find(osaka.id, old)
