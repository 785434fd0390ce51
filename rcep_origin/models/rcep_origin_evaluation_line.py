from odoo import api, fields, models


class RcepOriginEvaluationLine(models.Model):
    _name = "rcep.origin.evaluation.line"
    _description = "RCEP evaluation: verdict on one BOM line"
    _order = "evaluation_id, id"

    evaluation_id = fields.Many2one(
        "rcep.origin.evaluation", "Evaluation", required=True, ondelete="cascade", index=True
    )
    path = fields.Char("Position in the BOM", required=True)
    product_id = fields.Many2one("product.product", "Material")
    code = fields.Char("Internal reference")
    hs_code = fields.Char("HS code")
    origin_country = fields.Char("Country of origin (code)")
    origin_country_id = fields.Many2one(
        "res.country", "Country of origin", compute="_compute_origin_country_id", store=True
    )
    originating = fields.Boolean("Originating")
    value = fields.Char("Value")
    ctc = fields.Selection(
        [("pass", "Passes"), ("fail", "Fails"), ("ignored", "Ignored"), ("n/a", "-")],
        "Change of classification",
    )
    reason = fields.Char("Why")

    @api.depends("origin_country")
    def _compute_origin_country_id(self):
        codes = set(self.mapped("origin_country")) - {False}
        countries = self.env["res.country"].search([("code", "in", list(codes))])
        by_code = {c.code: c for c in countries}
        for line in self:
            line.origin_country_id = by_code.get(line.origin_country, False)
