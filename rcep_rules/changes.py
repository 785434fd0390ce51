"""Applying remedies' changes to a goods file (``rcep_rules.remedies``), so that the engine can
be run again on exactly what the clerk would then hold: ``obtain_proof`` adds a proof from the
material's own RCEP Party valid on the shipment date (Art 3.16), ``source_originating`` makes
the material originating in the exporting Party with a supplier declaration. The goods file's
frozen dataclasses are never changed: the changed lines and their ancestors are new objects,
everything else is shared.
"""

import dataclasses
from datetime import date

from rcep_rules.goods import LineKind, Material, Proof, Shipment

OBTAIN_PROOF = "obtain_proof"
SOURCE_ORIGINATING = "source_originating"
RECORD_PROCESS = "record_process"
REMEDY_REFERENCE = "REMEDY"  # the reference of a proof added to verify a remedy


def apply_changes(shipment: Shipment, changes) -> Shipment:
    """The shipment with each change applied to every line it names (``Change.paths``):
    ``obtain_proof`` adds a proof from the material's own RCEP Party valid on the shipment date
    (a supplier declaration in the exporting Party, else an RCEP certificate of origin);
    ``source_originating`` makes the material originating in the exporting Party with a
    supplier declaration. Lines and BOMs that are not changed are shared, not copied."""
    day = shipment.shipment_date
    exporter = shipment.exporting_party
    new: dict[str, tuple[str | None, Proof]] = {}
    proofs: dict[str, Proof] = {}  # one document per type: the lines then share their kinds
    for change in changes:
        if change.action == RECORD_PROCESS:
            continue
        country = change.origin_country if change.action == OBTAIN_PROOF else exporter
        kind = change.proof_type or "SUPPLIER_DECLARATION"
        new_proof = proofs.get(kind)
        if new_proof is None:
            new_proof = proofs[kind] = _proof_for(kind, day)
        for path in change.paths:
            new[path] = (country, new_proof)
    if not new or shipment.good is None:
        return shipment
    kinds: dict[tuple, LineKind] = {}

    def changed(m: Material) -> Material:
        country, proof = new[m.path]
        k = m.kind
        key = (id(k), country, proof)
        kind = kinds.get(key)
        if kind is None:
            kind = kinds[key] = LineKind(k.hs, k.hs_version, k.role, country, proof, k.currency)
        return Material(  # positional, in the fields' order (a remedy may change thousands)
            m.path,
            m.code,
            m.description,
            m.hs,
            m.hs_full,
            m.hs_version,
            m.quantity,
            m.unit_cost,
            country,
            proof,
            m.role,
            m.processes,
            m.bom,
            m.wholly_obtained,
            m.costs,
            m.weight,
            m.currency,
            kind,
        )

    return with_lines(shipment, set(new), changed)


def _proof_for(kind: str, day: date | None) -> Proof:
    return Proof(kind, REMEDY_REFERENCE, day, None)


def with_lines(shipment: Shipment, paths: set[str], change) -> Shipment:
    """The shipment with ``change`` applied to the lines at ``paths`` (bought lines, or a
    sub-assembly's own fields); only their ancestors are rebuilt."""
    ancestors = {path[:at] for path in paths for at in bom_starts(path)}
    touched = paths | ancestors

    def rebuild(item):
        if item.path in paths:
            return change(item)
        if item.path in ancestors and item.bom:
            bom = tuple([rebuild(m) if m.path in touched else m for m in item.bom])
            if isinstance(item, Material):
                return copy_line(item, bom=bom)
            return dataclasses.replace(item, bom=bom)
        return item

    return dataclasses.replace(shipment, good=rebuild(shipment.good))


_MATERIAL_FIELDS = tuple(f.name for f in dataclasses.fields(Material))


def copy_line(m: Material, **changes) -> Material:
    """``dataclasses.replace`` for a BOM line, several times faster."""
    return Material(*[changes.get(f, getattr(m, f)) for f in _MATERIAL_FIELDS])


def bom_starts(path: str):
    """Where the path of each enclosing BOM ends in a line's path (good.bom[0].bom[2]: the
    sub-assembly good.bom[0] ends before ".bom[2]")."""
    at = path.find(".bom[")
    while at != -1:
        yield at
        at = path.find(".bom[", at + 1)
