"""Readiness: the supplier declarations that run out within the horizon, the monitored products
that depend on them (their BOM uses, at any depth, a component a declaration covers), and
"Request renewal", which mails the vendor what is concerned."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class RcepOriginSupplierDeclaration(models.Model):
    _inherit = "rcep.origin.supplier.declaration"

    rcep_dependent_product_ids = fields.Many2many(
        "product.template",
        string="Products depending on it",
        compute="_compute_rcep_dependent_product_ids",
        help="Monitored products whose bill of materials uses, at any depth, a product this "
        "declaration covers.",
    )
    rcep_dependent_count = fields.Integer(
        "Dependent products", compute="_compute_rcep_dependent_product_ids"
    )

    def _compute_rcep_dependent_product_ids(self):
        for declaration in self:
            dependents = declaration._rcep_dependents()
            products = self.env["product.template"].browse(sorted(dependents))
            declaration.rcep_dependent_product_ids = products
            declaration.rcep_dependent_count = len(products)

    @api.model
    def _rcep_expiry_horizon(self):
        """How many days ahead a declaration counts as expiring: the company's RCEP look-ahead
        (Settings > Sales > RCEP origin), the horizon the nightly readiness job looks at."""
        return self.env.company.rcep_readiness_horizon

    @api.model
    def _rcep_expiring_domain(self):
        today = fields.Date.context_today(self)
        horizon = today + timedelta(days=self._rcep_expiry_horizon())
        return [
            ("company_id", "=", self.env.company.id),
            ("state", "=", "valid"),
            ("valid_to", ">=", today),
            ("valid_to", "<=", horizon),
        ]

    @api.model
    def action_open_expiring(self):
        """Manufacturing › RCEP Origin › Expiring proofs."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Expiring proofs"),
            "res_model": self._name,
            "view_mode": "list,form",
            "views": [
                (self.env.ref("rcep_origin.rcep_origin_readiness_expiring_view_list").id, "list"),
                (False, "form"),
            ],
            "domain": self._rcep_expiring_domain(),
            "help": _(
                "<p>No supplier declaration runs out within %s days.</p>",
                self._rcep_expiry_horizon(),
            ),
        }

    def _rcep_dependents(self):
        """{product.template id: ids of the covered products its BOM uses at any depth}, for
        the monitored products: BOM lines are followed upwards, from the covered products to
        the products made with them, until nothing new is reached."""
        self.ensure_one()
        monitored = set(self.env["product.template"]._rcep_readiness_products().ids)
        Line = self.env["mrp.bom.line"].sudo()
        company = self.company_id.id
        reach = {tid: {tid} for tid in self.product_tmpl_ids.ids}
        frontier = set(reach)
        while frontier:
            lines = Line.search(
                [
                    ("product_id.product_tmpl_id", "in", list(frontier)),
                    ("bom_id.type", "=", "normal"),
                    ("bom_id.company_id", "in", [company, False]),
                ]
            )
            frontier = set()
            for line in lines:
                parent = line.bom_id.product_tmpl_id.id
                before = reach.setdefault(parent, set())
                grown = reach[line.product_id.product_tmpl_id.id] - before
                if grown:
                    before |= grown
                    frontier.add(parent)
        return {tid: used for tid, used in reach.items() if tid in monitored}

    def _rcep_renewal_lines(self):
        """[(product.template, covered product.templates it uses)] for the renewal mail."""
        self.ensure_one()
        Template = self.env["product.template"]
        return [
            (Template.browse(tid), Template.browse(sorted(used)))
            for tid, used in sorted(
                self._rcep_dependents().items(), key=lambda item: Template.browse(item[0]).name
            )
        ]

    def action_rcep_request_renewal(self):
        """Mail the vendor the products and components concerned, noted in the chatter."""
        template = self.env.ref("rcep_origin.mail_template_rcep_renewal")
        for declaration in self:
            if not declaration.partner_id.email:
                raise UserError(
                    _(
                        "%(vendor)s has no email address: add one on the vendor "
                        "(Contacts › %(vendor)s › Email) to request the renewal of %(name)s.",
                        vendor=declaration.partner_id.display_name,
                        name=declaration.name,
                    )
                )
            declaration._rcep_renewal_request()
            declaration.message_post_with_source(
                template, subtype_xmlid="mail.mt_comment", message_type="comment"
            )
        return True

    def _rcep_renewal_request(self):
        """The supplier portal request the renewal mail links to: the vendor answers there
        for the products the declaration covers that it still supplies (none when it no
        longer supplies any: the mail then asks without a link)."""
        self.ensure_one()
        Request = self.env["rcep.origin.supplier.request"]
        if not Request._rcep_supplied(self.partner_id, self.product_tmpl_ids, self.company_id):
            return Request
        rfq = Request.with_company(self.company_id)._rcep_request(
            self.partner_id, self.product_tmpl_ids, renewal_of=self
        )
        rfq._rcep_open_link()
        return rfq

    def _rcep_renewal_portal_url(self):
        """The portal link of the latest renewal request of this declaration, or False."""
        self.ensure_one()
        rfq = self.rcep_renewal_request_ids.sorted("id")[-1:]
        return rfq.get_portal_url() if rfq else False
