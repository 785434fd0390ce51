from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from rcep_rules.hs import HS2012, HS2022, display, normalise
from rcep_rules.reference import nomenclatures

VERDICTS = [
    ("originating", "Originating"),
    ("not_originating", "Not originating"),
    ("not_evaluated", "Not evaluated"),
]


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # hs_code and country_of_origin come from stock_delivery: reused, never duplicated.
    rcep_hs_version = fields.Selection(
        [(HS2022, "HS2022"), (HS2012, "HS2012")], "HS edition", default=HS2022, required=True
    )
    rcep_process_ids = fields.Many2many(
        "rcep.origin.process",
        string="Production processes",
        help="What is done to the materials here; minimal operations (Art 3.6) confer nothing.",
    )
    rcep_wholly_obtained = fields.Boolean(
        "Wholly obtained", help="Art 3.3: wholly obtained or produced in the exporting Party."
    )
    rcep_vendor_id = fields.Many2one(
        "res.partner",
        "RCEP vendor",
        groups="rcep_origin.group_rcep_manager",
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        help="The one vendor that supplies this product for goods exported under RCEP. Empty: "
        "the product is originating only when every vendor of its current vendor prices has "
        "proved origin.",
    )
    rcep_evaluation_ids = fields.One2many(
        "rcep.origin.evaluation", "product_tmpl_id", string="RCEP evaluations"
    )
    rcep_last_evaluation_id = fields.Many2one(
        "rcep.origin.evaluation", "Latest RCEP evaluation", compute="_compute_rcep_status"
    )
    # Per company (company-dependent): a product shared by two factories is costed, sourced and
    # evaluated by each with its own data, so it may qualify in one and lapse in the other on
    # another day. Written when an evaluation becomes the latest in a company
    # (`_rcep_refresh_verdict`) and by the nightly job; each company reads its own.
    rcep_verdict = fields.Selection(
        VERDICTS,
        "RCEP status",
        company_dependent=True,
        readonly=True,
        help="The verdict of the product's latest RCEP evaluation in this company.",
    )
    rcep_verdict_since = fields.Date(
        "RCEP status since",
        company_dependent=True,
        readonly=True,
        help="The day of the first evaluation with this verdict since it last changed.",
    )
    rcep_deciding_code = fields.Char(
        "Deciding issue",
        company_dependent=True,
        readonly=True,
        help="The code of the first issue that decided the latest verdict (none when it "
        "qualifies).",
    )
    rcep_monitor = fields.Boolean(
        "Monitored for RCEP",
        index=True,
        help="Re-evaluated every night (Readiness). Set when the product is sold on an RCEP "
        "order; can be set by hand or on several products at once.",
    )
    rcep_lapses_on = fields.Date(
        "RCEP lapses on",
        company_dependent=True,
        readonly=True,
        help="The first day within the look-ahead on which the product stops qualifying "
        "(e.g. the day after a supplier declaration ends); empty if none. Set by the "
        "nightly job, per company.",
    )
    rcep_fob_floor = fields.Float(
        "RCEP FOB floor",
        company_dependent=True,
        readonly=True,
        digits=(16, 2),
        help="The lowest FOB value per unit, in company currency, at which the product still "
        "qualifies under an RVC alternative of its rule (the engine's margin, checked by "
        "evaluating at that price). Empty when it qualifies whatever the price (wholly "
        "obtained, a change of classification met outright) or does not qualify. Set by "
        "the nightly job.",
    )
    rcep_fob_floor_rule = fields.Char(
        "RCEP FOB floor under",
        company_dependent=True,
        readonly=True,
        help="The alternative of the rule the FOB floor keeps, e.g. RVC40.",
    )
    rcep_readiness_checked_on = fields.Date(
        "Readiness checked on", company_dependent=True, readonly=True
    )
    rcep_readiness_error = fields.Text(
        "Readiness check failed",
        company_dependent=True,
        readonly=True,
        help="Why the nightly job could not check it.",
    )
    rcep_criterion = fields.Char("RCEP criterion to declare", compute="_compute_rcep_status")
    rcep_evaluated_on = fields.Datetime("RCEP evaluated on", compute="_compute_rcep_status")
    rcep_evaluation_count = fields.Integer(
        "Number of RCEP evaluations", compute="_compute_rcep_status"
    )

    @api.depends("rcep_evaluation_ids")
    @api.depends_context("company")
    def _compute_rcep_status(self):
        Evaluation = self.env["rcep.origin.evaluation"]
        latest = {}
        counts = {}
        if self.ids:
            groups = Evaluation._read_group(
                [("product_tmpl_id", "in", self.ids), ("company_id", "=", self.env.company.id)],
                ["product_tmpl_id"],
                ["id:max", "__count"],
            )
            for template, last_id, count in groups:
                latest[template.id], counts[template.id] = last_id, count
        evaluations = Evaluation.browse(list(latest.values()))
        by_id = {e.id: e for e in evaluations}
        for template in self:
            evaluation = by_id.get(latest.get(template.id), Evaluation)
            template.rcep_last_evaluation_id = evaluation
            template.rcep_criterion = evaluation.criterion_label if evaluation else False
            template.rcep_evaluated_on = evaluation.create_date if evaluation else False
            template.rcep_evaluation_count = counts.get(template.id, 0)

    def _rcep_refresh_verdict(self):
        """Write the status of these products in the current company from their latest
        evaluation there: its verdict, the day of the first evaluation of its run of equal
        verdicts, and its deciding issue. One query for all the products. Called when an
        evaluation becomes the latest and when its material lines are written (the deciding
        issue may depend on them)."""
        company = self.env.company
        ids = [i for i in self.ids if isinstance(i, int)]
        if not ids:
            return
        Evaluation = self.env["rcep.origin.evaluation"]
        Evaluation.flush_model(["product_tmpl_id", "company_id", "verdict", "date"])
        self.env.cr.execute(
            SQL(
                """WITH last AS (
                       SELECT DISTINCT ON (product_tmpl_id) product_tmpl_id, id, verdict
                         FROM rcep_origin_evaluation
                        WHERE product_tmpl_id = ANY(%(ids)s) AND company_id = %(company)s
                        ORDER BY product_tmpl_id, id DESC)
                   SELECT l.product_tmpl_id, l.id, l.verdict,
                          (SELECT min(e.date) FROM rcep_origin_evaluation e
                            WHERE e.product_tmpl_id = l.product_tmpl_id
                              AND e.company_id = %(company)s
                              AND e.id > COALESCE((SELECT max(d.id)
                                    FROM rcep_origin_evaluation d
                                   WHERE d.product_tmpl_id = l.product_tmpl_id
                                     AND d.company_id = %(company)s
                                     AND d.verdict != l.verdict), 0))
                     FROM last l""",
                ids=ids,
                company=company.id,
            )
        )
        found = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        latest = Evaluation.sudo().browse([v[0] for v in found.values()])
        by_id = {e.id: e for e in latest}
        for template in self.sudo():
            evaluation_id, verdict, since = found.get(template.id, (None, False, False))
            since = since or False
            evaluation = by_id.get(evaluation_id)
            code = False
            if evaluation and verdict != "originating":
                decisive = evaluation._rcep_decisive_issues() or evaluation.issue_ids
                code = decisive[:1].code or False
            values = {
                "rcep_verdict": verdict,
                "rcep_verdict_since": since,
                "rcep_deciding_code": code,
            }
            if any(template[name] != value for name, value in values.items()):
                template.write(values)

    @api.constrains("hs_code", "rcep_hs_version")
    def _check_rcep_hs_code(self):
        editions = nomenclatures()  # loaded once per process, without re-reading the rules
        for template in self.filtered("hs_code"):
            digits = normalise(template.hs_code)
            version = template.rcep_hs_version or HS2022
            if digits is None or len(digits) < 6 or digits[:6] not in editions[version]:
                raise ValidationError(
                    _(
                        "HS_INVALID: %(code)s is not a subheading of %(version)s. Give the 6-digit "
                        "HS code (dots allowed, a national extension may follow), or set the HS "
                        "edition the code belongs to.",
                        code=template.hs_code,
                        version=version,
                    )
                )

    def action_rcep_evaluate_all(self):
        """Batch re-evaluation of the selected products (asks destination and date)."""
        return self.env["rcep.origin.evaluate.wizard"]._rcep_open(product_tmpl_ids=self.ids)

    def action_rcep_evaluations(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("RCEP evaluations of %s", self.display_name),
            "res_model": "rcep.origin.evaluation",
            "view_mode": "list,form",
            "domain": [("product_tmpl_id", "=", self.id)],
        }

    def _rcep_hs_display(self):
        digits = normalise(self.hs_code or "")
        return display(digits) if digits else ""
