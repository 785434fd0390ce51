"""The Single Window's "second-level" check: rebuild each declared good from its evidence and
let the same engine judge it again. Whatever the exporter says, only what holds is issued."""

from dataclasses import dataclass

from connectors.declaration import Declaration, Item
from rcep_rules import Reference, evaluate, parse_shipment
from rcep_rules.explain import percent


@dataclass(frozen=True)
class Reason:
    code: str
    field_path: str
    message: str


def check(declaration: Declaration, reference: Reference | None = None) -> list[Reason]:
    """Every reason to reject the declaration; empty when every item holds."""
    reasons: list[Reason] = []
    for item in declaration.items:
        reasons += _check_item(declaration, item, reference)
    return reasons


def goods_file(declaration: Declaration, item: Item) -> dict:
    """The goods file (DESIGN.md) that the item's evidence describes."""
    ev = item.evidence
    good = {
        "code": ev.item_code,
        "description": item.description,
        "hs_code": item.hs + (item.national_code or ""),
        "hs_version": ev.hs_version,
        "processes": list(ev.processes),
        "wholly_obtained": ev.wholly_obtained,
        "bom": [],
    }
    if ev.rvc is not None:
        good["fob"] = str(ev.rvc.unit_fob)
    if ev.direct_costs is not None:
        good["direct_labour"] = str(ev.direct_costs)
    lines = {"good": good}
    for line in ev.bom:
        parent = lines.get(line.path.rsplit(".bom[", 1)[0])
        if parent is None:  # a path that does not nest: the schema allows it, the check not
            continue
        entry = {"code": line.code, "quantity": str(line.quantity), "role": line.role}
        if line.hs:
            entry["hs_code"] = line.hs
            entry["hs_version"] = ev.hs_version
        if line.unit_cost is not None:
            entry["unit_cost"] = str(line.unit_cost)
        if line.origin_country:
            entry["origin_country"] = line.origin_country
        if line.proof:
            entry["proof"] = {
                "type": line.proof.type,
                "reference": line.proof.reference or "",
                "valid_until": line.proof.valid_until.isoformat(),
            }
        if line.wholly_obtained:
            entry["wholly_obtained"] = True
        if line.processes is not None:
            entry["processes"] = list(line.processes)
            entry["bom"] = []
            if line.direct_costs is not None:
                entry["direct_labour"] = str(line.direct_costs)
        parent.setdefault("bom", []).append(entry)
        lines[line.path] = entry
    return {
        "exporting_party": declaration.exporter.country,
        "importing_party": declaration.importer.country,
        "shipment_date": declaration.transport.departure_date.isoformat(),
        "currency": item.currency,
        "good": good,
    }


def _check_item(declaration: Declaration, item: Item, reference) -> list[Reason]:
    where = f"/Declaration/Items/Item[{item.number}]"
    result = evaluate(parse_shipment(goods_file(declaration, item)), reference)
    reasons = [
        Reason(issue.code, f"{where}/Evidence ({issue.path})", issue.message)
        for issue in result.errors
    ]
    if reasons:
        return reasons
    declared_originating = {line.path for line in item.evidence.bom if line.originating}
    for verdict in result.materials:
        path = verdict.material.path
        if path in declared_originating and not verdict.originating:
            reasons.append(
                Reason(
                    "ORIGIN_NOT_PROVEN",
                    f"{where}/Evidence/BOMLine[Path='{path}']",
                    f"{verdict.material.code} is declared originating but its proof does not hold "
                    "on "
                    f"{declaration.transport.departure_date} ({verdict.reason.replace('_', ' ')}).",
                )
            )
    if item.criterion not in result.satisfied:
        verdict = result.criterion or "not originating"
        reasons.append(
            Reason(
                "CRITERION_NOT_MET",
                f"{where}/OriginCriterion",
                f"Item {item.number}: the declared criterion {item.criterion} does not hold on the "
                f"evidence given (the check finds: {verdict}).",
            )
        )
    elif set(item.annotations) - set(result.annotations) and item.criterion == result.criterion:
        extra = ", ".join(sorted(set(item.annotations) - set(result.annotations)))
        reasons.append(
            Reason(
                "ANNOTATION_NOT_MET",
                f"{where}/OriginCriterion/Annotation",
                f"Item {item.number}: {extra} is not needed by the evidence.",
            )
        )
    rvc, declared = result.result.rvc if result.result else None, item.evidence.rvc
    if (
        rvc is not None
        and declared is not None
        and (declared.vnm != rvc.vnm or str(declared.build_down) != percent(rvc.build_down))
    ):
        reasons.append(
            Reason(
                "RVC_MISMATCH",
                f"{where}/Evidence/RVC",
                f"Item {item.number}: the RVC figures do not add up: declared VNM {declared.vnm} "
                f"and "
                f"build-down {declared.build_down} %, the evidence gives VNM {rvc.vnm} and "
                f"{percent(rvc.build_down)} %.",
            )
        )
    return reasons
