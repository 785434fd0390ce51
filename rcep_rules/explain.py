"""Words for people, built from the engine's facts in one place: the evaluation as a dict
(``rcep-origin evaluate --json``, DESIGN.md "The evaluation") and as a plain explanation that
reads the way a customs officer checks a certificate: the rule, each material that matters,
the arithmetic."""

from decimal import ROUND_CEILING, ROUND_DOWN, Decimal, localcontext
from typing import TYPE_CHECKING

from rcep_rules import __version__
from rcep_rules.hs import display
from rcep_rules.psr import CTC, MaterialCap, RuleMatch, RuleNotFound
from rcep_rules.verdicts import (
    CUMULATION,
    EXACT,
    INDIRECT,
    NO_PROOF,
    NON_PARTY,
    ORIGIN_UNKNOWN,
    PROOF,
    PROOF_EXPIRED,
    PROOF_INVALID,
    PROOF_NOT_YET_VALID,
    ROLLED_UP,
    TRANSPARENT,
    ZERO,
    MaterialVerdict,
    Verdict,
)

if TYPE_CHECKING:  # the wording reads the evaluation's facts; it never imports the evaluation
    from rcep_rules.evaluation import Evaluation

CENT = Decimal("0.01")
CTC_WORDS = {"CC": "chapter", "CTH": "heading", "CTSH": "subheading"}


def money(value: Decimal | None) -> str | None:
    """At least two decimals, and every digit there is: money is never rounded away.

    >>> money(Decimal("12.5")), money(Decimal("0.1250")), money(Decimal("3"))
    ('12.50', '0.125', '3.00')
    """
    if value is None:
        return None
    whole, _, fraction = f"{value:f}".partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


def percent(value: Decimal | None) -> str | None:
    """RVC shown with two decimals rounded toward zero: a failing 39.996 never shows as 40.00."""
    return None if value is None else f"{value.quantize(CENT, rounding=ROUND_DOWN):f}"


def reason(verdict: MaterialVerdict, exporter: str | None) -> str:
    m = verdict.material
    proof = m.proof
    if verdict.reason == PROOF:
        return f"originating in {m.origin_country}: {_proof(proof)}"
    if verdict.reason == CUMULATION:
        return (
            f"originating in {m.origin_country}, another RCEP Party ({_proof(proof)}): counts "
            f"as originating in {exporter} (cumulation, Art 3.4)"
        )
    if verdict.reason == INDIRECT:
        return "indirect material: treated as originating (Art 3.10)"
    if verdict.reason == ROLLED_UP:
        return (
            f"made in-house and originating on its own ({verdict.criterion}): counts as "
            "originating at its full value (Art 3.12)"
        )
    if verdict.reason == TRANSPARENT:
        return (
            f"made in-house but not originating on its own ({verdict.note}): its "
            "non-originating inputs count instead"
        )
    if verdict.reason == NO_PROOF:
        return f"from {m.origin_country}, an RCEP Party, but no origin proof: non-originating"
    if verdict.reason == NON_PARTY:
        return f"from {m.origin_country}, not an RCEP Party: non-originating"
    if verdict.reason == ORIGIN_UNKNOWN:
        return "origin unknown: non-originating (Art 3.5.4)"
    if verdict.reason == PROOF_EXPIRED:
        return f"origin proof {proof.reference or proof.type} expired: non-originating (Art 3.16)"
    if verdict.reason == PROOF_NOT_YET_VALID:
        return (
            f"origin proof {proof.reference or proof.type} issued after the shipment date: "
            "non-originating"
        )
    if verdict.reason == PROOF_INVALID:
        return f"origin proof {proof.reference or proof.type} cannot apply: non-originating"
    return verdict.reason


def _proof(proof) -> str:
    ref = f" {proof.reference}" if proof.reference else ""
    return f"{proof.type}{ref}, valid until {proof.valid_through()}"


def _ctc_words(verdict: MaterialVerdict) -> str:
    return {
        "pass": "CTC passes",
        "fail": "CTC fails",
        "ignored": "ignored for CTC (Arts 3.8-3.9)",
    }.get(verdict.ctc, "")


def rule_dict(match) -> dict | None:
    if not isinstance(match, RuleMatch):
        return None
    row = match.row
    return {
        "hs": match.code,
        "text": row.psr,
        "hs_version": row.hs_version,
        "level": row.level,
        "code": display(row.code),
        "legibility": row.legibility,
        "source": row.source_url,
        "locator": row.locator,
        "transposed": match.transposed,
        "correlation": [display(c) for c in match.mapped],
        "relationship": match.relationship,
        "partial": row.partial,
    }


