"""The buyer's verification of an issued certificate: a public page on the exporter's Odoo
(``/rcep/verify/<token>``), linked from the certificate summary by a QR code and its address.

The token is random (``secrets.token_urlsafe``, 160 bits), made when the certificate is issued
(or, for certificates issued before, on upgrade and at the first print), kept per declaration
and revocable there by an RCEP manager; a revoked link can be replaced by a new one. It is
found by the SHA-256 of the token (indexed, unique), then compared in constant time; the page
reads the declaration as superuser only once the token matched. What the page shows is read
from the signed certificate once its signature verifies (``_rcep_summary``): nothing that the
certificate does not already say, no cost, bill of materials, supplier or evaluation."""

import base64
import hashlib
import logging
import re
import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, consteq

TOKEN_BYTES = 20  # 160 bits of randomness: 27 URL-safe characters
# what a token can look like (anything else is not looked up, and answered "not found")
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
SIGNING_CERTIFICATE_NAME = "customs-signing-certificate.pem"

_logger = logging.getLogger(__name__)


def token_hash(token):
    """The SHA-256 (hex) of a verification token, by which its declaration is found."""
    return hashlib.sha256(token.encode()).hexdigest()


class RcepOriginDeclaration(models.Model):
    _inherit = "rcep.origin.declaration"

    verification_state = fields.Selection(
        [("active", "Active"), ("revoked", "Revoked")],
        "Buyer verification",
        readonly=True,
        copy=False,
        help="Active: the certificate summary carries a QR code and a link to a public page "
        "that shows this certificate as issued, with its signed XML. Revoked: that link "
        'answers "not found"; a manager can make a new one.',
    )
    verification_token = fields.Char(readonly=True, copy=False)
    verification_token_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    verification_url = fields.Char("Verification page", compute="_compute_verification_url")

    _sql_constraints = [
        (
            "verification_token_hash_unique",
            "unique(verification_token_hash)",
            "A verification link belongs to one certificate only.",
        )
    ]

    @api.depends("verification_token", "verification_state")
    def _compute_verification_url(self):
        for declaration in self:
            declaration.verification_url = (
                declaration.verification_state == "active"
                and declaration.verification_token
                and f"{declaration.get_base_url()}/rcep/verify/{declaration.verification_token}"
            )

    # --- made with the certificate ------------------------------------------------------------

    def _rcep_write_outcome(self, outcome, error):
        # EXTENDS rcep_origin.declaration (the flow): an issued certificate gets its link
        super()._rcep_write_outcome(outcome, error)
        self._rcep_ensure_verification()

    def _rcep_ensure_verification(self):
        """Give each issued declaration that never had one its verification link (a revoked
        one is left revoked: only a manager makes a new one)."""
        for declaration in self.filtered(
            lambda d: d.state == "issued" and not d.verification_state
        ):
            declaration._rcep_new_verification_token()

    @api.model
    def _rcep_ensure_verification_all(self):
        """On install and upgrade: the links of the certificates issued before there were."""
        self.sudo().search(
            [("state", "=", "issued"), ("verification_state", "=", False)]
        )._rcep_ensure_verification()

    def _rcep_new_verification_token(self):
        self.ensure_one()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.sudo().write(
            {
                "verification_token": token,
                "verification_token_hash": token_hash(token),
                "verification_state": "active",
            }
        )

    # --- actions ------------------------------------------------------------------------------

    def action_rcep_revoke_verification(self):
        """Withdraw the buyer's verification link: the page and the XML download answer "not
        found" from now on, exactly as for a link that never existed."""
        self.check_access("write")
        for declaration in self.filtered(lambda d: d.verification_state == "active"):
            declaration.sudo().write(
                {
                    "verification_token": False,
                    "verification_token_hash": False,
                    "verification_state": "revoked",
                }
            )
            declaration.message_post(
                body=self.env._(
                    "Buyer verification link revoked: the page and its signed XML now answer "
                    '"not found". Summaries printed before carry a link that no longer works.'
                ),
                subtype_xmlid="mail.mt_note",
            )

    def action_rcep_new_verification(self):
        """A new verification link for a certificate whose link was revoked; summaries printed
        from now on carry it, the old link stays dead."""
        self.check_access("write")
        for declaration in self:
            if declaration.state != "issued" or declaration.verification_state == "active":
                raise UserError(
                    self.env._(
                        "%(name)s already has a working verification link, or has no issued "
                        "certificate: a new link is made only for an issued certificate whose "
                        "link was revoked.",
                        name=declaration.name,
                    )
                )
            declaration._rcep_new_verification_token()
            declaration.message_post(
                body=self.env._(
                    "New buyer verification link made: summaries printed or sent from now on "
                    "carry it; the revoked link stays revoked."
                ),
                subtype_xmlid="mail.mt_note",
            )

    # --- the summary's QR code ----------------------------------------------------------------

    def _rcep_verification_print_values(self):
        """The link and its QR code (a PNG data URI, which renders in the HTML and in the PDF
        without any request back to the server) for the summary; empty once revoked."""
        self.ensure_one()
        url = self.verification_url
        if not url:
            return {}
        png = self.env["ir.actions.report"].barcode("QR", url, width=240, height=240, barLevel="M")
        return {"url": url, "qr": "data:image/png;base64," + base64.b64encode(png).decode()}

    # --- the public page ----------------------------------------------------------------------

    @api.model
    def _rcep_verification_lookup(self, token, address):
        """What the public page answers a request for ``token`` from client ``address``:
        ``("throttled", empty)`` when that address asked too often, else ``("found",
        declaration as superuser)`` or ``("not_found", empty)`` (unknown and revoked alike),
        the request counted either way."""
        Throttle = self.env["rcep.origin.verification.throttle"]
        if not Throttle._rcep_admit(address):
            return "throttled", self.browse()
        declaration = self._rcep_find_by_verification_token(token)
        Throttle._rcep_count(address, found=bool(declaration))
        return ("found" if declaration else "not_found"), declaration

    @api.model
    def _rcep_find_by_verification_token(self, token):
        """The declaration whose active link is ``token``, as superuser, or an empty
        recordset. Found by the token's hash (plain SQL: the visitor has no access to
        declarations, and none is given before the token matched), then compared in constant
        time."""
        if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
            return self.browse()
        self.flush_model(
            ["state", "verification_token", "verification_token_hash", "verification_state"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT id, verification_token FROM %s WHERE verification_token_hash = %s "
                "AND verification_state = 'active' AND state = 'issued'",
                SQL.identifier(self._table),
                token_hash(token),
            )
        )
        row = self.env.cr.fetchone()
        if not row or not consteq(row[1].encode(), token.encode()):
            return self.browse()
        return self.browse(row[0]).sudo()

    def _rcep_verification_page_values(self):
        """What the public page shows of this certificate, in the customer's language: what
        the signed certificate says, read once its signature verifies with the customs signing
        certificate pinned on the connector; ``verified`` False (and nothing of the content)
        when it does not."""
        self.ensure_one()
        lang = self._rcep_customer_lang()
        declaration = self.with_context(lang=lang)
        token = self.verification_token
        xml_name = self.certificate_attachment_id.name or f"RCEP-CO-{self.certificate_number}.xml"
        values = {
            "lang": lang,
            "xml_url": f"/rcep/verify/{token}/{xml_name}",
            "pem_url": f"/rcep/verify/{token}/{SIGNING_CERTIFICATE_NAME}",
            "xml_name": xml_name,
            "pem_name": SIGNING_CERTIFICATE_NAME,
            "command": f"rcep-origin verify {xml_name} --signing-cert {SIGNING_CERTIFICATE_NAME}",
        }
        try:
            summary = declaration._rcep_summary()
        except UserError as refusal:  # the signature does not verify, or nothing to verify with
            _logger.warning("Buyer verification page of %s: %s", self.certificate_number, refusal)
            return values | {"verified": False}
        countries = summary["countries"]

        def party(values):
            country = countries.get(values["country"], values["country"])
            address = values["address"]
            return {
                "name": values["name"],
                "address": address if address.endswith(country) else f"{address}, {country}",
            }

        return values | {
            "verified": True,
            "certificate_number": summary["certificate_number"],
            "reference_number": summary["reference_number"],
            "issued_at": summary["issued_local"],
            "format": summary["format"],
            "issuing_body": party(summary["issuing_body"]),
            "exporter": party(summary["exporter"]),
            "importer": party(summary["importer"]),
            "items": [
                {
                    "number": item["number"],
                    "description": item["description"],
                    "hs": item["hs"][:6],
                    "criterion": item["criterion"],
                    "origin": countries.get(item["origin"], item["origin"]),
                }
                for item in summary["items"]
            ],
            "criteria": summary["criteria"],
            "fingerprint": summary["signing_fingerprint"],
        }

    def _rcep_verification_file(self, name):
        """The file the page offers under ``name``: the signed certificate exactly as issued,
        or the customs signing certificate it verifies with. Returns (mimetype, content), or
        None for any other name."""
        self.ensure_one()
        attachment = self.certificate_attachment_id
        if name == (attachment.name or f"RCEP-CO-{self.certificate_number}.xml"):
            return "application/xml", attachment.raw
        pem = self.connector_id.signing_cert_pem
        if name == SIGNING_CERTIFICATE_NAME and pem:
            return "application/x-pem-file", pem.encode()
        return None
