"""Words for remedies and margins (``rcep-origin remedies``), built from the facts of
``rcep_rules.remedies`` and ``rcep_rules.margin`` in one place, as ``explain`` does for the
evaluation."""

from decimal import localcontext

from rcep_rules import __version__
from rcep_rules.explain import money, percent, verdict_line
from rcep_rules.verdicts import EXACT

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
    if code == "PROVISO":
        return (
            f"{alternative}: its proviso on named materials is not searched; make those "
            "materials originating, or lower their value, and evaluate again"
        )
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