def evaluation_dict(ev: "Evaluation", materials: bool = True) -> dict:
    """The evaluation as plain data; without the per-material verdicts (an empty list) when
    ``materials`` is false, which spares walking a large BOM a second time."""
    with localcontext(EXACT):
        return _evaluation_dict(ev, materials)


def rule_and_rvc(ev: "Evaluation") -> tuple[dict | None, dict | None]:
    """The rule applied and the RVC figures, as in `evaluation_dict` (``rule`` and ``rvc``),
    without walking the BOM lines again: what a caller that keeps only the verdict needs."""
    with localcontext(EXACT):
        return rule_dict(ev.rule), _rvc_figures(ev)


def _rvc_figures(ev: "Evaluation") -> dict | None:
    result = ev.result
    if ev.originating is None or result is None:
        return None
    return {
        "fob": money(result.rvc.fob),
        "vnm": money(result.rvc.vnm),
        "vom": money(result.rvc.vom),
        "build_down": percent(result.rvc.build_down),
        "build_up": percent(result.rvc.build_up),
    }


def _evaluation_dict(ev: "Evaluation", with_materials: bool) -> dict:
    s, result = ev.shipment, ev.result
    good = s.good
    evaluated = ev.originating is not None
    rvc = _rvc_figures(ev)
    return {
        "engine_version": __version__,
        "good": {
            "code": good.code if good else None,
            "description": good.description if good else None,
            "hs_code": display(good.hs_full) if good and good.hs_full else None,
            "hs_version": good.hs_version if good else None,
        },
        "exporting_party": s.exporting_party,
        "importing_party": s.importing_party,
        "shipment_date": s.shipment_date.isoformat() if s.shipment_date else None,
        "currency": s.currency,
        "originating": ev.originating,
        "criterion": ev.criterion,
        "satisfied": list(ev.satisfied),
        "annotations": list(ev.annotations),
        "rule": rule_dict(ev.rule),
        "rvc": rvc,
        "rvc_test": _rvc_test(result, ev.rule) if rvc is not None else None,
        "minimal": bool(evaluated and result is not None and result.minimal),
        "processes": list(good.processes) if good else [],
        "ctc": _ctc_dicts(ev) if evaluated and result is not None else [],
        "transport_packing": [
            {
                "path": m.path,
                "code": m.code,
                "value": money((m.quantity or ZERO) * (m.unit_cost or ZERO)),
            }
            for m in (good.transport_packing if good else ())
        ],
        "transport_packing_in_fob": good.transport_packing_in_fob if good else None,
        "cumulated": [
            {"path": v.material.path, "code": v.material.code, "country": v.material.origin_country}
            for v in (ev.materials if evaluated else ())
            if v.reason == CUMULATION
        ],
        "materials": _material_dicts(ev) if with_materials else [],
        "issues": [i.as_dict() for i in ev.issues],
        "explanation": _explain(ev, with_materials),
    }


# --- the facts the explanation is worded from (for a caller that words them itself) ---------


def _rvc_test(result, rule) -> dict:
    """The RVC test as the explanation states it: tried only where the rule has an RVC
    alternative and the good is not stopped by Art 3.6 (``thresholds`` empty otherwise)."""
    rvc = result.rvc
    tried = isinstance(rule, RuleMatch) and not result.minimal
    atoms_ = _atoms(rule) if tried else ()
    thresholds = sorted({a.threshold for a in atoms_ if hasattr(a, "threshold")})
    return {
        "costs": money(rvc.costs),
        "thresholds": [f"{t:f}" for t in thresholds],
        "met": all(rvc.meets(t) for t in thresholds) if thresholds and rvc.fob else None,
    }


