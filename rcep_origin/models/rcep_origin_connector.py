import contextlib
import tempfile
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import AccessError

from connectors.single_window import ENDPOINT
from connectors.single_window.signing import fingerprint


class RcepOriginConnector(models.Model):
    """How this company reaches the customs Single Window (SOAP, WS-Security)."""

    _name = "rcep.origin.connector"
    _inherit = ["mail.thread"]
    _description = "RCEP Single Window connector"

    name = fields.Char(required=True, default="Single Window", tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company, tracking=True
    )
    endpoint = fields.Char(required=True, default=ENDPOINT, tracking=True)
    username = fields.Char(groups="base.group_system", tracking=True)
    # never tracked: a password is not written into the chatter
    password = fields.Char(groups="base.group_system", help="Never logged or stored elsewhere.")
    connect_timeout = fields.Float(
        "Connect timeout (seconds)",
        default=5.0,
        tracking=True,
        help="How long to wait for the Single Window to accept the connection, in seconds.",
    )
    operation_timeout = fields.Float(
        "Operation timeout (seconds)",
        default=30.0,
        tracking=True,
        help="How long to wait for the Single Window's answer to a request, in seconds.",
    )
    verify_tls = fields.Boolean("Verify TLS certificates", default=True, tracking=True)
    signing_cert_pem = fields.Text("Pinned signing certificate", groups="base.group_system")
    signing_fingerprint = fields.Char(
        "Signing certificate SHA-256",
        compute="_compute_signing_fingerprint",
        store=True,
        help="Fingerprint of the customs signing certificate that certificates must be signed "
        "with; each change is noted in the chatter.",
    )

    @api.depends("signing_cert_pem")
    def _compute_signing_fingerprint(self):
        for connector in self:
            pem = connector.sudo().signing_cert_pem
            connector.signing_fingerprint = fingerprint(pem.encode()) if pem else False

    # --- the administrator's buttons ------------------------------------------------------------

    def action_fetch_signing_certificate(self):
        """Fetch the endpoint's published signing certificate: pin it when none is pinned; when
        it differs from the pinned one, ask the administrator to confirm before replacing it."""
        from connectors.certificates import certificate_facts
        from connectors.single_window.client import SingleWindowError

        self.ensure_one()
        self._rcep_check_administrator()
        connector = self.sudo()
        try:
            with self._client() as client:  # the endpoint, timeouts and TLS setting as for sending
                published = client.fetch_signing_certificate()
        except SingleWindowError as error:
            return self._rcep_notify(self._rcep_fetch_failure(error), "danger")
        facts = certificate_facts(published)  # read by the client already
        published = published.decode("utf-8", "replace")
        if not connector.signing_cert_pem:
            self._rcep_pin(published)
            return self._rcep_notify(
                self.env._(
                    "Signing certificate pinned (fingerprint %(fingerprint)s), valid until "
                    "%(until)s.",
                    fingerprint=facts["fingerprint"],
                    until=facts["not_after"].strftime("%Y-%m-%d"),
                ),
                "success",
            )
        if facts["fingerprint"] == connector.signing_fingerprint:
            return self._rcep_notify(
                self.env._("The published signing certificate is the pinned one: nothing changed."),
                "info",
            )
        wizard = self.env["rcep.origin.connector.pin"].create(
            {"connector_id": self.id, "new_cert_pem": published}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Replace the pinned signing certificate?"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_test_connection(self):
        """Ask for the status of an unknown declaration: NOT_FOUND means the endpoint answers
        and accepts the credentials."""
        from connectors.single_window.client import SingleWindowError

        self.ensure_one()
        self._rcep_check_administrator()  # it runs with the stored credentials
        try:
            with self._client() as client:
                client.status("00000000-0000-4000-8000-000000000000")
        except Exception as exc:  # whatever it is, the administrator reads a sentence
            from connectors.single_window.client import _classify

            error = exc if isinstance(exc, SingleWindowError) else _classify(exc)
            return self._rcep_notify(self._rcep_failure(error), "danger")
        return self._rcep_notify(
            self.env._("The Single Window answered and accepted the credentials."), "success"
        )

    def _rcep_check_administrator(self):
        """The buttons are for system administrators; so are the methods behind them (they can
        be called without the button)."""
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(
                self.env._("Only an administrator can test a connector or pin its certificate.")
            )

    def _rcep_pin(self, cert_pem):
        """Pin a signing certificate, and say so in the chatter with the old and new
        fingerprints (the certificate itself is not tracked: it is long, and only for
        administrators)."""
        self.ensure_one()
        old = self.signing_fingerprint
        self.sudo().signing_cert_pem = cert_pem
        if old:
            body = self.env._(
                "Signing certificate replaced: %(old)s → %(new)s.",
                old=old,
                new=self.signing_fingerprint,
            )
        else:
            body = self.env._("Signing certificate pinned: %(new)s.", new=self.signing_fingerprint)
        self.message_post(body=body)

    # --- what the administrator is told -------------------------------------------------------

    def _rcep_notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Single Window"),
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
            },
        }

    def _rcep_unreachable(self, error):
        """A sentence for a Single Window that did not answer (an UNREACHABLE error)."""
        connector = self.sudo()
        if error.timed_out:
            return self.env._(
                "The Single Window at %(endpoint)s did not answer within the timeouts "
                "(%(connect)s seconds to connect, %(operation)s seconds to answer): try again "
                "later, or raise the timeouts.",
                endpoint=connector.endpoint,
                # (no f-string inside the call: the translation extractor would evaluate it)
                connect=format(connector.connect_timeout, "g"),
                operation=format(connector.operation_timeout, "g"),
            )
        return self.env._(
            "The Single Window at %(endpoint)s could not be reached: check the endpoint "
            "address and the network, and that the service is running.",
            endpoint=connector.endpoint,
        )

    def _rcep_tls_untrusted(self):
        return self.env._(
            "The TLS certificate of the Single Window at %(endpoint)s could not be "
            "verified: check the endpoint address, or ask your IT which certificate "
            "authority to trust.",
            endpoint=self.sudo().endpoint,
        )

    def _rcep_failure(self, error):
        """A sentence for a SingleWindowError (its code, not its technical message)."""
        connector = self.sudo()
        if error.code == "UNREACHABLE":
            return self._rcep_unreachable(error)
        if error.code == "TLS_UNTRUSTED":
            return self._rcep_tls_untrusted()
        if error.code.startswith("AUTHENTICATION"):
            return self.env._(
                "The Single Window refused the user name or password (%(code)s): check them "
                "on this connector.",
                code=error.code,
            )
        if error.code.startswith("HTTP_"):
            return self.env._(
                "The Single Window at %(endpoint)s answered with an HTTP error (%(code)s): "
                "check the endpoint address; if it is right, the service has a problem.",
                endpoint=connector.endpoint,
                code=error.code,
            )
        return self.env._(
            "The test failed (%(code)s): %(message)s", code=error.code, message=error.message
        )

    def _rcep_fetch_failure(self, error):
        """A sentence for a SingleWindowError of Fetch signing certificate."""
        connector = self.sudo()
        if error.code == "NO_SIGNING_CERTIFICATE":
            return self.env._(
                "The Single Window at %(endpoint)s published no signing certificate (HTTP "
                "%(status)s): check the endpoint address.",
                endpoint=connector.endpoint,
                status=error.http_status,
            )
        if error.code == "SIGNING_CERTIFICATE_UNREADABLE":
            return self.env._(
                "The Single Window at %(endpoint)s published a signing certificate that "
                "cannot be read; nothing was changed.",
                endpoint=connector.endpoint,
            )
        if error.code in ("UNREACHABLE", "TLS_UNTRUSTED"):
            return self._rcep_failure(error)
        return self.env._(
            "The signing certificate could not be fetched (%(code)s): %(message)s; nothing "
            "was changed.",
            code=error.code,
            message=error.message,
        )

    def _rcep_submit(self, declaration_xml, sent_before=False):
        """Send one declaration and return the client's Outcome (raises SingleWindowError).
        ``sent_before``: it left once and its answer was never seen, so the client asks the
        Single Window for its status before sending it again (same key: never doubled)."""
        from connectors.single_window.client import SingleWindowError

        self.ensure_one()
        if not self.sudo().signing_cert_pem:
            # never trusted on first use: whoever answers first (the default endpoint is plain
            # HTTP) would choose the certificate every later one is checked against
            raise SingleWindowError(
                "NO_SIGNING_CERTIFICATE",
                "no signing certificate is pinned on the connector; an administrator pins it "
                "with Fetch signing certificate",
            )
        with self._client() as client:
            return client.submit(declaration_xml, sent_before=sent_before)

    @contextlib.contextmanager
    def _client(self):
        """A SOAP client for one run. The Odoo records are the durable store; the client's own
        ledger lives only for the run and is removed after it. The signing certificate is the
        one an administrator pinned on the connector (`_rcep_submit` sends nothing without)."""
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
            finally:
                ledger.close()


