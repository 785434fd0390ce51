"""The IT administrator sets up the Single Window connector: a failed test says what is wrong
in a sentence, a new customs signing certificate is pinned only once confirmed, every change
is in the chatter (never the password), and the settings refuse a malformed customs code."""

import shutil
import socket
import tempfile
from pathlib import Path

from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged

from connectors.single_window.embedded import running

from .common import RcepSingleWindowCase


@tagged("post_install", "-at_install")
class TestConnectorAdmin(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workdir = Path(tempfile.mkdtemp(prefix="rcep-admin-test-"))
        cls.addClassCleanup(shutil.rmtree, cls.workdir, ignore_errors=True)

    def single_window(self, name, port=0):
        """A loopback Single Window of its own for this test."""
        return running(self.workdir / f"{self._testMethodName}-{name}", port=port)

    def connector_for(self, endpoint, **values):
        connector = Form(self.env["rcep.origin.connector"])
        connector.endpoint = endpoint
        connector.username = "exporter"
        connector.password = "rcep-demo"
        connector.connect_timeout = 2
        for name, value in values.items():
            setattr(connector, name, value)
        return connector.save()

    def flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    # --- Test connection ---------------------------------------------------------------------

    def test_a_connector_to_a_port_nobody_listens_on_says_so_in_a_danger_notification(self):
        connector = self.connector_for(
            f"http://127.0.0.1:{RcepSingleWindowCase.free_port()}/single-window"
        )
        for action in (
            connector.action_test_connection(),
            connector.action_fetch_signing_certificate(),
        ):
            params = action["params"]
            self.assertEqual((action["tag"], params["type"]), ("display_notification", "danger"))
            self.assertIn("could not be reached", params["message"])
            self.assertIn("check the endpoint address", params["message"])
            for raw in ("HTTPConnectionPool", "Max retries", "urllib3", "Errno"):
                self.assertNotIn(raw, params["message"])
        self.assertFalse(connector.signing_fingerprint)  # nothing was pinned

    def test_a_working_connector_and_a_wrong_password(self):
        endpoint, _app = self.enterContext(self.single_window("sw"))
        connector = self.connector_for(endpoint)
        self.assertEqual(connector.action_test_connection()["params"]["type"], "success")
        connector.password = "not-the-password"
        params = connector.action_test_connection()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("refused the user name or password", params["message"])

    def test_timeouts_say_their_unit(self):
        fields = self.env["rcep.origin.connector"].fields_get(
            ["connect_timeout", "operation_timeout"]
        )
        self.assertEqual(fields["connect_timeout"]["string"], "Connect timeout (seconds)")
        self.assertEqual(fields["operation_timeout"]["string"], "Operation timeout (seconds)")

    # --- the customs signing certificate ----------------------------------------------------

    def test_a_new_signing_certificate_is_pinned_only_once_the_administrator_confirms(self):
        with self.single_window("before") as (endpoint, first):
            connector = self.connector_for(endpoint)
            pinned = connector.action_fetch_signing_certificate()
            self.assertEqual(pinned["params"]["type"], "success")
            old = connector.signing_fingerprint
            self.assertIn(old, pinned["params"]["message"])
            self.assertEqual(
                connector.action_fetch_signing_certificate()["params"]["type"], "info"
            )  # the same certificate again: nothing to confirm
        # customs replace their signing key: the same endpoint publishes another certificate
        port = int(endpoint.rsplit(":", 1)[1].split("/")[0])
        _endpoint, second = self.enterContext(self.single_window("after", port=port))
        new_pem = second.service.identity.cert_pem.decode()

        asked = connector.action_fetch_signing_certificate()
        self.assertEqual(asked["res_model"], "rcep.origin.connector.pin")
        wizard = self.env[asked["res_model"]].browse(asked["res_id"])
        self.assertRecordValues(
            wizard, [{"old_fingerprint": old, "new_fingerprint": self.fingerprint(new_pem)}]
        )
        self.assertIn("Mock Single Window", wizard.new_subject)
        self.assertLess(wizard.new_valid_from, wizard.new_valid_until)
        self.assertTrue(wizard.old_valid_until)
        # the administrator closes the dialog: the pinned certificate stays
        self.assertEqual(connector.signing_fingerprint, old)
        self.assertEqual(
            connector.sudo().signing_cert_pem, first.service.identity.cert_pem.decode()
        )

        asked = connector.action_fetch_signing_certificate()
        self.env[asked["res_model"]].browse(asked["res_id"]).action_replace()
        self.assertEqual(connector.signing_fingerprint, self.fingerprint(new_pem))
        noted = connector.message_ids[0].body
        self.assertIn(old, noted)
        self.assertIn(self.fingerprint(new_pem), noted)

    def test_an_endpoint_that_publishes_no_signing_certificate_says_so_and_pins_nothing(self):
        endpoint, _app = self.enterContext(self.single_window("sw"))
        connector = self.connector_for(f"{endpoint}/elsewhere")  # a wrong address: HTTP 404
        params = connector.action_fetch_signing_certificate()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("published no signing certificate (HTTP 404)", params["message"])
        self.assertIn("check the endpoint address", params["message"])
        self.assertFalse(connector.signing_fingerprint)

    def test_a_published_certificate_that_cannot_be_read_changes_nothing(self):
        from connectors.single_window.signing import SigningIdentity

        directory = self.workdir / f"{self._testMethodName}-sw"
        SigningIdentity.load_or_create(directory)  # customs' key, but a broken certificate:
        (directory / "signing-certificate.pem").write_text(
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
        )
        endpoint, _app = self.enterContext(running(directory))
        connector = self.connector_for(endpoint)
        params = connector.action_fetch_signing_certificate()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("published a signing certificate that cannot be read", params["message"])
        self.assertIn("nothing was changed", params["message"])
        self.assertFalse(connector.signing_fingerprint)

    def test_a_single_window_that_never_answers_is_reported_with_the_timeouts_in_seconds(self):
        silent = socket.socket()  # accepts connections (the kernel does) and never answers
        self.addCleanup(silent.close)
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        connector = self.connector_for(
            f"http://127.0.0.1:{silent.getsockname()[1]}/single-window", operation_timeout=0.5
        )
        params = connector.action_fetch_signing_certificate()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn(
            "did not answer within the timeouts (2 seconds to connect, 0.5 seconds to answer)",
            params["message"],
        )
        self.assertFalse(connector.signing_fingerprint)

    def fingerprint(self, pem):
        from connectors.single_window.signing import fingerprint

        return fingerprint(pem.encode())

    # --- the chatter ------------------------------------------------------------------------

    def test_changes_are_in_the_chatter_but_never_the_password(self):
        connector = self.connector_for("http://127.0.0.1:9/single-window")
        self.flush_tracking()
        with Form(connector) as form:
            form.endpoint = "http://127.0.0.1:10/single-window"
            form.operation_timeout = 45
            form.password = "s3cret-new"
        self.flush_tracking()
        values = connector.message_ids.tracking_value_ids
        self.assertEqual(set(values.mapped("field_id.name")), {"endpoint", "operation_timeout"})
        self.assertNotIn(
            "s3cret-new", str(values.mapped(lambda t: (t.old_value_char, t.new_value_char)))
        )

    # --- the settings -----------------------------------------------------------------------

    def test_the_settings_refuse_a_customs_code_that_is_not_ten_characters(self):
        settings = Form(self.env["res.config.settings"])
        settings.rcep_customs_code = "3302961A2"
        with self.assertRaisesRegex(ValidationError, "exactly 10 characters.*3302961A2 has 9"):
            settings.save()
        settings.rcep_customs_code = "3302961a27"
        with self.assertRaisesRegex(ValidationError, "only digits and capital letters"):
            settings.save()
        settings.rcep_customs_code = "3302961A27"
        settings.save().execute()
        self.assertEqual(self.env.company.rcep_customs_code, "3302961A27")
