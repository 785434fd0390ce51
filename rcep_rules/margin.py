"""The margin of a good that qualifies: how far it is from failing (issue 12).

Per RVC alternative of its rule (Art 3.5, Annex 3A headnote 7(a): "no less than", compared
exactly), the rise of VNM it can bear before build-down fails and the fall of VOM and costs
before build-up does; the lowest FOB, to the cent, at which it still qualifies (build-down,
and the de minimis of a CTC term met with it: 10 times the failing value, Art 3.7(a)), checked
by running the engine at that FOB, or none when an alternative holds whatever the price (WO,
PE, a CTC met outright); and every proof it relies on that ends within the look-ahead, with
what that proof's expiry alone would do (Art 3.16.6: a proof is valid one year), found by the
engine's own walk judging the lines that carry it as expired. Results are frozen dataclasses;
the wording is in ``rcep_rules.explain``.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal, localcontext

from rcep_rules.evaluation import (
    CUMULATION,
    EXACT,
    HUNDRED,
    PROOF,
    PROOF_EXPIRED,
    Evaluation,
    _plan,
    _Walk,
    evaluate,
)
from rcep_rules.goods import LineKind, Material, Proof, Shipment
from rcep_rules.psr import CR, RVC, RuleMatch
from rcep_rules.reference import Reference

CENT = Decimal("0.01")
TEN = Decimal(10)


@dataclass(frozen=True, slots=True)
class RvcMargin:
    alternative: str
    threshold: Decimal
    build_down: Decimal | None
    build_up: Decimal | None
    vnm_headroom: Decimal | None  # VNM may rise by this before build-down fails (None: fails)
    build_up_headroom: Decimal | None  # VOM and costs may fall by this (None: no build-up)
    fob_floor: Decimal | None  # the lowest FOB, to the cent, at which build-down still holds
    holds: bool


@dataclass(frozen=True, slots=True)
class ExpiringProof:
    proof_type: str
    reference: str
    valid_through: date
    days: int  # from the shipment date
    codes: tuple[str, ...]
    paths: tuple[str, ...]
    originating_after: bool | None  # when this proof alone has expired
    criterion_after: str | None


@dataclass(frozen=True, slots=True)
class Margin:
    rvc: tuple[RvcMargin, ...]
    fob_floor: Decimal | None  # the lowest FOB at which the good qualifies
    fob_floor_alternative: str | None
    fob_floor_verified: bool  # the engine run again at that FOB found the good originating
    any_price: bool  # an alternative holds whatever the price (WO, PE, CTC met outright, CR)
    look_ahead_days: int
    expiring: tuple[ExpiringProof, ...]

    @property
    def breaking(self) -> tuple[ExpiringProof, ...]:
        """The proofs whose expiry alone would make the good stop qualifying."""
        return tuple(e for e in self.expiring if e.originating_after is False)


def margin(ev: Evaluation, reference: Reference, look_ahead_days: int) -> Margin:
    """The margin of a good that qualifies (``ev`` is its evaluation)."""
    shipment, top = ev.shipment, ev.node
    world = top.world()
    fob = top.value
    rvc = world.rvc
    margins: list[RvcMargin] = []
    floors: list[tuple[Decimal, str]] = []
    anywhere = world.wo or world.pe  # an alternative that holds whatever the price
    rule = top.rule
    if isinstance(rule, RuleMatch) and not world.minimal:
        row = rule.row
        named = [b for b in row.branches if b.criterion is not None]
        for branch, (_, ctc_at, others) in zip(named, _plan(row), strict=True):
            kinds = {what for what, _ in others}
            text = " and ".join(str(t) for t in branch.terms)
            outcomes = [world.ctc[i] for i in ctc_at]
            if not all(o.strict or o.de_minimis for o in outcomes):
                continue
            if kinds - {RVC}:
                if kinds == {CR} and "chemical_reaction" in top.item.processes:
                    floor = _dmi_floor(outcomes)
                    if floor is None:
                        anywhere = True
                    else:
                        floors.append((floor, text))
                continue
            floor = _dmi_floor(outcomes)
            threshold = max((t for what, t in others if what is RVC), default=None)
            if threshold is None:
                if floor is None:
                    anywhere = True
                else:
                    floors.append((floor, text))
                continue
            m = _rvc_margin(text, threshold, fob, rvc, floor)
            margins.append(m)
            if m.holds and m.fob_floor is not None:
                floors.append((m.fob_floor, text))
    floor, floor_text, verified = None, None, False
    if floors and not anywhere:
        floor, floor_text = min(floors, key=lambda f: f[0])
        if floor > fob:  # the de minimis floor of a term that holds is never above FOB
            floor = fob
        trial = dataclasses.replace(shipment.good, fob=floor)
        after = evaluate(dataclasses.replace(shipment, good=trial), reference)
        verified = bool(after.originating)
    expiring = _expiring(ev, reference, look_ahead_days)
    return Margin(
        tuple(margins), floor, floor_text, verified, anywhere, look_ahead_days, tuple(expiring)
    )


def _dmi_floor(outcomes) -> Decimal | None:
    """The lowest FOB at which CTC terms met by de minimis still are (10 x the failing
    value, Art 3.7(a)); None when they hold outright."""
    floors = [o.failing_value * TEN for o in outcomes if not o.strict]
    return max(floors) if floors else None


def _rvc_margin(text, threshold, fob, rvc, dmi_floor) -> RvcMargin:
    allowed = fob * (HUNDRED - threshold) / HUNDRED
    down = allowed - rvc.vnm if (fob - rvc.vnm) * HUNDRED >= threshold * fob else None
    up = None
    if rvc.costs is not None and (rvc.vom + rvc.costs) * HUNDRED >= threshold * fob:
        up = rvc.vom + rvc.costs - threshold * fob / HUNDRED
    holds = down is not None or up is not None
    floor = None
    if down is not None and threshold < HUNDRED:
        # build-down: (FOB - VNM) x 100 >= t x FOB  <=>  FOB >= VNM x 100 / (100 - t)
        floor = (rvc.vnm * HUNDRED / (HUNDRED - threshold)).quantize(CENT, rounding=ROUND_CEILING)
        if dmi_floor is not None:
            floor = max(floor, dmi_floor.quantize(CENT, rounding=ROUND_CEILING))
        floor = max(floor, CENT)
    return RvcMargin(text, threshold, rvc.build_down, rvc.build_up, down, up, floor, holds)


def _expiring(ev: Evaluation, reference: Reference, look_ahead_days: int) -> list[ExpiringProof]:
    """Each proof that makes a line originating now and ends within the look-ahead, with
    what the good would be once it alone has expired (one evaluation per proof)."""
    shipment, walk = ev.shipment, ev._walk
    day = shipment.shipment_date
    if day is None:
        return []
    last = day + timedelta(days=look_ahead_days)
    proofs = {}
    for kind, reason in walk.kinds.items():
        if reason in (PROOF, CUMULATION) and kind.proof is not None:
            through = kind.proof.valid_through()
            if through is not None and through <= last:
                proofs[kind.proof] = kind.proof  # equal proofs are one document
    if not proofs:
        return []
    holders: dict[int, Proof] = {}  # the kinds that carry each proof
    for kind in walk.kinds:
        if kind.proof in proofs:
            holders[id(kind)] = kind.proof
    lines: dict[Proof, list[Material]] = {key: [] for key in proofs}

    def visit(bom) -> None:  # in the order of the goods file
        for m in bom:
            if m.bom is not None:
                visit(m.bom)
            elif id(m.kind) in holders:
                lines[holders[id(m.kind)]].append(m)

    visit(shipment.good.bom or ())
    found = []
    for proof in proofs:
        expired = {k for k, p in holders.items() if p == proof}
        after = _evaluate_expired(shipment, reference, expired)
        through = proof.valid_through()
        paths = [m.path for m in lines[proof]]
        found.append(
            ExpiringProof(
                proof.type,
                proof.reference,
                through,
                (through - day).days,
                tuple(dict.fromkeys(m.code for m in lines[proof])),
                tuple(paths),
                after.originating,
                after.criterion,
            )
        )
    return sorted(found, key=lambda e: (e.valid_through, e.reference))


class _ExpiredWalk(_Walk):
    """The engine's walk with the lines of some kinds (those carrying one proof) judged as
    the engine judges a proof expired on the shipment date (Art 3.16.6): everything else,
    the goods file included, is as it is."""

    def __init__(self, shipment: Shipment, ref: Reference, expired: set[int]):
        super().__init__(shipment, ref)
        self.expired = expired

    def kind_reason(self, kind: LineKind) -> str:
        found = super().kind_reason(kind)
        return PROOF_EXPIRED if id(kind) in self.expired else found


def _evaluate_expired(shipment: Shipment, ref: Reference, expired: set[int]) -> Evaluation:
    """``evaluate`` with the kinds in ``expired`` (by id) taken as holding an expired proof."""
    with localcontext(EXACT):
        walk = _ExpiredWalk(shipment, ref, expired)
        walk.check_shipment()
        good = shipment.good
        return Evaluation(shipment, walk, walk.node(good, good.fob, True))
