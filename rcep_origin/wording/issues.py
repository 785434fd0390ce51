"""Pre-review issues (the engine's codes), in the words of the people who use Odoo: what is
wrong, where to fix it as an Odoo path, and who can."""

import re
from typing import NamedTuple

from odoo.tools import format_date
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


# --- pre-review issues (engine codes) ------------------------------------------------------------
#
# Public API (the others call these; nothing else words an engine issue for Odoo users):
#   issue_words(env, code, facts, product=None) -> IssueWords(message, fix, who)
#   issue_line(env, code, facts, product=None) -> str: "message Where: fix. Who: who. [CODE]"
#   subject_path(path) -> str: the goods-file path of the good or BOM line an issue is about
#   ISSUE_CODES: the engine codes worded here (every code of rcep_rules.issues.CATALOGUE)
#   PATHS: {key: _lt(Odoo path)} for the fields and menus named below
# ``facts`` are the engine's facts of the issue (rcep.origin.evaluation.issue.facts_json);
# ``product`` the product.product (or its name) the issue is about, found from the issue's path
# through the evaluation's products: a material is named by its product, never by its path.

PATHS = {
    "processes": _lt("Product › RCEP Origin › Production processes"),
    "hs_code": _lt("Product › RCEP Origin › HS Code (and HS edition)"),
    "origin": _lt("Product › RCEP Origin › Origin of Goods"),
    "wholly_obtained": _lt("Product › RCEP Origin › Wholly obtained"),
    "cost": _lt("Product › General Information › Cost"),
    "vendors": _lt("Product › Purchase › Vendors"),
    "supplier_declarations": _lt("Manufacturing › RCEP Origin › Supplier declarations"),
    "process_list": _lt("Manufacturing › RCEP Origin › Processes"),
    "rules": _lt("Manufacturing › RCEP Origin › Product-specific rules"),
    "bom": _lt("Manufacturing › Products › Bills of Materials › Components"),
    "bom_quantity": _lt("Bill of Materials › Components › Quantity"),
    "unit_price": _lt("Sales order › Order Lines › Unit Price"),
    "incoterm": _lt("Sales order › Other Info › Incoterm"),
    "default_incoterm": _lt("Settings › Invoicing › Customer Invoices › Default Incoterm"),
    "delivery_address": _lt("Sales order › Delivery Address (its country)"),
    "delivery_date": _lt("Sales order › Other Info › Delivery Date"),
    "log_note": _lt("Sales order › chatter › Log note"),
    "evaluations": _lt("Manufacturing › RCEP Origin › Evaluations"),
    "company_country": _lt("Settings › Users & Companies › Companies › Country"),
    "freight": _lt("Sales order › Other Info › RCEP origin › Freight after loading"),
    "insurance": _lt("Sales order › Other Info › RCEP origin › Insurance included"),
    "duties": _lt("Sales order › Other Info › RCEP origin › Import duties and taxes included"),
    "packages": _lt("Sales order › Order Lines › Packages (optional column)"),
    "package_kind": _lt("Sales order › Order Lines › Kind of packages (optional column)"),
}


def path(env, key):
    """Where something is fixed, as an Odoo path in the reader's language (``PATHS[key]``)."""
    return env._(PATHS[key])


WHO_MANAGER = _lt("an RCEP manager (group RCEP Manager)")
WHO_SALES = _lt("the salesperson, or an RCEP manager")
WHO_ADMIN = _lt("an administrator")

