"""The supplier portal over HTTP, as a vendor's browser reaches it: without a login, with the
link of its mail; in a real browser (tours) for the vendor's answer and the officer's
approval, and with plain requests for what a vendor should never get to do."""

import re

from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .supplier_portal_common import PDF, RcepSupplierPortalCase


@tagged("post_install", "-at_install")
class TestSupplierPortalHttp(RcepSupplierPortalCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").write(
            {
                "company_id": cls.company.id,
                "company_ids": [(4, cls.company.id)],
                "groups_id": [(4, cls.env.ref("rcep_origin.group_rcep_manager").id)],
            }
        )

    def open_page(self, rfq, token=None):
        return self.url_open(f"/my/rcep/origin/{rfq.id}?access_token={token or rfq.access_token}")

    def csrf(self, rfq):
        """The form's CSRF token, as the vendor's browser has it from the page."""
        page = self.open_page(rfq)
        self.assertEqual(page.status_code, 200)
        return re.search(r'csrf_token: "([^"]+)"', page.text).group(1)

    def post_answer(self, rfq, line, token=None, csrf=True, csrf_token=None, **form):
        data = {
            "access_token": token or rfq.access_token,
            "line_id": str(line.id),
            "originating": "yes",
            "country": "VN",
            "criterion": "PE",
            "signatory_name": "Nguyen Thi Lan",
            "signatory_position": "Export manager",
        } | form
        if csrf:
            data["csrf_token"] = csrf_token or self.csrf(rfq)
        return self.url_open(
            f"/my/rcep/origin/{rfq.id}/answer",
            data=data,
            files={"document": ("declaration.pdf", PDF, "application/pdf")},
        )

    # --- in a real browser ----------------------------------------------------------------------

    def test_a_vendor_answers_on_the_portal_and_the_officer_approves(self):
        rfq = self.request_from(self.haiphong)
        self.start_tour(rfq.get_portal_url(), "rcep_origin_supplier_answers", login=None)
        declaration = rfq.declaration_ids
        self.assertRecordValues(
            declaration,
            [{"state": "submitted", "rcep_signatory_name": "Nguyen Thi Lan", "criterion": "PE"}],
        )
        said = declaration.message_ids.filtered(lambda m: m.author_id == self.haiphong)
        self.assertEqual(said.attachment_ids.mapped("name"), ["declaration.pdf"])
        self.start_tour(
            f"/odoo/action-rcep_origin.rcep_origin_supplier_declaration_action/{declaration.id}",
            "rcep_origin_officer_approves",
            login="admin",
        )
        self.assertRecordValues(declaration, [{"state": "valid"}])
        self.assertTrue(self.proofs(self.haiphong, self.brass, declaration.valid_from))

    # --- what a vendor sees, and what it cannot do ----------------------------------------------

    def test_the_page_shows_only_the_products_of_the_vendors_own_request(self):
        rfq = self.request_from(self.osaka)
        page = self.open_page(rfq)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Your item code: OC-AG-118", page.text)
        self.assertIn("Silver contact, Japanese", page.text)
        self.assertNotIn("Brass bar", page.text)  # other vendors' products
        self.assertIn("o_portal_wrap", page.text)  # Odoo's portal layout

    def test_another_vendors_token_opens_nothing(self):
        osaka = self.request_from(self.osaka)
        haiphong = self.request_from(self.haiphong)
        page = self.open_page(osaka, token=haiphong.access_token)
        self.assertEqual(page.status_code, 403)
        self.assertIn("This link is not valid.", page.text)
        self.assertNotIn("Silver contact", page.text)
        self.assertNotIn("Brass bar", page.text)
        answer = self.post_answer(osaka, osaka.line_ids, token=haiphong.access_token)
        self.assertEqual(answer.status_code, 403)
        self.assertFalse(osaka.declaration_ids)

    def test_an_expired_link_says_so_and_takes_no_answer(self):
        rfq = self.request_from(self.haiphong)
        line = rfq.line_ids
        with freeze_time("2026-12-21 09:00:00"):
            page = self.open_page(rfq)
            self.assertEqual(page.status_code, 403)
            self.assertIn("This link expired on 12/20/2026", page.text)
            self.assertNotIn("Brass bar", page.text)
        csrf = self.csrf(rfq)
        rfq.sudo().expires_on = "2026-11-19"  # expired while the vendor had the page open
        self.assertEqual(self.post_answer(rfq, line, csrf_token=csrf).status_code, 403)
        self.assertFalse(rfq.declaration_ids)

    def test_a_tampered_product_is_refused(self):
        osaka = self.request_from(self.osaka)
        haiphong = self.request_from(self.haiphong)
        answer = self.post_answer(osaka, haiphong.line_ids)  # another request's product
        self.assertEqual(answer.status_code, 403)
        self.assertIn("This product is not on your request.", answer.text)
        self.assertFalse(osaka.declaration_ids | haiphong.declaration_ids)

    def test_the_form_is_csrf_protected(self):
        rfq = self.request_from(self.haiphong)
        with mute_logger("odoo.http"):  # "No CSRF validation token provided"
            answer = self.post_answer(rfq, rfq.line_ids, csrf=False)
        self.assertEqual(answer.status_code, 400)
        self.assertFalse(rfq.declaration_ids)

    def test_a_second_submit_is_told_it_is_already_answered(self):
        rfq = self.request_from(self.haiphong)
        first = self.post_answer(rfq, rfq.line_ids)
        self.assertEqual(first.status_code, 200)  # the redirect, followed: the page
        self.assertIn("Thank you: your answer was", first.text)
        self.assertEqual(len(rfq.declaration_ids), 1)
        # the page no longer offers a form for it; a replayed post changes nothing
        self.assertNotIn(f'name="line_id" value="{rfq.line_ids.id}"', first.text)
        second = self.post_answer(rfq, rfq.line_ids, signatory_name="Someone else")
        self.assertEqual(second.status_code, 400)
        self.assertIn("is already answered (To review): nothing was changed.", second.text)
        self.assertEqual(len(rfq.declaration_ids), 1)

    def test_a_forged_certificate_gets_a_message_on_the_page(self):
        rfq = self.request_from(self.osaka)
        csrf = self.csrf(rfq)
        forged = self.signed_certificate().replace(b"CTC", b"WO")
        answer = self.url_open(
            f"/my/rcep/origin/{rfq.id}/answer",
            data={
                "csrf_token": csrf,
                "access_token": rfq.access_token,
                "line_id": str(rfq.line_ids.id),
                "originating": "yes",
                "country": "JP",
                "criterion": "CTC",
                "signatory_name": "Kenji Sato",
                "signatory_position": "Sales manager",
            },
            files={"document": ("certificate.xml", forged, "application/xml")},
        )
        self.assertEqual(answer.status_code, 400)
        self.assertIn("Your answer was not saved", answer.text)
        self.assertIn("is not an RCEP certificate of origin signed by customs", answer.text)
        self.assertNotIn("Traceback", answer.text)
        self.assertIn('value="Kenji Sato"', answer.text)  # what was typed is kept
        self.assertFalse(rfq.declaration_ids)

    def test_the_vendor_reads_the_refusal_on_the_page(self):
        rfq = self.request_from(self.haiphong)
        self.post_answer(rfq, rfq.line_ids)
        self.refuse(rfq.declaration_ids, "The PDF is not signed.")
        page = self.open_page(rfq)
        self.assertIn("Not accepted: <span>The PDF is not signed.</span>", page.text)
        self.assertIn(f'name="line_id" value="{rfq.line_ids.id}"', page.text)  # answer again
