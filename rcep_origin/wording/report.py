"""The evaluation report: the explanation on the evaluation form, built from the engine's facts
in the reader's language."""

import json

from markupsafe import Markup
from odoo.tools import format_date
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


# --- evaluation report (the explanation on the evaluation form) ---------------------------------
# Built from the engine's facts (``facts_json``, rcep_rules.explain.evaluation_dict) in the
# reader's language; the engine's own text (``explanation``) stays for the command line and the
# Audit tab. Nothing here decides: the engine did, and the evaluation's `_rcep_decisive_issues`
# says which issues made the verdict.


def evaluation_report_html(evaluation):
    """The explanation of one evaluation, as HTML in the reader's language, built from the
    engine's facts (``facts_json``): the verdict, the rule, each failing material by name, the
    RVC arithmetic with FOB, VNM and VOM spelled out once, and the issues that decided."""
    _ = evaluation.env._
    if not evaluation.facts_json:  # made before the facts were kept: the engine's text
        return evaluation.explanation and Markup("<pre>%s</pre>") % evaluation.explanation
    facts = json.loads(evaluation.facts_json)
    currency = evaluation.currency_id.name or facts.get("currency") or ""
    names = {
        line.path: line.product_id.display_name or line.code or line.path
        for line in evaluation.line_ids
    }
    countries = {
        c.code: c.name
        for c in evaluation.env["res.country"].search(
            [("code", "in", [m["country"] for m in facts.get("cumulated", [])])]
        )
    }
    html = []

    def para(text, css=None):
        html.append(
            Markup('<p class="%s">%s</p>') % (css, text) if css else Markup("<p>%s</p>") % text
        )

    def money(value):
        return "%s %s" % (value, currency)  # noqa: UP031 - exact, never rounded

    good = facts.get("good") or {}
    para(
        _(
            "%(product)s, HS %(hs)s (%(edition)s), from %(exporter)s to %(importer)s, "
            "shipment date %(date)s.",
            product=evaluation.product_tmpl_id.display_name,
            hs=good.get("hs_code") or _("none"),
            edition=good.get("hs_version") or "",
            exporter=evaluation.exporting_country_id.name or facts.get("exporting_party"),
            importer=evaluation.importing_country_id.name or facts.get("importing_party"),
            date=format_date(evaluation.env, evaluation.date),
        )
    )
    decisive = evaluation.issue_ids.filtered("decisive")
    if evaluation.verdict == "not_evaluated":
        para(
            Markup("<strong>%s</strong>")
            % _(
                "Not evaluated: %(count)s issue(s) must be fixed first.",
                count=len(decisive),
            )
        )
        _report_issues(evaluation, html, decisive)
        return Markup("").join(html)
    html.append(Markup("<p><strong>%s</strong></p>") % _report_verdict(evaluation, facts))
    _report_rule(evaluation, html, facts)
    satisfied = facts.get("satisfied", [])
    if "WO" in satisfied:
        para(_("Wholly obtained or produced in the exporting Party (Art 3.3)."))
    if "PE" in satisfied:
        para(_("Produced exclusively from originating materials (Art 3.2(b))."))
    if facts.get("minimal"):
        processes = evaluation.env["rcep.origin.process"].search(
            [("code", "in", facts.get("processes", []))]
        )
        para(
            _(
                "Only minimal operations (%(processes)s) were performed on non-originating "
                "materials: they confer no origin (Art 3.6).",
                processes=", ".join(processes.mapped("name")),
            ),
            "text-danger" if evaluation.verdict == "not_originating" else None,
        )
    for term in facts.get("ctc", []):
        _report_ctc(evaluation, html, term, names, money)
    test = facts.get("rvc_test") or {}
    if test.get("thresholds"):
        _report_rvc(evaluation, html, facts["rvc"], test, money)
    if facts.get("cumulated"):
        para(
            _(
                "Cumulation (Art 3.4): %(materials)s count as originating.",
                materials=", ".join(
                    "%s (%s)"  # noqa: UP031
                    % (names.get(m["path"], m["code"]), countries.get(m["country"], m["country"]))
                    for m in facts["cumulated"]
                ),
            )
        )
    para(
        _(
            "Criteria that hold: %(criteria)s.",
            criteria=", ".join(satisfied) or _("none"),
        )
    )
    if decisive:
        html.append(Markup("<h5>%s</h5>") % _("Reason for the verdict"))
        _report_issues(evaluation, html, decisive)
    return Markup("").join(html)


