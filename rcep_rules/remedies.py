"""Remedies: the smallest changes of origin data that make a good originating, and the margin
of a good that is.

For a good that is not originating (or does not meet a claimed criterion) the rule's
alternatives (Annex 3A headnotes 4 and 8: any one is enough, the exporter chooses) are tried
one by one, on the facts of the evaluation:

* a change is one material (every line of the same code): ``obtain_proof`` when it comes from
  an RCEP Party in force but has no valid proof on the shipment date (a supplier declaration
  from the exporting Party, else a certificate or declaration of origin: cumulation, Art 3.4;
  Art 3.16), ``source_originating`` when it comes from a non-Party or an unknown origin
  (Art 3.5.4), ``record_process`` when only minimal operations are recorded (Art 3.6);
* a CTC term (Art 3.2(c), Annex 3A) needs the materials that fail it made originating until
  what still fails is within de minimis, 10 % of FOB (Art 3.7(a)); an RVC term needs the
  largest non-originating values made originating until the threshold is met, build-down or
  build-up, exactly (Art 3.5); a branch of both terms needs both; PE needs every
  non-originating material but retail packing made originating (Arts 3.2(b), 3.8);
* only materials that count for the good are changed: those of sub-assemblies that are not
  originating on their own (seen through, Art 3.12), not those of sub-assemblies that roll up;
  a sub-assembly seen through may also be made originating by its own remedy (under its own
  rule), which takes all its non-originating value off the good's at once.

Every remedy is verified by running the engine again on the changed goods file
(``apply_changes``); one that fails is widened with the next largest material, never reported
unverified. ``record_process`` is the exception: the engine cannot know which process is really
performed, so that remedy is unverified and says which alternative the materials would then
meet (the engine re-runs with a substantial process recorded to find it). Remedies are ranked
by effort: verified first, then those that need only proofs before those that need re-sourcing,
then fewest materials changed, then least value changed.

For an originating good, its margin (``rcep_rules.margin``): per RVC alternative the rise of
VNM it can bear and the lowest FOB at which it still qualifies, the lowest FOB for the good
(None when an alternative holds whatever the price), and each proof expiring within the
look-ahead with what its expiry alone would do (Art 3.16.6: a proof is valid one year).

All figures are ``Decimal`` and compared exactly (40.00 % meets RVC40). The results are frozen
dataclasses; their wording is in ``rcep_rules.explain`` (``remedies_dict``,
``explain_remedies``), so the command line and Odoo say the same thing.
"""

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, localcontext
from operator import itemgetter

from rcep_rules.changes import (
    OBTAIN_PROOF,
    RECORD_PROCESS,
    SOURCE_ORIGINATING,
    apply_changes,
    bom_starts,
    copy_line,
    with_lines,
)
from rcep_rules.evaluation import (
    EXACT,
    HUNDRED,
    NO_PROOF,
    ORIGINATING,
    PREFERENCE,
    PROOF_EXPIRED,
    PROOF_INVALID,
    PROOF_NOT_YET_VALID,
    ZERO,
    Evaluation,
    _default_reference,
    _plan,
    evaluate,
)
from rcep_rules.goods import LineKind, Material, Shipment
from rcep_rules.margin import TEN, Margin, margin
from rcep_rules.psr import CR, RVC, WO, MaterialCap, RuleMatch, RuleNotFound
from rcep_rules.reference import Reference

LOOK_AHEAD_DAYS = 90
ROLL_UPS = 3  # sub-assemblies kept as made originating (of twice as many tried), per search
# Errors no change of origin data can cure: the destination or the date (Art 3.2 needs Parties)
PARTY_ERRORS = ("PARTY_NOT_RCEP", "PARTY_NOT_IN_FORCE")


@dataclass(frozen=True, slots=True)
class Change:
    """One material to change: every line of its code that counts for the good and is not
    originating. ``value`` is what those lines count for one unit of the good."""

    action: str
    code: str
    path: str  # the first line
    paths: tuple[str, ...]
    value: Decimal
    origin_country: str | None
    reason: str  # why it is not originating now (rcep_rules.evaluation: NO_PROOF, ...)
    proof_type: str | None  # what to obtain: SUPPLIER_DECLARATION, or RCEP_CO (or RCEP_DO)
    description: str = ""