class RcepOriginConnectorPin(models.TransientModel):
    """The administrator compares the pinned signing certificate with the one the Single Window
    now publishes, and replaces it or keeps it."""

    _name = "rcep.origin.connector.pin"
    _description = "Replace the pinned Single Window signing certificate"

    connector_id = fields.Many2one("rcep.origin.connector", required=True, ondelete="cascade")
    new_cert_pem = fields.Text("Published signing certificate", required=True)
    old_fingerprint = fields.Char("Pinned: SHA-256", compute="_compute_facts")
    old_subject = fields.Char("Pinned: subject", compute="_compute_facts")
    old_valid_from = fields.Datetime("Pinned: valid from", compute="_compute_facts")
    old_valid_until = fields.Datetime("Pinned: valid until", compute="_compute_facts")
    new_fingerprint = fields.Char("Published: SHA-256", compute="_compute_facts")
    new_subject = fields.Char("Published: subject", compute="_compute_facts")
    new_valid_from = fields.Datetime("Published: valid from", compute="_compute_facts")
    new_valid_until = fields.Datetime("Published: valid until", compute="_compute_facts")

    @api.depends("connector_id", "new_cert_pem")
    def _compute_facts(self):
        from connectors.certificates import NotACertificate, certificate_facts

        def facts(pem):
            try:
                found = certificate_facts(pem.encode()) if pem else {}
            except NotACertificate:
                found = {}
            naive = {
                key: found[key].replace(tzinfo=None) if key in found else False
                for key in ("not_before", "not_after")
            }
            return found.get("fingerprint", False), found.get("subject", False), naive

        for wizard in self:
            old = facts(wizard.connector_id.sudo().signing_cert_pem)
            new = facts(wizard.new_cert_pem)
            wizard.old_fingerprint, wizard.old_subject = old[0], old[1]
            wizard.old_valid_from, wizard.old_valid_until = (
                old[2]["not_before"],
                old[2]["not_after"],
            )
            wizard.new_fingerprint, wizard.new_subject = new[0], new[1]
            wizard.new_valid_from, wizard.new_valid_until = (
                new[2]["not_before"],
                new[2]["not_after"],
            )

    def action_replace(self):
        """Pin the published certificate (the chatter shows the old and new fingerprints)."""
        self.ensure_one()
        self.connector_id._rcep_pin(self.new_cert_pem)
        return {"type": "ir.actions.act_window_close"}
