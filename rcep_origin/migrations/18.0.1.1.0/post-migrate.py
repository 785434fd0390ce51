"""Each company's status of its products, from its latest evaluations (see pre-migrate)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        "SELECT company_id, array_agg(DISTINCT product_tmpl_id) FROM rcep_origin_evaluation"
        " GROUP BY company_id"
    )
    for company_id, template_ids in cr.fetchall():
        company = env["res.company"].browse(company_id)
        templates = env["product.template"].with_company(company).browse(template_ids).exists()
        templates._rcep_refresh_verdict()
    env.flush_all()