# code: (plain words with the facts, where to fix it, who can)
_ISSUES = {
    "INPUT_INVALID": (
        _lt("The value of %(field)s is not valid: %(problem)s."),
        _lt("%(where)s"),
        WHO_MANAGER,
    ),
    "INPUT_UNKNOWN_FIELD": (
        _lt("The goods file has a field %(field)s that is not known; it was ignored."),
        _lt("%(where)s"),
        WHO_MANAGER,
    ),
    "HS_MISSING": (
        _lt("%(product)s has no HS code."),
        _lt("%(at_hs_code)s: a code of 6 digits or more, e.g. 8538.90"),
        WHO_MANAGER,
    ),
    "HS_INVALID": (
        _lt("The HS code %(code)s of %(product)s is not a subheading of %(version)s%(other)s."),
        _lt("%(at_hs_code)s: check the classification"),
        WHO_MANAGER,
    ),
    "HS_INCONSISTENT": (
        _lt(
            "The HS code of %(product)s does not agree with the rest of the bill of materials "
            "(one product with two HS codes, or another HS edition than the good's)."
        ),
        _lt("%(at_hs_code)s: one HS code per product, in the edition of the good"),
        WHO_MANAGER,
    ),
    "PSR_NOT_FOUND": (
        _lt(
            "No product-specific rule of Annex 3A is loaded for HS %(code)s (%(version)s)"
            '%(detail)s, so only "wholly obtained" or "made only from originating materials" '
            "can apply."
        ),
        _lt(
            "%(at_rules)s: load the official Annex 3A rule for this code (fta.mofcom.gov.cn for "
            "HS2012, rcepsec.org for HS2022); rules are never guessed"
        ),
        WHO_MANAGER,
    ),
    "PSR_TRANSPOSED": (
        _lt(
            "No HS2022 rule is loaded for %(code)s: the HS2012 rule of %(rule_code)s "
            "(%(rule_text)s) is applied through the official correlation to %(mapped)s."
        ),
        _lt("%(at_rules)s: confirm the HS2022 rule for %(code)s and load it"),
        WHO_MANAGER,
    ),
    "PSR_PARTIAL": (
        _lt(
            "The rule for %(rule_code)s (%(rule_text)s) could only partly be read from its "
            "source: only its legible alternatives were checked."
        ),
        _lt("%(at_rules)s: load the full text from the official Annex 3A"),
        WHO_MANAGER,
    ),
    "FOB_MISSING": (
        _lt("%(product)s has no positive price on the order, so its FOB value is unknown."),
        _lt("%(at_unit_price)s"),
        WHO_SALES,
    ),
    "INCOTERM_MISSING": (
        _lt(
            "The order gives no incoterm (nor does the company, by default), so the FOB value "
            "of %(product)s (the price at the port of loading, Art 3.1(e)) cannot be worked "
            "out: its price is not assumed to be FOB."
        ),
        _lt("%(at_incoterm)s, or for every order: %(at_default_incoterm)s"),
        WHO_SALES,
    ),
    "FOB_UNDETERMINED": (
        _lt(
            "%(product)s is sold %(incoterm)s and the order does not give its %(missing)s, so "
            "its FOB value (the price at the port of loading, Art 3.1(e)) cannot be worked out."
        ),
        _lt("%(missing_where)s (or sell FOB: %(incoterm_where)s)"),
        WHO_SALES,
    ),
    "BOM_EMPTY": (
        _lt("%(product)s has no bill of materials and is not marked wholly obtained."),
        _lt("%(at_bom)s, or %(at_wholly_obtained)s if it is wholly obtained (Art 3.3)"),
        WHO_MANAGER,
    ),
    "BOM_COST_MISSING": (
        _lt("%(product)s has no valid cost%(problem)s."),
        _lt("%(at_cost)s (imported: its CIF value; bought here: the price paid)"),
        WHO_MANAGER,
    ),
    "BOM_QTY_INVALID": (
        _lt("%(product)s has a missing, zero or negative quantity in a bill of materials."),
        _lt("%(at_bom_quantity)s"),
        WHO_MANAGER,
    ),
    "BOM_CYCLE": (
        _lt("%(product)s contains itself: its bill of materials uses a product it goes into."),
        _lt("%(at_bom)s: remove the loop"),
        WHO_MANAGER,
    ),
    "BOM_VALUE_EXCEEDS_FOB": (
        _lt(
            "The materials of %(product)s cost %(materials)s %(currency)s, more than its value "
            "of %(value)s %(currency)s."
        ),
        _lt("%(at_bom_quantity)s, %(at_cost)s and %(at_unit_price)s"),
        WHO_MANAGER,
    ),
    "ORIGIN_UNKNOWN": (
        _lt(
            "%(product)s has no country of origin and no origin proof, so it counts as "
            "not originating (Art 3.5.4)."
        ),
        _lt(
            "%(at_origin)s; from an RCEP country, a supplier declaration in "
            "%(at_supplier_declarations)s for a vendor listed in %(at_vendors)s"
        ),
        WHO_MANAGER,
    ),
    "ORIGIN_PROOF_MISSING": (
        _lt(
            "%(product)s comes from %(country)s, an RCEP country, but has no valid origin "
            "proof, so it counts as not originating%(missed)s."
        ),
        _lt(
            "%(at_supplier_declarations)s: record the supplier's declaration or certificate of "
            "origin, for a vendor listed in %(at_vendors)s"
        ),
        WHO_MANAGER,
    ),
    "ORIGIN_WO_UNPROVEN": (
        _lt(
            "%(product)s is marked wholly obtained but has no valid origin proof, so it counts "
            "as not originating (a bought product needs a proof, Art 3.16)."
        ),
        _lt(
            "%(at_supplier_declarations)s: record the supplier's declaration that it is wholly "
            "obtained, for a vendor listed in %(at_vendors)s"
        ),
        WHO_MANAGER,
    ),
    "ORIGIN_PROOF_EXPIRED": (
        _lt(
            "The origin proof %(reference)s of %(product)s is %(problem)s on the shipment day "
            "%(date)s, so it counts as not originating (Art 3.16: a proof is valid one year)."
        ),
        _lt("%(at_supplier_declarations)s: a proof valid on the shipment day"),
        WHO_MANAGER,
    ),
    "ORIGIN_PROOF_INVALID": (
        _lt(
            "The origin proof %(reference)s of %(product)s cannot make it originating: %(problem)s."
        ),
        _lt("%(at_supplier_declarations)s and %(at_origin)s"),
        WHO_MANAGER,
    ),
    "PROCESS_MISSING": (
        _lt("No production process is recorded for %(product)s."),
        _lt("%(at_processes)s"),
        WHO_MANAGER,
    ),
    "PROCESS_UNKNOWN": (
        _lt("%(product)s has the process %(process)s, which is not in the list of processes."),
        _lt("%(at_processes)s (the list: %(at_process_list)s)"),
        WHO_MANAGER,
    ),
    "PROCESS_MINIMAL": (
        _lt(
            "%(product)s only undergoes minimal operations (%(processes_done)s) on materials "
            "that are not originating; these never give origin, whatever the rule (Art 3.6)."
        ),
        _lt(
            "%(at_processes)s: the substantial processes really performed; or buy the materials "
            "with origin proofs (%(at_supplier_declarations)s)%(not_simple)s"
        ),
        WHO_MANAGER,
    ),
    "CRITERION_CLAIM_NOT_MET": (
        _lt(
            "%(product)s does not meet the origin criterion claimed, %(claim)s, so it is not "
            "originating for that claim%(holding)s."
        ),
        _lt("%(at_evaluations)s: claim a criterion that holds, or no criterion"),
        WHO_MANAGER,
    ),
    "PARTY_NOT_RCEP": (
        _lt("%(role)s, %(country)s, is not an RCEP country."),
        _lt("%(party_where)s"),
        WHO_SALES,
    ),
    "PARTY_NOT_IN_FORCE": (
        _lt("RCEP is not in force for %(country)s on %(date)s (it is from %(since)s)."),
        _lt("%(at_delivery_date)s, or %(party_where)s"),
        WHO_SALES,
    ),
    "PARTY_CONTESTED": (
        _lt("RCEP treatment of %(country)s is not accepted everywhere: %(note)s."),
        _lt(
            "Confirm with the importing customs that they accept it, and note their answer in "
            "%(at_log_note)s"
        ),
        WHO_MANAGER,
    ),
    "CURRENCY_MISMATCH": (
        _lt("%(product)s is valued in %(found)s, the shipment in %(expected)s."),
        _lt("%(at_cost)s, in the company's currency"),
        WHO_MANAGER,
    ),
}

