"""A compliance officer buys silver contacts for a switchgear part (HS 8538.90, rule CTH or
RVC40) from Japanese vendors. The contacts are of the same heading as the part: the part
qualifies by change of heading only when the contacts are originating, and a contact is
originating only when every vendor it may come from proved its origin on the shipment day."""

import json
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import SHIPMENT, RcepWorldCase


@tagged("post_install", "-at_install")
class TestVendorProofs(RcepWorldCase):
    """The shared world (frozen on 20 November 2026): the contact carrier SWC-630 and its
    Japanese silver contact, now bought through Keiko Tanaka, a contact person of Osaka
    Contacts KK, whose certificate JP-RCEP-2026-118842 runs from 4 May 2026 to 3 May 2027;
    Kobe Electric KK, a second Japanese vendor, has proved nothing yet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.japan = env.ref("base.jp")
        Partner = env["res.partner"]
        cls.osaka.is_company = True
        # the buyer orders from a contact person: the company signs the declaration
        cls.osaka_buyer_desk = Partner.create(
            {"name": "Keiko Tanaka", "parent_id": cls.osaka.id, "type": "contact"}
        )
        cls.contact.seller_ids.partner_id = cls.osaka_buyer_desk
        cls.kobe = Partner.create(
            {"name": "Kobe Electric KK", "is_company": True, "country_id": cls.japan.id}
        )
        cls.certificate = cls.contact_certificate
        cls.manager = new_test_user(
            env, "rcep_mgr", groups="rcep_origin.group_rcep_manager,product.group_product_manager"
        )
        cls.product_editor = new_test_user(
            env, "editor", groups="rcep_origin.group_rcep_user,product.group_product_manager"
        )

    @classmethod
    def declare(cls, vendor, reference, start, end=None, validate=True):
        """A vendor's RCEP certificate of origin for the contacts (one year by default)."""
        declaration = cls.env["rcep.origin.supplier.declaration"].create(
            {
                "name": reference,
                "partner_id": vendor.id,
                "product_tmpl_ids": [Command.set(cls.contact.product_tmpl_id.ids)],
                "origin_country_id": cls.japan.id,
                "proof_type": "RCEP_CO",
                "valid_from": start,
                "valid_to": end or start.replace(year=start.year + 1) - timedelta(days=1),
            }
        )
        if validate:
            declaration.action_validate()
        return declaration

    def contact_line(self, evaluation):
        return evaluation.line_ids.filtered(lambda line: line.code == "CONTACT-JP")

    def contact_in_goods_file(self, evaluation):
        bom = json.loads(evaluation.goods_json)["good"]["bom"]
        return next(line for line in bom if line["code"] == "CONTACT-JP")

    def buy_also_from_kobe(self, **dates):
        self.contact.product_tmpl_id.seller_ids = [
            Command.create({"partner_id": self.kobe.id, "price": 48.0, **dates})
        ]

    # --- whose declaration covers what -------------------------------------------------------

    def test_a_declaration_signed_by_the_parent_company_covers_its_contact_person(self):
        evaluation = self.evaluate()
        self.assertRecordValues(
            evaluation, [{"verdict": "originating", "criterion": "CTC", "annotations": "ACU"}]
        )
        self.assertRecordValues(
            self.contact_line(evaluation),
            [
                {
                    "originating": True,
                    "vendor_count": 1,
                    "vendor_proved_count": 1,
                    "vendor_coverage": "1 of 1 vendor proved origin",
                }
            ],
        )

    def test_the_finder_answers_for_a_contact_person_with_the_company_key(self):
        Declaration = self.env["rcep.origin.supplier.declaration"]
        template = self.contact.product_tmpl_id
        proofs = Declaration._fetch_origin_proofs(
            self.company, self.osaka_buyer_desk, template, SHIPMENT
        )
        self.assertEqual(proofs, {(self.osaka.id, template.id): self.certificate})
        self.assertTrue(self.certificate._covers(SHIPMENT))

    # --- proofs out of date reach the engine -------------------------------------------------

    def test_an_expired_proof_shows_origin_proof_expired_with_its_date(self):
        with freeze_time("2027-05-20"):
            self.env["rcep.origin.supplier.declaration"]._cron_expire()
            self.assertEqual(self.certificate.state, "expired")
            evaluation = self.evaluate(day=date(2027, 5, 20))
        # The certificate ran to 2027-05-03: the contact is non-originating, CTH fails (50 %)
        # and RVC is (100 - 80) / 100 = 20 % < 40 %.
        self.assertRecordValues(evaluation, [{"verdict": "not_originating", "criterion": False}])
        self.assertIn("ORIGIN_PROOF_EXPIRED", evaluation.issue_codes)
        self.assertNotIn("ORIGIN_PROOF_MISSING", evaluation.issue_codes)
        issue = evaluation.issue_ids.filtered(lambda i: i.code == "ORIGIN_PROOF_EXPIRED")
        self.assertIn("JP-RCEP-2026-118842", issue.message)
        self.assertIn("valid until 2027-05-03", issue.message)
        self.assertRecordValues(
            self.contact_line(evaluation),
            [{"originating": False, "vendor_coverage": "0 of 1 vendor proved origin"}],
        )

    def test_an_expired_declaration_still_proves_origin_for_goods_shipped_while_it_was_valid(self):
        with freeze_time("2027-05-20"):
            self.env["rcep.origin.supplier.declaration"]._cron_expire()
            evaluation = self.evaluate(day=SHIPMENT)  # re-examining last year's shipment
        self.assertEqual(self.certificate.state, "expired")
        self.assertEqual(evaluation.verdict, "originating")

    def test_the_renewed_certificate_takes_over_from_the_expired_one(self):
        renewal = self.declare(self.osaka, "JP-RCEP-2027-004410", date(2027, 5, 4))
        evaluation = self.evaluate(day=date(2027, 5, 20))
        self.assertEqual(evaluation.verdict, "originating")
        proof = self.contact_in_goods_file(evaluation)["proof"]
        self.assertEqual(proof["reference"], renewal.name)

    def test_a_proof_not_yet_valid_shows_origin_proof_expired_with_its_date(self):
        self.certificate.action_revoke()  # issued in error; the replacement starts in December
        self.declare(self.osaka, "JP-RCEP-2026-120001", date(2026, 12, 1))
        evaluation = self.evaluate()
        self.assertEqual(evaluation.verdict, "not_originating")
        issue = evaluation.issue_ids.filtered(lambda i: i.code == "ORIGIN_PROOF_EXPIRED")
        self.assertIn("JP-RCEP-2026-120001", issue.message)
        self.assertIn("not yet valid (issued 2026-12-01)", issue.message)
        proof = self.contact_in_goods_file(evaluation)["proof"]
        self.assertEqual(proof["issue_date"], "2026-12-01")

    def test_a_chinese_reader_sees_why_a_proof_fails_in_chinese_with_dates_in_her_format(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        with freeze_time("2027-05-20"):
            expired = self.evaluate(day=date(2027, 5, 20))
        issue = expired.issue_ids.filtered(lambda i: i.code == "ORIGIN_PROOF_EXPIRED")
        words = issue.with_context(lang="zh_CN").user_message
        self.assertIn("已过期（有效期至 2027年05月03日）", words)
        self.assertIn("装运日 2027年05月20日", words)
        self.certificate.action_revoke()
        missing = self.evaluate()
        issue = missing.issue_ids.filtered(lambda i: i.code == "ORIGIN_PROOF_MISSING")
        words = issue.with_context(lang="zh_CN").user_message
        self.assertIn("RCEP 成员方 Japan，", words)  # by its name (Odoo's, when loaded), not JP
        self.assertIn("未能适用累积规则（第 3.4 条）", words)
        for english in ("cumulation", "expired", "valid until", "JP,"):
            self.assertNotIn(english, words)
        self.assertIn("and cumulation (Art 3.4) is missed", issue.user_message)  # in English

    def test_a_revoked_or_draft_declaration_proves_nothing(self):
        self.certificate.action_revoke()
        self.declare(self.osaka, "JP-DRAFT-1", date(2026, 6, 1), validate=False)
        evaluation = self.evaluate()
        self.assertIn("ORIGIN_PROOF_MISSING", evaluation.issue_codes)
        self.assertNotIn("proof", self.contact_in_goods_file(evaluation))

    # --- the declaration's states ------------------------------------------------------------

    def test_each_state_change_refuses_from_the_wrong_state_with_a_clear_message(self):
        certificate = self.certificate.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "Only a draft declaration can be validated"):
            certificate.action_validate()
        with self.assertRaisesRegex(UserError, "Only an expired or revoked .* reset to draft"):
            certificate.action_reset_to_draft()
        draft = self.declare(self.kobe, "JP-KOBE-1", date(2026, 6, 1), validate=False)
        with self.assertRaisesRegex(UserError, "JP-KOBE-1 is Draft"):
            draft.with_user(self.manager).action_revoke()
        certificate.action_revoke()
        with self.assertRaisesRegex(UserError, "Only a valid or expired declaration"):
            certificate.action_revoke()
        certificate.action_reset_to_draft()
        certificate.action_validate()
        self.assertEqual(certificate.state, "valid")

    def test_validation_refuses_a_declaration_that_cannot_prove_origin(self):
        draft = self.declare(self.kobe, "US-1", date(2026, 6, 1), validate=False)
        draft.origin_country_id = self.env.ref("base.us")
        with self.assertRaisesRegex(UserError, "is not an RCEP Party"):
            draft.action_validate()
        self.assertEqual(draft.state, "draft")

    # --- worst case across vendors -----------------------------------------------------------

    def test_two_vendors_one_declaration_the_contact_is_not_originating(self):
        self.buy_also_from_kobe()  # Kobe gave no proof
        evaluation = self.evaluate()
        self.assertRecordValues(evaluation, [{"verdict": "not_originating", "criterion": False}])
        self.assertRecordValues(
            self.contact_line(evaluation),
            [
                {
                    "originating": False,
                    "vendor_count": 2,
                    "vendor_proved_count": 1,
                    "vendor_coverage": "1 of 2 vendors proved origin",
                }
            ],
        )
        self.assertNotIn("proof", self.contact_in_goods_file(evaluation))  # no over-claim

    def test_a_second_vendor_whose_proof_expired_is_named_with_its_date(self):
        self.buy_also_from_kobe()
        self.declare(self.kobe, "JP-KOBE-2025-7", date(2025, 9, 1))  # to 2026-08-31
        evaluation = self.evaluate()
        self.assertEqual(evaluation.verdict, "not_originating")
        issue = evaluation.issue_ids.filtered(lambda i: i.code == "ORIGIN_PROOF_EXPIRED")
        self.assertIn("JP-KOBE-2025-7", issue.message)
        self.assertEqual(
            self.contact_line(evaluation).vendor_coverage, "1 of 2 vendors proved origin"
        )

    def test_two_vendors_both_proved_the_contact_is_originating(self):
        self.buy_also_from_kobe()
        self.declare(self.kobe, "JP-KOBE-2026-3", date(2026, 3, 1))
        evaluation = self.evaluate()
        self.assertEqual(evaluation.verdict, "originating")
        self.assertEqual(
            self.contact_line(evaluation).vendor_coverage, "2 of 2 vendors proved origin"
        )

    def test_a_vendor_price_that_ended_before_the_shipment_does_not_count(self):
        self.buy_also_from_kobe(date_end=date(2026, 10, 31))
        evaluation = self.evaluate()
        self.assertEqual(evaluation.verdict, "originating")
        self.assertEqual(self.contact_line(evaluation).vendor_count, 1)

    def test_the_manager_marks_the_rcep_vendor_and_the_contact_is_originating(self):
        self.buy_also_from_kobe()
        template = self.contact.product_tmpl_id
        with self.assertRaises(AccessError):  # who edits products may not choose it
            template.with_user(self.product_editor).write({"rcep_vendor_id": self.osaka.id})
        template.with_user(self.product_editor).write({"list_price": 55.0})  # but may this
        template.with_user(self.manager).rcep_vendor_id = self.osaka
        evaluation = self.evaluate()
        self.assertEqual(evaluation.verdict, "originating")
        self.assertRecordValues(
            self.contact_line(evaluation),
            [
                {
                    "originating": True,
                    "rcep_vendor": True,
                    "vendor_coverage": "The RCEP vendor proved origin",
                }
            ],
        )

    def test_the_coverage_reaches_the_lines_written_after_an_order_is_confirmed(self):
        self.buy_also_from_kobe()
        self.company.write({"rcep_check_mode": "warn"})
        order = self.confirm_order(quantity=1)
        evaluation = order.rcep_evaluation_ids
        self.assertRecordValues(evaluation, [{"verdict": "not_originating", "lines_pending": True}])
        self.run_job()  # writes the material lines right after the confirmation
        self.assertEqual(
            self.contact_line(evaluation).vendor_coverage, "1 of 2 vendors proved origin"
        )
