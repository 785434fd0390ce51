import json

from odoo import api, fields, models

from .. import wording
from .mrp_bom import bom_paths


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
    facts_json = fields.Text(
        "Facts", help="The engine's facts of this issue (JSON), worded in the reader's language"
    )
    product_id = fields.Many2one(
        "product.product",
        "Product concerned",
        compute="_compute_user_words",
        help="The good or the material (BOM line) the issue is about",
    )
    user_message = fields.Char("Issue", compute="_compute_user_words")
    user_fix = fields.Char("Where to fix it", compute="_compute_user_words")
    user_who = fields.Char("Who can fix it", compute="_compute_user_words")

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

    @api.depends("code", "facts_json", "path", "evaluation_id")
    @api.depends_context("lang")
    def _compute_user_words(self):
        products = {}  # per evaluation: {goods-file path: product}
        for issue in self:
            evaluation = issue.evaluation_id
            if evaluation.id not in products:
                products[evaluation.id] = evaluation_products(evaluation)
            product = products[evaluation.id].get(wording.subject_path(issue.path))
            words = wording.issue_words(issue.env, issue.code, issue._rcep_facts(), product)
            issue.product_id = product
            issue.user_message, issue.user_fix, issue.user_who = words

    def _rcep_facts(self):
        self.ensure_one()
        facts = json.loads(self.facts_json) if self.facts_json else {}
        return facts if isinstance(facts, dict) else {}

    def _rcep_words(self):
        """What the issue says and how to fix it, for people: the Odoo wording (wording.py),
        else, for a code it does not know, the engine's."""
        self.ensure_one()
        return self.user_message or self.message or "", self.user_fix or self.hint or ""


def issue_facts_json(issue):
    """An engine issue's facts as stored: JSON, dates and decimals as text."""
    return json.dumps(issue.facts, default=str, sort_keys=True)


def path_products(product, good, product_ids):
    """{goods-file path: product.product} of a good (``product``) and its BOM lines, from the
    goods file and the product ids of its lines in `bom_paths` order (unknown ids: left out)."""
    Product = product.env["product.product"]
    products = {"good": product}
    ids = dict(zip(bom_paths(good), product_ids, strict=False))
    known = Product.browse({i for i in ids.values() if i}).exists()
    by_id = {p.id: p for p in known}
    products.update({path: by_id[i] for path, i in ids.items() if i in by_id})
    return products


def evaluation_products(evaluation):
    """{goods-file path: product} of an evaluation: its material lines once written, else the
    products kept at the order's confirmation."""
    product = evaluation.sale_line_id.product_id or evaluation.product_tmpl_id.product_variant_id
    if evaluation.line_ids:
        products = {line.path: line.product_id for line in evaluation.line_ids if line.product_id}
        return {"good": product, **products}
    if evaluation.product_ids_json and evaluation.goods_json:
        good = json.loads(evaluation.goods_json).get("good") or {}
        return path_products(product, good, json.loads(evaluation.product_ids_json))
    return {"good": product}
