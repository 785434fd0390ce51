"""Supplier declarations answered on the supplier portal: the Submitted state (proves nothing),
the RCEP user's approval or refusal with a reason, and the inbound certificate check (a signed
RCEP certificate of origin in our XML format, verified with the customs signing certificate
pinned on the Single Window connector, naming the vendor and the product's HS code)."""

import re
from datetime import date, timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError

CRITERIA = ("WO", "PE", "CTC", "RVC", "CR")


def _normalised(name):
    """A company name compared without case, punctuation or spacing."""
    return re.sub(r"[\W_]+", "", (name or "").casefold())


def _hs6(code):
    return re.sub(r"\D", "", code or "")[:6]


class RcepOriginSupplierDeclaration(models.Model):
    _inherit = "rcep.origin.supplier.declaration"

    state = fields.Selection(
        selection_add=[("draft",), ("submitted", "Submitted"), ("refused", "Refused")],
        ondelete={"submitted": "set default", "refused": "set default"},
    )
    rcep_request_id = fields.Many2one(
        "rcep.origin.supplier.request", "Request", readonly=True, index=True, copy=False
    )
    rcep_request_line_id = fields.Many2one(
        "rcep.origin.supplier.request.line", "Request line", readonly=True, copy=False
    )
    rcep_renews_id = fields.Many2one(
        "rcep.origin.supplier.declaration",
        "Renews",
        readonly=True,
        copy=False,
        help="The vendor's declaration for the same product that this answer renews.",
    )
    rcep_renewal_request_ids = fields.Many2many(
        "rcep.origin.supplier.request",
        "rcep_supplier_request_renewal_rel",
        "declaration_id",
        "request_id",
        string="Renewal requests",
        readonly=True,
    )
    rcep_signatory_name = fields.Char("Signed by", readonly=True, tracking=True)
    rcep_signatory_position = fields.Char("Position", readonly=True)
    rcep_submitted_on = fields.Datetime("Submitted on", readonly=True)
    rcep_refusal_reason = fields.Text("Refusal reason", readonly=True, tracking=True)
    rcep_document = fields.Selection(
        [
            ("none", "No document"),
            ("pdf", "PDF, to check"),
            ("verified", "Signed certificate, verified"),
        ],
        "Document",
        readonly=True,
        default="none",
        help="PDF: a document for you to check before approving. Signed certificate: its "
        "customs signature, the vendor's name and the product's HS code were verified on "
        "arrival.",
    )
    rcep_document_fingerprint = fields.Char("Verified with signing certificate", readonly=True)

    # --- the portal answer (called by the request line, with sudo) ------------------------------

    @api.model
    def _rcep_portal_values(self, line, form):
        """The declaration's values from the portal form, and what is wrong with them."""
        env = self.env
        errors = []
        rfq = line.request_id
        originating = form.get("originating") == "yes"
        if form.get("originating") not in ("yes", "no"):
            errors.append(env._("Say whether the product is originating under RCEP."))
        country = env["res.country"].search([("code", "=", form.get("country") or "")], limit=1)
        if not country:
            errors.append(env._("Choose the country of origin."))
        criterion = form.get("criterion") or False
        if originating and criterion not in CRITERIA:
            errors.append(env._("Choose the origin criterion (WO, PE, CTC, RVC or CR)."))
        today = fields.Date.context_today(self)
        start, end = form.get("valid_from"), form.get("valid_to")
        try:
            start = date.fromisoformat(start) if start else today
            end = date.fromisoformat(end) if end else start + timedelta(days=364)
        except ValueError:
            errors.append(env._("Give the validity dates as dates (year-month-day)."))
            start = end = today
        if end < start:
            errors.append(env._("The declaration cannot end before it starts."))
        name = (form.get("signatory_name") or "").strip()
        position = (form.get("signatory_position") or "").strip()
        if not name or not position:
            errors.append(env._("Sign the declaration: your name and your position."))
        reference = (form.get("reference") or "").strip()
        previous = self.search(
            [
                ("company_id", "=", rfq.company_id.id),
                ("commercial_partner_id", "=", rfq.partner_id.id),
                ("product_tmpl_ids", "in", line.product_tmpl_id.ids),
                ("state", "in", ("valid", "expired")),
            ],
            order="valid_to desc",
            limit=1,
        )
        return {
            "name": reference[:64] or f"{rfq.name}/{line.product_tmpl_id.default_code or line.id}",
            "company_id": rfq.company_id.id,
            "partner_id": rfq.partner_id.id,
            "product_tmpl_ids": [fields.Command.set(line.product_tmpl_id.ids)],
            "origin_country_id": country.id,
            "originating": originating,
            "criterion": criterion if originating else False,
            "proof_type": "SUPPLIER_DECLARATION",
            "valid_from": start,
            "valid_to": end,
            "state": "submitted",
            "rcep_request_id": rfq.id,
            "rcep_request_line_id": line.id,
            "rcep_renews_id": previous.id,
            "rcep_signatory_name": name[:128],
            "rcep_signatory_position": position[:128],
            "rcep_submitted_on": fields.Datetime.now(),
        }, errors

    @api.model
    def _rcep_portal_document(self, line, filename, content):
        """What the uploaded document is: a PDF kept for the officer to check, or a signed
        RCEP certificate of origin that must verify. Returns ({name, mimetype, values, note},
        errors); a certificate's own content replaces what was typed in the form."""
        env = self.env
        if len(content) > 10 * 1024 * 1024:
            return {}, [env._("The document is larger than 10 MB.")]
        head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:5]
        if head.startswith(b"%PDF-"):
            return {
                "name": filename,
                "mimetype": "application/pdf",
                "values": {"rcep_document": "pdf"},
            }, []
        if head.startswith(b"<"):
            return self._rcep_inbound_certificate(line, filename, content)
        return {}, [
            env._(
                "%s is neither a PDF nor an XML certificate of origin: upload the PDF of "
                "your declaration or the signed XML certificate.",
                filename,
            )
        ]

    @api.model
    def _rcep_inbound_certificate(self, line, filename, content):
        """A signed RCEP certificate of origin, verified with the customs signing certificate
        pinned on the company's Single Window connector (connectors' one safe parser and
        signature check; only the verified element is read), that names the vendor as
        exporter and has an item with the product's HS code."""
        from connectors.single_window.signing import SignatureInvalid
        from connectors.summary_pdf import verified_certificate

        env = self.env
        rfq = line.request_id
        connectors = (
            env["rcep.origin.connector"]
            .sudo()
            .search([("company_id", "=", rfq.company_id.id), ("signing_cert_pem", "!=", False)])
        )
        if not connectors:
            return {}, [
                env._(
                    "%(company)s cannot check signed certificates yet: upload the PDF of the "
                    "certificate instead.",
                    company=rfq.company_id.name,
                )
            ]
        content_read, failure = None, None
        for connector in connectors:
            try:
                content_read = verified_certificate(content, connector.signing_cert_pem)
                break
            except SignatureInvalid as exc:
                failure = exc
        if content_read is None:
            return {}, [
                env._(
                    "%(file)s is not an RCEP certificate of origin signed by customs, and was "
                    "not accepted (%(code)s: %(reason)s). Upload the certificate exactly as "
                    "customs issued it, or its PDF.",
                    file=filename,
                    code=failure.code,
                    reason=str(failure),
                )
            ]
        errors = []
        exporter = (content_read.get("exporter") or {}).get("name", "")
        if _normalised(exporter) != _normalised(rfq.partner_id.name):
            errors.append(
                env._(
                    "The certificate %(number)s names %(exporter)s as exporter, not %(vendor)s.",
                    number=content_read["certificate_number"],
                    exporter=exporter,
                    vendor=rfq.partner_id.name,
                )
            )
        wanted = _hs6(line.product_tmpl_id.hs_code)
        item = next((i for i in content_read["items"] if _hs6(i["hs"]) == wanted), None)
        if not wanted or item is None:
            errors.append(
                env._(
                    "The certificate %(number)s has no item with the HS code of %(product)s "
                    "(%(hs)s).",
                    number=content_read["certificate_number"],
                    product=line.product_tmpl_id.display_name,
                    hs=line.product_tmpl_id.hs_code or "-",
                )
            )
        if errors:
            return {}, errors
        issued = date.fromisoformat(content_read["issued_at"][:10])
        country = env["res.country"].search([("code", "=", item["origin"])], limit=1)
        values = {
            "name": content_read["certificate_number"],
            "proof_type": "RCEP_DO" if "DO" in content_read["format"].upper() else "RCEP_CO",
            "origin_country_id": country.id,
            "originating": True,
            "criterion": item["base_criterion"] if item["base_criterion"] in CRITERIA else False,
            "valid_from": issued,
            # Art 3.16.6: valid for one year from the date of issue
            "valid_to": issued.replace(year=issued.year + 1) - timedelta(days=1),
            "rcep_document": "verified",
            "rcep_document_fingerprint": content_read["signing_fingerprint"],
        }
        note = env._(
            "Signed certificate %(number)s (reference %(reference)s, issued %(issued)s) "
            "verified with the customs signing certificate %(fingerprint)s; its country, "
            "criterion and dates are used.",
            number=content_read["certificate_number"],
            reference=content_read["reference_number"],
            issued=content_read["issued_at"],
            fingerprint=content_read["signing_fingerprint"],
        )
        return {
            "name": filename,
            "mimetype": "application/xml",
            "values": values,
            "note": note,
        }, []

    def _rcep_note_submission(self, line, form, attachment, note=None):
        """The vendor's answer in the declaration's chatter (authored by the vendor), with the
        document, and in the request's."""
        self.ensure_one()
        env = self.env
        body = env._(
            "Submitted on the supplier portal by %(name)s (%(position)s) for %(product)s, "
            "request %(request)s: %(answer)s, %(country)s, valid from %(start)s to %(end)s.",
            name=self.rcep_signatory_name,
            position=self.rcep_signatory_position,
            product=line.product_tmpl_id.display_name,
            request=line.request_id.name,
            answer=env._("originating (%s)", self.criterion)
            if self.originating
            else env._("not originating"),
            country=self.origin_country_id.name,
            start=self.valid_from,
            end=self.valid_to,
        )
        if note:
            body = f"{body}\n{note}"
        if self.rcep_renews_id:
            body = f"{body}\n" + env._("Renews %s.", self.rcep_renews_id.name)
        vendor = line.request_id.partner_id
        # posted as the system on the vendor's behalf: the portal's public user may not attach
        # documents it did not upload through the chatter (mail.thread's own rule)
        self.with_user(SUPERUSER_ID).message_post(
            body=body,
            author_id=vendor.id,
            attachment_ids=attachment.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        line.request_id.message_post(
            body=env._(
                "%(vendor)s answered for %(product)s: %(declaration)s, to review.",
                vendor=vendor.name,
                product=line.product_tmpl_id.display_name,
                declaration=self.name,
            ),
            author_id=vendor.id,
            subtype_xmlid="mail.mt_note",
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=env._("Review the vendor's origin declaration"),
            user_id=line.request_id.user_id.id or env.ref("base.user_admin").id,
        )

    # --- the RCEP user's review ----------------------------------------------------------------

    def action_rcep_approve(self):
        """Submitted -> Valid: the declaration now proves origin for the days it covers. A
        "not originating" answer is approved as the vendor's word (it never proves origin)."""
        self._check_state({"submitted"}, self.env._("Only a submitted declaration is approved."))
        for declaration in self:
            problems = [
                p
                for p in declaration._get_content_errors(declaration.valid_from)
                if declaration.originating
            ]
            if problems:
                raise UserError("\n".join(problems))
        self.write({"state": "valid"})
        self.activity_feedback(["mail.mail_activity_data_todo"])
        for declaration in self:
            declaration.message_post(
                body=self.env._("Approved by %s.", self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_rcep_refuse(self):
        """Open the refusal, to give the vendor the reason."""
        self._check_state({"submitted"}, self.env._("Only a submitted declaration is refused."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refuse the declaration"),
            "res_model": "rcep.origin.supplier.declaration.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_declaration_ids": self.ids},
        }

    def _rcep_refuse(self, reason):
        """Submitted -> Refused, with the reason the vendor reads on the portal (and by mail)."""
        self._check_state({"submitted"}, self.env._("Only a submitted declaration is refused."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the vendor the reason of the refusal."))
        self.write({"state": "refused", "rcep_refusal_reason": reason})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        for declaration in self:
            declaration.message_post(
                body=self.env._(
                    "Refused by %(user)s: %(reason)s", user=self.env.user.name, reason=reason
                ),
                subtype_xmlid="mail.mt_note",
            )
            rfq = declaration.rcep_request_id
            if rfq:
                rfq._rcep_keep_link_open()
            if rfq and rfq.partner_id.email:
                rfq.message_post(
                    body=self.env._(
                        "Your declaration %(name)s was not accepted: %(reason)s Please answer "
                        "again for this product on the portal: %(url)s",
                        name=declaration.name,
                        reason=reason,
                        url=rfq.get_base_url() + rfq.get_portal_url(),
                    ),
                    partner_ids=rfq.partner_id.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
        return True