@dataclass(frozen=True, slots=True)
class Remedy:
    """One way to make the good qualify: the changes, the alternative of the rule they reach
    (``criterion`` is its Form RCEP code) and the outcome of the engine run again."""

    criterion: str
    alternative: str  # "RVC40", "CTH", "CTSH and RVC40", "PE"
    changes: tuple[Change, ...]
    verified: bool
    rvc_after: Decimal | None  # the RVC that meets the threshold (build-down, else build-up)
    threshold: Decimal | None
    declared_after: str | None  # the criterion to declare after the changes
    satisfied_after: tuple[str, ...]
    annotations_after: tuple[str, ...]
    processes: tuple[str, ...] = ()  # record_process: what is recorded now

    @property
    def proofs_only(self) -> bool:
        return all(c.action == OBTAIN_PROOF for c in self.changes)

    @property
    def value(self) -> Decimal:
        return sum((c.value for c in self.changes), ZERO)

    def rank(self) -> tuple:
        return (
            not self.verified,
            not self.proofs_only,
            len(self.changes),
            self.value,
            PREFERENCE.index(self.criterion) if self.criterion in PREFERENCE else 9,
        )


@dataclass(frozen=True, slots=True)
class Obstacle:
    """Why an alternative, or every remedy, is out of reach of origin data (worded in
    explain.py): ``NOT_EVALUATED`` (review errors; ``issues``), ``PARTY`` (a non-Party or a
    Party not in force), ``NO_RULE`` (PSR_NOT_FOUND: only PE can help), ``PROCESS_RULE`` (CR
    needs a chemical reaction), ``ILLEGIBLE`` (the cut-off rest of a partial rule),
    ``PROVISO`` (a proviso on named materials, which the search does not try), ``WO``
    (wholly obtained: only PE is tried), ``NOT_ENOUGH`` (even every material changed would not
    meet it)."""

    code: str
    alternative: str = ""
    issues: tuple = ()


@dataclass(frozen=True)
class Remedies:
    """The answer of ``remedies()``: the evaluation, ranked remedies (the first is the least
    effort), the margin of an originating good, and the obstacles found."""

    evaluation: Evaluation
    claim: str | None
    remedies: tuple[Remedy, ...]
    margin: Margin | None
    obstacles: tuple[Obstacle, ...]

    @property
    def originating(self) -> bool | None:
        return self.evaluation.originating

    @property
    def criterion(self) -> str | None:
        return self.evaluation.criterion

    @property
    def qualifies(self) -> bool:
        """Originating, and meeting the claimed criterion if one is claimed."""
        ev = self.evaluation
        return bool(ev.originating) and (self.claim is None or self.claim in ev.satisfied)

    @property
    def exit_code(self) -> int:
        """0 qualifies, 1 remedies found, 2 none can exist or the file cannot be evaluated."""
        if self.qualifies:
            return 0
        return 1 if self.remedies else 2

    def as_dict(self) -> dict:
        from rcep_rules.explain_remedies import remedies_dict

        return remedies_dict(self)

    @property
    def explanation(self) -> str:
        from rcep_rules.explain_remedies import explain_remedies

        return explain_remedies(self)


def remedies(
    shipment: Shipment,
    reference: Reference | None = None,
    *,
    claim: str | None = None,
    look_ahead_days: int = LOOK_AHEAD_DAYS,
) -> Remedies:
    """Remedies for a shipment's good, or its margin when it qualifies. ``claim`` (CTC, RVC,
    PE, ...) asks for remedies that reach that criterion even if another one holds; by
    default, the criterion the good itself claims (``"claim"`` in the goods file)."""
    reference = reference or _default_reference()
    if claim is None and shipment.good is not None:
        claim = shipment.good.claim
    with localcontext(EXACT):
        ev = evaluate(shipment, reference)
        search = _Search(shipment, reference, ev, claim)
        if ev.originating and (claim is None or claim in ev.satisfied):
            return Remedies(ev, claim, (), margin(ev, reference, look_ahead_days), ())
        found = search.run()
        ranked = tuple(sorted(found, key=Remedy.rank))
        return Remedies(ev, claim, ranked, None, tuple(search.obstacles))


