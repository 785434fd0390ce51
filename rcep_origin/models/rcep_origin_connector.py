import contextlib
import tempfile
from pathlib import Path

import requests
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from connectors.single_window import ENDPOINT
from connectors.single_window.signing import fingerprint


class RcepOriginConnector(models.Model):
    """How this company reaches the customs Single Window (SOAP, WS-Security)."""

    _name = "rcep.origin.connector"
    _description = "RCEP Single Window connector"

    name = fields.Char(required=True, default="Single Window")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company)
    endpoint = fields.Char(required=True, default=ENDPOINT)
    username = fields.Char(groups="base.group_system")
    password = fields.Char(groups="base.group_system", help="Never logged or stored elsewhere.")
    connect_timeout = fields.Float(default=5.0)
    operation_timeout = fields.Float(default=30.0)
    verify_tls = fields.Boolean("Verify TLS certificates", default=True)
    signing_cert_pem = fields.Text("Pinned signing certificate", groups="base.group_system")
    signing_fingerprint = fields.Char(
        "Signing certificate SHA-256", compute="_compute_signing_fingerprint"
    )

    @api.depends("signing_cert_pem")
    def _compute_signing_fingerprint(self):
        for connector in self:
            pem = connector.sudo().signing_cert_pem
            connector.signing_fingerprint = fingerprint(pem.encode()) if pem else False

    def action_fetch_signing_certificate(self):
        """Fetch the endpoint's published signing certificate and pin it."""
        for connector in self:
            try:
                answer = requests.get(
                    f"{connector.endpoint}/signing-certificate.pem",
                    timeout=(connector.connect_timeout, connector.operation_timeout),
                    verify=connector.verify_tls,
                )
            except requests.RequestException as exc:
                raise UserError(_("The Single Window could not be reached: %s", exc)) from None
            if answer.status_code != 200 or b"BEGIN CERTIFICATE" not in answer.content:
                raise UserError(_("The endpoint published no signing certificate."))
            connector.sudo().signing_cert_pem = answer.text

    def action_test_connection(self):
        """Ask for the status of an unknown declaration: NOT_FOUND means the endpoint answers
        and accepts the credentials."""
        self.ensure_one()
        try:
            with self._client() as client:
                client.status("00000000-0000-4000-8000-000000000000")
            found = _("The endpoint answered and accepted the credentials.")
        except Exception as exc:  # reported to the admin as found, whatever it is
            found = _("The test failed: %s", exc)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": _("Single Window"), "message": found, "sticky": False},
        }

    def _rcep_submit(self, declaration_xml, key, sent_before=False):
        """Send one declaration and return the client's Outcome (raises SingleWindowError).
        ``sent_before``: it left once and its answer was never seen, so the client asks the
        Single Window for its status before sending it again (same key: never doubled)."""
        self.ensure_one()
        with self._client() as client:
            if sent_before:
                client.ledger.record(key, declaration_xml, client.endpoint)
                client.ledger.count_attempt(key)
            return client.submit(declaration_xml)

    @contextlib.contextmanager
    def _client(self):
        """A SOAP client for one run. The Odoo records are the durable store; the client's own
        ledger lives only for the run and is removed after it. A signing certificate pinned on
        first use is kept on the connector."""
        from connectors.ledger import Ledger
        from connectors.single_window.client import SingleWindowClient

        connector = self.sudo()
        with tempfile.TemporaryDirectory(prefix="rcep-odoo-") as directory:
            ledger = Ledger(Path(directory) / "ledger.sqlite3")
            try:
                yield SingleWindowClient(
                    connector.endpoint,
                    connector.username or "",
                    connector.password or "",
                    ledger,
                    connect_timeout=connector.connect_timeout,
                    operation_timeout=connector.operation_timeout,
                    verify_tls=connector.verify_tls,
                    signing_cert_pem=connector.signing_cert_pem.encode()
                    if connector.signing_cert_pem
                    else None,
                    retries=2,
                    backoff=0.2,
                    max_backoff=1.0,
                )
                pinned = ledger.pinned(connector.endpoint)
                if pinned and not connector.signing_cert_pem:
                    connector.signing_cert_pem = pinned.decode()
            finally:
                ledger.close()
