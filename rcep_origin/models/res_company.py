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
    rcep_auto_submit = fields.Boolean(
        "Submit declarations automatically",
        default=True,
        help="Queue an order's declaration for the Single Window at confirmation; otherwise "
        "an RCEP manager queues it.",
    )
    rcep_issuing_body = fields.Selection(
        [("customs", "Customs"), ("ccpit", "CCPIT")],
        "Preferred issuing body",
        default="customs",
        help="GACC Order 255 Art 42(9): customs or CCPIT issue RCEP certificates.",
    )