# A material to change, as the search sees it: a tuple (a BOM may have thousands) of its value
# for the good, its first path and line, what is known of its kind (_Search.groups), the CTC
# terms it fails, whether it is retail packing only (not needed for PE, Art 3.8) and, for a
# material at several places, its lines ((line, value), ...) and value failing each term.
VALUE, PATH, LINE, INFO, FAILS, PACKING, LINES, CTC_VALUES = range(8)


def _weight(unit: tuple, term: int) -> Decimal:
    """A material's value failing a CTC term (``unit[FAILS]`` names the terms it fails)."""
    return unit[VALUE] if unit[CTC_VALUES] is None else unit[CTC_VALUES][term]


_NO_TERMS: dict = {}


def _paths(unit: tuple) -> tuple[str, ...]:
    return (unit[PATH],) if unit[LINES] is None else tuple(m.path for m, _ in unit[LINES])


def _effort(chosen: list[tuple] | None) -> tuple | None:
    """How ``Remedy.rank`` would rank these materials' changes: proofs only first, then
    fewest, then least value."""
    if chosen is None:
        return None
    return (
        not all(u[INFO][0] == OBTAIN_PROOF for u in chosen),
        len(chosen),
        sum((u[VALUE] for u in chosen), ZERO),
    )


def _change(unit: tuple) -> Change:
    m, info = unit[LINE], unit[INFO]
    return Change(
        info[0],
        m.code,
        m.path,
        (m.path,) if unit[LINES] is None else tuple(line.path for line, _ in unit[LINES]),
        unit[VALUE],
        m.origin_country,
        info[3],
        info[1],
        m.description,
    )