def _report_verdict(evaluation, facts):
    _ = evaluation.env._
    if evaluation.verdict == "not_originating":
        return _("Not originating.")
    notes = {
        "ACU": _("with materials of other RCEP Parties counted as originating (ACU)"),
        "DMI": _("thanks to the de minimis of Art 3.7 (DMI)"),
    }
    annotations = [notes.get(a, a) for a in facts.get("annotations", [])]
    if annotations:
        return _(
            "Originating: declare criterion %(criterion)s, %(notes)s.",
            criterion=evaluation.criterion,
            notes=_(" and ").join(annotations),
        )
    return _("Originating: declare criterion %(criterion)s.", criterion=evaluation.criterion)


def _report_rule(evaluation, html, facts):
    _ = evaluation.env._
    rule = facts.get("rule")
    if not rule:
        good = facts.get("good") or {}
        html.append(
            Markup("<p>%s</p>")
            % _(
                "Rule: none is loaded for HS %(hs)s; only WO and PE can apply.",
                hs=good.get("hs_code"),
            )
        )
        return
    html.append(
        Markup("<p>%s <strong>%s</strong> %s</p>")
        % (
            _("Rule applied:"),
            rule["text"],
            _(
                "(Annex 3A, %(edition)s %(level)s %(code)s).",
                edition=rule["hs_version"],
                level=rule["level"],
                code=rule["code"],
            ),
        )
    )
    if rule.get("transposed"):
        html.append(
            Markup("<p>%s</p>")
            % _(
                "The HS2012 rule is applied to HS2022 %(hs)s through the UNSD correlation "
                "(%(relationship)s).",
                hs=(facts.get("good") or {}).get("hs_code") or rule["hs"],
                relationship=rule.get("relationship") or "",
            )
        )
    if rule.get("partial"):
        html.append(
            Markup('<p class="text-warning">%s</p>')
            % _(
                "The rule was only partly legible: the alternatives that could not be read "
                "were not tried, so a verdict of not originating is provisional until the "
                "full rule is loaded."
            )
        )


def _report_ctc(evaluation, html, term, names, money):
    _ = evaluation.env._
    units = {"CC": _("chapter"), "CTH": _("heading"), "CTSH": _("subheading")}
    unit = units.get(term["kind"], term["kind"])
    html.append(
        Markup("<h5>%s</h5>") % _("Change of %(unit)s (%(kind)s)", unit=unit, kind=term["kind"])
    )
    rule = _(
        "Every non-originating material must come from another %(unit)s than %(own)s.",
        unit=unit,
        own=term["own"],
    )
    if term.get("excluded"):
        rule = _(
            "Every non-originating material must come from another %(unit)s than %(own)s, "
            "and not from %(excluded)s.",
            unit=unit,
            own=term["own"],
            excluded=term["excluded"],
        )
    html.append(Markup("<p>%s</p>") % rule)
    if term["strict"]:
        html.append(
            Markup('<p class="text-success">%s</p>')
            % _("It holds: no non-originating material fails it.")
        )
        return
    rows = Markup("").join(
        Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>")
        % (names.get(m["path"], m["code"]), m["hs_code"] or "", money(m["counted"]))
        for m in term["failing"]
    )
    html.append(
        Markup(
            '<table class="table table-sm w-auto"><thead><tr><th>%s</th><th>%s</th><th>%s</th>'
            "</tr></thead><tbody>%s</tbody></table>"
        )
        % (_("Material that fails it"), _("HS code"), _("Value for the good"), rows)
    )
    share = _(
        "Failing materials %(value)s = %(share)s %% of the FOB value: ",
        value=money(term["failing_value"]),
        share=term["share"],
    )
    share += (
        _("within the de minimis of 10 % of FOB (Art 3.7(a)).")
        if term["within"]
        else _("more than the de minimis of 10 % of FOB (Art 3.7(a)).")
    )
    html.append(Markup("<p>%s</p>") % share)
    weight = term.get("by_weight")
    if weight:
        html.append(
            Markup("<p>%s</p>")
            % _(
                "By weight: %(failing)s of %(total)s = %(share)s %%: %(verdict)s the de "
                "minimis of 10 %% of the weight (Art 3.7(b)).",
                failing=weight["failing"],
                total=weight["total"],
                share=weight["share"],
                verdict=_("within") if weight["within"] else _("more than"),
            )
        )
    if term["holds"]:
        html.append(
            Markup('<p class="text-success">%s</p>')
            % _("%(kind)s holds with de minimis (DMI).", kind=term["kind"])
        )
    else:
        html.append(
            Markup('<p class="text-danger">%s</p>') % _("%(kind)s fails.", kind=term["kind"])
        )


