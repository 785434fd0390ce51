from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rcep_check_mode = fields.Selection(related="company_id.rcep_check_mode", readonly=False)
    rcep_customs_code = fields.Char(related="company_id.rcep_customs_code", readonly=False)
    rcep_auto_submit = fields.Boolean(related="company_id.rcep_auto_submit", readonly=False)
    rcep_issuing_body = fields.Selection(related="company_id.rcep_issuing_body", readonly=False)
