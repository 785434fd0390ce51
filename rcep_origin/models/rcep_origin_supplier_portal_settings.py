"""The supplier portal's settings (Settings > Sales > RCEP origin), per company: how long a
request's link stays valid, when an unanswered request is recalled, and how long before a
declaration runs out its renewal is asked for."""

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    rcep_request_link_days = fields.Integer(
        "Supplier link valid (days)",
        default=30,
        help="How many days the portal link of an origin declaration request stays valid.",
    )
    rcep_request_reminder_days = fields.Integer(
        "Remind unanswered requests after (days)",
        default=14,
        help="A vendor who has not answered a request is reminded after this many days, and "
        "again after as many.",
    )
    rcep_expiry_reminder_days = fields.Integer(
        "Request renewal before expiry (days)",
        default=30,
        help="This many days before a vendor's declaration runs out, the vendor is asked for "
        "a renewal on the supplier portal.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rcep_request_link_days = fields.Integer(
        related="company_id.rcep_request_link_days", readonly=False
    )
    rcep_request_reminder_days = fields.Integer(
        related="company_id.rcep_request_reminder_days", readonly=False
    )
    rcep_expiry_reminder_days = fields.Integer(
        related="company_id.rcep_expiry_reminder_days", readonly=False
    )
