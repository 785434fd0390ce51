"""Readiness: the monitored products, and the HS codes they need a product-specific rule for.

"Rules needed" lists the HS codes (of goods and of in-house sub-assemblies) of monitored
products whose latest evaluation found no product-specific rule (PSR_NOT_FOUND), with the
products each blocks; exported as a CSV in the rule-import format, filled in from Annex 3A and
imported on Product-specific rules, it makes those products evaluable again."""

import csv
import io
import json
from base64 import b64encode

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from rcep_rules.hs import display, normalise
from rcep_rules.psr import COLUMNS as RULE_COLUMNS  # the rule-import format, from the engine
from rcep_rules.psr import LEVELS
from rcep_rules.reference import nomenclatures

_LEVEL_OF = {digits: level for level, digits in LEVELS.items()}


class ProductTemplate(models.Model):
    _inherit = "product.template"

    @api.model
    def _rcep_readiness_products(self):
        """The products the readiness lists are about: those monitored for RCEP in the
        company (or shared by all companies)."""
        return self.sudo().search(
            [
                ("rcep_monitor", "=", True),
                ("company_id", "in", (False, self.env.company.id)),
            ]
        )

    def _rcep_latest_evaluation(self):
        """{product.template: its latest evaluation in the company}."""
        latest = (
            self.env["rcep.origin.evaluation"]
            .sudo()
            .search(
                [
                    ("is_latest", "=", True),
                    ("company_id", "=", self.env.company.id),
                    ("product_tmpl_id", "in", self.ids),
                ]
            )
        )
        return {evaluation.product_tmpl_id: evaluation for evaluation in latest}


class RcepOriginReadinessRule(models.TransientModel):
    """One HS code that monitored products need a product-specific rule for."""

    _name = "rcep.origin.readiness.rule"
    _description = "RCEP rule needed"
    _order = "product_count desc, hs_version, code"
    _rec_name = "code"

    hs_version = fields.Char("HS edition", readonly=True)
    level = fields.Char("Level", readonly=True)
    code = fields.Char("HS code", readonly=True)
    description = fields.Char("Description", readonly=True)
    product_tmpl_ids = fields.Many2many("product.template", string="Products", readonly=True)
    product_count = fields.Integer("Products blocked", readonly=True)

    @api.model
    def _rcep_needed(self):
        """[{hs_version, level, code, description, product_tmpl_ids}] of the codes the latest
        evaluations of the monitored products found no rule for, most products first."""
        products = self.env["product.template"]._rcep_readiness_products()
        latest = products._rcep_latest_evaluation()
        names = nomenclatures()
        needed = {}
        for template, evaluation in latest.items():
            for issue in evaluation.issue_ids.filtered(lambda i: i.code == "PSR_NOT_FOUND"):
                facts = json.loads(issue.facts_json or "{}")
                digits = normalise(facts.get("code") or "")
                version = facts.get("version")
                if not digits or not version or len(digits) not in _LEVEL_OF:
                    continue
                row = needed.setdefault(
                    (version, digits),
                    {
                        "hs_version": version,
                        "level": _LEVEL_OF[len(digits)],
                        "code": display(digits),
                        "description": names[version].describe(digits) if version in names else "",
                        "product_tmpl_ids": set(),
                    },
                )
                row["product_tmpl_ids"].add(template.id)
        return sorted(
            needed.values(), key=lambda r: (-len(r["product_tmpl_ids"]), r["hs_version"], r["code"])
        )

    @api.model
    def _rcep_rows(self):
        """The rules needed as found now, as records of the list."""
        return self.create(
            [
                {
                    **{k: v for k, v in row.items() if k != "product_tmpl_ids"},
                    "product_tmpl_ids": [fields.Command.set(sorted(row["product_tmpl_ids"]))],
                    "product_count": len(row["product_tmpl_ids"]),
                }
                for row in self._rcep_needed()
            ]
        )

    @api.model
    def action_open(self):
        """Manufacturing › RCEP Origin › Rules needed, as found now."""
        rows = self._rcep_rows()
        return {
            "type": "ir.actions.act_window",
            "name": _("Rules needed"),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": [("id", "in", rows.ids)],
            "target": "current",
        }

    def _rcep_csv(self):
        """The rows as a CSV in the rule-import format (README, "Product-specific rules"):
        code, level and description filled in, the rule and its source left to be copied
        from the official Annex 3A."""
        out = io.StringIO()
        writer = csv.DictWriter(out, RULE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self:
            writer.writerow(
                {
                    "hs_version": row.hs_version,
                    "level": row.level,
                    "code": row.code,
                    "description": row.description or "",
                    "psr": "",
                    "legibility": "clear",
                    "source_url": "",
                    "locator": "",
                }
            )
        return out.getvalue()

    def action_export_csv(self):
        """Download the rules needed as a file to fill in and import on Product-specific
        rules (Favorites › Import records)."""
        rows = self or self._rcep_rows()  # none selected: all of them, as found now
        if not rows:
            raise UserError(_("No rule is needed: every monitored product has its rules."))
        attachment = self.env["ir.attachment"].create(
            {
                "name": "rcep_rules_needed.csv",
                "mimetype": "text/csv",
                "datas": b64encode(rows._rcep_csv().encode()),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def action_evaluate_again(self):
        """Evaluate the blocked products again now, as their latest evaluation was made
        (FOB, currency, destination), on today's date."""
        templates = (self or self._rcep_rows()).product_tmpl_ids  # none selected: all
        evaluations = self.env["rcep.origin.evaluation"]._rcep_evaluate_again(templates)
        return {
            "type": "ir.actions.act_window",
            "name": _("Evaluations"),
            "res_model": "rcep.origin.evaluation",
            "view_mode": "list,form",
            "domain": [("id", "in", evaluations.ids)],
        }


class RcepOriginEvaluation(models.Model):
    _inherit = "rcep.origin.evaluation"

    @api.model
    def _rcep_evaluate_again(self, templates):
        """Evaluate ``templates`` again today, each as its latest evaluation was made."""
        today = fields.Date.context_today(self)
        Bom = self.env["mrp.bom"]
        evaluations = self.browse()
        for template, latest in templates._rcep_latest_evaluation().items():
            product = template.product_variant_id
            bom = Bom._bom_find(product, company_id=self.env.company.id, bom_type="normal").get(
                product, Bom
            )
            evaluations |= self._rcep_evaluate(
                product, bom, latest.fob, latest.currency_id, latest.importing_country_id, today
            )
        return evaluations