def _ctc_dicts(ev: "Evaluation") -> list[dict]:
    """Each change-of-classification term of the rule as tested on the good: the materials
    that fail it (with the value counted for the good), their share of FOB against the de
    minimis of Art 3.7, and whether the term holds."""
    result, good = ev.result, ev.shipment.good
    fob = result.rvc.fob
    terms = []
    for outcome in result.ctc:
        atom: CTC = outcome.atom
        codes = {code for code, _ in outcome.failing}
        failing = [
            v
            for v in ev.materials
            if v.judged_by == good.path and v.ctc in ("pass", "fail") and v.ctc_key in codes
        ]
        weight = None
        if outcome.by_weight:
            failing_weight, total = outcome.by_weight
            weight = {
                "failing": f"{failing_weight:f}",
                "total": f"{total:f}",
                "share": _share(failing_weight, total),
                "within": failing_weight * 10 <= total,
            }
        terms.append(
            {
                "kind": atom.kind,
                "own": display(good.hs[: atom.digits]) if atom.digits > 2 else good.hs[:2],
                "excluded": atom.excluded_text or None,
                "strict": outcome.strict,
                "failing": [
                    {
                        "path": v.material.path,
                        "code": v.material.code,
                        "hs_code": display(v.material.hs) if v.material.hs else None,
                        "value": money(v.value),
                        "counted": money(v.counted),
                    }
                    for v in failing
                ],
                "failing_value": money(outcome.failing_value),
                "share": _share(outcome.failing_value, fob),
                "within": outcome.failing_value * 10 <= fob,
                "by_weight": weight,
                "de_minimis": bool(outcome.de_minimis and not outcome.strict),
                "holds": bool(outcome.strict or outcome.de_minimis),
            }
        )
        if atom.group:  # "from any heading outside that group": the group, as written
            terms[-1]["group"] = atom.target_text
    return terms


def material_dicts(ev: "Evaluation") -> list[dict]:
    """Every material with its verdict and reason, as in `evaluation_dict`."""
    with localcontext(EXACT):
        return _material_dicts(ev)


def _material_dicts(ev: "Evaluation") -> list[dict]:
    s = ev.shipment
    return [
        {
            "path": v.material.path,
            "code": v.material.code,
            "hs_code": display(v.material.hs_full) if v.material.hs_full else None,
            "role": v.material.role,
            "origin_country": v.material.origin_country,
            "originating": v.originating,
            "value": money(v.value),
            "ctc": v.ctc,
            "reason": reason(v, s.exporting_party),
            # the facts the reason is worded from, for a caller that words it itself
            "why": v.reason,
            "proof": _proof_dict(v.material.proof),
            "criterion": v.criterion,
        }
        for v in ev.materials
    ]


def _proof_dict(proof) -> dict | None:
    if proof is None:
        return None
    through = proof.valid_through()
    return {
        "type": proof.type,
        "reference": proof.reference or None,
        "valid_through": through.isoformat() if through else None,
    }


def verdict_line(ev: "Evaluation") -> str:
    verdict = Verdict.of(ev.originating)
    if verdict is Verdict.NOT_EVALUATED:
        return f"{verdict.label}: {len(ev.errors)} review error(s) must be fixed first"
    if verdict is Verdict.ORIGINATING:
        notes = f" ({', '.join(ev.annotations)})" if ev.annotations else ""
        return f"{verdict.label}, criterion {ev.criterion}{notes}"
    good = ev.shipment.good
    if good is not None and good.claim and ev.satisfied:
        return f"{verdict.label} under the criterion claimed, {good.claim}"
    return verdict.label


def explain(ev: "Evaluation", materials: bool = True) -> str:
    """The verdict as a customs officer reads it: rule, failing materials, RVC arithmetic,
    then every material with its verdict (left out with ``materials=False``, for a caller that
    lists the materials itself)."""
    with localcontext(EXACT):  # the same exact arithmetic as the evaluation
        return _explain(ev, materials)