ISSUE_CODES = frozenset(_ISSUES)

_FIELDS = {  # goods-file fields an INPUT_INVALID can name, in Odoo's words
    "importing_party": (_lt("the importing country"), "delivery_address"),
    "exporting_party": (_lt("the exporting country"), "company_country"),
    "shipment_date": (_lt("the shipment day"), "delivery_date"),
    "quantity": (_lt("a quantity"), "bom_quantity"),
    "unit_cost": (_lt("a cost"), "cost"),
    "hs_code": (_lt("an HS code"), "hs_code"),
    "hs_version": (_lt("an HS edition"), "hs_code"),
    "fob": (_lt("the price"), "unit_price"),
    "invoice_value": (_lt("the price"), "unit_price"),
    "incoterm": (_lt("the incoterm"), "incoterm"),
    "freight": (_lt("the freight"), "freight"),
    "insurance": (_lt("the insurance"), "insurance"),
    "import_duties_and_taxes": (_lt("the import duties and taxes"), "duties"),
    "processes": (_lt("the production processes"), "processes"),
}
_DEDUCTIONS = {  # what FOB_UNDETERMINED says is missing
    "freight": (_lt("freight after loading"), "freight"),
    "insurance": (_lt("insurance"), "insurance"),
    "import_duties_and_taxes": (_lt("import duties and taxes"), "duties"),
    "costs_to_port": (_lt("costs up to the port of loading"), "incoterm"),
}


