"""The outcome of one good or in-house sub-assembly: its sums (``Node``), RVC figures
(``Rvc``, Art 3.5), change-of-classification terms (``CtcOutcome``, with de minimis, Art 3.7) and
the criteria that hold (``World``), and the one routine that tries a rule's branches
(``try_branches``, Annex 3A headnote 4) for the fast path and for the full outcome alike.
"""

from dataclasses import dataclass
from decimal import Decimal, localcontext

from rcep_rules.hs import display
from rcep_rules.psr import CR, CTC, RVC, WO, MaterialCap, RuleNotFound
from rcep_rules.verdicts import EXACT, HUNDRED, ZERO

TEXTILE_CHAPTERS = range(50, 64)  # Art 3.7(b): de minimis by weight
STRICT, WITHIN = 2, 1  # how a CTC term holds: no material fails it; within de minimis


@dataclass(slots=True)
class Rvc:
    """Art 3.5 figures for one good or sub-assembly, exact (``Decimal``)."""

    fob: Decimal
    vnm: Decimal
    vom: Decimal
    costs: Decimal | None  # direct labour + overhead + profit + other, when given

    @property
    def build_down(self) -> Decimal | None:
        if not self.fob:
            return None
        with localcontext(EXACT):
            return (self.fob - self.vnm) * HUNDRED / self.fob

    @property
    def build_up(self) -> Decimal | None:
        if self.costs is None or not self.fob:
            return None
        with localcontext(EXACT):
            return (self.vom + self.costs) * HUNDRED / self.fob

    def meets(self, threshold: Decimal) -> bool:
        """ "No less than" the threshold, compared without division or rounding."""
        if self.fob <= 0:
            return False
        if (self.fob - self.vnm) * HUNDRED >= threshold * self.fob:
            return True
        return self.costs is not None and (self.vom + self.costs) * HUNDRED >= threshold * self.fob


@dataclass(slots=True)
class CtcOutcome:
    atom: CTC
    failing: tuple[tuple[str | None, Decimal], ...]  # HS codes without the change, and value
    failing_value: Decimal
    de_minimis: bool  # the failing materials are within Art 3.7
    by_weight: tuple[Decimal, Decimal] | None = None  # failing and total weight, Art 3.7(b)

    @property
    def strict(self) -> bool:
        return not self.failing


@dataclass(slots=True)
class World:
    """The outcome for one good or sub-assembly, with or without cumulation."""

    originating: bool
    criterion: str | None
    satisfied: tuple[str, ...]
    dmi: bool
    minimal: bool
    wo: bool
    pe: bool
    rvc: Rvc
    ctc: tuple[CtcOutcome, ...]
    ctc_values: dict  # non-originating materials by HS, per unit, sub-assemblies seen through
    uses_non_originating: bool  # a non-originating material or accessory (packing aside)
    held: dict  # the rule's criteria that hold: {"CTC": "strict" | "dmi", "RVC": "strict"}


class Node:
    """The sums of one good or in-house sub-assembly, from which its outcomes follow.

    Once walked, a node knows whether it is originating with cumulation (``originating``),
    whether it is wholly obtained (``wo``) and its ``sums`` (vnm, vom, ctc, block) with its
    sub-assemblies rolled up or seen through: all the nodes above it need. Its ``World``s
    (with, and without, cumulation) are made on first use. ``p_vnm`` and ``p_block`` are its
    non-originating value and use of non-originating materials at worst: no sub-assembly
    originating, nothing cumulated (for ``holds_at_worst``)."""

    __slots__ = (
        "block",
        "c_block",
        "c_ctc",
        "c_value",
        "costs",
        "ctc",
        "facts",
        "has_cum",
        "hs",
        "is_good",
        "item",
        "judgeable",
        "materials_value",
        "minimal",
        "originating",
        "p_block",
        "p_vnm",
        "rule",
        "subs",
        "sums",
        "value",
        "vnm",
        "vom",
        "walk",
        "with_cumulation",
        "without_cumulation",
        "wo",
    )

    def world(self, cumulation: bool = True) -> World:
        if cumulation or not self.has_cum:
            found = getattr(self, "with_cumulation", None)  # unset until first asked for
            if found is None:
                found = self.with_cumulation = self.walk.judge(self, True)
        else:
            found = getattr(self, "without_cumulation", None)
            if found is None:
                found = self.without_cumulation = self.walk.judge(self, False)
        return found


class _RuleFacts:
    """What the walk needs of the rule of one HS code, found once per evaluation: its
    branches (``_plan``), the failing-code entries of its CTC terms (``_Walk.failing_entry``),
    the facts of PSR_TRANSPOSED (None when it is not transposed) and whether it is partial."""

    __slots__ = ("entries", "partial", "plan", "transposed")


def transparency_cause(node: Node, world: World) -> str:
    if node.rule is None:
        return "its HS code is missing or invalid"
    if isinstance(node.rule, RuleNotFound):
        return f"no rule is loaded for {display(node.rule.code)}"
    if not node.item.processes:
        return "no process is given for it"
    if world.minimal:
        return "only minimal operations were performed on it (Art 3.6)"
    return f"its rule {node.rule.row.psr} is not met"


