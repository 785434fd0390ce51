import hashlib
import json
import logging
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from rcep_rules import __version__ as ENGINE_VERSION
from rcep_rules import evaluate, parse_shipment
from rcep_rules.explain import evaluation_dict, material_dicts, rule_and_rvc

from ..wording import evaluation_report_html
from .mrp_bom import bom_paths
from .product_template import VERDICTS
from .rcep_origin_evaluation_issue import issue_facts_json

_logger = logging.getLogger(__name__)


class RcepOriginEvaluation(models.Model):
    """What the engine said about one product on one day, with the inputs' hash: an audit
    record that is never edited; a new evaluation supersedes it."""

    _name = "rcep.origin.evaluation"
    _description = "RCEP origin evaluation"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", "Company", required=True, readonly=True, default=lambda s: s.env.company
    )
    product_tmpl_id = fields.Many2one(
        "product.template", "Product", required=True, readonly=True, index=True, ondelete="cascade"
    )
    bom_id = fields.Many2one("mrp.bom", "Bill of materials", readonly=True, ondelete="set null")
    sale_order_id = fields.Many2one(
        "sale.order", "Sales order", readonly=True, index=True, ondelete="cascade"
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", "Sales order line", readonly=True, ondelete="cascade"
    )
    fob = fields.Monetary("FOB value", readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", "Currency", required=True, readonly=True)
    exporting_country_id = fields.Many2one("res.country", "Exporting country", readonly=True)
    importing_country_id = fields.Many2one("res.country", "Destination", readonly=True, index=True)
    date = fields.Date("Shipment date", required=True, readonly=True)
    verdict = fields.Selection(VERDICTS, "Verdict", required=True, readonly=True, index=True)
    criterion = fields.Selection(
        [("WO", "WO"), ("PE", "PE"), ("CTC", "CTC"), ("RVC", "RVC"), ("CR", "CR")],
        "Origin criterion",
        readonly=True,
        index=True,
    )
    annotations = fields.Char(
        "Annotations", readonly=True, help="ACU: cumulation used; DMI: de minimis used"
    )
    criterion_label = fields.Char("Criterion to declare", compute="_compute_criterion_label")
    satisfied = fields.Char("Criteria that hold", readonly=True)
    rule_text = fields.Char("Rule applied", readonly=True)
    rule_source = fields.Char("Source of the rule", readonly=True)
    build_down = fields.Char("RVC build-down %", readonly=True)
    build_up = fields.Char("RVC build-up %", readonly=True)
    vnm = fields.Char("Value of non-originating materials (VNM)", readonly=True)
    explanation = fields.Text(
        "Explanation (engine text)", readonly=True, help="As the command line words it."
    )
    facts_json = fields.Text(
        "Engine facts",
        readonly=True,
        help="What the engine found, as data (rule, change of classification, RVC, Art 3.6, "
        "cumulation): the explanation is worded from it in the reader's language.",
    )
    explanation_html = fields.Html(
        "Explanation", compute="_compute_explanation_html", sanitize=True
    )
    is_latest = fields.Boolean(
        "Latest of the product",
        readonly=True,
        default=False,
        index=True,
        copy=False,
        help="The most recent evaluation of this product in this company.",
    )
    engine_version = fields.Char("Engine version", readonly=True)
    rules_digest = fields.Char("Rules (SHA-256)", readonly=True, help="Of the rule table used")
    input_hash = fields.Char("Inputs (SHA-256)", readonly=True, index=True)
    outcome_hash = fields.Char(
        "Outcome (SHA-256)",
        readonly=True,
        help="Of the goods file without its date, the rules, the engine and what it found "
        "(nightly readiness job): while it is unchanged the job keeps this evaluation.",
    )
    confirmed_on = fields.Date(
        "Confirmed on",
        readonly=True,
        help="The last day the nightly readiness job found the same: the evaluation was kept "
        "instead of being made again.",
    )
    goods_json = fields.Text(
        "Goods file as hashed", readonly=True, help="What the engine was given, as hashed."
    )
    goods_json_display = fields.Text("Goods file", compute="_compute_goods_json_display")
    line_ids = fields.One2many(
        "rcep.origin.evaluation.line", "evaluation_id", "Materials", readonly=True
    )
    lines_pending = fields.Boolean(
        "Material lines pending",
        readonly=True,
        index=True,
        help="Made at an order's confirmation: the material lines are written by the job "
        "that runs right after it.",
    )
    words_pending = fields.Boolean(
        "Issues and explanation pending",
        readonly=True,
        help="Made at an order's confirmation for a good that qualifies: the verdict, criterion, "
        "rule and RVC figures are there at once; its warnings and explanation are written "
        "with the material lines, by the job that runs right after it.",
    )
    product_ids_json = fields.Text(
        "Products of the BOM lines",
        readonly=True,
        help="The products of the BOM lines, depth first, until lines exist",
    )
    vendor_coverage_json = fields.Text(
        readonly=True,
        help="How many vendors of each bought component proved origin, until lines exist",
    )
    lines_note = fields.Char("About the material lines", readonly=True)
    words_note = fields.Char("About the warnings and explanation", readonly=True)
    issue_ids = fields.One2many(
        "rcep.origin.evaluation.issue", "evaluation_id", "Issues", readonly=True
    )
    # precomputed: `_rcep_values` gives them with the issues, so a confirmed order's
    # evaluations are written with one INSERT, not an INSERT and an UPDATE. Not readonly, or
    # Odoo would drop the values given and compute them through a new record of all the
    # other values (a goods file each) at create; issues written later compute them again.
    # Nobody edits them: an evaluation is never edited (write).
    error_count = fields.Integer(
        "Errors", compute="_compute_issue_counts", store=True, precompute=True, readonly=False
    )
    warning_count = fields.Integer(
        "Warnings", compute="_compute_issue_counts", store=True, precompute=True, readonly=False
    )
    issue_codes = fields.Char(
        "Issue codes",
        compute="_compute_issue_counts",
        store=True,
        index=True,
        precompute=True,
        readonly=False,
    )

    def init(self):
        # The goods files are large JSON texts written while a salesman waits for an order's
        # confirmation: lz4 compresses them several times faster than PostgreSQL's default.
        # Only where the server offers it (PostgreSQL 14 on, built with lz4).
        self.env.cr.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = self.env.cr.fetchone()
        self.env.cr.execute(
            "SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'rcep_origin_evaluation'::regclass AND attname = 'goods_json'"
        )
        current = self.env.cr.fetchone()
        if row and row[0] and current and current[0] != "l":  # an update does not lock again
            self.env.cr.execute(
                "ALTER TABLE rcep_origin_evaluation ALTER COLUMN goods_json SET COMPRESSION lz4"
            )
        # Evaluations made before "latest of the product" was kept: marked once, here (create
        # and unlink keep it from then on). Only rows never marked are touched.
        self.env.cr.execute(
            """UPDATE rcep_origin_evaluation e SET is_latest = (e.id = m.id)
                 FROM (SELECT product_tmpl_id, company_id, max(id) AS id
                         FROM rcep_origin_evaluation GROUP BY product_tmpl_id, company_id) m
                WHERE e.is_latest IS NULL
                  AND e.product_tmpl_id = m.product_tmpl_id AND e.company_id = m.company_id"""
        )

    @api.depends("product_tmpl_id", "date")
    def _compute_name(self):
        for evaluation in self:
            evaluation.name = "%s (%s)" % (  # noqa: UP031 - the date in the user's format
                evaluation.product_tmpl_id.display_name,
                format_date(evaluation.env, evaluation.date),
            )

    @api.depends("criterion", "annotations")
    def _compute_criterion_label(self):
        for evaluation in self:
            evaluation.criterion_label = " ".join(
                filter(None, [evaluation.criterion, evaluation.annotations])
            )

    @api.depends("issue_ids.severity", "issue_ids.code")
    def _compute_issue_counts(self):
        for evaluation in self:
            issues = evaluation.issue_ids
            evaluation.update(_issue_counts(issues.mapped("severity"), issues.mapped("code")))

    @api.depends("goods_json")
    def _compute_goods_json_display(self):
        for evaluation in self:
            text = evaluation.goods_json
            evaluation.goods_json_display = text and json.dumps(json.loads(text), indent=1)

    @api.depends_context("lang")
    @api.depends("facts_json", "explanation", "verdict", "line_ids", "issue_ids.decisive")
    def _compute_explanation_html(self):
        for evaluation in self:
            evaluation.explanation_html = evaluation._rcep_report_html()

    @api.model_create_multi
    def create(self, vals_list):
        # The last evaluation created for a product in a company is its latest one.
        vals_list = [dict(vals) for vals in vals_list]
        last = {}
        for index, vals in enumerate(vals_list):
            _counts_from_issues(vals)
            vals["is_latest"] = False
            company_id = vals.get("company_id") or self.env.company.id
            last[(vals.get("product_tmpl_id"), company_id)] = index
        for index in last.values():
            vals_list[index]["is_latest"] = True
        # An evaluation is made whole: its issues and material lines come with it (or from the
        # job that completes it) and nobody adds to them afterwards, so users may create
        # evaluations but not those records (access rights); they are made here as superuser,
        # the evaluation itself under the user's rights and rules (its company).
        self.check_access("create")
        evaluations = super(RcepOriginEvaluation, self.sudo()).create(vals_list)
        evaluations = evaluations.with_env(self.env)
        evaluations.check_access("create")
        evaluations._rcep_supersede()
        evaluations.filtered("is_latest")._rcep_refresh_products()
        return evaluations

    def unlink(self):
        gone = self.filtered("is_latest")
        pairs = {(e.product_tmpl_id.id, e.company_id.id) for e in gone}
        gone_pairs = set(pairs)  # the status of each is written again, from what remains
        result = super().unlink()
        if pairs:  # the one before becomes the latest
            remaining = self.sudo().search(
                [("product_tmpl_id", "in", [p for p, _c in pairs])], order="id desc"
            )
            for evaluation in remaining:
                pair = (evaluation.product_tmpl_id.id, evaluation.company_id.id)
                if pair in pairs:
                    pairs.discard(pair)
                    super(RcepOriginEvaluation, evaluation).write({"is_latest": True})
        for product_id, company_id in gone_pairs:
            company = self.env["res.company"].browse(company_id)
            template = self.env["product.template"].sudo().browse(product_id).exists()
            template.with_company(company)._rcep_refresh_verdict()
        return result

    def _rcep_refresh_products(self):
        """The products' status in each company of these evaluations, from their latest."""
        for company in self.company_id:
            mine = self.filtered(lambda e, c=company: e.company_id == c)
            mine.product_tmpl_id.with_company(company).sudo()._rcep_refresh_verdict()

    def _rcep_supersede(self):
        """The evaluations of the same products and companies made before these are no longer
        the latest."""
        latest = self.filtered("is_latest")
        if not latest:
            return
        older = self.sudo().search(
            [
                ("product_tmpl_id", "in", latest.product_tmpl_id.ids),
                ("is_latest", "=", True),
                ("id", "not in", latest.ids),
            ]
        )
        pairs = {(e.product_tmpl_id.id, e.company_id.id) for e in latest}
        older = older.filtered(lambda e: (e.product_tmpl_id.id, e.company_id.id) in pairs)
        if older:
            super(RcepOriginEvaluation, older).write({"is_latest": False})

    def write(self, vals):
        completion = {
            "line_ids",
            "lines_pending",
            "product_ids_json",
            "vendor_coverage_json",
            "lines_note",
            "confirmed_on",  # the nightly job found the same again
            "words_pending",
            "words_note",
        }
        allowed = set(completion)
        if all(self.mapped("words_pending")):
            # the engine's words of a good that qualified at confirmation, written once by the
            # job (which clears the flag; nothing sets it again)
            allowed |= {"explanation", "facts_json", "issue_ids"}
        if set(vals) - allowed or vals.get("words_pending"):
            raise UserError(
                _(
                    "An RCEP evaluation is a record of what was found: it is never "
                    "edited. Evaluate again to supersede it."
                )
            )
        return super().write(vals)

    # --- business -----------------------------------------------------------------------------

    @api.model
    def _rcep_evaluate(self, product, bom, fob, currency, importing_country, day):
        """Evaluate one product (its BOM, or wholly obtained without one) and keep the result."""
        return self.create(self._rcep_values(product, bom, fob, currency, importing_country, day))

    @api.model
    def _rcep_values(
        self,
        product,
        bom,
        fob,
        currency,
        importing_country,
        day,
        tree=None,
        terms=None,
        lines=True,
        company=None,
        keep=None,
    ):
        """The values of the evaluation record of one product (the engine runs here). Without
        ``lines``, the material lines are left to `_rcep_complete_lines` (order confirmation,
        where a salesman waits: the verdict, criterion and issues are all there). ``keep``, a
        dict, receives the goods file (``shipment``) and the engine's ``result`` (readiness's
        look-ahead runs the engine again on them)."""
        company = company or bom.company_id or self.env.company  # an order's: its company
        if tree is None:
            tree = bom._rcep_tree(company, day)
        good, product_ids = self.env["mrp.bom"]._rcep_good(product, bom, fob, tree)
        if terms is not None:  # another incoterm: the engine derives FOB (Art 3.1(e))
            good["invoice_value"] = good.pop("fob")
            good.update(terms)
        shipment = {
            "exporting_party": company.country_id.code,
            "importing_party": importing_country.code,
            "shipment_date": fields.Date.to_string(day),
            "currency": currency.name,
            "good": good,
        }
        text = json.dumps(shipment, sort_keys=True)  # only JSON types: the engine reads the same
        result = self._rcep_run(shipment)
        if keep is not None:
            keep.update(shipment=shipment, result=result)
        # A good that qualifies at an order's confirmation (``lines`` false) is recorded with
        # what the salesman and the declaration need: its warnings and explanation take a walk
        # over every BOM line, and come with the lines from the job right after the commit.
        # A good that does not qualify gets its issues at once: they are the refusal's words.
        words = lines or not result.originating
        rule, rvc = rule_and_rvc(result)
        rule, rvc = rule or {}, rvc or {}
        verdict = (
            "not_evaluated"
            if result.originating is None
            else "originating"
            if result.originating
            else "not_originating"
        )
        values = {
            "company_id": company.id,
            "product_tmpl_id": product.product_tmpl_id.id,
            "bom_id": bom.id,
            # the currency before the amount: Odoo rounds a Monetary in its currency as it
            # caches the created record, and would read the currency back from the database
            "currency_id": currency.id,
            "fob": float(fob),
            "exporting_country_id": company.country_id.id,
            "importing_country_id": importing_country.id,
            "date": day,
            "verdict": verdict,
            "criterion": result.criterion or False,
            "annotations": " ".join(result.annotations) or False,
            "satisfied": ", ".join(result.satisfied) or False,
            "rule_text": rule.get("text"),
            "rule_source": rule.get("source"),
            "build_down": rvc.get("build_down"),
            "build_up": rvc.get("build_up"),
            "vnm": rvc.get("vnm"),
            "engine_version": ENGINE_VERSION,
            "rules_digest": self.env["rcep.origin.psr"]._rcep_rules_digest(),
            "input_hash": hashlib.sha256(text.encode()).hexdigest(),
            "goods_json": text,
            **(_words(result) if words else {"words_pending": True}),
        }
        coverage = tree.coverage(product_ids)
        if lines:
            products = dict(zip(bom_paths(good), product_ids, strict=True))
            values["line_ids"] = _line_commands(
                material_dicts(result), products, coverage, self.env["res.country"]._rcep_ids()
            )
        else:
            values.update(
                lines_pending=True,
                product_ids_json=json.dumps(product_ids),
                vendor_coverage_json=json.dumps(coverage) if coverage else False,
            )
        return values

    def _rcep_run(self, shipment):
        reference = self.env["rcep.origin.psr"]._rcep_reference()
        return evaluate(parse_shipment(shipment), reference)

    def _rcep_complete_lines(self):
        """Write the material lines that order confirmation left out, and for a good that
        qualified its warnings and explanation: the engine runs again on the stored goods
        file. Same inputs, engine and rules give the same verdicts; should the engine or the
        rule table have changed in between (version and digest are kept), nothing more is
        written and the evaluation says so: evaluate again."""
        Psr = self.env["rcep.origin.psr"]
        for evaluation in self.filtered("lines_pending"):
            shipment = json.loads(evaluation.goods_json, parse_float=Decimal)
            same = (
                evaluation.engine_version == ENGINE_VERSION
                and evaluation.rules_digest == Psr._rcep_rules_digest()
            )
            result = evaluation._rcep_run(shipment) if same else None
            values = {
                "lines_pending": False,
                "words_pending": False,
                "product_ids_json": False,
                "vendor_coverage_json": False,
            }
            if same and evaluation.words_pending:
                values.update(_words(result))
            if same:
                ids = json.loads(evaluation.product_ids_json or "[]")
                kept = set(self.env["product.product"].browse(ids).exists().ids)  # not deleted
                ids = [i if i in kept else None for i in ids]
                products = dict(zip(bom_paths(shipment["good"]), ids, strict=True))
                coverage = {
                    int(product_id): counts
                    for product_id, counts in json.loads(
                        evaluation.vendor_coverage_json or "{}"
                    ).items()
                }
                values["line_ids"] = _line_commands(material_dicts(result), products, coverage)
            else:
                values["lines_note"] = _(
                    "The material lines were not written: the rules or the engine changed "
                    "between the confirmation and the job. Evaluate again for them."
                )
                if evaluation.words_pending:
                    values["words_note"] = _(
                        "The warnings and the explanation were not written: the rules or the "
                        "engine changed between the confirmation and the job. Evaluate again "
                        "for them."
                    )
                _logger.warning(
                    "RCEP evaluation %s: the rules or the engine changed since it was made; "
                    "its material lines are not written.",
                    evaluation.id,
                )
            evaluation.write(values)
        # the deciding issue of a good whose RVC fails depends on the lines: written again
        self.filtered("is_latest")._rcep_refresh_products()

    def _rcep_completion_failed(self, exc):
        """What the job writes on an evaluation it could not complete: neither its lines nor,
        for a good that qualified, its warnings and explanation will come; it says so."""
        self.ensure_one()
        values = {
            "lines_pending": False,
            "words_pending": False,
            "lines_note": self.env._("The material lines could not be written: %s", exc),
        }
        if self.words_pending:
            values["words_note"] = self.env._(
                "The warnings and the explanation could not be written: %s. Evaluate again "
                "for them.",
                exc,
            )
        return values

    @api.model
    def _rcep_evaluate_products(self, templates, importing_country, day):
        """Evaluate many products at once (their first normal BOM, FOB = sales price), reading
        the supplier declarations of all their components in one query."""
        company = self.env.company
        products = templates.product_variant_id
        boms = self.env["mrp.bom"]._bom_find(products, company_id=company.id, bom_type="normal")
        all_boms = self.env["mrp.bom"].union(*boms.values()) if boms else self.env["mrp.bom"]
        tree = all_boms._rcep_tree(company, day)
        return self.create(
            [
                self._rcep_values(
                    product,
                    boms.get(product, self.env["mrp.bom"]),
                    product.list_price,
                    company.currency_id,
                    importing_country,
                    day,
                    tree,
                )
                for product in products
            ]
        )

    # --- the explanation, worded for people --------------------------------------------------
    # Built from the engine's facts (``facts_json``, rcep_rules.explain.evaluation_dict) in the
    # reader's language; the engine's own text (``explanation``) stays for the command line and
    # the Audit tab. Nothing here decides: the engine did, and `_rcep_decisive_issues` says which
    # issues made the verdict.

    def _rcep_decisive_issues(self):
        """The issues that decided the verdict: the errors of a good that could not be
        evaluated; for a good that is not originating, the minimal operations (Art 3.6) when
        they stopped it, else the issues of the materials that fail the rule: those that fail
        a change of classification it offers and, where its RVC is not met, every
        non-originating material (each counts in VNM). Decided on the engine's facts."""
        self.ensure_one()
        issues = self.issue_ids
        if self.verdict == "not_evaluated":
            return issues.filtered(lambda i: i.severity == "error")
        if self.verdict != "not_originating":
            return issues.browse()
        facts = json.loads(self.facts_json or "{}")
        minimal = issues.filtered(lambda i: i.code == "PROCESS_MINIMAL" and i.path == "good")
        if minimal and (facts.get("minimal") or not self.facts_json):
            return minimal
        failing = {
            m["path"] for term in facts.get("ctc", []) if not term["holds"] for m in term["failing"]
        }
        if (facts.get("rvc_test") or {}).get("met") is False:
            failing |= set(self.line_ids.filtered(lambda line: not line.originating).mapped("path"))
        return issues.filtered(
            lambda i: (
                i.path and any(i.path == path or i.path.startswith(path + ".") for path in failing)
            )
        )

    def _rcep_report_html(self):
        return evaluation_report_html(self)


def _words(result):
    """What the engine says of an evaluation beside its verdict: the explanation (without its
    list of materials: the record lists them as lines), the facts Odoo words it from, and the
    issues (counted from them: `_counts_from_issues`, `_compute_issue_counts`). The engine's
    words stay as technical detail; its facts let Odoo word each issue in the reader's
    language (rcep.origin.evaluation.issue, wording.py)."""
    facts = evaluation_dict(result, materials=False)
    issues = result.issues
    return {
        "explanation": facts["explanation"],
        "facts_json": json.dumps(
            {k: v for k, v in facts.items() if k not in ("explanation", "issues", "materials")}
        ),
        "issue_ids": [
            (
                0,
                0,
                {
                    "code": i.code,
                    "severity": i.severity,
                    "path": i.path,
                    "message": i.message,
                    "hint": i.hint,
                    "facts_json": issue_facts_json(i),
                },
            )
            for i in issues
        ],
    }


def _line_commands(materials, products, coverage, countries=None):
    """The evaluation lines' commands; ``coverage`` is {product id: [vendors, proved, RCEP
    vendor marked]} of the bought components (`BomTree.coverage`); ``countries`` ({code:
    id}) gives each line its country in its values, so none is computed line by line."""
    return [
        (
            0,
            0,
            {
                "path": m["path"],
                "product_id": products.get(m["path"]),
                **_coverage_values(coverage.get(products.get(m["path"]))),
                "code": m["code"],
                "hs_code": m["hs_code"],
                "origin_country": m["origin_country"],
                **(
                    {"origin_country_id": countries.get(m["origin_country"], False)}
                    # a code unknown to the cache (a country made since): computed instead
                    if countries and (not m["origin_country"] or m["origin_country"] in countries)
                    else {}
                ),
                "originating": m["originating"],
                "value": m["value"],
                "ctc": m["ctc"],
                "reason": m["reason"],
                "why": m["why"],
                "proof_type": (m["proof"] or {}).get("type"),
                "proof_reference": (m["proof"] or {}).get("reference"),
                "proof_valid_through": (m["proof"] or {}).get("valid_through"),
                "sub_criterion": m["criterion"],
            },
        )
        for m in materials
    ]


def _counts_from_issues(vals):
    """The issue counts of an evaluation about to be created, from the issues it is created
    with (``issue_ids`` as create commands), whatever counts were given: in the same INSERT,
    and never other than its issues. Issues given otherwise: Odoo computes them."""
    for name in ("error_count", "warning_count", "issue_codes"):
        vals.pop(name, None)
    commands = vals.get("issue_ids") or []
    if all(isinstance(c, list | tuple) and len(c) == 3 and c[0] == 0 for c in commands):
        issues = [command[2] for command in commands]
        severities = [issue.get("severity") for issue in issues]
        vals.update(_issue_counts(severities, [issue.get("code") for issue in issues]))


def _issue_counts(severities, codes):
    """The evaluation's issue counts and codes, from its issues' severities and codes."""
    errors = severities.count("error")
    return {
        "error_count": errors,
        "warning_count": len(severities) - errors,
        "issue_codes": ", ".join(sorted({code for code in codes if code})),
    }


def _coverage_values(counts):
    if not counts:
        return {}
    vendors, proved, marked = counts
    values = {"vendor_count": vendors, "vendor_proved_count": proved}
    if marked:  # false is the default: fewer values for the many lines of a batch
        values["rcep_vendor"] = True
    return values


def isolated(record, method, failed):
    """Run one record's step of the job; should it fail unexpectedly, undo it, log it, and
    write ``failed(exception)`` on the record, so that it neither stops the others (the job
    takes the records one by one) nor comes back at every run."""
    try:
        with record.env.cr.savepoint():
            method()
    except Exception as exc:
        _logger.exception("RCEP %s %s: %s failed", record._name, record.id, method.__name__)
        record.write(failed(exc))
