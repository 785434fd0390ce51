"""The Readiness dashboard's deciding issues: one row per company and deciding issue code of
the monitored products, each opening the records to fix, not only the products it stops."""

from odoo import api, fields, models

from rcep_rules.issues import CATALOGUE

from .. import wording
from .rcep_origin_evaluation_issue import evaluation_products, path_products

# every engine code, numbered: a row's id is company id x 1000 + its position here, the same
# in the dashboard's rows (their "Deciding issue group") and in this view
CODES = tuple(sorted(CATALOGUE))

# where each code's records to fix are: BOM lines (the line of the component in its parent's
# bill of materials), the rules needed, else the products concerned (the good or component
# the issue is about)
BOM_LINE_CODES = frozenset({"BOM_COST_MISSING", "BOM_QTY_INVALID", "BOM_CYCLE"})
ORIGIN_CODES = frozenset(
    {"ORIGIN_UNKNOWN", "ORIGIN_PROOF_MISSING", "ORIGIN_PROOF_EXPIRED", "ORIGIN_PROOF_INVALID"}
)
HS_CODES = frozenset({"HS_MISSING", "HS_INVALID", "HS_INCONSISTENT"})
PROCESS_CODES = frozenset({"PROCESS_MINIMAL", "PROCESS_MISSING", "PROCESS_UNKNOWN"})


def codes_sql():
    """The codes and their positions as an SQL VALUES list (constants of the engine's
    catalogue: upper-case words, nothing from users)."""
    assert all(code.replace("_", "").isalnum() for code in CODES)
    return "VALUES " + ", ".join(f"({i}, '{code}')" for i, code in enumerate(CODES, 1))


class RcepReadinessIssue(models.Model):
    """One deciding issue code of a company's monitored products, with how many products it
    stops and a button that opens what to fix."""

    _name = "rcep.readiness.issue"
    _description = "RCEP readiness: deciding issue"
    _auto = False
    _rec_name = "code"
    _order = "product_count desc, code"

    company_id = fields.Many2one("res.company", "Company", readonly=True)
    code = fields.Char("Deciding issue", readonly=True)
    to_fix = fields.Char("What to fix", compute="_compute_to_fix")
    product_count = fields.Integer("Products", readonly=True)

    @property
    def _table_query(self):
        self.env["product.template"].flush_model(["rcep_monitor", "active", "rcep_deciding_code"])
        return f"""
            SELECT c.id * 1000 + k.position AS id, c.id AS company_id, k.code,
                   count(*) AS product_count
              FROM product_template t
              JOIN res_company c ON t.company_id IS NULL OR t.company_id = c.id
              JOIN ({codes_sql()}) k(position, code)
                ON k.code = t.rcep_deciding_code->>c.id::text
             WHERE t.rcep_monitor AND t.active
             GROUP BY c.id, k.position, k.code
        """

    @api.depends("code")
    @api.depends_context("lang")
    def _compute_to_fix(self):
        _ = self.env._
        for row in self:
            code = row.code
            if code == "PSR_NOT_FOUND":
                row.to_fix = _("HS codes without a product-specific rule (Rules needed)")
            elif code in HS_CODES:
                row.to_fix = _("Products without a valid HS code")
            elif code in BOM_LINE_CODES:
                row.to_fix = _("Bill of materials lines without a valid cost or quantity")
            elif code in ORIGIN_CODES:
                row.to_fix = _("Components without a valid supplier declaration")
            elif code in PROCESS_CODES:
                row.to_fix = _("Products whose processes are only minimal or not recorded")
            else:
                row.to_fix = _("Products with this issue")

    def action_rcep_open_to_fix(self):
        """The records to fix for this deciding issue: the rules needed, the bill of
        materials lines, or the products (goods or components) its issues are about."""
        self.ensure_one()
        me = self.with_company(self.company_id)
        if self.code == "PSR_NOT_FOUND":
            return me.env["rcep.origin.readiness.rule"].action_open()
        records = me._rcep_records_to_fix()
        return {
            "type": "ir.actions.act_window",
            "name": f"{self.code}: {self.to_fix}",
            "res_model": records._name,
            "view_mode": "list,form",
            "domain": [("id", "in", records.ids)],
            "context": {"create": False},
        }

    def _rcep_records_to_fix(self):
        """product.template or mrp.bom.line records: for each monitored product of this
        group, the goods or components its latest evaluation's deciding issues of this code
        are about (the BOM line of that component, for a cost or quantity)."""
        self.ensure_one()
        company = self.env.company
        Template = self.env["product.template"]
        Line = self.env["mrp.bom.line"]
        templates = (Template._rcep_readiness_products().with_company(company).sudo()).filtered(
            lambda t: t.rcep_deciding_code == self.code
        )
        found_templates, found_lines = Template.browse(), Line.browse()
        for template, evaluation in templates._rcep_latest_evaluation().items():
            issues = evaluation._rcep_decisive_issues().filtered(lambda i: i.code == self.code)
            products = _issue_products(evaluation, template, company)
            for issue in issues:
                subject = wording.subject_path(issue.path) or "good"
                product = products.get(subject)
                if self.code in BOM_LINE_CODES and subject != "good":
                    parent = products.get(subject.rsplit(".", 1)[0])
                    found_lines |= _bom_lines(Line, parent, product, company)
                elif product:
                    found_templates |= product.product_tmpl_id
        if self.code in BOM_LINE_CODES:
            return Line.browse(found_lines.ids)
        return Template.browse(found_templates.ids)


def _issue_products(evaluation, template, company):
    """{goods-file path: product.product} of an evaluation; when it has no material lines
    (the engine stopped on errors), from the product's bill of materials as it is now."""
    products = evaluation_products(evaluation)
    if len(products) > 1:
        return products
    env = evaluation.env
    product = template.product_variant_id
    Bom = env["mrp.bom"]
    bom = Bom._bom_find(product, company_id=company.id, bom_type="normal").get(product, Bom)
    if not bom:
        return products
    tree = bom._rcep_tree(company, evaluation.date)
    good, product_ids = Bom._rcep_good(product, bom, evaluation.fob, tree)
    return path_products(product, good, product_ids)


def _bom_lines(Line, parent, component, company):
    """The lines of ``parent``'s bill of materials that use ``component``."""
    if not parent or not component:
        return Line.browse()
    Bom = parent.env["mrp.bom"]
    bom = Bom._bom_find(parent, company_id=company.id, bom_type="normal").get(parent, Bom)
    return bom.bom_line_ids.filtered(lambda line: line.product_id == component)