def _report_rvc(evaluation, html, rvc, test, money):
    _ = evaluation.env._
    html.append(Markup("<h5>%s</h5>") % _("Regional value content (Art 3.5)"))
    if not rvc.get("build_down"):
        html.append(Markup("<p>%s</p>") % _("The FOB value is zero: RVC cannot be computed."))
        return
    terms = [
        ("FOB", _("free-on-board value of the good"), rvc["fob"]),
        ("VNM", _("value of non-originating materials"), rvc["vnm"]),
        ("VOM", _("value of originating materials"), rvc["vom"]),
    ]
    if test.get("costs"):
        terms.append(("", _("direct labour, overhead, profit and other costs"), test["costs"]))
    html.append(
        Markup('<table class="table table-sm w-auto"><tbody>%s</tbody></table>')
        % Markup("").join(
            Markup("<tr><th>%s</th><td>%s</td><td>%s</td></tr>") % (abbr, words, money(v))
            for abbr, words, v in terms
        )
    )
    lines = [
        _(
            "Build-down: (FOB − VNM) / FOB × 100 = (%(fob)s − %(vnm)s) / %(fob)s × 100 = "
            "%(rvc)s %%",
            fob=rvc["fob"],
            vnm=rvc["vnm"],
            rvc=rvc["build_down"],
        )
    ]
    if test.get("costs") and rvc.get("build_up"):
        lines.append(
            _(
                "Build-up: (VOM + costs) / FOB × 100 = (%(vom)s + %(costs)s) / %(fob)s × 100 "
                "= %(rvc)s %%",
                vom=rvc["vom"],
                costs=test["costs"],
                fob=rvc["fob"],
                rvc=rvc["build_up"],
            )
        )
    html.append(Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % x for x in lines))
    need = ", ".join("RVC%s" % t for t in test["thresholds"])  # noqa: UP031
    html.append(
        Markup('<p class="%s">%s</p>')
        % (
            "text-success" if test["met"] else "text-danger",
            _(
                "%(need)s: met (no less than the threshold, Annex 3A headnote 7(a)).",
                need=need,
            )
            if test["met"]
            else _(
                "%(need)s: not met (no less than the threshold, Annex 3A headnote 7(a)).",
                need=need,
            ),
        )
    )


def _report_issues(evaluation, html, issues):
    items = Markup("").join(
        Markup("<li><strong>%s</strong>: %s <em>%s</em></li>") % (issue.code, *issue._rcep_words())
        for issue in issues
    )
    html.append(Markup('<ul class="text-danger">%s</ul>') % items)


def material_reason(line):
    """Why one material line is, or is not, originating, in the reader's language: worded
    from the engine's reason code and the line's facts (country by name, proof, dates); a
    line made before those facts were kept shows the engine's text."""
    _ = line.env._
    country = line.origin_country_id.name or line.origin_country or ""
    proof_types = {
        "RCEP_CO": _("certificate of origin"),
        "RCEP_DO": _("declaration of origin"),
        "SUPPLIER_DECLARATION": _("supplier declaration"),
    }
    proof = " ".join(
        filter(None, [proof_types.get(line.proof_type, line.proof_type), line.proof_reference])
    )
    until = format_date(line.env, line.proof_valid_through) if line.proof_valid_through else "?"
    exporter = line.evaluation_id.exporting_country_id.name or ""
    words = {
        "proof": lambda: _(
            "originating in %(country)s: %(proof)s, valid until %(until)s",
            country=country,
            proof=proof,
            until=until,
        ),
        "cumulation": lambda: _(
            "originating in %(country)s, another RCEP Party (%(proof)s, valid until %(until)s): "
            "counts as originating in %(exporter)s (cumulation, Art 3.4)",
            country=country,
            proof=proof,
            until=until,
            exporter=exporter,
        ),
        "indirect": lambda: _("indirect material: treated as originating (Art 3.10)"),
        "rolled_up": lambda: _(
            "made in-house and originating on its own (%(criterion)s): counts as originating "
            "at its full value (Art 3.12)",
            criterion=line.sub_criterion or "",
        ),
        "transparent": lambda: _(
            "made in-house but not originating on its own: its non-originating inputs count instead"
        ),
        "no_proof": lambda: _(
            "from %(country)s, an RCEP Party, but no origin proof: non-originating",
            country=country,
        ),
        "non_party": lambda: _(
            "from %(country)s, not an RCEP Party: non-originating", country=country
        ),
        "origin_unknown": lambda: _("origin unknown: non-originating (Art 3.5.4)"),
        "proof_expired": lambda: _(
            "%(proof)s expired on %(until)s: non-originating (Art 3.16)", proof=proof, until=until
        ),
        "proof_not_yet_valid": lambda: _(
            "%(proof)s issued after the shipment date: non-originating", proof=proof
        ),
        "proof_invalid": lambda: _("%(proof)s cannot apply: non-originating", proof=proof),
    }
    worded = words.get(line.why)
    return worded() if worded else line.reason
