"""A validated supplier declaration proves origin for the days it covers: what it says cannot
be changed behind its validation (by an import or a call without the form), only through
Reset to draft and a new validation."""

from datetime import date

from odoo import Command
from odoo.exceptions import UserError

from .common import RcepWorldCase


class TestSupplierDeclarationEdits(RcepWorldCase):
    def test_a_valid_declaration_cannot_be_extended_or_widened(self):
        certificate = self.contact_certificate.with_user(self.rcep_manager)
        self.assertEqual(certificate.state, "valid")
        for change in (
            {"valid_to": date(2028, 5, 3)},
            {"product_tmpl_ids": [Command.link(self.brass.product_tmpl_id.id)]},
            {"origin_country_id": self.env.ref("base.kr").id},
        ):
            with self.subTest(change=change), self.assertRaisesRegex(UserError, "not edited"):
                certificate.write(change)
        self.assertEqual(certificate.valid_to, date(2027, 5, 3))

    def test_a_revoked_declaration_is_corrected_in_draft_and_validated_again(self):
        certificate = self.contact_certificate.with_user(self.rcep_manager)
        certificate.action_revoke()
        certificate.action_reset_to_draft()
        certificate.write({"valid_to": date(2027, 4, 30)})
        certificate.action_validate()
        self.assertRecordValues(certificate, [{"state": "valid", "valid_to": date(2027, 4, 30)}])
