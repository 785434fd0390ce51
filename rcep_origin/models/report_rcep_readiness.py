from odoo import fields, models

from .product_template import VERDICTS
from .report_rcep_readiness_issue import codes_sql

_READ = (
    "company_id",
    "categ_id",
    "active",
    "rcep_monitor",
    "rcep_verdict",
    "rcep_verdict_since",
    "rcep_deciding_code",
    "rcep_lapses_on",
    "rcep_readiness_checked_on",
    "rcep_readiness_error",
)


class RcepReadinessReport(models.Model):
    """The Readiness dashboard: one row per monitored product, in the shape of sale.report (an
    SQL view, graph and pivot). A view rather than product.template itself because the lapse
    window (this week, this month, within the look-ahead) moves with today: it cannot be a
    stored field, and a view computes it in the query that groups. One row per product and
    company it belongs to (a product shared by all companies has a row in each): the status
    is each company's own (company-dependent fields, a JSON column keyed by company)."""

    _name = "rcep.readiness.report"
    _description = "RCEP readiness"
    _auto = False
    _rec_name = "product_tmpl_id"
    _order = "lapses_on, product_tmpl_id"

    product_tmpl_id = fields.Many2one("product.template", "Product", readonly=True)
    company_id = fields.Many2one("res.company", "Company", readonly=True)
    categ_id = fields.Many2one("product.category", "Product category", readonly=True)
    verdict = fields.Selection(VERDICTS, "RCEP status", readonly=True)
    verdict_since = fields.Date("Status since", readonly=True)
    deciding_code = fields.Char("Deciding issue", readonly=True)
    deciding_issue_id = fields.Many2one(
        "rcep.readiness.issue",
        "Deciding issue group",
        readonly=True,
        help="Grouped by it, each group opens the records to fix.",
    )
    lapses_on = fields.Date("Lapses on", readonly=True)
    lapse_window = fields.Selection(
        [
            ("week", "This week"),
            ("month", "This month"),
            ("horizon", "Within the look-ahead"),
            ("none", "Does not lapse"),
        ],
        "Lapses",
        readonly=True,
    )
    checked_on = fields.Date("Checked on", readonly=True)
    failed = fields.Boolean("Check failed", readonly=True)
    product_count = fields.Integer("Products", readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        # today in the user's timezone, as the job's dates are (a date literal, never user text)
        today = fields.Date.to_string(fields.Date.context_today(self))
        # a plain SQL text names no field for Odoo to flush: the products' pending writes first
        self.env["product.template"].flush_model(list(_READ))
        self.env.cr.execute("SELECT COALESCE(max(id), 0) + 1 FROM res_company")
        stride = self.env.cr.fetchone()[0]  # one row per product and company: a unique id
        return f"""
            SELECT t.id * {stride} + c.id AS id, t.id AS product_tmpl_id, c.id AS company_id,
                   t.categ_id,
                   COALESCE(t.rcep_verdict->>c.id::text, 'not_evaluated') AS verdict,
                   (t.rcep_verdict_since->>c.id::text)::date AS verdict_since,
                   t.rcep_deciding_code->>c.id::text AS deciding_code,
                   c.id * 1000 + k.position AS deciding_issue_id,
                   (t.rcep_lapses_on->>c.id::text)::date AS lapses_on,
                   CASE WHEN t.rcep_lapses_on->>c.id::text IS NULL THEN 'none'
                        WHEN (t.rcep_lapses_on->>c.id::text)::date
                             < date_trunc('week', DATE '{today}') + interval '1 week' THEN 'week'
                        WHEN (t.rcep_lapses_on->>c.id::text)::date
                             < date_trunc('month', DATE '{today}') + interval '1 month'
                             THEN 'month'
                        ELSE 'horizon' END AS lapse_window,
                   (t.rcep_readiness_checked_on->>c.id::text)::date AS checked_on,
                   t.rcep_readiness_error->>c.id::text IS NOT NULL AS failed,
                   1 AS product_count
              FROM product_template t
              JOIN res_company c ON t.company_id IS NULL OR t.company_id = c.id
              LEFT JOIN ({codes_sql()}) k(position, code)
                     ON k.code = t.rcep_deciding_code->>c.id::text
             WHERE t.rcep_monitor AND t.active
        """