def _explain(ev: "Evaluation", with_materials: bool = True) -> str:
    s, result, good = ev.shipment, ev.result, ev.shipment.good
    lines = []
    if good:
        hs = f"HS {display(good.hs_full)} ({good.hs_version})" if good.hs_full else "no HS code"
        lines.append(
            f"Good {good.code} {good.description!r}, {hs}; "
            f"{s.exporting_party} -> {s.importing_party}, shipment {s.shipment_date}."
        )
    lines.append(f"Verdict: {verdict_line(ev)}.")
    if ev.originating is None:
        lines += [f"  {i.code} at {i.path}: {i.message} {i.hint}" for i in ev.errors]
        return "\n".join(lines)
    rule = ev.rule
    if isinstance(rule, RuleMatch):
        row = rule.row
        how = ""
        if rule.transposed:
            how = (
                f"; HS2012 rule applied to HS2022 {display(rule.code)} through the UNSD "
                f"correlation ({rule.relationship})"
            )
        lines.append(
            f"Rule: {row.psr} (Annex 3A, {row.hs_version} {row.level} {display(row.code)}{how})."
        )
        if row.partial:
            lines.append(
                "The rule was only partly legible: the alternatives that could not be read were "
                "not tried, so a verdict of not originating is provisional until the full rule "
                "is loaded."
            )
    elif isinstance(rule, RuleNotFound):
        lines.append(f"Rule: none loaded for {display(rule.code)}; only WO and PE can apply.")
    if "WO" in ev.satisfied:
        lines.append("Wholly obtained or produced in the exporting Party (Art 3.3).")
    if "PE" in ev.satisfied:
        lines.append("Produced exclusively from originating materials (Art 3.2(b)).")
    if result.minimal:
        lines.append(
            f"Only minimal operations ({', '.join(good.processes)}) were performed on "
            "non-originating materials: no origin is conferred (Art 3.6)."
        )
    for outcome in result.ctc:
        codes = {code for code, _ in outcome.failing}
        failing = [
            v
            for v in ev.materials
            if v.judged_by == good.path and v.ctc in ("pass", "fail") and v.ctc_key in codes
        ]
        lines += _ctc_lines(outcome, good, result, failing)
    if (
        isinstance(rule, RuleMatch)
        and not result.minimal
        and any(hasattr(a, "threshold") for a in _atoms(rule))
    ):
        lines += _rvc_lines(result, rule)
    if isinstance(rule, RuleMatch) and not result.minimal:
        lines += _proviso_lines(result, rule, s.currency or "")
    cumulated = [v for v in ev.materials if v.reason == CUMULATION]
    if cumulated:
        names = ", ".join(f"{v.material.code} ({v.material.origin_country})" for v in cumulated)
        if ev.criterion == "PE":
            tail = "; so the good is PE (ACU is not used with PE)"
        elif "ACU" in ev.annotations:
            tail = f"; the declared criterion {ev.criterion} holds only with them: ACU"
        elif ev.criterion:
            tail = f"; the declared criterion {ev.criterion} holds without them too"
        else:
            tail = ""
        lines.append(f"Cumulation (Art 3.4): {names} count as originating{tail}.")
    lines.append(f"Criteria that hold: {', '.join(ev.satisfied) or 'none'}.")
    if good is not None and good.transport_packing:
        lines.append(_transport_line(good, s.currency or ""))
    claim = good.claim if good is not None else None
    if claim:  # Annex 3A headnote 8: the exporter chooses
        met = "declared" if ev.criterion == claim else "not met: not originating for that claim"
        lines.append(f"Criterion claimed by the exporter: {claim} ({met}).")
    if with_materials:
        lines.append("Materials:")
        lines += [_material_line(v, s) for v in ev.materials]
    warnings = [i for i in ev.issues if i.severity != "error"]
    if warnings:
        lines.append("Warnings:")
        lines += _warning_lines(warnings)
    return "\n".join(lines)


def _warning_lines(warnings) -> list[str]:
    """One line per warning; the same warning at many places (PSR_TRANSPOSED for each of 300
    sub-assemblies) is one line with the count and the first place."""
    groups: dict[tuple[str, str], list] = {}
    for i in warnings:
        groups.setdefault((i.code, i.message), []).append(i)
    lines = []
    for (code, message), same in groups.items():
        if len(same) == 1:
            lines.append(f"  {code} at {same[0].path}: {message}")
        else:
            lines.append(
                f"  {code} at {same[0].path} and {len(same) - 1} more ({len(same)} times): "
                f"{message}"
            )
    return lines


def _material_line(v, s) -> str:
    m = v.material
    depth = m.path.count(".bom[")
    ctc = _ctc_words(v)
    return (
        f"{'  ' * depth}- {m.code} {display(m.hs_full) if m.hs_full else '(no HS)'}, "
        f"{money(v.value)} {s.currency}: {reason(v, s.exporting_party)}"
        f"{'; ' + ctc if ctc else ''}."
    )


def _atoms(rule: RuleMatch):
    from rcep_rules.psr import atoms

    return atoms(rule.row.rule)


