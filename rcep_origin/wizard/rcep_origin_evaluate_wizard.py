from odoo import api, fields, models


class RcepOriginEvaluateWizard(models.TransientModel):
    _name = "rcep.origin.evaluate.wizard"
    _description = "Evaluate RCEP origin"

    bom_id = fields.Many2one("mrp.bom")
    product_id = fields.Many2one(
        "product.product", compute="_compute_product", store=True, readonly=False
    )
    product_tmpl_ids = fields.Many2many(
        "product.template", string="Products", help="Evaluate all these (their first normal BOM)."
    )
    company_id = fields.Many2one("res.company", default=lambda s: s.env.company)
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id")
    fob = fields.Monetary(
        "FOB value per unit",
        currency_field="currency_id",
        compute="_compute_fob",
        store=True,
        readonly=False,
    )
    importing_country_id = fields.Many2one(
        "res.country",
        "Destination",
        required=True,
        domain=[("rcep_party", "=", True), ("rcep_asean", "=", True)],
    )
    date = fields.Date("Shipment date", required=True, default=fields.Date.context_today)

    @api.depends("bom_id")
    def _compute_product(self):
        for wizard in self:
            bom = wizard.bom_id
            wizard.product_id = bom.product_id or bom.product_tmpl_id.product_variant_id

    @api.depends("product_id")
    def _compute_fob(self):
        for wizard in self:
            wizard.fob = wizard.product_id.list_price

    @api.model
    def _rcep_open(self, **defaults):
        """The "Evaluate RCEP origin" dialog, with these defaults (a BOM or products)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Evaluate RCEP origin"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {f"default_{field}": value for field, value in defaults.items()},
        }

    def action_evaluate(self):
        self.ensure_one()
        if self.product_tmpl_ids:
            evaluations = self.env["rcep.origin.evaluation"]._rcep_evaluate_products(
                self.product_tmpl_ids, self.importing_country_id, self.date
            )
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("RCEP evaluations"),
                "res_model": "rcep.origin.evaluation",
                "view_mode": "list,form",
                "domain": [("id", "in", evaluations.ids)],
            }
        evaluation = self.env["rcep.origin.evaluation"]._rcep_evaluate(
            self.product_id,
            self.bom_id,
            self.fob,
            self.currency_id,
            self.importing_country_id,
            self.date,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "rcep.origin.evaluation",
            "res_id": evaluation.id,
            "view_mode": "form",
        }
