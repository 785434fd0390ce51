import hashlib
import json

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from rcep_rules.hs import VERSIONS, normalise
from rcep_rules.psr import LEVELS, RuleSyntaxError, parse_rule, rows_from_dicts
from rcep_rules.reference import Reference, bundled_rule_rows


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
            problem = self._rcep_rule_problem(rule.psr, rule.code, rule.level, rule.legibility)
            if problem:
                raise ValidationError(problem)

    @api.model
    def _rcep_rule_problem(self, psr, code, level, legibility):
        """Why a rule row cannot be kept (its code is not of its level, or the engine's grammar
        does not read its text), or None."""
        digits = normalise(code or "")
        if level not in LEVELS or digits is None or len(digits) != LEVELS[level]:
            return _(
                "Code %(code)s is not a %(level)s (%(digits)s digits).",
                code=code,
                # the level's label in the reader's language, not its key
                level=dict(self._fields["level"]._description_selection(self.env)).get(
                    level, level
                ),
                digits=LEVELS.get(level, "?"),
            )
        try:
            tree = parse_rule(psr or "")
        except RuleSyntaxError as exc:
            return _(
                "The rule %(rule)r is not understood: %(problem)s. Write it as Annex 3A "
                "does (WO, CC, CTH, CTSH, RVC40, CR, or, and, except from ...).",
                rule=psr,
                problem=exc,
            )
        if "[cut off]" in str(tree) and legibility != "partial":
            return _("'[cut off]' is only allowed in a partly legible rule.")
        return None

    def _load_records(self, data_list, update=False):
        # EXTENDS base: Odoo's import creates the rows in one batch and, should that fail, row
        # by row, but reports the batch's failure against the first row too. A batch with a
        # row the grammar refuses goes row by row straight away: each error on its own row.
        if len(data_list) > 1:
            defaults = self.default_get(["level", "legibility"])
            for data in data_list:
                values = {**defaults, **data["values"]}
                if self._rcep_rule_problem(
                    values.get("psr"),
                    values.get("code"),
                    values.get("level"),
                    values.get("legibility"),
                ):
                    raise _RowByRow()
        return super()._load_records(data_list, update)

    @api.model
    def _rcep_load_bundled(self):
        """The rows read from the treaty (data/psr), created or refreshed; user rows kept."""
        existing = {
            (r.hs_version, normalise(r.code)): r
            for r in self.with_context(active_test=False).search([])
        }
        for row in bundled_rule_rows():
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


class _RowByRow(Exception):
    """A batch of imported rule rows holds a bad row: Odoo's import then loads row by row."""
