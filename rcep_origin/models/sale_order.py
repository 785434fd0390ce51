import json
from decimal import Decimal

from odoo import _, api, fields, models

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
    rcep_evaluation_ids = fields.One2many(
        "rcep.origin.evaluation", "sale_order_id", "RCEP evaluations", readonly=True
    )
    rcep_status = fields.Selection(
        [("originating", "All originating"), ("not_originating", "Not all originating")],
        "RCEP status",
        compute="_compute_rcep_status",
    )
    rcep_evaluation_count = fields.Integer(compute="_compute_rcep_status")
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

    @api.depends("rcep_evaluation_ids.verdict")
    def _compute_rcep_status(self):
        for order in self:
            evaluations = order.rcep_evaluation_ids
            order.rcep_evaluation_count = len(evaluations)
            if not evaluations:
                order.rcep_status = False
            elif all(e.verdict == "originating" for e in evaluations):
                order.rcep_status = "originating"
            else:
                order.rcep_status = "not_originating"

    def _rcep_shipment_day(self):
        """The day the goods leave: the delivery date promised, else the order date. Proofs
        must be valid and Parties in force then, as the Single Window checks it."""
        self.ensure_one()
        when = self.commitment_date or self.date_order
        if not when:
            return fields.Date.context_today(self)
        # the day where the order is handled, not in UTC: 01:00 in Shanghai is still "today"
        tz = self.user_id.tz or self.company_id.partner_id.tz or self.env.user.tz or "UTC"
        return fields.Datetime.context_timestamp(self.with_context(tz=tz), when).date()

    def _rcep_applicable(self):
        """Shipped to an ASEAN RCEP Party in force, by a company in an RCEP Party."""
        self.ensure_one()
        day = self._rcep_shipment_day()
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
    def _confirmation_error_message(self):
        message = super()._confirmation_error_message()
        if message or self.company_id.rcep_check_mode != "block" or not self._rcep_applicable():
            return message
        findings = self._rcep_findings(self._rcep_line_values())
        if not findings:
            return False  # the values stay cached for _action_confirm in this transaction
        self.env.cr.cache.get("rcep_line_values", {}).pop(self.id, None)
        return _(
            "RCEP origin (ships to %(country)s): these goods do not qualify, so the order "
            "cannot be confirmed:\n%(findings)s",
            country=self.partner_shipping_id.country_id.name,
            findings=findings,
        )

    # EXTENDS sale
    def _action_confirm(self):
        result = super()._action_confirm()
        for order in self:
            if order.company_id.rcep_check_mode == "off" or not order._rcep_applicable():
                continue
            values = order._rcep_line_values()
            self.env.cr.cache["rcep_line_values"].pop(order.id, None)
            evaluations = (
                self.env["rcep.origin.evaluation"].sudo().create([vals for _line, vals in values])
            )
            declaration = (
                self.env["rcep.origin.declaration"].sudo()._rcep_prepare(order, evaluations)
            )
            if evaluations or declaration:  # the job right after the commit finishes them
                self.env.ref("rcep_origin.ir_cron_submit_declarations")._trigger()
            findings = order._rcep_findings(values)
            if findings and order.company_id.rcep_check_mode == "warn":
                order.message_post(body=_("RCEP origin: some goods do not qualify.\n%s", findings))
                manager = self.env.ref("rcep_origin.group_rcep_manager").users[:1]
                order.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=(manager or self.env.user).id,
                    summary=_("Check RCEP origin"),
                    note=findings,
                )
        return result

    # EXTENDS sale
    def _action_cancel(self):
        result = super()._action_cancel()
        self.rcep_declaration_ids.sudo()._rcep_withdraw()
        return result

    # --- business -----------------------------------------------------------------------------

    def _rcep_line_values(self):
        """(line, evaluation values) for each product line: FOB per unit from the line's
        subtotal in company currency at the order date, incoterm deductions shared by value.
        Computed once per order and transaction: the confirmation check and the records made
        after it use the same evaluation."""
        self.ensure_one()
        cache = self.env.cr.cache.setdefault("rcep_line_values", {})
        if self.id not in cache:
            cache[self.id] = self._rcep_compute_line_values()
        return cache[self.id]

    def _rcep_compute_line_values(self):
        self.ensure_one()
        Evaluation = self.env["rcep.origin.evaluation"]
        company = self.company_id
        day = fields.Date.to_date(self.date_order)  # the FOB's exchange rate
        shipped = self._rcep_shipment_day()  # proofs and Parties in force (Art 3.16)
        lines = self.order_line.filtered(
            lambda line: (
                line.product_id
                and not line.display_type
                and line.product_uom_qty > 0
                and line.product_id.type != "service"
            )
        )
        products = lines.product_id
        boms = self.env["mrp.bom"]._bom_find(products, company_id=company.id, bom_type="normal")
        all_boms = self.env["mrp.bom"].union(*boms.values()) if boms else self.env["mrp.bom"]
        tree = all_boms._rcep_tree(company, shipped)
        total = sum(lines.mapped("price_subtotal")) or 1.0
        incoterm = (self.incoterm.code or "FOB").upper()
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
            if incoterm not in ("FOB", "FCA", "EXW"):
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
        """One paragraph per product that does not qualify: its verdict, codes and hints."""
        paragraphs = []
        for line, vals in values:
            if vals["verdict"] == "originating":
                continue
            issues = [i for _0, _1, i in vals["issue_ids"] if i["severity"] == "error"] or [
                i for _0, _1, i in vals["issue_ids"] if i["code"] == "PROCESS_MINIMAL"
            ]
            detail = "; ".join(f"{i['code']}: {i['hint']}" for i in issues[:3])
            verdict = "not evaluated" if vals["verdict"] == "not_evaluated" else "not originating"
            paragraphs.append(
                f"- {line.product_id.display_name}: {verdict}" + (f" ({detail})" if detail else "")
            )
        return "\n".join(paragraphs)

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
            "name": _("RCEP evaluations"),
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