class _Search:
    def __init__(self, shipment: Shipment, reference: Reference, ev: Evaluation, claim):
        self.shipment, self.ref, self.ev, self.claim = shipment, reference, ev, claim
        self.walk, self.top = ev._walk, ev.node
        self.obstacles: list[Obstacle] = []
        self.day = shipment.shipment_date
        self.cache: dict = {}
        self.subs: list = []

    # the materials that count for the good

    def groups(self, top=None, subs: list | None = None) -> list[tuple]:
        """The non-originating bought lines that count for the good, as materials to change:
        its own lines and those of sub-assemblies seen through (not originating on their own),
        with their value per unit of the good and the CTC terms they fail; largest first."""
        top = top or self.top
        walk = self.walk
        world = top.world()
        version = top.item.hs_version
        failing = [{code for code, _ in outcome.failing} for outcome in world.ctc]
        # per kind of bought line that is not originating (every kind is judged by the walk):
        # what to do, the proof to obtain, the CTC terms it fails, why it is not originating
        infos: dict[LineKind, tuple] = {}
        for kind, reason in walk.kinds.items():
            if reason in ORIGINATING:
                continue
            action, proof_type = self.action(kind.origin_country, reason)
            code = kind.hs if kind.hs_version == version else walk.in_edition(kind, version)
            fails = tuple(i for i, codes in enumerate(failing) if code in codes)
            # one material: its code (and, for a proof, the Party that issues it)
            country = kind.origin_country if action == OBTAIN_PROOF else ""
            material = kind.role == "material"  # packing and accessories: RVC only
            infos[kind] = (action, proof_type, fails, reason, country, kind.role, fails * material)
        units: list[tuple] = []  # first each line that counts on its own
        nodes = [(top, Decimal(1), False, False)]
        while nodes:
            node, factor, ignored, packing = nodes.pop()
            bom = node.item.bom or ()
            one = factor == 1  # (most sub-assemblies are used once: spare a product per line)
            units += [
                (
                    m.quantity * m.unit_cost if one else m.quantity * m.unit_cost * factor,
                    m.path,
                    m,
                    info,
                    () if ignored else info[6],
                    packing or info[5] == "packing",
                    None,
                    None,
                )
                for m in bom
                # not originating (a line made in-house has no kind)
                if (info := infos.get(m.kind)) is not None
            ]
            for m in [m for m in bom if m.bom is not None]:
                if m.role != "indirect":
                    sub = walk.nodes[id(m)]
                    if not sub.originating:  # seen through (Art 3.12 does not apply)
                        role = m.role
                        if subs is not None:
                            subs.append(sub)
                        nodes.append(
                            (
                                sub,
                                factor * m.quantity,
                                ignored or role != "material",
                                packing or role == "packing",
                            )
                        )
        keys = [u[LINE].code or u[PATH] for u in units]
        shared = set()  # materials used at several places
        if len(set(keys)) < len(keys):
            shared = {k for k, n in Counter(keys).items() if n > 1}
        if shared:
            merged: dict[tuple, list] = {}
            single = []
            for u in units:
                key = u[LINE].code or u[PATH]
                if key in shared:
                    merged.setdefault((key, u[INFO][0], u[INFO][4]), []).append(u)
                else:
                    single.append(u)
            units = single
            for lines in merged.values():
                lines.sort(key=lambda u: _file_order(u[PATH]))
                ctc_values: dict[int, Decimal] = {}
                for u in lines:
                    for i in u[FAILS]:
                        ctc_values[i] = ctc_values.get(i, ZERO) + u[VALUE]
                first = lines[0]
                units.append(
                    (
                        sum((u[VALUE] for u in lines), ZERO),
                        first[PATH],
                        first[LINE],
                        first[INFO],
                        tuple(ctc_values),
                        all(u[PACKING] for u in lines),
                        tuple((u[LINE], u[VALUE]) for u in lines),
                        ctc_values,
                    )
                )
        units.sort(key=itemgetter(VALUE), reverse=True)  # stable: ties in the walk's order
        return units

    def action(self, country: str | None, reason: str) -> tuple[str, str | None]:
        """obtain_proof for a material of an RCEP Party in force without a valid proof, else
        source_originating; and the proof to obtain."""
        party = self.ref.parties.get(country)
        fixable = reason in (NO_PROOF, PROOF_EXPIRED, PROOF_NOT_YET_VALID, PROOF_INVALID)
        if fixable and party is not None and party.in_force_on(self.walk.day):
            if country == self.shipment.exporting_party:
                return OBTAIN_PROOF, "SUPPLIER_DECLARATION"
            return OBTAIN_PROOF, "RCEP_CO"
        return SOURCE_ORIGINATING, "SUPPLIER_DECLARATION"

    # the alternatives

    def run(self) -> list[Remedy]:
        ev, top = self.ev, self.top
        if top is None:
            self.obstacles.append(Obstacle("NOT_EVALUATED", issues=ev.errors))
            return []
        party = tuple(i for i in ev.errors if i.code in PARTY_ERRORS)
        if party:
            self.obstacles.append(Obstacle("PARTY", issues=party))
            return []
        others = tuple(i for i in ev.errors if i.code != "PSR_NOT_FOUND")
        if others:
            self.obstacles.append(Obstacle("NOT_EVALUATED", issues=others))
            return []
        self.subs: list = []  # the sub-assemblies seen through
        groups = self.groups(subs=self.subs)
        found: list[Remedy] = []
        rule = top.rule
        world = top.world()
        if isinstance(rule, RuleNotFound):
            self.obstacles.append(Obstacle("NO_RULE", issues=ev.errors))
        elif world.minimal:
            found += self.record_process()
        elif isinstance(rule, RuleMatch):
            found += self.rule_remedies(rule, groups)
        if not world.minimal:  # sub-assemblies seen through because only minimally worked
            minimal = [sub for sub in self.subs if sub.minimal and sub.sums[3]]
            for sub in minimal[:3]:
                found += self.record_process(sub.item)
        # PE needs every material that counts (retail packing aside): a superset of any other
        # remedy's changes, so it is tried only when the rule gives none (or it is claimed)
        verified = [r for r in found if r.verified]
        if self.claim == "PE" or (self.claim is None and not verified):
            pe = [u for u in groups if not u[PACKING]]
            if pe:
                found += self.verified("PE", "PE", None, pe, groups, widen=False)
        kept: list[tuple[frozenset, Remedy]] = []
        for remedy in sorted(found, key=Remedy.rank):
            key = frozenset((c.path, c.action) for c in remedy.changes)
            # the same changes, or more, than a remedy of less effort: never the better choice
            if remedy.verified and any(k <= key for k, r in kept if r.verified):
                continue
            kept.append((key, remedy))
        unique = [r for _, r in kept]
        if not unique and not self.obstacles:
            self.obstacles.append(Obstacle("NOT_ENOUGH", "every alternative"))
        return unique

    def rule_remedies(self, rule: RuleMatch, groups: list[tuple]) -> list[Remedy]:
        row = rule.row
        found = []
        proofs = [u for u in groups if u[INFO][0] == OBTAIN_PROOF]
        for branch, (criterion, ctc_at, others) in zip(
            [b for b in row.branches if b.criterion is not None], _plan(row), strict=True
        ):
            text = " and ".join(str(t) for t in branch.terms)
            if self.claim is not None and criterion != self.claim:
                continue
            kinds = {what for what, _ in others}
            if CR in kinds:
                self.obstacles.append(Obstacle("PROCESS_RULE", text))
                continue
            if WO in kinds:
                self.obstacles.append(Obstacle("WO", text))
                continue
            if MaterialCap in kinds:
                self.obstacles.append(Obstacle("PROVISO", text))
                continue
            if kinds - {RVC}:
                self.obstacles.append(Obstacle("ILLEGIBLE", text))
                continue
            threshold = max((t for what, t in others if what is RVC), default=None)
            before = len(found)
            for pool, proofs_only in ((proofs, True), (groups, False)):
                # the materials seen through, or a sub-assembly made originating and what the
                # good still needs: the least effort is verified (the next if it fails)
                candidates = [self.choose(pool, ctc_at, threshold)]
                for option in self.roll_ups(groups, proofs_only):
                    candidates.append(self.with_roll_up(option, pool, ctc_at, threshold))
                candidates = sorted((c for c in candidates if c is not None), key=_effort)
                for chosen in candidates[:2]:
                    verified = self.verified(criterion, text, threshold, chosen, pool)
                    found += verified
                    if verified:
                        break
            if len(found) == before:
                self.obstacles.append(Obstacle("NOT_ENOUGH", text))
        return found

    def choose(
        self, pool: list[tuple], ctc_at, threshold, node=None, less=(ZERO, _NO_TERMS)
    ) -> list[tuple] | None:
        """The fewest materials of ``pool`` (largest values first, the last one the smallest
        that suffices) whose change meets the CTC terms at ``ctc_at`` within de minimis and the
        RVC ``threshold``, for the good (or the sub-assembly ``node``); None when even the
        whole pool would not. ``less`` is what another change already takes off VNM and off
        the value failing each CTC term (a sub-assembly that then rolls up)."""
        node = node or self.top
        world = node.world()
        fob = node.value
        chosen: list[tuple] = []
        for i in ctc_at:
            outcome = world.ctc[i]
            excess = outcome.failing_value - fob / TEN  # Art 3.7(a): not more than 10 % of FOB
            excess -= less[1].get(i, ZERO)
            excess -= sum((_weight(u, i) for u in chosen if i in u[FAILS]), ZERO)
            if excess > 0:
                key = (id(pool), i)  # the pool's materials failing the term, found once
                failing = self.cache.get(key)
                if failing is None:
                    failing = self.cache[key] = (pool, [u for u in pool if i in u[FAILS]])
                failing = failing[1]
                if chosen:
                    taken = {id(u) for u in chosen}
                    failing = [u for u in failing if id(u) not in taken]
                picked = _cover(failing, excess, i)
                if picked is None:
                    return None
                chosen += picked
        if threshold is not None:
            rvc = world.rvc
            moved = sum((u[VALUE] for u in chosen), less[0])
            # build-down: VNM - moved <= FOB (100 - t) / 100; build-up: VOM + moved + costs >=
            # t FOB / 100 (Art 3.5.1); either is enough
            need = rvc.vnm - moved - fob * (HUNDRED - threshold) / HUNDRED
            if rvc.costs is not None:
                need = min(need, threshold * fob / HUNDRED - rvc.vom - moved - rvc.costs)
            if need > 0:
                if chosen:
                    taken = {id(u) for u in chosen}
                    pool = [u for u in pool if id(u) not in taken]
                picked = _cover(pool, need)
                if picked is None:
                    return None
                chosen += picked
        return chosen

    def roll_ups(self, groups: list[tuple], proofs_only: bool) -> list[tuple]:
        """Sub-assemblies seen through that could be made originating on their own (Art 3.12),
        so that all their value counts as originating for the good: for each, the good's
        materials its own remedy changes, and what the roll-up takes off the good's VNM and
        failing values (only materials wholly inside it). Tried from the one that would take
        most off; at most ROLL_UPS are kept, of twice as many tried (each costs a walk of its
        own BOM)."""
        key = ("roll_ups", proofs_only)
        found = self.cache.get(key)
        if found is not None:
            return found
        found = self.cache[key] = []
        eligible, ranked = self.cache.get("inside") or self.inside(groups)
        self.cache["inside"] = (eligible, ranked)
        for path, units in ranked[: 2 * ROLL_UPS]:
            if len(found) == ROLL_UPS:
                break
            own = self.own_remedy(eligible[path], proofs_only)
            if own is None:
                continue
            by_path = {p: u for u in units for p in _paths(u)}
            paths = [p for u in own for p in _paths(u)]
            if not all(p in by_path for p in paths):
                continue  # a material of its remedy does not count for the good as it is
            mapped = {id(by_path[p]): by_path[p] for p in paths}
            ctc: dict[int, Decimal] = {}
            for u in units:
                for i in u[FAILS]:
                    ctc[i] = ctc.get(i, ZERO) + _weight(u, i)
            vnm = sum((u[VALUE] for u in units), ZERO)
            found.append((list(mapped.values()), {id(u) for u in units}, vnm, ctc))
        return found

    def inside(self, groups: list[tuple]) -> tuple[dict, list]:
        """The sub-assemblies seen through that have a rule to meet, and per each the good's
        materials wholly inside it, the one with the most value first."""
        eligible = {
            sub.item.path: sub
            for sub in self.subs
            if isinstance(sub.rule, RuleMatch) and sub.judgeable and not sub.minimal
        }
        if not eligible:
            return eligible, []
        above: dict[str, frozenset] = {}  # per BOM, the eligible sub-assemblies it is inside

        def enclosing(path: str) -> frozenset:
            parent = path[: path.rfind(".bom[")]
            found = above.get(parent)
            if found is None:
                heads = {parent[:at] for at in bom_starts(parent + ".bom[")}
                found = above[parent] = frozenset(heads & eligible.keys())
            return found

        inside: dict[str, list[tuple]] = {}
        for u in groups:
            if u[LINES] is None:
                common = enclosing(u[PATH])
            else:
                common = frozenset.intersection(*(enclosing(p) for p in _paths(u)))
            for path in common:
                inside.setdefault(path, []).append(u)
        ranked = sorted(
            inside.items(), key=lambda item: sum((u[VALUE] for u in item[1]), ZERO), reverse=True
        )
        return eligible, ranked

    def own_remedy(self, sub, proofs_only: bool) -> list[tuple] | None:
        """The least effort that makes a sub-assembly originating under its own rule (its own
        materials, largest first), or None."""
        units = self.cache.get(("groups", id(sub)))
        if units is None:
            units = self.cache[("groups", id(sub))] = self.groups(sub)
        if proofs_only:
            units = [u for u in units if u[INFO][0] == OBTAIN_PROOF]
        row = sub.rule.row
        best = None
        for _criterion, ctc_at, others in _plan(row):
            if {what for what, _ in others} - {RVC}:
                continue
            threshold = max((t for what, t in others if what is RVC), default=None)
            chosen = self.choose(units, ctc_at, threshold, node=sub)
            if chosen is not None and (best is None or _effort(chosen) < _effort(best)):
                best = chosen
        return best

    def with_roll_up(self, option, pool, ctc_at, threshold) -> list[tuple] | None:
        """A sub-assembly's own remedy, and what the good still needs from its other
        materials once that sub-assembly rolls up."""
        own, inside, vnm, ctc = option
        rest = [u for u in pool if id(u) not in inside]
        more = self.choose(rest, ctc_at, threshold, less=(vnm, ctc))
        return None if more is None else own + more

    def verified(self, criterion, text, threshold, chosen, pool, widen=True) -> list[Remedy]:
        """The remedy of ``chosen`` once the engine, run again on the changed goods file, finds
        the criterion met; widened with the next largest material of ``pool`` if it does not
        (at most three times); [] when it never does."""
        chosen = list(chosen)
        key = ("verified", criterion, frozenset(id(u) for u in chosen))
        if key in self.cache:  # the same materials, found again for another pool
            return []
        self.cache[key] = True
        rest = None  # the materials to widen with, once needed
        for _ in range(4):
            changes = tuple(sorted(map(_change, chosen), key=lambda c: (-c.value, c.path)))
            after = evaluate(apply_changes(self.shipment, changes), self.ref)
            if after.originating and criterion in after.satisfied:
                return [self.remedy(criterion, text, threshold, changes, after)]
            if not widen:
                break
            if rest is None:
                taken = {id(u) for u in chosen}
                rest = [u for u in pool if id(u) not in taken]
            if not rest:
                break
            chosen.append(rest.pop(0))
        return []

    def remedy(self, criterion, text, threshold, changes, after: Evaluation) -> Remedy:
        rvc = after.result.rvc
        shown = rvc.build_down
        if threshold is not None and not (
            shown is not None and (rvc.fob - rvc.vnm) * HUNDRED >= threshold * rvc.fob
        ):
            shown = rvc.build_up
        return Remedy(
            criterion,
            text,
            changes,
            True,
            shown,
            threshold,
            after.criterion,
            after.satisfied,
            after.annotations,
        )

    def record_process(self, item=None) -> list[Remedy]:
        """Only minimal operations (Art 3.6) are recorded on the good (or on the sub-assembly
        ``item``, then seen through): a substantial process must be recorded, if one is really
        performed. Not verified; the alternative the good would then meet, its materials as
        they are, is found by running the engine with one recorded."""
        item = item or self.shipment.good
        substantial = next(
            (p.code for p in self.ref.processes if not p.minimal and p.code != "chemical_reaction"),
            None,
        )
        after = None
        if substantial is not None:
            trial = copy_line if isinstance(item, Material) else dataclasses.replace
            changed = with_lines(
                self.shipment,
                {item.path},
                lambda m: trial(m, processes=(*m.processes, substantial)),
            )
            after = evaluate(changed, self.ref)
        criterion = after.criterion if after is not None and after.originating else None
        if criterion is None and isinstance(item, Material):
            return []  # a sub-assembly's process alone would not make the good qualify
        alternative, threshold, rvc_after = "", None, None
        if criterion is not None and isinstance(after.rule, RuleMatch):
            for branch in after.rule.row.branches:
                if branch.criterion == criterion:
                    alternative = " and ".join(str(t) for t in branch.terms)
                    threshold = next(
                        (t.threshold for t in branch.terms if isinstance(t, RVC)), None
                    )
                    break
            rvc_after = after.result.rvc.build_down if threshold is not None else None
        change = Change(
            RECORD_PROCESS, item.code, f"{item.path}.processes", (item.path,), ZERO, None, "", None
        )
        return [
            Remedy(
                criterion or "",
                alternative,
                (change,),
                False,
                rvc_after,
                threshold,
                criterion,
                after.satisfied if criterion else (),
                after.annotations if criterion else (),
                item.processes,
            )
        ]


