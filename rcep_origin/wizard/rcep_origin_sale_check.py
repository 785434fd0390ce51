from odoo import fields, models


class RcepOriginSaleCheck(models.TransientModel):
    """What "Check RCEP origin" found on a quotation, shown without confirming it."""

    _name = "rcep.origin.sale.check"
    _description = "RCEP origin: check of a quotation"

    sale_order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    applicable = fields.Boolean("RCEP applies", readonly=True)
    shipment_date = fields.Date("Shipment day", readonly=True)
    status = fields.Selection(
        [("originating", "All originating"), ("not_originating", "Not all originating")],
        "RCEP status",
        readonly=True,
    )
    findings = fields.Text("Goods that do not qualify", readonly=True)
    missing = fields.Text("Missing for the declaration", readonly=True)
