from odoo import _, api, fields, models
from odoo.exceptions import UserError

PROOF_TYPES = [
    ("RCEP_CO", "RCEP certificate of origin"),
    ("RCEP_DO", "RCEP declaration of origin"),
    ("SUPPLIER_DECLARATION", "Supplier declaration"),
]


class RcepOriginSupplierDeclaration(models.Model):
    """A supplier's proof that the products it supplies originate in an RCEP Party (Art 3.16),
    valid for a period. A purchased component is originating only through a declaration that
    is valid on the shipment date."""

    _name = "rcep.origin.supplier.declaration"
    _inherit = ["mail.thread.main.attachment", "mail.activity.mixin"]
    _description = "RCEP supplier origin declaration"
    _order = "valid_to desc, id desc"

    name = fields.Char(
        "Reference",
        required=True,
        tracking=True,
        help="The certificate, declaration or supplier declaration number.",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company)
    partner_id = fields.Many2one(
        "res.partner", "Supplier", required=True, tracking=True, index=True
    )
    product_tmpl_ids = fields.Many2many("product.template", string="Products", required=True)
    origin_country_id = fields.Many2one(
        "res.country", "Originating in", required=True, tracking=True
    )
    originating = fields.Boolean(
        default=True, tracking=True, help="The products are originating in that RCEP Party."
    )
    criterion = fields.Selection(
        [("WO", "WO"), ("PE", "PE"), ("CTC", "CTC"), ("RVC", "RVC"), ("CR", "CR")], tracking=True
    )
    proof_type = fields.Selection(
        PROOF_TYPES, required=True, default="SUPPLIER_DECLARATION", tracking=True
    )
    valid_from = fields.Date(required=True, tracking=True)
    valid_to = fields.Date(required=True, tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("valid", "Valid"), ("expired", "Expired"), ("revoked", "Revoked")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )

    _sql_constraints = [
        ("dates", "CHECK(valid_to >= valid_from)", "A declaration cannot end before it starts.")
    ]

    # --- validity questions (answered with messages, not exceptions) ---------------------------

    def _get_validity_errors(self, day=None):
        self.ensure_one()
        day = day or fields.Date.context_today(self)
        errors = []
        if self.state in ("draft", "revoked"):
            errors.append(_("The declaration %s is %s.", self.name, self.state))
        if not (self.valid_from <= day <= self.valid_to):
            errors.append(
                _(
                    "The declaration %(name)s is valid from %(start)s to %(end)s, not on "
                    "%(day)s (Art 3.16).",
                    name=self.name,
                    start=self.valid_from,
                    end=self.valid_to,
                    day=day,
                )
            )
        if not self.origin_country_id.rcep_party:
            errors.append(_("%s is not an RCEP Party.", self.origin_country_id.name))
        if not self.originating:
            errors.append(_("The supplier declares the products not originating."))
        return errors

    def _get_validity_warnings(self):
        self.ensure_one()
        warnings = []
        if self.origin_country_id.rcep_contested:
            warnings.append(_("The RCEP status of %s is contested.", self.origin_country_id.name))
        return warnings

    @api.model
    def _fetch_valid_declaration(self, company, partner, product_tmpl, day):
        """The declaration that makes this supplier's product originating on ``day``."""
        candidates = self.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "=", partner.id),
                ("product_tmpl_ids", "in", product_tmpl.ids),
                ("state", "=", "valid"),
                ("valid_from", "<=", day),
                ("valid_to", ">=", day),
                ("originating", "=", True),
            ],
            limit=1,
        )
        return candidates

    # --- actions -------------------------------------------------------------------------------

    def action_validate(self):
        for declaration in self:
            if declaration.state != "draft":
                raise UserError(_("Only a draft declaration can be validated."))
            problems = [
                p
                for p in declaration._get_validity_errors(declaration.valid_from)
                if "is draft" not in p
            ]
            if problems:
                raise UserError("\n".join(problems))
            declaration.state = "valid"

    def action_revoke(self):
        self.write({"state": "revoked"})

    def action_reset_to_draft(self):
        self.write({"state": "draft"})

    @api.model
    def _cron_expire(self):
        """Daily: expire declarations past their end date and tell the RCEP managers."""
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", "valid"), ("valid_to", "<", today)])
        expired.write({"state": "expired"})
        for declaration in expired:
            declaration.message_post(
                body=_(
                    "Expired on %(date)s: the products of %(supplier)s no longer count as "
                    "originating until a new declaration is registered.",
                    date=declaration.valid_to,
                    supplier=declaration.partner_id.display_name,
                )
            )
        return expired
