"""The signing certificate every issued certificate is checked against is the one an
administrator pinned, never whatever answered first; and only administrators test connectors
or pin certificates, whether through the button or not."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import RcepSingleWindowCase


@tagged("post_install", "-at_install")
class TestConnectorTrust(RcepSingleWindowCase):
    def test_without_a_pinned_certificate_nothing_is_sent_and_the_manager_is_told(self):
        self.connector.sudo().signing_cert_pem = False  # never pinned
        order = self.confirm_shipped_order()
        self.run_job()
        declaration = order.rcep_declaration_ids
        self.assertRecordValues(declaration, [{"state": "error", "error_transient": False}])
        self.assertIn("NO_SIGNING_CERTIFICATE", declaration.last_error)
        self.assertEqual(self.certificates(), 0)  # nothing left for the Single Window
        self.assertFalse(self.connector.sudo().signing_cert_pem)  # and nothing was pinned
        # the administrator pins it, and Retry sends it
        self.connector.action_fetch_signing_certificate()
        declaration.with_user(self.rcep_manager).action_rcep_retry()
        self.run_job()
        self.assertRecordValues(declaration, [{"state": "issued", "signature_verified": True}])

    def test_an_rcep_user_cannot_test_the_connector_or_pin_its_certificate_by_rpc(self):
        officer = new_test_user(
            self.env,
            "rcep_trust_officer",
            groups="rcep_origin.group_rcep_manager",
            company_id=self.company.id,
        )
        connector = self.connector.with_user(officer)
        with self.assertRaises(AccessError):
            connector.action_test_connection()
        with self.assertRaises(AccessError):
            connector.action_fetch_signing_certificate()
