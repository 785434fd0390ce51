import base64
import json
import logging
import uuid
from decimal import Decimal
from pathlib import Path

from odoo import _, api, fields, models

from .rcep_origin_evaluation import isolated

_logger = logging.getLogger(__name__)
# UN/ECE Recommendation 20 codes of Odoo's units (by external id: names are translated)
UNECE = {
    "uom.product_uom_unit": "PCE",
    "uom.product_uom_dozen": "DZN",
    "uom.product_uom_kgm": "KGM",
    "uom.product_uom_gram": "GRM",
    "uom.product_uom_ton": "TNE",
    "uom.product_uom_lb": "LBR",
    "uom.product_uom_oz": "ONZ",
    "uom.product_uom_meter": "MTR",
    "uom.product_uom_millimeter": "MMT",
    "uom.product_uom_cm": "CMT",
    "uom.product_uom_km": "KMT",
    "uom.uom_square_meter": "MTK",
    "uom.product_uom_litre": "LTR",
    "uom.product_uom_cubic_meter": "MTQ",
}


class RcepOriginDeclaration(models.Model):
    """A certificate application to the customs Single Window for a confirmed order. Made at
    confirmation; built, validated against the XSD and sent by the job that runs right after
    the commit (never inside the confirmation's transaction, where a salesman waits), with an
    idempotency key generated once, so that a crash or a rollback at any point neither loses
    nor doubles a certificate."""

    _name = "rcep.origin.declaration"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "RCEP certificate of origin declaration"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda s: s.env.company
    )
    sale_order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, ondelete="restrict"
    )
    connector_id = fields.Many2one("rcep.origin.connector", readonly=True)
    idempotency_key = fields.Char(
        required=True, readonly=True, copy=False, index=True, default=lambda s: str(uuid.uuid4())
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_submit", "To submit"),
            ("submitted", "Submitted"),
            ("issued", "Issued"),
            ("rejected", "Rejected"),
            ("error", "Error"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    request_attachment_id = fields.Many2one("ir.attachment", "Declaration XML", readonly=True)
    certificate_attachment_id = fields.Many2one(
        "ir.attachment", "Signed certificate", readonly=True
    )
    reference_number = fields.Char(readonly=True, tracking=True)
    certificate_number = fields.Char(readonly=True, tracking=True, index=True)
    issued_at = fields.Char("Issued at", readonly=True)
    certificate_format = fields.Char(readonly=True)
    signature_verified = fields.Boolean(readonly=True)
    rejection = fields.Text("Rejection reasons", readonly=True)
    last_error = fields.Text(readonly=True)
    error_transient = fields.Boolean(readonly=True, help="The cron tries again.")
    attempts = fields.Integer(readonly=True)
    note = fields.Char(readonly=True)
    build_pending = fields.Boolean(
        readonly=True, index=True, help="To be built and validated by the job"
    )
    evaluation_ids = fields.Many2many(
        "rcep.origin.evaluation", string="Evaluations of the items", readonly=True
    )

    @api.depends("sale_order_id", "certificate_number")
    def _compute_name(self):
        for declaration in self:
            declaration.name = declaration.certificate_number or _(
                "Declaration for %s", declaration.sale_order_id.name
            )

    # --- made at confirmation, built right after ----------------------------------------------

    @api.model
    def _rcep_prepare(self, order, evaluations):
        """The declaration of an order's qualifying lines, to be built by the job right after
        the commit. Returns it (empty when nothing qualifies)."""
        qualifying = evaluations.filtered(lambda e: e.verdict == "originating")
        if not qualifying:
            return self.browse()
        connector = self.env["rcep.origin.connector"].search(
            [("company_id", "=", order.company_id.id)], limit=1
        )
        # no "created" message: the order's chatter and the state tracking tell the story
        return self.with_context(mail_create_nolog=True).create(
            {
                "sale_order_id": order.id,
                "company_id": order.company_id.id,
                "connector_id": connector.id,
                "evaluation_ids": [(6, 0, qualifying.ids)],
                "build_pending": True,
                "note": _("Being built and validated."),
            }
        )

    def _rcep_build(self):
        """Build and validate the declaration XML and queue it (auto-submit on and a connector
        set), or keep it as a draft that says why."""
        from connectors.declaration import DeclarationError, build, to_xml
        from connectors.xmlsafe import SchemaInvalid

        self.ensure_one()
        order = self.sale_order_id
        data = self._rcep_shipment(order, self.evaluation_ids)
        reference = self.env["rcep.origin.psr"]._rcep_reference()
        try:
            xml = to_xml(build(data, Path("."), reference))
        except (DeclarationError, SchemaInvalid) as exc:
            self.write({"build_pending": False, "note": _("Not queued: %s", str(exc)[:300])})
            return
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"rcep-declaration-{self.idempotency_key}.xml",
                "raw": xml,
                "mimetype": "application/xml",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        queue = bool(self.connector_id) and order.company_id.rcep_auto_submit
        if queue:
            note = False
        elif not self.connector_id:
            note = _("No Single Window connector.")
        else:
            note = _("Automatic submission is off: queue it to send it.")
        self.write(
            {
                "request_attachment_id": attachment.id,
                "state": "to_submit" if queue else "draft",
                "build_pending": False,
                "note": note,
            }
        )

    def _rcep_withdraw(self):
        """The order was cancelled: what was never sent stays a draft that says so. What was
        sent is left to settle (the Single Window may have issued it)."""
        unsent = self.filtered(lambda d: d.state in ("draft", "to_submit") and not d.attempts)
        unsent.write(
            {
                "state": "draft",
                "build_pending": False,
                "note": _("The order was cancelled: not sent."),
            }
        )

    def action_queue(self):
        """Queue a built declaration for the Single Window (the cron sends it)."""
        for declaration in self:
            if (
                declaration.state == "draft"
                and declaration.request_attachment_id
                and declaration.connector_id
                and declaration.sale_order_id.state != "cancel"
            ):
                declaration.write({"state": "to_submit", "note": False})
        self.env.ref("rcep_origin.ir_cron_submit_declarations")._trigger()

    def action_send_to_customer(self):
        """Open the mail composer with the summary PDF and the signed certificate."""
        self.ensure_one()
        template = self.env.ref("rcep_origin.mail_template_rcep_certificate")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "force_email": True,
            },
        }

    def _rcep_signing_fingerprint(self):
        from connectors.single_window.signing import fingerprint

        pem = self.connector_id.sudo().signing_cert_pem
        return fingerprint(pem.encode()) if pem else ""

    def _rcep_certificate_items(self):
        """The certificate's items, read from the signed XML (for the summary report)."""
        from connectors.summary_pdf import certificate_items

        if not self.certificate_attachment_id:
            return []
        return certificate_items(self.certificate_attachment_id.raw)

    def _rcep_unece_quantity(self, quantity, uom):
        """The quantity with a UN/ECE unit code: in its own unit when it has one, else in the
        reference unit of its category (a custom "Box of 10" becomes pieces)."""
        codes = {}
        for xmlid, code in UNECE.items():
            record = self.env.ref(xmlid, raise_if_not_found=False)
            if record:
                codes[record.id] = code
        if uom.id in codes:
            return quantity, codes[uom.id]
        reference = uom.category_id.uom_ids.filtered(lambda u: u.uom_type == "reference")[:1]
        if reference.id in codes:
            return uom._compute_quantity(quantity, reference, round=False), codes[reference.id]
        return quantity, ""  # the schema refuses it: the declaration stays a draft, and says so

    def _rcep_shipment(self, order, evaluations):
        company, partner = order.company_id, order.partner_shipping_id

        def address(p):
            return (
                ", ".join(filter(None, [p.street, p.street2, p.zip, p.city, p.country_id.name]))
                or p.name
            )

        items = []
        for evaluation in evaluations:
            good = json.loads(evaluation.goods_json, parse_float=Decimal)["good"]
            line = evaluation.sale_line_id
            quantity, unit = self._rcep_unece_quantity(line.product_uom_qty, line.product_uom)
            items.append(
                {
                    "good": good,
                    "marks_and_numbers": line.rcep_marks or "N/M",
                    "packages": {
                        "number": line.rcep_package_count,
                        "kind": line.rcep_package_kind or "",
                    },
                    "quantity": {"value": repr(quantity), "unit": unit},
                    "description": line.product_id.name,
                }
            )
        departure = order._rcep_shipment_day()
        return {
            "idempotency_key": self.idempotency_key,
            "declaration_date": fields.Date.to_string(fields.Date.context_today(self)),
            "currency": company.currency_id.name,
            "exporter": {
                "name": company.name,
                "address": address(company.partner_id),
                "country": company.country_id.code,
                "customs_code": company.rcep_customs_code or "",
            },
            "importer": {
                "name": partner.commercial_partner_id.name,
                "address": address(partner),
                "country": partner.country_id.code,
            },
            "transport": {
                "departure_date": fields.Date.to_string(departure),
                "means": order.rcep_transport_means or "SEA",
                "vessel_or_flight": order.rcep_vessel_or_flight or "",
                "port_of_loading": order.rcep_port_of_loading or "",
                "port_of_discharge": order.rcep_port_of_discharge or "",
            },
            "invoices": [
                {
                    "number": order.name,
                    "date": fields.Date.to_string(fields.Date.to_date(order.date_order)),
                }
            ],
            "items": items,
        }

    # --- sending, from the cron ---------------------------------------------------------------

    def _rcep_attach_certificate(self, number, signed_xml):
        """The signed certificate on the order and on its invoices (and on this declaration)."""
        Attachment = self.env["ir.attachment"]
        name = f"RCEP-CO-{number}.xml"
        attachment = Attachment.create(
            {
                "name": name,
                "raw": signed_xml,
                "mimetype": "application/xml",
                "res_model": "sale.order",
                "res_id": self.sale_order_id.id,
            }
        )
        for invoice in self.sale_order_id.invoice_ids:
            Attachment.create(
                {
                    "name": name,
                    "raw": signed_xml,
                    "mimetype": "application/xml",
                    "res_model": "account.move",
                    "res_id": invoice.id,
                }
            )
        return attachment

    @api.model
    def _cron_submit(self):
        """Finish what order confirmation left (evaluations' material lines, declarations to
        build), send what is queued, settle what was sent without a known answer, retry
        transient errors; each record in its own transaction."""
        commit = not self.env.context.get("rcep_no_commit")
        Evaluation = self.env["rcep.origin.evaluation"]
        for evaluation in Evaluation.search([("lines_pending", "=", True)], order="id"):
            isolated(
                evaluation,
                evaluation._rcep_complete_lines,
                lambda exc: {
                    "lines_pending": False,
                    "lines_note": _("The material lines could not be written: %s", exc),
                },
            )
            if commit:
                self.env.cr.commit()
        for declaration in self.search([("build_pending", "=", True)], order="id"):
            isolated(
                declaration,
                declaration._rcep_build,
                lambda exc: {"build_pending": False, "note": _("Not queued: %s", str(exc)[:300])},
            )
            if commit:
                self.env.cr.commit()
        pending = self.search(
            [
                "|",
                ("state", "in", ("to_submit", "submitted")),
                "&",
                ("state", "=", "error"),
                ("error_transient", "=", True),
            ],
            order="id",
        )
        for declaration in pending:
            try:
                declaration._rcep_send()
            except Exception:
                if not commit:
                    raise
                # what was committed stays ("submitted": the next run asks the status first);
                # the others are still sent
                self.env.cr.rollback()
                _logger.exception("RCEP declaration %s: sending failed", declaration.id)
            if commit:
                self.env.cr.commit()  # a crash later keeps what is settled here

    def _rcep_send(self):
        from connectors.single_window.client import SingleWindowError

        self.ensure_one()
        if not self.connector_id or not self.request_attachment_id:
            return
        xml = base64.b64decode(self.request_attachment_id.datas)
        self.write({"state": "submitted", "attempts": self.attempts + 1})
        if not self.env.context.get("rcep_no_commit"):
            self.env.cr.commit()  # "submitted" is known before anything leaves
        with self.connector_id._client() as client:
            client.ledger.record(self.idempotency_key, xml, client.endpoint)
            if self.attempts > 1:  # sent before, answer unknown: the client asks first
                client.ledger.count_attempt(self.idempotency_key)
            try:
                outcome = client.submit(xml)
            except SingleWindowError as error:
                self.write(
                    {"state": "error", "last_error": str(error), "error_transient": error.transient}
                )
                return
        entry = outcome.entry
        values = {
            "reference_number": entry.reference_number,
            "last_error": False,
            "error_transient": False,
        }
        if entry.state == "issued":
            attachment = self._rcep_attach_certificate(
                entry.certificate_number, outcome.certificate_xml
            )
            values.update(
                state="issued",
                certificate_number=entry.certificate_number,
                issued_at=entry.issued_at,
                certificate_format=entry.certificate_format,
                signature_verified=True,
                certificate_attachment_id=attachment.id,
            )
        elif entry.state == "rejected":
            values.update(
                state="rejected",
                rejection="\n".join(
                    f"{r['code']} at {r['field_path']}: {r['message']}" for r in outcome.rejection
                ),
            )
        self.write(values)

    # --- the buyer's document: the certificate summary and the mail to the customer ------------
    # (kept together at the end of the file: the report, the mail template and their tests use
    # these; the flow above does not)

    def _rcep_check_issued(self):
        """Refuse a summary of what customs has not issued: a draft has no certificate."""
        from odoo.exceptions import UserError

        pending = self.filtered(lambda d: d.state != "issued" or not d.certificate_attachment_id)
        if pending:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "The certificate summary can be printed or sent only once the Single Window "
                    "has issued the certificate. %(declaration)s is %(state)s.",
                    declaration=pending[0].name,
                    state=states[pending[0].state],
                )
            )

    def _rcep_customer_lang(self):
        """The customer's language for the summary and the mail; English when none is set."""
        return self.sale_order_id.partner_id.lang or "en_US"

    def _rcep_summary(self):
        """What the buyer's summary shows, read from the signed certificate through connectors,
        and only once its signature verifies with the connector's pinned certificate."""
        from odoo.exceptions import UserError

        from connectors.single_window.signing import SignatureInvalid
        from connectors.summary_pdf import verified_certificate

        self.ensure_one()
        self._rcep_check_issued()
        pem = self.connector_id.sudo().signing_cert_pem
        if not pem:
            raise UserError(
                self.env._(
                    "No signing certificate is pinned on the Single Window connector: the "
                    "signature of %(certificate)s cannot be checked. Ask an administrator to "
                    "fetch it (Single Window connectors, Fetch signing certificate).",
                    certificate=self.certificate_number,
                )
            )
        try:
            summary = verified_certificate(self.certificate_attachment_id.sudo().raw, pem)
        except SignatureInvalid:
            raise UserError(
                self.env._(
                    "The signed certificate %(certificate)s does not verify with the signing "
                    "certificate pinned on the connector: no summary is made of it. If the "
                    "signing certificate was replaced since, ask customs for the certificate "
                    "signed with the new one.",
                    certificate=self.certificate_number,
                )
            ) from None
        summary["issued_local"] = self._rcep_exporter_time(summary["issued_at"])
        summary["criteria"] = self._rcep_criteria_meanings(summary["items"])
        means = summary["transport"]["means"]
        summary["means_label"] = {
            "SEA": self.env._("Sea"),
            "AIR": self.env._("Air"),
            "ROAD": self.env._("Road"),
            "RAIL": self.env._("Rail"),
            "MULTIMODAL": self.env._("Multimodal"),
        }.get(means, means)
        summary["countries"] = {
            country.code: country.name for country in self.env["res.country"].search([])
        }
        for item in summary["items"]:
            value = item["quantity_value"]
            item["quantity_display"] = value.rstrip("0").rstrip(".") if "." in value else value
        return summary

    def _rcep_wrappable(self, text):
        """``text`` with a line-break opportunity after each separator (/ - . , : ;), so that
        a long mark, vessel or port wraps between its groups of characters (the cell's
        break-word is the last resort, for a group longer than the cell)."""
        import re

        from markupsafe import Markup, escape

        parts = re.split(r"(?<=[/\-.,:;])", text or "")
        return Markup("<wbr/>").join(escape(part) for part in parts if part)

    def _rcep_exporter_time(self, issued_at):
        """The issuance time in the exporter's time zone with its offset, e.g.
        "2026-11-18 17:14:05 (UTC+08:00, Asia/Shanghai)". The zone is the company's address's
        (Settings), else that of its country when it has one zone only, else UTC."""
        from datetime import datetime
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        import pytz

        moment = datetime.fromisoformat(issued_at.replace("Z", "+00:00"))
        company = self.company_id
        name = company.partner_id.tz
        if not name and company.country_id.code:
            zones = pytz.country_timezones.get(company.country_id.code, [])
            # one zone, or China's one official time (Asia/Shanghai)
            name = zones[0] if len(zones) == 1 or company.country_id.code == "CN" else None
        try:
            zone = ZoneInfo(name or "UTC")
        except ZoneInfoNotFoundError:
            zone = ZoneInfo("UTC")
        local = moment.astimezone(zone)
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]}, {zone.key})"

    def _rcep_criteria_meanings(self, items):
        """The meaning of each origin criterion and annotation the items use, for the footnote
        (Form RCEP box 10)."""
        _ = self.env._
        meanings = {
            "WO": _("wholly obtained or produced in a Party (Art 3.3)"),
            "PE": _("produced in a Party exclusively from originating materials (Art 3.2(b))"),
            "CTC": _("change in tariff classification, as Annex 3A requires"),
            "RVC": _("regional value content, as Annex 3A requires; the FOB value is shown"),
            "CR": _("chemical reaction, as Annex 3A requires"),
            "ACU": _(
                "accumulation: originating materials of other RCEP Parties count as "
                "originating (Art 3.4)"
            ),
            "DMI": _("de minimis: a small share of non-originating materials is allowed (Art 3.7)"),
        }
        used = []
        for item in items:
            for code in [item["base_criterion"], *item["annotations"]]:
                if code not in used:
                    used.append(code)
        return [(code, meanings.get(code, "")) for code in used]

    def _process_attachments_for_template_post(self, mail_template):
        """The mail to the customer carries the signed XML certificate beside the summary."""
        result = super()._process_attachments_for_template_post(mail_template)
        if mail_template == self.env.ref(
            "rcep_origin.mail_template_rcep_certificate", raise_if_not_found=False
        ):
            self._rcep_check_issued()
            for declaration in self:
                result.setdefault(declaration.id, {}).setdefault("attachment_ids", []).append(
                    declaration.certificate_attachment_id.id
                )
        return result
