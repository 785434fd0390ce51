"""Words for people, built from the engine's facts in one place: the evaluation as a dict
(``rcep-origin evaluate --json``, DESIGN.md "The evaluation") and as a plain explanation that
reads the way a customs officer checks a certificate: the rule, each material that matters,
the arithmetic."""

from decimal import ROUND_CEILING, ROUND_DOWN, Decimal, localcontext

from rcep_rules import __version__
from rcep_rules.evaluation import (
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
    Evaluation,
    MaterialVerdict,
)
from rcep_rules.hs import display
from rcep_rules.psr import CTC, RuleMatch, RuleNotFound

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


def evaluation_dict(ev: Evaluation, materials: bool = True) -> dict:
    """The evaluation as plain data; without the per-material verdicts (an empty list) when
    ``materials`` is false, which spares walking a large BOM a second time."""
    with localcontext(EXACT):
        return _evaluation_dict(ev, materials)


def _evaluation_dict(ev: Evaluation, with_materials: bool) -> dict:
    s, result = ev.shipment, ev.result
    good = s.good
    evaluated = ev.originating is not None
    rvc = None
    if evaluated and result is not None:
        rvc = {
            "fob": money(result.rvc.fob),
            "vnm": money(result.rvc.vnm),
            "vom": money(result.rvc.vom),
            "build_down": percent(result.rvc.build_down),
            "build_up": percent(result.rvc.build_up),
        }
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


def _ctc_dicts(ev: Evaluation) -> list[dict]:
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
    return terms


def material_dicts(ev: Evaluation) -> list[dict]:
    """Every material with its verdict and reason, as in `evaluation_dict`."""
    with localcontext(EXACT):
        return _material_dicts(ev)


def _material_dicts(ev: Evaluation) -> list[dict]:
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


def verdict_line(ev: Evaluation) -> str:
    if ev.originating is None:
        return f"NOT EVALUATED: {len(ev.errors)} review error(s) must be fixed first"
    if ev.originating:
        notes = f" ({', '.join(ev.annotations)})" if ev.annotations else ""
        return f"ORIGINATING, criterion {ev.criterion}{notes}"
    return "NOT ORIGINATING"


def explain(ev: Evaluation, materials: bool = True) -> str:
    """The verdict as a customs officer reads it: rule, failing materials, RVC arithmetic,
    then every material with its verdict (left out with ``materials=False``, for a caller that
    lists the materials itself)."""
    with localcontext(EXACT):  # the same exact arithmetic as the evaluation
        return _explain(ev, materials)


def _explain(ev: Evaluation, with_materials: bool = True) -> str:
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
    lines = [
        f"{atom.kind}: every non-originating material must come from another {unit} than "
        f"{own}{excluded}."
    ]
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

_ACTIONS = {
    "obtain_proof": "obtain a proof",
    "source_originating": "buy it originating",
    "record_process": "record the substantial process",
}
_PROOF_WORDS = {
    "SUPPLIER_DECLARATION": "a supplier declaration",
    "RCEP_CO": "an RCEP certificate or declaration of origin",
}


def change_text(change, shipment) -> str:
    """One change in the user's words, e.g. "Obtain a supplier declaration for CU-STRIP
    (value 1.80 USD)"."""
    name = change.code or f"the material at {change.path}"
    value = f"value {money(change.value)} {shipment.currency}"
    where = f", at {len(change.paths)} places in the BOM" if len(change.paths) > 1 else ""
    if change.action == "obtain_proof":
        proof = _PROOF_WORDS.get(change.proof_type, "an origin proof")
        why = {
            "proof_expired": "; its proof has expired",
            "proof_not_yet_valid": "; its proof is issued after the shipment date",
            "proof_invalid": "; its proof cannot apply",
        }.get(change.reason, "")
        cumulation = ", cumulation (Art 3.4)" if change.proof_type == "RCEP_CO" else ""
        return (
            f"Obtain {proof} for {name} from its supplier in {change.origin_country} "
            f"({value}{where}{why}), valid on {shipment.shipment_date}{cumulation}"
        )
    if change.action == "source_originating":
        now = {
            "non_party": f"now from {change.origin_country}, not an RCEP Party",
            "origin_unknown": "now of unknown origin",
            "proof_invalid": f"now from {change.origin_country or 'an unknown origin'}, whose "
            "proof cannot apply",
        }.get(change.reason, "not originating now")
        return (
            f"Buy {name} originating ({value}{where}; {now}): from a supplier in "
            f"{shipment.exporting_party} with a supplier declaration, or from another RCEP Party "
            "with a certificate or declaration of origin"
        )
    return f"Record the substantial process really performed on {name} ({change.path})"


