"""The FOB floor on the order line (issue 12): the lowest FOB per unit at which the product
still qualifies under an RVC alternative, as the nightly readiness job stored it for the
order's company, beside the FOB the line's price gives. Read, never evaluated: no engine runs
while a quotation is shown or edited."""

from decimal import Decimal

from odoo import api, fields, models

from rcep_rules.goods import TO_FOB

# the order's amounts the engine deducts from the invoice value (Art 3.1(e)), by goods-file name
_DEDUCTED = {
    "freight": "rcep_freight",
    "insurance": "rcep_insurance",
    "import_duties_and_taxes": "rcep_duties",
}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    rcep_company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="RCEP company currency"
    )
    rcep_fob_floor = fields.Monetary(
        "RCEP FOB floor",
        compute="_compute_rcep_fob_floor",
        currency_field="rcep_company_currency_id",
        help="The lowest FOB value per unit, in company currency, at which the product still "
        "qualifies for RCEP origin under an RVC alternative of its rule (found by the "
        "nightly readiness job). Empty when the price does not matter or the order is not "
        "shipped under RCEP.",
    )
    rcep_fob_unit = fields.Monetary(
        "RCEP FOB per unit",
        compute="_compute_rcep_fob_floor",
        currency_field="rcep_company_currency_id",
        help="The FOB value per unit this line's price gives, in company currency (the "
        "subtotal, less the freight, insurance and duties the incoterm includes).",
    )
    rcep_below_fob_floor = fields.Boolean(
        "Below the RCEP FOB floor", compute="_compute_rcep_fob_floor"
    )

    @api.depends(
        "product_id",
        "product_uom_qty",
        "product_uom",
        "price_subtotal",
        "order_id.currency_id",
        "order_id.date_order",
        "order_id.company_id",
        "order_id.partner_shipping_id",
        "order_id.incoterm",
        "order_id.rcep_freight",
        "order_id.rcep_insurance",
        "order_id.rcep_duties",
    )
    def _compute_rcep_fob_floor(self):
        for line in self:
            order = line.order_id
            floor = 0.0
            if line.product_id and not line.display_type and order.rcep_applicable:
                template = line.product_id.product_tmpl_id.with_company(line.company_id)
                floor = template.sudo().rcep_fob_floor
            fob = line._rcep_fob_per_unit() if floor else None
            line.rcep_fob_floor = floor
            line.rcep_fob_unit = fob or 0.0
            # as exact as the engine: the goods file carries str(Decimal(str(fob)))
            line.rcep_below_fob_floor = bool(
                floor and fob is not None and Decimal(str(fob)) < Decimal(str(floor))
            )

    def _rcep_fob_per_unit(self):
        """The line's FOB per unit in company currency, as the order's confirmation gives it
        to the engine (the subtotal at the order date's rate, the incoterm's costs beyond
        loading deducted by the line's share of the order); None when it cannot be told."""
        self.ensure_one()
        order, company = self.order_id, self.company_id
        quantity = self.product_uom._compute_quantity(self.product_uom_qty, self.product_id.uom_id)
        if quantity <= 0:
            return None
        day = fields.Date.to_date(order.date_order) or fields.Date.context_today(self)
        convert = order.currency_id._convert
        subtotal = convert(self.price_subtotal, company.currency_id, company, day)
        incoterm = (order.incoterm.code or "FOB").upper()
        if incoterm in ("FOB", "FCA", "EXW") or incoterm not in TO_FOB:
            return subtotal / quantity
        lines = order._rcep_product_lines()
        total = sum(lines.mapped("price_subtotal")) or 1.0
        share = self.price_subtotal / total
        deducted = sum(
            convert(order[_DEDUCTED[name]], company.currency_id, company, day) * share
            for name in TO_FOB[incoterm][1]
        )
        return (subtotal - deducted) / quantity
