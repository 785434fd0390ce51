from odoo import fields, models

from .product_template import VERDICTS

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
    stored field, and a view computes it in the query that groups."""

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
        return f"""
            SELECT t.id AS id, t.id AS product_tmpl_id, t.company_id, t.categ_id,
                   COALESCE(t.rcep_verdict, 'not_evaluated') AS verdict,
                   t.rcep_verdict_since AS verdict_since,
                   t.rcep_deciding_code AS deciding_code,
                   t.rcep_lapses_on AS lapses_on,
                   CASE WHEN t.rcep_lapses_on IS NULL THEN 'none'
                        WHEN t.rcep_lapses_on < date_trunc('week', DATE '{today}')
                                                + interval '1 week' THEN 'week'
                        WHEN t.rcep_lapses_on < date_trunc('month', DATE '{today}')
                                                + interval '1 month' THEN 'month'
                        ELSE 'horizon' END AS lapse_window,
                   t.rcep_readiness_checked_on AS checked_on,
                   t.rcep_readiness_error IS NOT NULL AS failed,
                   1 AS product_count
              FROM product_template t
             WHERE t.rcep_monitor AND t.active
        """