def remedy_text(remedy, shipment) -> str:
    """A remedy in one sentence: the changes, then what the good then qualifies under."""
    if remedy.changes and remedy.changes[0].action == "record_process":
        processes = ", ".join(remedy.processes) or "none"
        target = remedy.alternative or remedy.criterion
        rvc = f" with {percent(remedy.rvc_after)} %" if remedy.threshold is not None else ""
        then = (
            f"if one is, the good then qualifies under {target}{rvc}, its materials as they are"
            if remedy.criterion
            else "even then the materials as they are meet no alternative of the rule"
        )
        return (
            f"Only minimal operations are recorded on {remedy.changes[0].code} ({processes}), "
            "which confer no origin (Art 3.6): record the substantial process really performed. "
            f"Not verified (the engine cannot know what is performed); {then}."
        )
    changes = "; ".join(change_text(c, shipment) for c in remedy.changes)
    return f"{changes}: the good then qualifies {_reached(remedy)}."


def _reached(remedy) -> str:
    if remedy.criterion == "PE":
        return "as PE (produced exclusively from originating materials, Art 3.2(b))"
    text = f"under {remedy.alternative}"
    if remedy.threshold is not None and remedy.rvc_after is not None:
        text += f" with {percent(remedy.rvc_after)} %"
    notes = [a for a in remedy.annotations_after if remedy.declared_after == remedy.criterion]
    if notes:
        text += f" ({', '.join(notes)})"
    if remedy.declared_after and remedy.declared_after != remedy.criterion:
        text += f" ({remedy.declared_after} also holds then, and comes first by preference)"
    return text


def obstacle_text(obstacle) -> str:
    code, alternative = obstacle.code, obstacle.alternative
    if code == "PARTY":
        found = "; ".join(i.message for i in obstacle.issues)
        return f"No change of origin data can make it qualify: {found}"
    if code == "NOT_EVALUATED":
        found = ", ".join(dict.fromkeys(i.code for i in obstacle.issues))
        return (
            f"The goods file cannot be evaluated ({found}): fix the review errors first "
            "(rcep-origin review FILE); remedies are searched once it can be"
        )
    if code == "NO_RULE":
        found = "; ".join(i.message for i in obstacle.issues)
        return (
            f"{found} Without a rule only PE (every material originating) or WO can make it "
            "qualify; load the rule (rcep-origin psr import) to search CTC and RVC remedies"
        )
    if code == "PROCESS_RULE":
        return f"{alternative} needs a chemical reaction (Annex 3A headnote 7), not origin data"
    if code == "WO":
        return f"{alternative}: wholly obtained (Art 3.3) is not a matter of proofs; PE is tried"
    if code == "ILLEGIBLE":
        return f"{alternative}: part of the rule could not be read, so it cannot be met"
    return f"{alternative}: even every material that counts made originating would not meet it"


def remedies_dict(result) -> dict:
    """The answer of ``rcep_rules.remedies()`` as plain data (``rcep-origin remedies --json``)."""
    with localcontext(EXACT):
        return _remedies_dict(result)


def _remedies_dict(result) -> dict:
    ev, s = result.evaluation, result.evaluation.shipment
    good = s.good
    return {
        "engine_version": __version__,
        "good": good.code if good else None,
        "originating": ev.originating,
        "criterion": ev.criterion,
        "satisfied": list(ev.satisfied),
        "annotations": list(ev.annotations),
        "claim": result.claim,
        "qualifies": result.qualifies,
        "remedies": [
            {
                "criterion": r.criterion or None,
                "alternative": r.alternative or None,
                "verified": r.verified,
                "proofs_only": r.proofs_only,
                "changes": [
                    {
                        "path": c.path,
                        "paths": list(c.paths),
                        "code": c.code,
                        "action": c.action,
                        "value": money(c.value),
                        "origin_country": c.origin_country,
                        "proof": c.proof_type,
                        "text": change_text(c, s),
                    }
                    for c in r.changes
                ],
                "value": money(r.value),
                "rvc_after": percent(r.rvc_after),
                "threshold": f"{r.threshold}" if r.threshold is not None else None,
                "declared_after": r.declared_after,
                "annotations_after": list(r.annotations_after),
                "text": remedy_text(r, s),
            }
            for r in result.remedies
        ],
        "margin": _margin_dict(result.margin, s) if result.margin else None,
        "obstacles": [
            {"code": o.code, "alternative": o.alternative or None, "text": obstacle_text(o)}
            for o in result.obstacles
        ],
        "explanation": _explain_remedies(result),
    }


