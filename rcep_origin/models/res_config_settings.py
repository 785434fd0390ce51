from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rcep_check_mode = fields.Selection(related="company_id.rcep_check_mode", readonly=False)
    rcep_customs_code = fields.Char(related="company_id.rcep_customs_code", readonly=False)
