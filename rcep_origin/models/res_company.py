import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# the schema's CustomsCode (xsd/common-1.xsd): ten digits or capital letters
CUSTOMS_CODE = re.compile(r"[0-9A-Z]{10}")


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
        "Customs registration code",
        help="The exporter's customs registration code: 10 characters, digits and capital "
        "letters (e.g. 3302961A27).",
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

    @api.constrains("rcep_customs_code")
    def _check_rcep_customs_code(self):
        for company in self.filtered("rcep_customs_code"):
            code = company.rcep_customs_code
            if len(code) != 10:
                raise ValidationError(
                    self.env._(
                        "The customs registration code must be exactly 10 characters (digits "
                        "and capital letters, e.g. 3302961A27); %(code)s has %(count)s.",
                        code=code,
                        count=len(code),
                    )
                )
            if not CUSTOMS_CODE.fullmatch(code):
                raise ValidationError(
                    self.env._(
                        "The customs registration code may hold only digits and capital "
                        "letters (e.g. 3302961A27); %(code)s has other characters.",
                        code=code,
                    )
                )

    def _rcep_managers(self):
        """The RCEP managers whose job this company's RCEP work is: active internal users of
        the company in the RCEP Manager group; system administrators only when no one else is."""
        self.ensure_one()
        managers = (
            self.env.ref("rcep_origin.group_rcep_manager")
            .sudo()
            .users.filtered(lambda u: u.active and not u.share and self in u.company_ids)
        )
        return managers.filtered(lambda u: not u._is_system()) or managers.sorted("id")[:1]
