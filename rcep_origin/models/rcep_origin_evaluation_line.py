from odoo import api, fields, models


class RcepOriginEvaluationLine(models.Model):
    _name = "rcep.origin.evaluation.line"
    _description = "RCEP evaluation: verdict on one BOM line"
    _order = "evaluation_id, id"

    evaluation_id = fields.Many2one(
        "rcep.origin.evaluation", required=True, ondelete="cascade", index=True
    )
    path = fields.Char("Place in the BOM", required=True)
    product_id = fields.Many2one("product.product", "Product")
    code = fields.Char("Code")
    hs_code = fields.Char("HS code")
    origin_country = fields.Char("Originating in")
    originating = fields.Boolean("Originating")
    value = fields.Char("Value")
    ctc = fields.Selection(
        [("pass", "Passes"), ("fail", "Fails"), ("ignored", "Ignored"), ("n/a", "-")],
        "Change of classification",
    )
    reason = fields.Char("Reason")
    vendor_count = fields.Integer(
        "Vendors", help="How many vendors a bought component may come from on the shipment date."
    )
    vendor_proved_count = fields.Integer(
        "Vendors with proof", help="How many of them had a valid origin proof that day."
    )
    rcep_vendor = fields.Boolean(
        "RCEP vendor set",
        help="An RCEP manager named the one vendor that supplies the component for RCEP goods.",
    )
    vendor_coverage = fields.Char("Vendor proofs", compute="_compute_vendor_coverage")

    @api.depends("vendor_count", "vendor_proved_count", "rcep_vendor")
    def _compute_vendor_coverage(self):
        for line in self:
            line.vendor_coverage = line._vendor_coverage_text()

    def _vendor_coverage_text(self):
        self.ensure_one()
        _ = self.env._
        proved, count = self.vendor_proved_count, self.vendor_count
        if not count:
            return False
        if self.rcep_vendor:
            if proved:
                return _("The RCEP vendor proved origin")
            return _("The RCEP vendor has not proved origin")
        if count == 1:
            return _("%(proved)s of 1 vendor proved origin", proved=proved)
        return _("%(proved)s of %(count)s vendors proved origin", proved=proved, count=count)
