from odoo import _, api, fields, models
from odoo.exceptions import UserError

PROOF_TYPES = [
    ("RCEP_CO", "RCEP certificate of origin"),
    ("RCEP_DO", "RCEP declaration of origin"),
    ("SUPPLIER_DECLARATION", "Supplier declaration"),
]

# The states in which a declaration proves origin on the days of its validity: a declaration
# the daily job expired still proves origin for goods shipped while it was valid.
PROVING_STATES = ("valid", "expired")


class RcepOriginSupplierDeclaration(models.Model):
    """A vendor's proof that the products it supplies originate in an RCEP Party (Art 3.16),
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
    company_id = fields.Many2one(
        "res.company", "Company", required=True, index=True, default=lambda s: s.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Vendor",
        required=True,
        tracking=True,
        index=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        help="The company that signed the declaration. It covers what any of its contacts "
        "sells you.",
    )
    commercial_partner_id = fields.Many2one(
        "res.partner",
        "Vendor company",
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
    )
    product_tmpl_ids = fields.Many2many("product.template", string="Products", required=True)
    origin_country_id = fields.Many2one(
        "res.country", "Originating in", required=True, tracking=True
    )
    originating = fields.Boolean(
        "Declared originating",
        default=True,
        tracking=True,
        help="The vendor declares the products originating in that RCEP Party.",
    )
    criterion = fields.Selection(
        [("WO", "WO"), ("PE", "PE"), ("CTC", "CTC"), ("RVC", "RVC"), ("CR", "CR")],
        "Origin criterion",
        tracking=True,
    )
    proof_type = fields.Selection(
        PROOF_TYPES,
        "Proof of origin",
        required=True,
        default="SUPPLIER_DECLARATION",
        tracking=True,
    )
    valid_from = fields.Date(
        "Valid from",
        required=True,
        tracking=True,
        help="First day the declaration covers; for an RCEP certificate or declaration of "
        "origin, its date of issue.",
    )
    valid_to = fields.Date(
        "Valid until", required=True, tracking=True, help="Last day the declaration covers."
    )
    state = fields.Selection(
        [("draft", "Draft"), ("valid", "Valid"), ("expired", "Expired"), ("revoked", "Revoked")],
        "Status",
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
        index=True,
    )

    _sql_constraints = [
        ("dates", "CHECK(valid_to >= valid_from)", "A declaration cannot end before it starts.")
    ]

    # What a declaration says: fixed once it is validated (a valid or expired one proves origin
    # for the days it covers); to change it, revoke or let it expire, reset it to draft,
    # correct it and validate it again.
    _CONTENT = frozenset(
        {
            "name",
            "company_id",
            "partner_id",
            "product_tmpl_ids",
            "origin_country_id",
            "originating",
            "criterion",
            "proof_type",
            "valid_from",
            "valid_to",
        }
    )

    # --- CRUD -----------------------------------------------------------------------------------

    def write(self, vals):
        if self._CONTENT & set(vals):
            fixed = self.filtered(lambda d: d.state != "draft")
            if fixed:
                raise UserError(
                    self.env._(
                        "A declaration that has been validated is not edited: reset it to draft "
                        "(once revoked or expired), correct it and validate it again.\n%s",
                        "\n".join(
                            self.env._(
                                "%(name)s is %(state)s.", name=d.name, state=d._state_label()
                            )
                            for d in fixed
                        ),
                    )
                )
        return super().write(vals)

    # --- validity questions (answered with messages, not exceptions) ---------------------------

    def _get_validity_errors(self, day=None):
        """Why this declaration does not prove origin on ``day`` (today by default)."""
        self.ensure_one()
        errors = []
        if self.state not in PROVING_STATES:
            errors.append(
                _(
                    "The declaration %(name)s is %(state)s.",
                    name=self.name,
                    state=self._state_label(),
                )
            )
        return errors + self._get_content_errors(day or fields.Date.context_today(self))

    def _get_content_errors(self, day):
        """What in the declaration itself keeps it from proving origin on ``day``, whatever
        its state: its dates, its country, what the vendor declared."""
        self.ensure_one()
        errors = []
        if not self._covers(day):
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
            errors.append(_("The vendor declares the products not originating."))
        return errors

    def _get_validity_warnings(self):
        self.ensure_one()
        warnings = []
        if self.origin_country_id.rcep_contested:
            warnings.append(_("The RCEP status of %s is contested.", self.origin_country_id.name))
        return warnings

    def _covers(self, day):
        """Whether ``day`` is within the declaration's validity (both ends included)."""
        self.ensure_one()
        return self.valid_from <= day <= self.valid_to

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # --- the one finder --------------------------------------------------------------------------

    @api.model
    def _fetch_origin_proofs(self, company, vendors, product_tmpls, day):
        """The declarations that speak for ``vendors``' ``product_tmpls`` on ``day``, in one
        query: {(vendor company id, product template id): declaration}.

        Vendors are matched on their commercial partner (the company that signs for its
        contacts), and the keys are commercial partner ids: look a vendor up with
        ``partner.commercial_partner_id.id``. For each pair, the declaration valid on ``day``
        when there is one (the one that runs out first when several are); otherwise the
        validated one nearest to ``day``, expired or not yet valid, so that the engine says
        ORIGIN_PROOF_EXPIRED with its date rather than ORIGIN_PROOF_MISSING. Ask
        ``declaration._covers(day)`` which it is. Drafts, revoked declarations and those that
        declare the products not originating are never returned.

        Read with sudo: whoever confirms an order or runs the job, the vendors' proofs count.
        """
        if not vendors or not product_tmpls:
            return {}
        declarations = self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "in", vendors.commercial_partner_id.ids),
                ("product_tmpl_ids", "in", product_tmpls.ids),
                ("state", "in", PROVING_STATES),
                ("originating", "=", True),
            ]
        )
        wanted = set(product_tmpls.ids)

        def preference(declaration):
            if declaration._covers(day):
                return (0, declaration.valid_to.toordinal(), declaration.id)
            distance = (
                day - declaration.valid_to
                if declaration.valid_to < day
                else declaration.valid_from - day
            )
            return (1, distance.days, -declaration.id)

        proofs = {}
        for declaration in declarations.sorted(preference):
            vendor = declaration.commercial_partner_id.id
            for template_id in declaration.product_tmpl_ids.ids:
                if template_id in wanted:
                    proofs.setdefault((vendor, template_id), declaration)
        return proofs

    # --- actions -------------------------------------------------------------------------------

    def action_validate(self):
        """Draft -> Valid, once the declaration can prove origin."""
        self._check_state({"draft"}, _("Only a draft declaration can be validated."))
        for declaration in self:
            problems = declaration._get_content_errors(declaration.valid_from)
            if problems:
                raise UserError("\n".join(problems))
        self.write({"state": "valid"})

    def action_revoke(self):
        """Valid or Expired -> Revoked: the declaration should never have counted."""
        self._check_state(
            {"valid", "expired"}, _("Only a valid or expired declaration can be revoked.")
        )
        self.write({"state": "revoked"})

    def action_reset_to_draft(self):
        """Expired or Revoked -> Draft, to correct it and validate it again."""
        self._check_state(
            {"expired", "revoked"},
            _("Only an expired or revoked declaration can be reset to draft."),
        )
        self.write({"state": "draft"})

    def _check_state(self, allowed, message):
        wrong = self.filtered(lambda d: d.state not in allowed)
        if wrong:
            raise UserError(
                "\n".join(
                    [message]
                    + [
                        self.env._("%(name)s is %(state)s.", name=d.name, state=d._state_label())
                        for d in wrong
                    ]
                )
            )

    @api.model
    def _cron_expire(self):
        """Daily: expire declarations past their end date and tell the RCEP managers."""
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", "valid"), ("valid_to", "<", today)])
        expired.write({"state": "expired"})
        for declaration in expired:
            declaration.message_post(
                body=_(
                    "Expired on %(date)s: the products of %(vendor)s no longer count as "
                    "originating until a new declaration is registered.",
                    date=declaration.valid_to,
                    vendor=declaration.partner_id.display_name,
                )
            )
        return expired
