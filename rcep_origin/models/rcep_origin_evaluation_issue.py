from odoo import api, fields, models


class RcepOriginEvaluationIssue(models.Model):
    _name = "rcep.origin.evaluation.issue"
    _description = "RCEP evaluation: pre-review issue"
    _order = "evaluation_id, decisive desc, severity, id"
    _rec_name = "code"

    evaluation_id = fields.Many2one(
        "rcep.origin.evaluation", "Evaluation", required=True, ondelete="cascade", index=True
    )
    code = fields.Char("Issue code", required=True, index=True)
    severity = fields.Selection(
        [("error", "Error"), ("warning", "Warning")], "Severity", required=True
    )
    path = fields.Char("Goods-file path", help="Where the engine found it in the goods file")
    message = fields.Char("Engine message")
    hint = fields.Char("Engine hint")
    decisive = fields.Boolean(
        "Decided the verdict",
        compute="_compute_decisive",
        store=True,
        index=True,
        help="The errors that stopped the evaluation; for a good that is not originating, the "
        "minimal operations of Art 3.6, or the issues of the materials that fail the rule.",
    )
    role = fields.Selection(
        [("reason", "Reason for the verdict"), ("error", "Error"), ("warning", "Warning")],
        "Role",
        compute="_compute_decisive",
        store=True,
    )
    # of the evaluation, to search and group issues by them
    product_tmpl_id = fields.Many2one(related="evaluation_id.product_tmpl_id", store=True)
    importing_country_id = fields.Many2one(related="evaluation_id.importing_country_id", store=True)
    date = fields.Date(related="evaluation_id.date", store=True)
    company_id = fields.Many2one(related="evaluation_id.company_id", store=True)
    verdict = fields.Selection(related="evaluation_id.verdict")
    is_latest = fields.Boolean(related="evaluation_id.is_latest", string="In the latest evaluation")

    @api.depends(
        "code",
        "severity",
        "path",
        "evaluation_id.verdict",
        "evaluation_id.facts_json",
        "evaluation_id.line_ids.originating",
    )
    def _compute_decisive(self):
        decisive = self.browse()
        for evaluation in self.evaluation_id:
            decisive |= evaluation._rcep_decisive_issues()
        for issue in self:
            issue.decisive = issue in decisive
            issue.role = "reason" if issue.decisive else issue.severity

    def _rcep_words(self):
        """What the issue says and how to fix it, for people: the Odoo wording where there is
        one (``user_message``/``user_fix``), else the engine's."""
        self.ensure_one()
        fields_ = self._fields
        message = self["user_message"] if "user_message" in fields_ else False
        fix = self["user_fix"] if "user_fix" in fields_ else False
        return message or self.message or "", fix or self.hint or ""