def _ctc_lines(outcome, good, result, failing) -> list[str]:
    atom: CTC = outcome.atom
    unit = CTC_WORDS[atom.kind]
    own = display(good.hs[: atom.digits]) if atom.digits > 2 else good.hs[:2]
    excluded = f", and not from {atom.excluded_text}" if atom.excluded else ""
    if atom.group:
        first = f"{atom.kind}: every non-originating material must come from a {unit} outside "
        first += f"the group {atom.target_text}{excluded}."
    else:
        first = f"{atom.kind}: every non-originating material must come from another {unit} "
        first += f"than {own}{excluded}."
    lines = [first]
    if outcome.strict:
        lines.append(f"  {atom.kind} holds: no non-originating material fails it.")
        return lines
    for v in failing:
        m = v.material
        counted = "" if v.counted == v.value else f", counting {money(v.counted)} for the good"
        lines.append(
            f"  {m.code} {display(m.hs) if m.hs else '(no HS)'} ({money(v.value)}{counted}) "
            "fails it."
        )
    fob = result.rvc.fob
    by_value = outcome.failing_value * 10 <= fob
    lines.append(
        f"  Failing materials {money(outcome.failing_value)} = {_share(outcome.failing_value, fob)}"
        f" % of FOB {money(fob)}: "
        + ("within" if by_value else "more than")
        + " the de minimis of 10 % of FOB (Art 3.7(a))."
    )
    if outcome.by_weight:
        failing_weight, weight = outcome.by_weight
        lines.append(
            f"  By weight: {failing_weight:f} of {weight:f} = {_share(failing_weight, weight)} %: "
            + ("within" if failing_weight * 10 <= weight else "more than")
            + " the de minimis of 10 % of the weight (Art 3.7(b), chapters 50-63)."
        )
    lines.append(
        f"  {atom.kind} holds with de minimis: DMI."
        if outcome.de_minimis
        else f"  {atom.kind} fails."
    )
    return lines


def _share(part: Decimal, whole: Decimal) -> str:
    """A de minimis share, rounded up: a failing 10.009 % never shows as 10.00."""
    if not whole:
        return "?"
    return f"{(part * 100 / whole).quantize(CENT, rounding=ROUND_CEILING):f}"


def _rvc_lines(result, rule: RuleMatch) -> list[str]:
    rvc = result.rvc
    thresholds = sorted({a.threshold for a in _atoms(rule) if hasattr(a, "threshold")})
    need = ", ".join(f"RVC{t}" for t in thresholds)
    lines = ["Regional value content (Art 3.5):"]
    if not rvc.fob:
        return [*lines, "  FOB is zero: RVC cannot be computed."]
    met = all(rvc.meets(t) for t in thresholds)
    lines.append(
        f"  build-down (FOB {money(rvc.fob)} - VNM {money(rvc.vnm)}) / {money(rvc.fob)} "
        f"x 100 = {percent(rvc.build_down)} %"
    )
    if rvc.costs is not None:
        lines.append(
            f"  build-up (VOM {money(rvc.vom)} + labour, overhead, profit and other costs "
            f"{money(rvc.costs)}) / {money(rvc.fob)} x 100 = {percent(rvc.build_up)} %"
        )
    lines.append(
        f"  {need}: {'met' if met else 'not met'} (no less than the threshold, Annex 3A "
        "headnote 7(a))."
    )
    return lines


# --- remedies and margin (rcep_rules.remedies) ---------------------------------------------------


def _transport_line(good, currency: str) -> str:
    """Art 3.8.1: packing for transport is disregarded; for an FOB derived from an invoice
    value, whether its cost is in that FOB."""
    shown = ", ".join(m.code or m.path for m in good.transport_packing)
    line = f"Packing for transport ({shown}): disregarded, not a material (Art 3.8.1)"
    if good.transport_packing_in_fob == "included":
        line += "; its cost is included in the invoice value the FOB is derived from"
    elif good.transport_packing_in_fob == "added":
        line += f"; its cost was added to the invoice value to give the FOB ({currency})"
    return line + "."


def _proviso_lines(result, rule: RuleMatch, currency: str) -> list[str]:
    """Each proviso on named materials of the rule, with the value it caps (as the
    evaluation counts it: the non-originating materials counted for the CTC)."""
    from rcep_rules.outcome import cap_holds, named_value

    lines = []
    for cap in dict.fromkeys(a for a in _atoms(rule) if isinstance(a, MaterialCap)):
        value = named_value(cap, result.ctc_values)
        met = "met" if cap_holds(cap, result.ctc_values, result.rvc.fob) else "not met"
        lines.append(
            f"Proviso: the non-originating materials of {cap.codes_text} are worth "
            f"{money(value)} {currency}, {_share(value, result.rvc.fob)} % of FOB "
            f"{money(result.rvc.fob)}; not more than {cap.share} %: {met}."
        )
    return lines


# The words of remedies and margins are in rcep_rules.explain_remedies; these names stay
# importable from here (PEP 562, so neither module imports the other when loaded).
_MOVED = frozenset(
    (
        "change_text",
        "expiry_text",
        "explain_remedies",
        "margin_lines",
        "obstacle_text",
        "remedies_dict",
        "remedy_text",
        "rvc_margin_text",
    )
)


def __getattr__(name: str):
    if name in _MOVED:
        from rcep_rules import explain_remedies

        return getattr(explain_remedies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
