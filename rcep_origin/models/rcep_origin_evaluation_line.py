from odoo import api, fields, models

from ..wording import material_reason


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
        "res.country",
        "Country of origin",
        compute="_compute_origin_country_id",
        store=True,
        help="Given with the line's values when it is made (no UPDATE of the many lines of a "
        "batch afterwards); computed from the code otherwise.",
    )
    originating = fields.Boolean("Originating")
    value = fields.Char("Value")
    ctc = fields.Selection(
        [("pass", "Passes"), ("fail", "Fails"), ("ignored", "Ignored"), ("n/a", "-")],
        "Change of classification",
    )
    reason = fields.Char("Why (engine text)")
    # the facts the reason is worded from (rcep_rules.explain material dicts)
    why = fields.Char("Reason code", help="The engine's reason: proof, cumulation, no_proof, ...")
    proof_type = fields.Char("Origin proof")
    proof_reference = fields.Char("Origin proof reference")
    proof_valid_through = fields.Date("Origin proof valid through")
    sub_criterion = fields.Char("Own criterion", help="Of an in-house sub-assembly that qualifies")
    reason_display = fields.Char("Why", compute="_compute_reason_display")
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

    @api.depends("origin_country")
    def _compute_origin_country_id(self):
        codes = set(self.mapped("origin_country")) - {False}
        countries = self.env["res.country"].search([("code", "in", list(codes))])
        by_code = {c.code: c for c in countries}
        for line in self:
            line.origin_country_id = by_code.get(line.origin_country, False)

    @api.depends_context("lang")
    @api.depends("why", "reason", "origin_country_id", "proof_type", "proof_reference")
    def _compute_reason_display(self):
        for line in self:
            line.reason_display = material_reason(line)

    @api.depends_context("lang")
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