def _margin_dict(margin, s) -> dict:
    return {
        "rvc": [
            {
                "alternative": m.alternative,
                "threshold": f"{m.threshold}",
                "holds": m.holds,
                "build_down": percent(m.build_down),
                "build_up": percent(m.build_up),
                "vnm_headroom": money(m.vnm_headroom),
                "build_up_headroom": money(m.build_up_headroom),
                "fob_floor": money(m.fob_floor),
                "text": rvc_margin_text(m, s),
            }
            for m in margin.rvc
        ],
        "fob_floor": money(margin.fob_floor),
        "fob_floor_alternative": margin.fob_floor_alternative,
        "fob_floor_verified": margin.fob_floor_verified,
        "any_price": margin.any_price,
        "look_ahead_days": margin.look_ahead_days,
        "expiring_proofs": [
            {
                "reference": e.reference,
                "type": e.proof_type,
                "valid_through": e.valid_through.isoformat(),
                "days": e.days,
                "codes": list(e.codes),
                "paths": list(e.paths),
                "originating_after": e.originating_after,
                "criterion_after": e.criterion_after,
                "text": expiry_text(e),
            }
            for e in margin.expiring
        ],
        "text": margin_lines(margin, s),
    }


def rvc_margin_text(m, s) -> str:
    if not m.holds:
        return f"{m.alternative} is not met."
    parts = []
    if m.vnm_headroom is not None:
        parts.append(
            f"VNM may rise by {money(m.vnm_headroom)} {s.currency} before {m.alternative} fails "
            f"(build-down {percent(m.build_down)} %)"
        )
    if m.build_up_headroom is not None:
        parts.append(
            f"VOM and costs may fall by {money(m.build_up_headroom)} {s.currency} before the "
            f"build-up ({percent(m.build_up)} %) fails"
        )
    if m.fob_floor is not None:
        parts.append(f"{m.alternative} holds down to an FOB of {money(m.fob_floor)} {s.currency}")
    return "; ".join(parts) + "."


def expiry_text(e) -> str:
    what = ", ".join(e.codes)
    ref = e.reference or e.proof_type
    if e.originating_after is False:
        tail = "the good would then no longer qualify: renew it before"
    elif e.originating_after:
        tail = f"the good would still qualify ({e.criterion_after})"
    else:
        tail = "the good could then not be evaluated"
    return f"Proof {ref} of {what} is valid until {e.valid_through} ({e.days} days): {tail}."


def margin_lines(margin, s) -> list[str]:
    lines = [rvc_margin_text(m, s) for m in margin.rvc if m.holds]
    if margin.fob_floor is not None:
        lines.append(
            f"Lowest FOB at which it still qualifies: {money(margin.fob_floor)} {s.currency} "
            f"(under {margin.fob_floor_alternative}"
            + (", checked by the engine" if margin.fob_floor_verified else ", not confirmed")
            + ")."
        )
    elif margin.any_price:
        lines.append("It qualifies whatever the price: an alternative holds without value tests.")
    else:
        lines.append(
            "No price floor is computed: RVC holds by build-up only, whose costs (profit "
            "included) move with the price."
        )
    if margin.expiring:
        lines += [expiry_text(e) for e in margin.expiring]
    else:
        lines.append(f"No proof it relies on expires within {margin.look_ahead_days} days.")
    return lines


def explain_remedies(result) -> str:
    """The remedies, or the margin, line by line."""
    with localcontext(EXACT):
        return _explain_remedies(result)


def _explain_remedies(result) -> str:
    ev, s = result.evaluation, result.evaluation.shipment
    lines = [f"Verdict: {verdict_line(ev)}."]
    if result.claim and not result.qualifies and ev.originating:
        lines.append(f"Claimed criterion {result.claim} is not met.")
    if result.margin is not None:
        lines.append("Margin:")
        lines += [f"  {line}" for line in margin_lines(result.margin, s)]
    if result.remedies:
        lines.append("Remedies, least effort first:")
        lines += [f"  {i}. {remedy_text(r, s)}" for i, r in enumerate(result.remedies, 1)]
    elif not result.qualifies:
        lines.append("No remedy in the origin data was found.")
    if result.obstacles:
        lines.append("Not reachable by origin data:" if result.remedies else "Why:")
        lines += [f"  - {obstacle_text(o)}." for o in result.obstacles]
    return "\n".join(lines)