def decisive(world: World) -> CtcOutcome | None:
    """The CTC term that decides: the first met outright, else by de minimis, else the first."""
    if not world.ctc:
        return None
    for outcome in world.ctc:
        if outcome.strict:
            return outcome
    for outcome in world.ctc:
        if outcome.de_minimis:
            return outcome
    return world.ctc[0]


def _fails(code, own: str | tuple[str, ...], term: CTC) -> bool:
    """Whether a non-originating material coded ``code`` (None when unknown; a tuple when it
    correlates to several codes, any of which may fail) fails ``term`` for a good whose code
    starts ``own`` (as many digits as the term compares; the prefixes of the whole group for
    "from any heading outside that group"): what ``ctc_outcome`` tests."""
    if isinstance(code, tuple):
        return any(_fails(c, own, term) for c in code)
    return (
        code is None
        or code.startswith(own)
        or bool(term.excluded and code.startswith(term.excluded))
    )


def _named(code, prefixes: tuple[str, ...]) -> bool:
    """Whether a material coded ``code`` is one of the materials a proviso names (an unknown
    code, or one correlating to several codes of which one is named, is counted)."""
    if isinstance(code, tuple):
        return any(_named(c, prefixes) for c in code)
    return code is None or code.startswith(prefixes)


def cap_holds(cap: MaterialCap, ctc: dict, value: Decimal) -> bool:
    """A proviso on named materials: their non-originating value (counted as for the change
    in tariff classification, sub-assemblies seen through) is no more than the share of the
    good's FOB value, compared exactly."""
    return named_value(cap, ctc) * HUNDRED <= cap.share * value


def named_value(cap: MaterialCap, ctc: dict) -> Decimal:
    """The value of the non-originating materials a proviso names."""
    return sum([v for code, v in ctc.items() if _named(code, cap.codes)], ZERO)


def _plan(row) -> tuple:
    """A rule row's branches (those that give a criterion) as (criterion, the positions of their
    CTC terms in ``row.ctc_terms``, their other terms as (type, RVC threshold or None)): the
    terms are looked up by position, not hashed, for every good or sub-assembly judged."""
    position = {term: i for i, term in enumerate(row.ctc_terms)}
    plan = []
    for branch in row.branches:
        if branch.criterion is None:
            continue
        ctc_at = tuple(position[t] for t in branch.terms if isinstance(t, CTC))
        others = tuple(
            (
                type(t),
                t.threshold if isinstance(t, RVC) else t if isinstance(t, MaterialCap) else None,
            )
            for t in branch.terms
            if not isinstance(t, CTC)
        )
        plan.append((branch.criterion, ctc_at, others))
    return tuple(plan)


def _merged(base: dict, extra: dict, factor: Decimal) -> dict:
    if not extra:
        return base
    merged = dict(base)
    for code, value in extra.items():
        merged[code] = merged.get(code, ZERO) + value * factor
    return merged


def try_branches(
    plan: tuple,
    flags: list[int],
    rvc: "Rvc | tuple",
    processes: tuple[str, ...],
    ctc: dict | None,
    wo_or_pe: bool,
    first: bool = False,
) -> dict[str, str]:
    """The criteria of a rule whose branches hold (headnote 4: any one is enough), as
    {criterion: "strict" | "dmi"} ("dmi" when its CTC part holds by de minimis only).

    ``plan`` is the rule's branches (``_plan``), ``flags`` how each of its CTC terms holds
    (STRICT, WITHIN), ``rvc`` the figures (or the fob, vnm, vom and costs to make them from
    when a branch needs them: the fast path spares it), ``ctc`` the non-originating materials
    by HS code (for provisos; None when unknown) and ``wo_or_pe`` whether WO or PE holds.
    With ``first``, stop at the first branch that holds: the fast path (``_Walk.originates``)
    needs no more; the full outcome (``_Walk.judge``) tries them all. One routine for both,
    so they cannot disagree."""
    held: dict[str, str] = {}
    for criterion, ctc_at, others in plan:
        strict = dmi = True
        for i in ctc_at:
            flag = flags[i]
            strict = strict and flag & STRICT
            dmi = dmi and flag & WITHIN
        if not (strict or dmi):
            continue
        if others and not others_hold(others, rvc, processes, ctc, wo_or_pe):
            continue
        if strict:
            held[criterion] = "strict"
        elif held.get(criterion) != "strict":
            held[criterion] = "dmi"
        if first:
            break
    return held


def others_hold(
    others: tuple, rvc: "Rvc | tuple", processes: tuple[str, ...], ctc: dict | None, wo_or_pe: bool
) -> bool:
    """Whether every term of a branch other than its CTC terms holds: RVCnn (Art 3.5), CR
    (headnote 7(f)), WO (or PE), a proviso on named materials; the illegible rest of a partial
    rule never does."""
    for what, threshold in others:
        if type(rvc) is tuple:
            rvc = Rvc(*rvc)
        if what is RVC:
            ok = rvc.meets(threshold)
        elif what is CR:
            ok = "chemical_reaction" in processes
        elif what is WO:
            ok = wo_or_pe
        elif what is MaterialCap:
            ok = ctc is not None and cap_holds(threshold, ctc, rvc.fob)
        else:  # Incomplete
            ok = False
        if not ok:
            return False
    return True
