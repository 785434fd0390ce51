from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    rcep_check_mode = fields.Selection(
        [("off", "Off"), ("warn", "Warn"), ("block", "Block")],
        "RCEP check on confirmation",
        default="warn",
        required=True,
        help="For orders shipped to an ASEAN RCEP Party: Block refuses to confirm an order "
        "whose goods do not qualify; Warn confirms it, notes the findings and asks an RCEP "
        "manager to look; Off does nothing.",
    )
    rcep_customs_code = fields.Char(
        "Customs registration code", help="The exporter's 10-character customs code."
    )
