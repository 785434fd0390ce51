import hashlib
import json

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from rcep_rules.datafiles import data_path
from rcep_rules.hs import VERSIONS, normalise
from rcep_rules.psr import LEVELS, RuleSyntaxError, parse_rule, read_rule_file, rows_from_dicts
from rcep_rules.reference import BUNDLED_RULES, Reference


class RcepOriginPsr(models.Model):
    _name = "rcep.origin.psr"
    _description = "RCEP product-specific rule (Annex 3A)"
    _order = "hs_version, code"
    _rec_name = "code"

    hs_version = fields.Selection(
        [(v, v) for v in VERSIONS], "HS edition", required=True, default="HS2022"
    )
    level = fields.Selection(
        [(k, k.title()) for k in LEVELS], "Level", required=True, default="subheading"
    )
    code = fields.Char("HS code", required=True, help="84, 84.66 or 8466.93")
    description = fields.Char("Description")
    psr = fields.Char("Rule", required=True, help="As printed in Annex 3A, e.g. CTH or RVC40")
    legibility = fields.Selection(
        [("clear", "Clear"), ("partial", "Partly legible")],
        "Legibility",
        required=True,
        default="clear",
    )
    source_url = fields.Char(
        "Source", required=True, help="Where the rule was read: rules are never guessed."
    )
    locator = fields.Char("Page and column", help="Page and column in the source")
    bundled = fields.Boolean(
        "Shipped with the product", readonly=True, help="Shipped with the engine (data/psr)"
    )
    active = fields.Boolean("Active", default=True)

    _sql_constraints = [
        (
            "version_code_unique",
            "unique(hs_version, code)",
            "There is already a rule for this code in this HS edition.",
        ),
    ]

    @api.constrains("psr", "code", "level", "legibility")
    def _check_rule(self):
        for rule in self:
            digits = normalise(rule.code)
            if digits is None or len(digits) != LEVELS[rule.level]:
                raise ValidationError(
                    _(
                        "Code %(code)s is not a %(level)s (%(digits)s digits).",
                        code=rule.code,
                        level=rule.level,
                        digits=LEVELS[rule.level],
                    )
                )
            try:
                tree = parse_rule(rule.psr)
            except RuleSyntaxError as exc:
                raise ValidationError(
                    _(
                        "The rule %(rule)r is not understood: %(problem)s. Write it as Annex 3A "
                        "does (WO, CC, CTH, CTSH, RVC40, CR, or, and, except from ...).",
                        rule=rule.psr,
                        problem=exc,
                    )
                ) from None
            if "[cut off]" in str(tree) and rule.legibility != "partial":
                raise ValidationError(_("'[cut off]' is only allowed in a partly legible rule."))

    @api.model
    def _rcep_load_bundled(self):
        """The rows read from the treaty (data/psr), created or refreshed; user rows kept."""
        existing = {
            (r.hs_version, normalise(r.code)): r
            for r in self.with_context(active_test=False).search([])
        }
        for row in read_rule_file(data_path(*BUNDLED_RULES)):
            values = {**row.as_csv(), "bundled": True}
            found = existing.get((row.hs_version, row.code))
            if found:
                if found.bundled:
                    found.write(values)
            else:
                self.create(values)

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    def _rcep_reference(self):
        """The engine's reference data with the rule table as kept in this database."""
        return self._rcep_reference_cached(self.env.cr.dbname)[0]

    def _rcep_rules_digest(self):
        """SHA-256 of the rule table as kept in this database: an evaluation made with other
        rules says so."""
        return self._rcep_reference_cached(self.env.cr.dbname)[1]

    @tools.ormcache("dbname")
    def _rcep_reference_cached(self, dbname):
        rows = [
            {
                "hs_version": r.hs_version,
                "level": r.level,
                "code": r.code,
                "description": r.description or "",
                "psr": r.psr,
                "legibility": r.legibility,
                "source_url": r.source_url,
                "locator": r.locator or "",
            }
            for r in self.sudo().search([])
        ]
        text = "\n".join(sorted(json.dumps(row, sort_keys=True) for row in rows))
        digest = hashlib.sha256(text.encode()).hexdigest()
        return Reference.with_rows(rows_from_dicts(rows, origin="rcep.origin.psr")), digest
