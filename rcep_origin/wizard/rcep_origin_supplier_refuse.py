from odoo import fields, models


class RcepOriginSupplierDeclarationRefuse(models.TransientModel):
    """The reason a submitted declaration is refused, which the vendor reads on the portal."""

    _name = "rcep.origin.supplier.declaration.refuse"
    _description = "Refuse a supplier origin declaration"

    declaration_ids = fields.Many2many(
        "rcep.origin.supplier.declaration", "rcep_supplier_declaration_refuse_rel", required=True
    )
    reason = fields.Text(
        "Reason",
        required=True,
        help="What is wrong and what the vendor should send instead; the vendor reads it.",
    )

    def action_refuse(self):
        self.declaration_ids._rcep_refuse(self.reason)
        return {"type": "ir.actions.act_window_close"}