def _file_order(path: str) -> tuple[int, ...]:
    return tuple(int(i) for i in re.findall(r"\[(\d+)\]", path))


def _cover(pool: list[tuple], need: Decimal, term: int | None = None) -> list[tuple] | None:
    """The fewest materials whose weights (their value, or with ``term`` their value failing
    that CTC term) sum to ``need`` or more: the largest first, the last replaced by the
    smallest one that still suffices (less value changed). None when the whole pool is not
    enough. ``pool`` comes largest value first (``groups``)."""
    if term is None:
        weight, ordered = itemgetter(VALUE), pool
    else:

        def weight(u):
            return _weight(u, term)

        merged = any(u[CTC_VALUES] is not None for u in pool)  # else weight is value
        ordered = sorted(pool, key=weight, reverse=True) if merged else pool
    total, n = ZERO, 0
    for u in ordered:
        if total >= need:
            break
        total += weight(u)
        n += 1
    if total < need:
        return None
    base = total - weight(ordered[n - 1])  # the first n - 1, and the smallest that completes
    lo, hi = n - 1, len(ordered)  # ordered[lo] completes them; weights only fall along it
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if base + weight(ordered[mid]) >= need:
            lo = mid
        else:
            hi = mid
    return [*ordered[: n - 1], ordered[lo]]
