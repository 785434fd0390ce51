import json
import logging
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext, plaintext2html

from .. import wording
from .rcep_origin_evaluation_issue import path_products

_logger = logging.getLogger(__name__)

# Warnings that make a material, or the good, non-originating: they say why it does not qualify
DECISIVE_WARNINGS = {
    "PROCESS_MINIMAL",
    "ORIGIN_UNKNOWN",
    "ORIGIN_PROOF_MISSING",
    "ORIGIN_PROOF_EXPIRED",
    "ORIGIN_PROOF_INVALID",
    "PROCESS_MISSING",
    "PSR_PARTIAL",
}

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


class SaleOrder(models.Model):
    _inherit = "sale.order"

    rcep_freight = fields.Monetary(
        "Freight after loading",
        help="For an incoterm other than FOB, FCA or EXW: the freight "
        "included in the price, deducted to find the FOB value (Art 3.1(e)).",
    )
    rcep_insurance = fields.Monetary("Insurance included")
    rcep_duties = fields.Monetary("Import duties and taxes included", help="For DDP.")
    rcep_transport_means = fields.Selection(
        [
            ("SEA", "Sea"),
            ("AIR", "Air"),
            ("ROAD", "Road"),
            ("RAIL", "Rail"),
            ("MULTIMODAL", "Multimodal"),
        ],
        "Means of transport",
        default="SEA",
    )
    rcep_vessel_or_flight = fields.Char("Vessel or flight")
    rcep_port_of_loading = fields.Char("Port of loading")
    rcep_port_of_discharge = fields.Char("Port of discharge")
    rcep_declaration_ids = fields.One2many(
        "rcep.origin.declaration", "sale_order_id", "RCEP declarations", readonly=True
    )
    rcep_applicable = fields.Boolean("RCEP applicable", compute="_compute_rcep_applicable")
    rcep_declaration_required = fields.Boolean(
        "RCEP declaration data required",
        compute="_compute_rcep_declaration_required",
        help="RCEP applies and the company submits declarations automatically: the transport "
        "data and the packages are needed at confirmation.",
    )
    rcep_missing_data = fields.Text(
        "Missing for the RCEP certificate",
        compute="_compute_rcep_missing_data",
        help="What the order's declaration needs and lacks, with where to fill it in.",
    )
    rcep_evaluation_ids = fields.One2many(
        "rcep.origin.evaluation", "sale_order_id", "RCEP evaluations", readonly=True
    )
    rcep_status = fields.Selection(
        [("originating", "All originating"), ("not_originating", "Not all originating")],
        "RCEP status",
        compute="_compute_rcep_status",
    )
    rcep_evaluation_count = fields.Integer(compute="_compute_rcep_status")
    # What "Check RCEP origin" found on the quotation (it keeps no evaluation: the order's
    # evaluations are those of its confirmation). Forgotten when what it judged changes.
    rcep_check_status = fields.Selection(
        [("originating", "All originating"), ("not_originating", "Not all originating")],
        "RCEP check",
        compute="_compute_rcep_check_status",
        store=True,
        readonly=False,
        copy=False,
    )
    rcep_checked_at = fields.Datetime(
        "RCEP checked on",
        compute="_compute_rcep_check_status",
        store=True,
        readonly=False,
        copy=False,
    )
    rcep_declaration_count = fields.Integer(compute="_compute_rcep_declaration")
    rcep_declaration_label = fields.Char(
        "RCEP declaration",
        compute="_compute_rcep_declaration",
        help="The certificate number once issued, else the state of the latest declaration.",
    )

    @api.depends(
        "partner_shipping_id.country_id", "company_id.country_id", "date_order", "commitment_date"
    )
    def _compute_rcep_applicable(self):
        for order in self:
            order.rcep_applicable = order._rcep_applicable()

    @api.depends("rcep_applicable", "company_id.rcep_auto_submit", "company_id.rcep_check_mode")
    def _compute_rcep_declaration_required(self):
        for order in self:
            order.rcep_declaration_required = (
                order.rcep_applicable
                and order.company_id.rcep_auto_submit
                and order.company_id.rcep_check_mode != "off"
            )

    @api.depends(
        "rcep_declaration_required",
        "rcep_transport_means",
        "rcep_vessel_or_flight",
        "rcep_port_of_loading",
        "rcep_port_of_discharge",
        "order_line.rcep_package_count",
        "order_line.rcep_package_kind",
        "company_id.rcep_customs_code",
    )
    def _compute_rcep_missing_data(self):
        """Shown on the quotation while it is still a quotation: the data is asked for before
        confirming, never discovered after. Not a blocking requirement: a quotation is often
        made before the shipment is booked, and "Check RCEP origin" must still run on it."""
        for order in self:
            missing = (
                order._rcep_missing_declaration_data()
                if order.rcep_declaration_required and order.state in ("draft", "sent")
                else []
            )
            order.rcep_missing_data = (
                "\n".join(
                    order.env._("- %(label)s: %(path)s", label=label, path=path)
                    for label, path in missing
                )
                or False
            )

    @api.depends("rcep_evaluation_ids.verdict", "rcep_check_status")
    def _compute_rcep_status(self):
        for order in self:
            evaluations = order.rcep_evaluation_ids
            order.rcep_evaluation_count = len(evaluations)
            if not evaluations:
                order.rcep_status = order.rcep_check_status
            elif all(e.verdict == "originating" for e in evaluations):
                order.rcep_status = "originating"
            else:
                order.rcep_status = "not_originating"

    @api.depends(
        "order_line.product_id",
        "order_line.product_uom_qty",
        "order_line.product_uom",
        "order_line.price_subtotal",
        "partner_shipping_id",
        "commitment_date",
        "incoterm",
        "currency_id",
        "rcep_freight",
        "rcep_insurance",
        "rcep_duties",
    )
    def _compute_rcep_check_status(self):
        self.rcep_check_status = False  # the check judged another order: check again
        self.rcep_checked_at = False

    def _rcep_shipment_day(self, confirmed_at=None):
        """The day the goods leave: the delivery date promised, else the day of confirmation
        (``confirmed_at``; once confirmed, the order date). Proofs must be valid and Parties
        in force then, as the Single Window checks it."""
        self.ensure_one()
        when = self.commitment_date or confirmed_at or self.date_order
        if not when:
            return fields.Date.context_today(self)
        # the day where the order is handled, not in UTC: 01:00 in Shanghai is still "today"
        tz = self.user_id.tz or self.company_id.partner_id.tz or self.env.user.tz or "UTC"
        return fields.Datetime.context_timestamp(self.with_context(tz=tz), when).date()

    def _rcep_days(self, confirmed_at):
        """(rate day, shipment day) of this order confirmed at ``confirmed_at``: the FOB's
        exchange rate is the order date's (which confirmation sets to that moment), the
        shipment day decides proofs and Parties in force. Worked out once per confirmation."""
        self.ensure_one()
        return fields.Date.to_date(confirmed_at), self._rcep_shipment_day(confirmed_at)

    def _rcep_applicable(self, day=None):
        """Shipped to an ASEAN RCEP Party in force, by a company in an RCEP Party."""
        self.ensure_one()
        day = day or self._rcep_shipment_day()
        destination = self.partner_shipping_id.country_id
        origin = self.company_id.country_id
        return bool(
            destination
            and origin
            and destination.rcep_asean
            and destination._rcep_in_force_on(day)
            and origin._rcep_in_force_on(day)
        )

    # EXTENDS sale
    def action_confirm(self):
        """RCEP: the goods are evaluated here, once, on the days of this confirmation, before
        sale's own confirmation runs: in block mode a refusal stops it (the reason noted in
        the chatter), otherwise the evaluations are recorded once the orders are confirmed.
        The values pass from the check to the records as a local variable, never through a
        cache, so block and warn mode judge an order on the same days."""
        confirmed_at = fields.Datetime.now()
        checked = []
        for order in self:
            mode = order.company_id.rcep_check_mode
            if mode == "off" or order._confirmation_error_message():
                continue  # sale's own refusal comes first, from super()
            rate_day, shipped = order._rcep_days(confirmed_at)
            if not order._rcep_applicable(shipped):
                continue
            values = order._rcep_line_values(rate_day, shipped)
            if mode == "block":
                message = order._rcep_blocking_message(values)
                if message:
                    order._rcep_note_refusal(message)
                    raise UserError(message)
            checked.append((order, values))
        # as text: a context may be serialised by what the confirmation triggers
        confirming = self.with_context(rcep_confirmed_at=fields.Datetime.to_string(confirmed_at))
        result = super(SaleOrder, confirming).action_confirm()
        for order, values in checked:
            order._rcep_record_confirmation(values)
        return result

    # EXTENDS sale
    def _prepare_confirmation_values(self):
        values = super()._prepare_confirmation_values()
        confirmed_at = self.env.context.get("rcep_confirmed_at")
        if confirmed_at:  # the moment the RCEP evaluation took for the order date
            values["date_order"] = fields.Datetime.to_datetime(confirmed_at)
        return values

    def _rcep_record_confirmation(self, values):
        """The evaluations of a confirmed order, its declaration, and in warn mode a note and
        an activity for an RCEP manager."""
        self.ensure_one()
        evaluations = (
            self.env["rcep.origin.evaluation"].sudo().create([vals for _line, vals in values])
        )
        declaration = self._rcep_declaration_for(evaluations)
        if evaluations or declaration:  # the job right after the commit finishes them
            self.env.ref("rcep_origin.ir_cron_submit_declarations")._trigger()
        findings = self.company_id.rcep_check_mode == "warn" and self._rcep_findings(values)
        if findings:
            self.message_post(
                body=plaintext2html(
                    self.env._("RCEP origin: some goods do not qualify.\n%s", findings)
                )
            )
            manager = self.company_id._rcep_managers()[:1]  # of this order's company
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(manager or self.env.user).id,
                summary=self.env._("Check RCEP origin"),
                note=plaintext2html(findings),
            )

    def _rcep_declaration_for(self, evaluations):
        """The declaration of this confirmation. An order confirmed again (cancelled, set to
        quotation) that already has one sent, issued or in error keeps it: no second one is
        made (two certificates for the same goods and invoice), the chatter says so. A draft
        withdrawn at cancellation is rebuilt from the new evaluations, not doubled."""
        Declaration = self.env["rcep.origin.declaration"].sudo()
        existing = self.rcep_declaration_ids.sudo()
        standing = existing.filtered(
            lambda d: (
                d.state in ("submitted", "issued", "error")
                or (d.state == "to_submit" and d.attempts)
            )
        )
        if standing:
            kept = standing.sorted("id", reverse=True)[:1]
            states = dict(kept._fields["state"]._description_selection(self.env))
            self.message_post(
                body=self.env._(
                    "RCEP: the order already has the declaration %(name)s (%(state)s): no new "
                    "declaration is made for this confirmation; that one stands.",
                    name=kept.name,
                    state=states[kept.state],
                ),
                subtype_xmlid="mail.mt_note",
            )
            return Declaration
        withdrawn = existing.filtered(lambda d: d.state == "draft").sorted("id", reverse=True)
        return Declaration._rcep_prepare(self, evaluations, reuse=withdrawn[:1])

    def _rcep_blocking_message(self, values):
        """The refusal in block mode, or False when every product qualifies."""
        self.ensure_one()
        findings = self._rcep_findings(values)
        if not findings:
            return False
        return self.env._(
            "RCEP origin (ships to %(country)s): these goods do not qualify, so the order "
            "cannot be confirmed:\n%(findings)s\n\nFix each point where it says (an RCEP "
            "manager can fix the products; the salesperson the order's own fields), then "
            "confirm again.",
            country=self.partner_shipping_id.country_id.name,
            findings=findings,
        )

    def _rcep_note_refusal(self, message):
        """Keep a refused confirmation in the chatter. The UserError rolls the transaction
        back, so the note is written after it ends (rolled back, or committed by a caller that
        handled the error), in a cursor of its own, on the order as it was committed."""
        self.ensure_one()
        registry, uid, context = self.env.registry, self.env.uid, self.env.context
        order_id = self.id
        body = plaintext2html(self.env._("Confirmation refused.\n%s", message))

        def note():
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, uid, context)
                    order = env["sale.order"].browse(order_id).exists()
                    if order and not order._rcep_noted_last(body):
                        # (not an order made in the transaction that was rolled back; not the
                        # same refusal again: a retried payment or a second click would repeat
                        # it on every try)
                        order.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
            except Exception:
                _logger.exception("RCEP: the refused confirmation of order %s not noted", order_id)

        self.env.cr.postrollback.add(note)
        self.env.cr.postcommit.add(note)

    def _rcep_noted_last(self, body):
        """Whether the order's latest note already says ``body``."""
        last = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("message_type", "=", "comment"),
                ],
                order="id desc",
                limit=1,
            )
        )
        return bool(last) and html2plaintext(last.body) == html2plaintext(body)

    # EXTENDS sale
    def _action_cancel(self):
        result = super()._action_cancel()
        self.rcep_declaration_ids.sudo()._rcep_withdraw()
        return result

    # --- business -----------------------------------------------------------------------------

    def _rcep_line_values(self, rate_day, shipped):
        """(line, evaluation values) for each product line: FOB per unit from the line's
        subtotal in company currency at ``rate_day``, incoterm deductions shared by value;
        proofs and Parties judged on ``shipped`` (Art 3.16)."""
        self.ensure_one()
        Evaluation = self.env["rcep.origin.evaluation"]
        company = self.company_id
        day = rate_day  # the FOB's exchange rate
        lines = self._rcep_product_lines()
        products = lines.product_id
        boms = self.env["mrp.bom"]._bom_find(products, company_id=company.id, bom_type="normal")
        all_boms = self.env["mrp.bom"].union(*boms.values()) if boms else self.env["mrp.bom"]
        tree = all_boms._rcep_tree(company, shipped)
        total = sum(lines.mapped("price_subtotal")) or 1.0
        # the order's incoterm, else the company's default; none: the engine says the FOB
        # value cannot be worked out (INCOTERM_MISSING), the price is not taken for it
        incoterm = ((self.incoterm or company.incoterm_id).code or "").upper()
        values = []
        for line in lines:
            subtotal = self.currency_id._convert(
                line.price_subtotal, company.currency_id, company, day
            )
            quantity = line.product_uom._compute_quantity(
                line.product_uom_qty, line.product_id.uom_id
            )
            share = line.price_subtotal / total
            terms = None
            if not incoterm:
                terms = {}  # an invoice value without its incoterm
            elif incoterm not in ("FOB", "FCA", "EXW"):
                terms = {"incoterm": incoterm}
                for field, key in (
                    ("rcep_freight", "freight"),
                    ("rcep_insurance", "insurance"),
                    ("rcep_duties", "import_duties_and_taxes"),
                ):
                    amount = self[field]
                    if amount:
                        converted = self.currency_id._convert(
                            amount, company.currency_id, company, day
                        )
                        terms[key] = repr(converted * share / quantity)
            vals = Evaluation._rcep_values(
                line.product_id,
                boms.get(line.product_id, self.env["mrp.bom"]),
                subtotal / quantity,
                company.currency_id,
                self.partner_shipping_id.country_id,
                shipped,
                tree,
                terms=terms,
                lines=False,  # written by the job right after the commit
                company=company,
            )
            vals.update(sale_order_id=self.id, sale_line_id=line.id)
            values.append((line, vals))
        return values

    def _rcep_findings(self, values):
        """One paragraph per product that does not qualify: its verdict, then what is wrong in
        plain words, where to fix it and who can (wording.py), the code in brackets."""
        paragraphs = []
        for line, vals in values:
            if vals["verdict"] == "originating":
                continue
            verdict = (
                self.env._("not evaluated")
                if vals["verdict"] == "not_evaluated"
                else self.env._("not originating")
            )
            reasons = self._rcep_reasons(line, vals)
            paragraphs.append("\n".join([f"- {line.product_id.display_name}: {verdict}", *reasons]))
        return "\n".join(paragraphs)

    def _rcep_reasons(self, line, vals, limit=3):
        """Why one line's product does not qualify, one sentence per issue that decides it:
        its errors, else the warnings that make materials or the good non-originating."""
        issues = [i for _0, _1, i in vals["issue_ids"] if i["severity"] == "error"] or [
            i for _0, _1, i in vals["issue_ids"] if i["code"] in DECISIVE_WARNINGS
        ]
        products = {}
        if issues:
            good = json.loads(vals["goods_json"])["good"]
            ids = json.loads(vals.get("product_ids_json") or "[]")
            products = path_products(line.product_id, good, ids)
        reasons = []
        for issue in issues[:limit]:
            facts = json.loads(issue.get("facts_json") or "{}")
            product = products.get(wording.subject_path(issue["path"]))
            reasons.append("  " + wording.issue_line(self.env, issue["code"], facts, product))
        if len(issues) > limit:
            reasons.append(
                "  " + self.env._("… and %s more: see the RCEP evaluation.", len(issues) - limit)
            )
        if not issues:
            reasons.append(
                "  "
                + self.env._(
                    "Its materials do not meet the product-specific rule %(rule)s: see the "
                    "RCEP evaluation's explanation. Where: %(where)s. Who: %(who)s.",
                    rule=vals.get("rule_text") or "-",
                    where=wording.path(self.env, "bom"),
                    who=self.env._(wording.WHO_MANAGER),
                )
            )
        return reasons

    def _rcep_missing_declaration_data(self):
        """What the order's declaration needs and lacks, as [(label, Odoo path)]: listed
        before confirmation (the check), required in the form when submitted automatically.
        The shipment's fields are those the declaration checks before it is built (its
        REQUIRED, worded by wording.DECLARATION_FIELDS); then each product line's packages."""
        self.ensure_one()
        data = self._rcep_shipment_values("", self.env["rcep.origin.evaluation"])
        missing = []
        for path in self.env["rcep.origin.declaration"]._rcep_missing(data):
            where = self.env._(wording.DECLARATION_FIELDS[path])
            missing.append((where.rsplit(" › ", 1)[-1], where))
        for line in self._rcep_product_lines():
            name = line.product_id.display_name
            if line.rcep_package_count <= 0:
                missing.append(
                    (self.env._("Packages of %s", name), wording.path(self.env, "packages"))
                )
            if not line.rcep_package_kind:
                missing.append(
                    (
                        self.env._("Kind of packages of %s", name),
                        wording.path(self.env, "package_kind"),
                    )
                )
        return missing

    def _rcep_product_lines(self):
        return self.order_line.filtered(
            lambda line: (
                line.product_id
                and not line.display_type
                and line.product_uom_qty > 0
                and line.product_id.type != "service"
            )
        )

    # EXTENDS sale
    def _create_invoices(self, grouped=False, final=False, date=None):
        invoices = super()._create_invoices(grouped=grouped, final=final, date=date)
        Attachment = self.env["ir.attachment"].sudo()
        for declaration in self.rcep_declaration_ids.filtered(lambda d: d.state == "issued"):
            signed = declaration.certificate_attachment_id
            order = declaration.sale_order_id
            for invoice in invoices:
                if order in invoice.line_ids.sale_line_ids.order_id:
                    Attachment.create(
                        {
                            "name": signed.name,
                            "raw": signed.raw,
                            "mimetype": "application/xml",
                            "res_model": "account.move",
                            "res_id": invoice.id,
                        }
                    )
        return invoices

    def action_rcep_check(self):
        """Check RCEP origin: evaluate the lines as confirmation would now, and show what is
        found and what the declaration lacks, without confirming. No evaluation is kept (the
        order's evaluations are its confirmation's); the quotation keeps the status."""
        self.ensure_one()
        checked_at = fields.Datetime.now()
        rate_day, shipped = self._rcep_days(checked_at)
        applicable = self._rcep_applicable(shipped)
        values = self._rcep_line_values(rate_day, shipped) if applicable else []
        originating = all(vals["verdict"] == "originating" for _line, vals in values)
        if applicable:
            self.write(
                {
                    "rcep_check_status": "originating" if originating else "not_originating",
                    "rcep_checked_at": checked_at,
                }
            )
        missing = self._rcep_missing_declaration_data() if applicable else []
        wizard = self.env["rcep.origin.sale.check"].create(
            {
                "sale_order_id": self.id,
                "applicable": applicable,
                "shipment_date": shipped,
                "status": (
                    False if not applicable else "originating" if originating else "not_originating"
                ),
                "findings": self._rcep_findings(values) if applicable else False,
                "missing": "\n".join(
                    self.env._("- %(label)s: %(path)s", label=label, path=path)
                    for label, path in missing
                )
                or False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Check RCEP origin"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.depends("rcep_declaration_ids.state", "rcep_declaration_ids.certificate_number")
    def _compute_rcep_declaration(self):
        for order in self:
            declarations = order.rcep_declaration_ids
            latest = declarations.sorted("id", reverse=True)[:1]
            order.rcep_declaration_count = len(declarations)
            order.rcep_declaration_label = latest.certificate_number or (
                dict(latest._fields["state"]._description_selection(self.env)).get(latest.state)
                if latest
                else False
            )

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

    def _rcep_shipment_values(self, idempotency_key, evaluations):
        """The shipment of these evaluations' goods, as the declaration builder reads it
        (``connectors.declaration.build``), from the order and its company as they are now."""
        self.ensure_one()
        order = self
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
            quantity, unit = order._rcep_unece_quantity(line.product_uom_qty, line.product_uom)
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
            "idempotency_key": idempotency_key,
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

    def action_rcep_declarations(self):
        self.ensure_one()
        declarations = self.rcep_declaration_ids
        if len(declarations) == 1:
            return declarations._get_records_action()
        return declarations._get_records_action(name=self.env._("RCEP declarations"))

    def action_rcep_evaluations(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("RCEP evaluations"),
            "res_model": "rcep.origin.evaluation",
            "view_mode": "list,form",
            "domain": [("sale_order_id", "=", self.id)],
        }


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    rcep_marks = fields.Char(
        "Marks and numbers",
        help="Shipping marks on this line's packages, as printed on the certificate (box 7); "
        "N/M when the packages carry none.",
    )
    rcep_package_count = fields.Integer(
        "Packages", default=1, help="Number of packages of this line (box 8)"
    )
    rcep_package_kind = fields.Char(
        "Kind of packages", default="carton", help="e.g. carton, pallet, crate (box 8)"
    )