class IssueWords(NamedTuple):
    message: str
    fix: str
    who: str


class _Values(dict):
    def __missing__(self, key):
        return ""


_SUBJECT = re.compile(r"good(?:\.bom\[\d+\])*")


def subject_path(path):
    """The good or BOM line an issue is about: ``good.bom[1].bom[0].proof`` -> ``good.bom[1]
    .bom[0]``; ``good.fob`` -> ``good``; None for a shipment field."""
    match = _SUBJECT.match(path or "")
    return match.group(0) if match else None


def issue_words(env, code, facts, product=None):
    """What an issue means (with its facts), where to fix it (an Odoo path) and who can, in
    the language of ``env``. ``product``: the product the issue is about (a record or a name)."""
    meaning, fix, who = _ISSUES.get(code, (None, None, WHO_MANAGER))
    values = _Values(_fact_values(env, code, facts or {}, product))
    values.update({f"at_{key}": env._(path) for key, path in PATHS.items()})
    if meaning is None:  # a code newer than this table: its evaluation says more
        return IssueWords(code, path(env, "evaluations"), env._(who))
    return IssueWords(env._(meaning) % values, env._(fix) % values, env._(who))


def issue_line(env, code, facts, product=None):
    """One issue in one line, for a message: its words, where and who, then the code."""
    words = issue_words(env, code, facts, product)
    return env._("%(message)s Where: %(fix)s. Who: %(who)s. [%(code)s]") % {
        "message": words.message,
        "fix": words.fix,
        "who": words.who,
        "code": code,
    }


