"""The daily flow in a real browser (Chromium), as the salesman and the compliance officer
click through it. Between the clicks the job runs as the scheduler runs it right after a
confirmation; the loopback Single Window answers over real SOAP."""

from odoo.tests import HttpCase, tagged

from .common import RcepSingleWindowCase


@tagged("post_install", "-at_install")
class TestRcepTours(RcepSingleWindowCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "purchasing@saigon-power.example.vn"  # the certificate goes there
        cls.env.ref("base.user_admin").write(
            {
                "company_id": cls.company.id,
                "company_ids": [(4, cls.company.id)],
                "groups_id": [(4, cls.env.ref("rcep_origin.group_rcep_manager").id)],
            }
        )

    def order_url(self, order):
        return f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}"

    def test_the_salesman_checks_fixes_the_vessel_confirms_and_sends_the_certificate(self):
        quotation = self.quotation(
            rcep_port_of_loading="Ningbo (CNNGB)",
            rcep_port_of_discharge="Ho Chi Minh City (VNSGN)",
        )
        self.assertFalse(quotation.rcep_vessel_or_flight)
        self.start_tour(
            self.order_url(quotation),
            "rcep_origin_salesman_check_and_confirm",
            login=self.salesman.login,
        )
        self.assertRecordValues(
            quotation, [{"state": "sale", "rcep_vessel_or_flight": "KOTA LARIS V.612S"}]
        )
        self.run_job()  # right after the confirmation's commit
        declaration = quotation.rcep_declaration_ids
        self.assertRecordValues(declaration, [{"state": "issued", "signature_verified": True}])
        self.start_tour(
            self.order_url(quotation),
            "rcep_origin_salesman_send_certificate",
            login=self.rcep_manager.login,
        )
        sent = declaration.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertTrue(sent)
        self.assertIn(
            declaration.certificate_attachment_id.name, sent[0].attachment_ids.mapped("name")
        )

    def test_the_officer_sets_the_customs_code_in_settings_and_rebuilds_the_declaration(self):
        self.company.rcep_customs_code = False
        order = self.confirm_shipped_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.assertRecordValues(declaration, [{"state": "draft"}])
        self.start_tour(
            f"/odoo/action-rcep_origin.rcep_origin_declaration_action/{declaration.id}",
            "rcep_origin_officer_rebuild",
            login="admin",
        )
        self.assertEqual(self.company.rcep_customs_code, "3302961A27")
        self.run_job()
        self.assertRecordValues(
            declaration, [{"state": "issued", "signature_verified": True, "last_error": False}]
        )
