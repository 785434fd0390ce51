from odoo import fields, models


class RcepOriginEvaluationIssue(models.Model):
    _name = "rcep.origin.evaluation.issue"
    _description = "RCEP evaluation: pre-review issue"
    _order = "evaluation_id, severity, id"

    evaluation_id = fields.Many2one(
        "rcep.origin.evaluation", required=True, ondelete="cascade", index=True
    )
    code = fields.Char(required=True, index=True)
    severity = fields.Selection([("error", "Error"), ("warning", "Warning")], required=True)
    path = fields.Char()
    message = fields.Char()
    hint = fields.Char()