def _fact_values(env, code, facts, product):
    values = {k: "" if v is None else str(v) for k, v in facts.items()}
    name = getattr(product, "display_name", product)
    values["product"] = name or _plain_what(env, facts.get("what"))
    if code == "INPUT_INVALID":
        label, where = _FIELDS.get(facts.get("field"), (None, None))
        if label is not None:
            values["field"] = env._(label)
        values["where"] = (
            path(env, where)
            if where
            else env._(
                "%s: the field its technical detail names, on the product, its bill of "
                "materials or the order"
            )
            % path(env, "evaluations")
        )
    elif code == "HS_INVALID":
        values["other"] = (
            env._("; it exists in the other HS edition: set the HS edition")
            if facts.get("other_version_hint")
            else ""
        )
    elif code == "FOB_UNDETERMINED":
        missing = [m.strip() for m in str(facts.get("missing") or "").split(" and ") if m]
        words = [_DEDUCTIONS.get(m, (m, None)) for m in missing]
        values["missing"] = env._(" and ").join(
            env._(label) if where else label for label, where in words
        )
        values["missing_where"] = "; ".join(
            path(env, where) for _label, where in words if where
        ) or path(env, "incoterm")
        values["incoterm_where"] = path(env, "incoterm")
    elif code == "INPUT_UNKNOWN_FIELD":
        values["where"] = env._("%s: the goods file the evaluation was made from") % path(
            env, "evaluations"
        )
    elif code == "CRITERION_CLAIM_NOT_MET":
        satisfied = str(facts.get("satisfied") or "")
        values["holding"] = (  # the engine's English replaced by the reader's words
            env._("; it qualifies under %s") % satisfied
            if satisfied
            else env._("; no criterion holds")
        )
    elif code == "ORIGIN_PROOF_MISSING":
        values["country"] = country_name(env, facts.get("country"))
        if facts.get("missed_by") == "supplier_declaration":
            values["missed"] = env._(" (a supplier declaration would make it originating)")
        elif facts.get("missed_by") == "cumulation":
            values["missed"] = env._(" and cumulation (Art 3.4) is missed")
    elif code == "ORIGIN_PROOF_EXPIRED":
        values["date"] = _date(env, facts.get("date"))
        if facts.get("state") == "expired":
            values["problem"] = env._(
                "expired (valid until %s)", _date(env, facts.get("valid_through"))
            )
        elif facts.get("state") == "not_yet_valid":
            values["problem"] = env._("not yet valid (issued %s)", _date(env, facts.get("issued")))
    elif code == "ORIGIN_PROOF_INVALID":
        why, country = facts.get("why"), country_name(env, facts.get("country"))
        if why == "no_country":
            values["problem"] = env._("it names no country of origin")
        elif why == "not_a_party":
            values["problem"] = env._("%s is not an RCEP Party", country)
        elif why == "not_in_force":
            values["problem"] = env._(
                "RCEP is not yet in force for %s on the shipment day", country
            )
        elif why == "supplier_declaration_abroad":
            values["problem"] = env._(
                "a supplier declaration proves origin only for a supplier in the exporting "
                "country; a material originating in %s needs an RCEP certificate or declaration "
                "of origin (Art 3.16)",
                country,
            )
        elif why == "no_dates":
            values["problem"] = env._("it has neither an expiry date nor an issue date")
        else:  # an issue stored before the engine gave its reason as a code
            values["problem"] = values.get("problem", "").replace(" (origin_country)", "")
    elif code == "BOM_COST_MISSING" and "given" in facts:
        values["problem"] = (
            env._(" (%s is not an amount of zero or more)", facts["given"])
            if facts["given"] is not None
            else env._(" (a bought material needs its cost, even when it is zero)")
        )
    elif code == "PROCESS_MINIMAL":
        values["processes_done"] = _process_names(env, facts.get("processes"))
        forms = _process_names(env, facts.get("machine_forms"))  # of those operations
        values["not_simple"] = (  # the engine's English replaced by the reader's words
            env._(
                "; if an operation was not simple (it needed special skills, or machines or "
                "equipment especially produced or installed for it: Art 3.6 footnote), record "
                "what was done instead, e.g. %s",
                forms,
            )
            if forms
            else ""
        )
    elif code in ("PARTY_NOT_RCEP", "PARTY_NOT_IN_FORCE"):
        importing = "importing" in str(facts.get("role") or "").lower()
        values["role"] = (
            env._("The importing country") if importing else env._("The exporting country")
        )
        values["party_where"] = path(env, "delivery_address" if importing else "company_country")
    if code == "PSR_TRANSPOSED" and not values.get("mapped"):
        values["mapped"] = values.get("rule_code", "")
    return values


def country_name(env, code):
    """A country's name in the user's language, from the ISO code the engine reports (the
    code itself for one Odoo does not know)."""
    if not code:
        return ""
    country = env["res.country"].search([("code", "=", str(code).upper())], limit=1)
    return country.name or str(code)


def _date(env, value):
    """An engine date (ISO text in the stored facts) in the user's date format."""
    return format_date(env, value) if value else ""


def _plain_what(env, what):
    """The engine's "the good X" / "material X" / "sub-assembly X" when no product is known."""
    return str(what or env._("the good"))


def _process_names(env, codes):
    """The names of the processes whose codes the engine reports, in the user's language."""
    codes = [c.strip() for c in str(codes or "").split(",") if c.strip()]
    processes = env["rcep.origin.process"].sudo().search([("code", "in", codes)])
    names = {p.code: p.name for p in processes}
    return ", ".join(names.get(c, c) for c in codes)
