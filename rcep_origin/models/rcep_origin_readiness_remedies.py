"""Remedies on the evaluation form of a good that is not originating: computed on display
from the evaluation's stored goods file (never while an order is confirmed), worded in
wording/remedies.py."""

import json
from decimal import Decimal

from odoo import api, fields, models

from rcep_rules import parse_shipment, remedies

from ..wording import remedies_html
from .rcep_origin_evaluation_issue import evaluation_products


class RcepOriginEvaluation(models.Model):
    _inherit = "rcep.origin.evaluation"

    remedies_html = fields.Html(
        "Remedies",
        compute="_compute_remedies_html",
        sanitize=True,
        help="The smallest changes of origin data that would make the good qualify, each "
        "checked by evaluating again, with the rules as they are today.",
    )

    @api.depends_context("lang")
    @api.depends("goods_json", "verdict", "line_ids")
    def _compute_remedies_html(self):
        reference = None
        for evaluation in self:
            if evaluation.verdict != "not_originating" or not evaluation.goods_json:
                evaluation.remedies_html = False
                continue
            if reference is None:
                reference = self.env["rcep.origin.psr"]._rcep_reference()
            result = evaluation._rcep_remedies(reference)
            evaluation.remedies_html = remedies_html(
                evaluation, result, evaluation_products(evaluation)
            )

    def _rcep_remedies(self, reference=None):
        """``rcep_rules.remedies()`` on the evaluation's goods file."""
        self.ensure_one()
        shipment = json.loads(self.goods_json, parse_float=Decimal)
        reference = reference or self.env["rcep.origin.psr"]._rcep_reference()
        return remedies(parse_shipment(shipment), reference)
