from odoo import fields, models


class RcepOriginEvaluationLine(models.Model):
    _name = "rcep.origin.evaluation.line"
    _description = "RCEP evaluation: verdict on one BOM line"
    _order = "evaluation_id, id"

    evaluation_id = fields.Many2one(
        "rcep.origin.evaluation", required=True, ondelete="cascade", index=True
    )
    path = fields.Char(required=True)
    product_id = fields.Many2one("product.product")
    code = fields.Char()
    hs_code = fields.Char("HS code")
    origin_country = fields.Char()
    originating = fields.Boolean()
    value = fields.Char()
    ctc = fields.Selection(
        [("pass", "Passes"), ("fail", "Fails"), ("ignored", "Ignored"), ("n/a", "-")],
        "Change of classification",
    )
    reason = fields.Char()
