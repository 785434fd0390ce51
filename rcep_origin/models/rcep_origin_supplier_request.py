"""Supplier solicitation: a request to a vendor for the origin declarations of the products it
supplies to us, answered by the vendor on the portal through a link with an access token (no
Odoo user needed). Its lines are the vendor's price list lines (product.supplierinfo, matched on
the vendor's commercial partner); each answer is a supplier declaration in the "Submitted"
state, which proves nothing until an RCEP user approves it."""

import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import consteq, format_date


class RcepOriginSupplierRequest(models.Model):
    _name = "rcep.origin.supplier.request"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "RCEP origin declaration request to a vendor"
    _order = "id desc"

    name = fields.Char(
        "Reference", required=True, readonly=True, copy=False, default=lambda s: s.env._("New")
    )
    company_id = fields.Many2one(
        "res.company", "Company", required=True, index=True, default=lambda s: s.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Vendor",
        required=True,
        index=True,
        tracking=True,
        help="The vendor company asked for its origin declarations; the mail goes to its "
        "email address.",
    )
    user_id = fields.Many2one(
        "res.users", "Requested by", default=lambda s: s.env.user, tracking=True
    )
    line_ids = fields.One2many(
        "rcep.origin.supplier.request.line", "request_id", "Products", copy=True
    )
    declaration_ids = fields.One2many(
        "rcep.origin.supplier.declaration", "rcep_request_id", "Answers", readonly=True
    )
    declaration_count = fields.Integer("Number of answers", compute="_compute_declaration_count")
    renewal_of_ids = fields.Many2many(
        "rcep.origin.supplier.declaration",
        "rcep_supplier_request_renewal_rel",
        "request_id",
        "declaration_id",
        string="Renews",
        readonly=True,
        help="The declarations running out that this request asks the vendor to renew.",
    )
    sent_on = fields.Date("Sent on", readonly=True, copy=False, tracking=True)
    expires_on = fields.Date(
        "Link valid until",
        readonly=True,
        copy=False,
        tracking=True,
        help="After this day the portal link in the mail no longer opens; Send again gives the "
        "vendor a new link.",
    )
    reminded_on = fields.Date("Last reminder", readonly=True, copy=False)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("sent", "Waiting for the vendor"),
            ("submitted", "To review"),
            ("done", "Done"),
        ],
        "Status",
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
    )

    # --- computes ------------------------------------------------------------------------------

    def _compute_access_url(self):
        super()._compute_access_url()
        for rfq in self:
            rfq.access_url = f"/my/rcep/origin/{rfq.id}"

    def _compute_declaration_count(self):
        for rfq in self:
            rfq.declaration_count = len(rfq.declaration_ids)

    @api.depends("sent_on", "line_ids.state")
    def _compute_state(self):
        for rfq in self:
            states = set(rfq.line_ids.mapped("state"))
            if not rfq.sent_on:
                rfq.state = "draft"
            elif states & {"open", "refused"}:
                rfq.state = "sent"
            elif "submitted" in states:
                rfq.state = "submitted"
            else:
                rfq.state = "done"

    # --- CRUD ----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("rcep.origin.supplier.request")
        return super().create(vals_list)

    # --- making requests -----------------------------------------------------------------------

    @api.model
    def _rcep_supplied(self, vendor, products=None, company=None):
        """The vendor's price list lines (product.supplierinfo) of ``company``, matched on the
        vendor's commercial partner: {product.template: their item code}, for ``products``
        (product.template) only when given."""
        company = company or self.env.company
        domain = [
            ("partner_id.commercial_partner_id", "=", vendor.commercial_partner_id.id),
            ("company_id", "in", [company.id, False]),
        ]
        if products is not None:
            domain.append(("product_tmpl_id", "in", products.ids))
        supplied = {}
        for info in self.env["product.supplierinfo"].search(domain, order="sequence, id"):
            code = supplied.get(info.product_tmpl_id)
            supplied[info.product_tmpl_id] = code or info.product_code or False
        return supplied

    @api.model
    def _rcep_request(self, vendor, products=None, renewal_of=None):
        """A request to ``vendor`` (its commercial partner) for the products it supplies (all,
        or ``products`` among them), not sent yet. UserError when it supplies none of them."""
        vendor = vendor.commercial_partner_id
        supplied = self._rcep_supplied(vendor, products)
        if not supplied:
            raise UserError(
                self.env._(
                    "%(vendor)s supplies none of these products: add the vendor to the "
                    "product's Purchase tab (Vendors) first.",
                    vendor=vendor.display_name,
                )
            )
        templates = sorted(supplied, key=lambda t: (t.default_code or "", t.name))
        return self.create(
            {
                "partner_id": vendor.id,
                "line_ids": [
                    fields.Command.create(
                        {"product_tmpl_id": template.id, "vendor_code": supplied[template]}
                    )
                    for template in templates
                ],
                "renewal_of_ids": [fields.Command.set(renewal_of.ids)] if renewal_of else [],
            }
        )

    @api.model
    def _rcep_request_products(self, templates):
        """Requests to each vendor of ``templates`` (its price list lines), sent."""
        vendors = (
            self.env["product.supplierinfo"]
            .search(
                [
                    ("product_tmpl_id", "in", templates.ids),
                    ("company_id", "in", [self.env.company.id, False]),
                ]
            )
            .partner_id.commercial_partner_id
        )
        if not vendors:
            raise UserError(
                self.env._(
                    "None of these products has a vendor: add one on the product's Purchase "
                    "tab (Vendors) to request its origin declaration."
                )
            )
        requests = self.browse()
        for vendor in vendors.sorted("name"):
            requests |= self._rcep_request(vendor, templates)
        requests.action_send()
        return requests._rcep_action_open()

    def _rcep_action_open(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rcep_origin.rcep_origin_supplier_request_action"
        )
        if len(self) == 1:
            action.update({"res_id": self.id, "views": [(False, "form")], "view_mode": "form"})
        else:
            action["domain"] = [("id", "in", self.ids)]
        return action

    # --- actions -------------------------------------------------------------------------------

    def action_send(self):
        """Mail the vendor the portal link (a new one each time: the previous link stops
        working), valid for the days set in Settings."""
        template = self.env.ref("rcep_origin.mail_template_rcep_supplier_request")
        for rfq in self:
            rfq._rcep_check_email()
            rfq._rcep_open_link()
            rfq.message_post_with_source(
                template, subtype_xmlid="mail.mt_comment", message_type="comment"
            )
        return True

    def _rcep_open_link(self):
        """A new portal link (the previous one stops working), valid for the days set in
        Settings > Sales > RCEP origin."""
        today = fields.Date.context_today(self)
        for rfq in self:
            rfq.sudo().write(
                {
                    "access_token": str(uuid.uuid4()),
                    "sent_on": today,
                    "expires_on": today + timedelta(days=rfq.company_id.rcep_request_link_days),
                }
            )

    def _rcep_keep_link_open(self):
        """The same link, valid again for the days set in Settings (after a reminder or a
        refusal the vendor must be able to answer)."""
        today = fields.Date.context_today(self)
        for rfq in self:
            rfq.sudo().expires_on = max(
                rfq.expires_on or today,
                today + timedelta(days=rfq.company_id.rcep_request_link_days),
            )

    def action_preview(self):
        """The vendor's page, as the vendor sees it through the link of the last mail."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "target": "new", "url": self.get_portal_url()}

    def action_view_declarations(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rcep_origin.rcep_origin_supplier_declaration_action"
        )
        action["domain"] = [("id", "in", self.declaration_ids.ids)]
        return action

    def _rcep_check_email(self):
        self.ensure_one()
        if not self.partner_id.email:
            raise UserError(
                self.env._(
                    "%(vendor)s has no email address: add one on the vendor (Contacts › "
                    "%(vendor)s › Email) to send the request.",
                    vendor=self.partner_id.display_name,
                )
            )

    # --- reminders (daily) ---------------------------------------------------------------------

    @api.model
    def _cron_rcep_reminders(self):
        """Daily: remind the vendors of requests they left unanswered for the days set in
        Settings (and again after as many days), and ask for the renewal of valid
        declarations that run out within the days set in Settings."""
        today = fields.Date.context_today(self)
        reminder = self.env.ref("rcep_origin.mail_template_rcep_supplier_request_reminder")
        for company in self.env["res.company"].search([]):
            due = today - timedelta(days=company.rcep_request_reminder_days)
            for rfq in self.search(
                [("company_id", "=", company.id), ("state", "=", "sent"), ("sent_on", "<=", due)]
            ):
                if (rfq.reminded_on or rfq.sent_on) > due or not rfq.partner_id.email:
                    continue
                rfq.sudo().reminded_on = today
                rfq._rcep_keep_link_open()
                rfq.message_post_with_source(
                    reminder, subtype_xmlid="mail.mt_comment", message_type="comment"
                )
            self.with_company(company)._rcep_request_expiring(company, today)

    @api.model
    def _rcep_request_expiring(self, company, today):
        """Renewal requests, sent, for the valid declarations of ``company`` that run out
        within the reminder days and were not asked for yet (one request per vendor)."""
        horizon = today + timedelta(days=company.rcep_expiry_reminder_days)
        expiring = self.env["rcep.origin.supplier.declaration"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "valid"),
                ("originating", "=", True),
                ("valid_to", ">=", today),
                ("valid_to", "<=", horizon),
                ("rcep_renewal_request_ids", "=", False),
            ]
        )
        for vendor in expiring.commercial_partner_id:
            declarations = expiring.filtered(lambda d, v=vendor: d.commercial_partner_id == v)
            if not vendor.email:
                continue
            try:
                rfq = self._rcep_request(
                    vendor, declarations.product_tmpl_ids, renewal_of=declarations
                )
            except UserError:  # no longer on the vendor's price list: nothing to ask
                continue
            rfq.action_send()

    # --- the portal (called by the controller once per page; all checks are here) --------------

    @api.model
    def _rcep_portal_find(self, request_id, access_token):
        """The request (sudo) that ``access_token`` opens, or AccessError: unknown request,
        wrong token (compared in constant time), or a link past its last day."""
        rfq = self.sudo().browse(int(request_id)).exists()
        if (
            not rfq
            or not access_token
            or not rfq.access_token
            or not consteq(rfq.access_token, str(access_token))
        ):
            raise AccessError(self.env._("This link is not valid."))
        if not rfq.expires_on or rfq.expires_on < fields.Date.context_today(rfq):
            raise AccessError(
                self.env._(
                    "This link expired on %(day)s. Ask %(company)s for a new one.",
                    day=format_date(self.env, rfq.expires_on),
                    company=rfq.company_id.name,
                )
            )
        return rfq

    def _rcep_portal_line(self, line_id):
        """The line ``line_id`` of this request, or AccessError (a tampered product id)."""
        self.ensure_one()
        line = self.line_ids.filtered(lambda candidate: str(candidate.id) == str(line_id))
        if not line:
            raise AccessError(self.env._("This product is not on your request."))
        return line

    def _rcep_portal_values(self):
        """What the vendor's page shows: the lines and, per line, its latest answer."""
        self.ensure_one()
        Declaration = self.env["rcep.origin.supplier.declaration"]
        countries = self.env["res.country"].sudo().search([], order="name")
        return {
            "rfq": self,
            "company": self.company_id,
            "lines": self.line_ids,
            "countries": countries,
            "rcep_countries": countries.filtered("rcep_party"),
            "criteria": Declaration._fields["criterion"]._description_selection(self.env),
            "today": fields.Date.context_today(self),
        }
