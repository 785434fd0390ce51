"""Origin evaluation of one good (Art 3.2) with its pre-review.

For the good and for every in-house sub-assembly (a material with a ``bom`` of its own):

* a bought material is originating only with a valid proof from an RCEP Party in force
  (Arts 3.4, 3.16); indirect materials are originating (Art 3.10);
* a sub-assembly that qualifies on its own counts as one originating material at its full
  value (roll-up, Art 3.12); one that does not is transparent: its non-originating inputs count
  for the parent, both for RVC and for the change in tariff classification;
* WO (Art 3.3), PE (Art 3.2(b)) and the product-specific rule (Annex 3A) are tested; CTC only
  on non-originating materials, disregarding retail packing and accessories (Arts 3.8, 3.9),
  with de minimis (Art 3.7); RVC build-down and build-up (Art 3.5), exactly;
* minimal operations (Art 3.6) on non-originating materials confer nothing.

One walk over the BOM sums, for each good or sub-assembly, the values of its originating and
non-originating lines, the latter grouped by HS code (all that the CTC test needs), and keeps
apart what cumulation made originating. The walk decides whether each sub-assembly is
originating with cumulation (``_Walk.originates``); its full outcome (``World``: criteria,
RVC, CTC outcomes) is made on first use. The outcome "with cumulation" is the declared one;
whether the declared criterion holds without cumulation (``ACU``) is first bounded from the
same sums with no sub-assembly originating (``_Walk.holds_at_worst``), and only when that
bound cannot tell is every sub-assembly judged again without cumulation. Verdicts per BOM
line and the warnings about single materials are facts derived from the same functions, on
first use (``Evaluation.materials``, ``.issues``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal, localcontext
from functools import cached_property

from rcep_rules.goods import Good, LineKind, Material, Shipment
from rcep_rules.hs import HS2012, HS2022, display
from rcep_rules.issues import CATALOGUE, ERROR, WARNING, Issue, make_issue
from rcep_rules.psr import CR, CTC, CTC_DIGITS, RVC, WO, RuleMatch, RuleNotFound
from rcep_rules.reference import Reference

ZERO = Decimal(0)
# Quantities and money have at most 24 significant digits (goods.py); products and sums of
# them stay exact with this precision, so no threshold is ever decided by rounding.
EXACT = Context(prec=80)
HUNDRED = Decimal(100)
PREFERENCE = ("WO", "PE", "CTC", "RVC", "CR")
TEXTILE_CHAPTERS = range(50, 64)  # Art 3.7(b): de minimis by weight

# Why a BOM line is, or is not, originating (worded in rcep_rules.explain).
PROOF = "proof"
CUMULATION = "cumulation"
INDIRECT = "indirect"
ROLLED_UP = "rolled_up"
TRANSPARENT = "transparent"
NO_PROOF = "no_proof"
NON_PARTY = "non_party"
ORIGIN_UNKNOWN = "origin_unknown"
PROOF_EXPIRED = "proof_expired"
PROOF_NOT_YET_VALID = "proof_not_yet_valid"
PROOF_INVALID = "proof_invalid"
ORIGINATING = frozenset({PROOF, CUMULATION, INDIRECT, ROLLED_UP})

# Where the value of a bought line goes in the sums of its good or sub-assembly.
_ORIGINATING = "originating"
_NON_ORIGINATING_MATERIAL = "non-originating material"  # counted for CTC and RVC
_NON_ORIGINATING_OTHER = "non-originating packing or accessory"  # RVC only (Arts 3.8, 3.9)
_CUMULATED_MATERIAL = "material originating by cumulation"
_CUMULATED_OTHER = "packing or accessory originating by cumulation"
_BAD = "wrong HS code or currency"
_TRANSPOSED = CATALOGUE["PSR_TRANSPOSED"].severity
_STRICT, _WITHIN = 2, 1  # how a CTC term holds (Walk.ctc_test)


class MaterialVerdict:
    """The verdict on one BOM line. ``ctc`` is pass, fail, ignored (packing and accessories,
    Arts 3.8-3.9) or n/a (originating materials, or no CTC test where it was judged)."""

    __slots__ = (
        "counted",
        "criterion",
        "ctc",
        "ctc_key",
        "judged_by",
        "material",
        "note",
        "originating",
        "reason",
        "value",
    )

    def __init__(
        self,
        material: Material,
        reason: str,
        value: Decimal,
        ctc: str,
        judged_by: str,
        criterion: str | None = None,
        counted: Decimal | None = None,
        ctc_key=None,
    ):
        self.material = material
        self.originating = reason in ORIGINATING
        self.reason = reason
        self.value = value
        self.ctc = ctc
        self.judged_by = judged_by  # path of the good or sub-assembly whose rule judged it
        self.criterion = criterion  # of a sub-assembly that qualifies on its own
        self.counted = value if counted is None else counted  # per unit of the judging good
        self.ctc_key = ctc_key  # the code compared in the CTC test (another HS edition's)
        self.note = ""  # why a sub-assembly does not qualify on its own


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


class Evaluation:
    """The engine's answer for one shipment; ``originating`` is None when review errors
    stopped the evaluation."""

    def __init__(self, shipment: Shipment, walk: "_Walk", top: Node | None) -> None:
        self.shipment = shipment
        self._walk = walk
        self.node = top
        self.errors: tuple[Issue, ...] = tuple(i for i in walk.issues if i.severity == ERROR)
        world = top.world() if top is not None else None
        self.result = world
        if world is None or self.errors:
            self.originating = self.criterion = None
            self.satisfied = self.annotations = ()
            return
        self.originating = world.originating
        self.criterion = world.criterion
        self.satisfied = world.satisfied
        annotations = []
        if (
            top.has_cum
            and world.criterion in ("CTC", "RVC", "CR")
            and not walk.holds_at_worst(top, world)
            and not _still_holds(world, top.world(cumulation=False))
        ):
            annotations.append("ACU")
        if world.dmi:
            annotations.append("DMI")
        self.annotations = tuple(annotations)

    @property
    def exit_code(self) -> int:
        if self.originating is None:
            return 2
        return 0 if self.originating else 1

    @property
    def rule(self) -> RuleMatch | RuleNotFound | None:
        return self.node.rule if self.node else None

    @cached_property
    def materials(self) -> tuple[MaterialVerdict, ...]:
        """A verdict for every BOM line, in the order of the goods file."""
        return self._details[0]

    @cached_property
    def issues(self) -> tuple[Issue, ...]:
        """Every issue: those that decided the evaluation, then the warnings on single
        materials (origin proofs, inconsistent HS codes)."""
        return tuple(self._walk.issues) + self._details[1]

    @cached_property
    def _details(self) -> tuple[tuple[MaterialVerdict, ...], tuple[Issue, ...]]:
        with localcontext(EXACT):
            return self._walk.details(self.node)

    def as_dict(self) -> dict:
        from rcep_rules.explain import evaluation_dict

        return evaluation_dict(self)

    @property
    def explanation(self) -> str:
        from rcep_rules.explain import explain

        return explain(self)


def evaluate(shipment: Shipment, reference: Reference | None = None) -> Evaluation:
    """Pre-review and evaluate one shipment's good."""
    with localcontext(EXACT):
        walk = _Walk(shipment, reference or _default_reference())
        walk.check_shipment()
        good = shipment.good
        top = walk.node(good, good.fob, True) if good else None
        return Evaluation(shipment, walk, top)


def review(shipment: Shipment, reference: Reference | None = None) -> tuple[Issue, ...]:
    """The pre-review alone: every issue, errors first."""
    issues = evaluate(shipment, reference).issues
    return tuple(sorted(issues, key=lambda i: i.severity != ERROR))


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


def _still_holds(declared: World, without: World) -> bool:
    if declared.criterion not in without.satisfied:
        return False
    return not (declared.criterion == "CTC" and without.dmi and not declared.dmi)


_reference: Reference | None = None


def _default_reference() -> Reference:
    global _reference
    if _reference is None:
        _reference = Reference.load()
    return _reference


def _what(item, is_good: bool = False) -> str:
    if is_good:
        return f"the good {item.code}"
    if item.bom is not None:
        return f"sub-assembly {item.code}"
    return f"material {item.code}" if item.code else f"the material at {item.path}"


class _Walk:
    """One evaluation: the walk over the BOM, the judgement of each node, the issues."""

    def __init__(self, shipment: Shipment, ref: Reference):
        self.shipment = shipment
        self.ref = ref
        self.day: date = shipment.shipment_date or date.min
        self.exporter = shipment.exporting_party
        self.currency = shipment.currency
        self.issues: list[Issue] = list(shipment.input_issues)
        self.nodes: dict[int, Node] = {}
        self.kinds: dict[LineKind, str] = {}  # the reason of each kind of bought line
        self.buckets: dict[LineKind, object] = {}
        self.plans: dict[int, tuple] = {}  # each rule row's branches, as _plan gives them
        self.bad_kinds: set[LineKind] = set()
        self.minimal: dict[tuple[str, ...], bool] = {}
        self.editions: dict[tuple[LineKind, str], object] = {}
        self.slots: dict[str, dict[LineKind, tuple]] = {}  # per HS edition, as slot() gives
        self.known_processes: dict[tuple[str, ...], bool] = {}  # all known: only minimal?
        self.editions_seen: dict[str, tuple[dict, dict, dict]] = {}  # as edition() gives
        # The HS codes non-originating materials are summed under (slot), in the order seen,
        # and per CTC term and good's code, how many of them were tested and those that fail.
        self.codes: list = []
        self.code_set: set = set()
        self.failing_codes: dict[int, dict[str, list]] = {}

    def issue(self, _code: str, _path: str, severity: str = "", **facts) -> None:
        self.issues.append(Issue(_code, _path, facts, severity))

    # --- the shipment -----------------------------------------------------------------------

    def check_shipment(self) -> None:
        s, prefix = self.shipment, self.shipment.prefix
        if s.exporting_party and s.exporting_party == s.importing_party:
            self.issue(
                "INPUT_INVALID",
                prefix + "importing_party",
                field="importing_party",
                problem=f"{s.importing_party}, the exporting Party itself",
                expected="the RCEP Party the goods are exported to",
            )
        for role, code, key in (
            ("exporting Party", s.exporting_party, "exporting_party"),
            ("importing Party", s.importing_party, "importing_party"),
        ):
            if code is None:
                continue
            party = self.ref.parties.get(code)
            path = prefix + key
            if party is None:
                self.issue("PARTY_NOT_RCEP", path, role=role.capitalize(), country=code)
            elif s.shipment_date and not party.in_force_on(s.shipment_date):
                self.issue(
                    "PARTY_NOT_IN_FORCE",
                    path,
                    role=f"the {role}",
                    country=party.name,
                    date=s.shipment_date,
                    since=party.entry_into_force,
                )
            elif party.contested:
                self.issue("PARTY_CONTESTED", path, country=party.name, role=role, note=party.note)

    # --- the walk ---------------------------------------------------------------------------

    def node(self, item: Good | Material, given_value: Decimal | None, is_good: bool) -> Node:
        """Sum one good or sub-assembly's BOM lines; judge it; report what is wrong."""
        hs, version, processes = item.hs, item.hs_version, item.processes
        edition = self.editions_seen.get(version)
        if edition is None:
            edition = self.edition(version)
        codes, slots, rules = edition
        if hs is None or hs not in codes:
            hs = self.check_hs(item, _what(item, is_good), ERROR if is_good else WARNING)
        minimal = self.known_processes.get(processes)
        if minimal is None:
            minimal = self.only_minimal(processes)
            if all(p in self.ref.processes for p in processes):
                self.known_processes[processes] = minimal
            else:
                self.check_processes(item, _what(item, is_good))
        vnm = vom = c_value = materials_value = p_vnm = ZERO
        p_block = False
        ctc: dict = {}  # non-originating materials by HS code
        c_ctc: dict = {}  # materials originating only by cumulation, by HS code
        block = c_block = False
        subs = []
        for m in item.bom or ():
            if m.bom is not None:
                if m.currency is not None:
                    self.check_currency(m)
                q = m.quantity or ZERO
                sub = self.node(m, m.unit_cost, False)
                role = m.role
                total = q * sub.value
                subs.append((q, sub, role, total))
                materials_value += total
                if role != "indirect":
                    p_vnm += q * sub.p_vnm
                    p_block = p_block or (sub.p_block and role != "packing")
                continue
            try:
                total = m.quantity * m.unit_cost
            except TypeError:  # reported when the file was read; the evaluation stops
                total = ZERO
            try:
                bucket, code = slots[m.kind]
            except KeyError:
                bucket, code = self.slot(m.kind, version)
            # The values of non-originating and cumulated materials are summed by HS code only,
            # and their totals taken from those sums below (exact, so in any order).
            if bucket is _NON_ORIGINATING_MATERIAL:
                ctc[code] = ctc.get(code, ZERO) + total
            elif bucket is _ORIGINATING:
                vom += total
            elif bucket is _CUMULATED_MATERIAL:
                c_ctc[code] = c_ctc.get(code, ZERO) + total
            elif bucket is _NON_ORIGINATING_OTHER:
                vnm += total
                block = block or code != "packing"
            elif bucket is _CUMULATED_OTHER:
                c_value += total
                c_block = c_block or code != "packing"
            else:  # a kind with a wrong HS code or currency: report each of its lines
                self.report_line(m)
                vnm += total
        if ctc:
            vnm = sum(ctc.values(), vnm)
            block = True
        if c_ctc:
            c_value = sum(c_ctc.values(), c_value)
            c_block = True
        vom += c_value
        materials_value += vnm + vom

        node = Node()
        node.walk, node.item, node.is_good, node.hs = self, item, is_good, hs
        node.vnm, node.vom, node.ctc, node.block, node.subs = vnm, vom, ctc, block, subs
        node.c_value, node.c_ctc, node.c_block = c_value, c_ctc, c_block
        node.p_vnm = p_vnm + vnm + c_value if subs else vnm + c_value
        node.p_block = p_block or block or c_block
        has_cum = bool(c_value or c_block)
        for _, sub, _, _ in subs:
            has_cum = has_cum or sub.has_cum
        node.has_cum = has_cum
        node.materials_value = materials_value
        costs = node.costs = sum(item.costs) if item.costs is not None else None
        if given_value is not None:
            node.value = given_value
        else:
            node.value = materials_value if costs is None else materials_value + costs
        if hs:
            found = rules.get(hs)
            if found is None:
                found = rules[hs] = self.rule_facts(hs, version)
            rule, node.facts = found
        else:
            rule = node.facts = None
        node.rule = rule
        node.judgeable = bool(processes) and node.facts is not None  # a RuleMatch
        node.minimal = minimal
        self.nodes[id(item)] = node
        node.originating = self.originates(node)
        self.report_node(node)
        return node

    def edition(self, version: str) -> tuple[dict, dict, dict]:
        """For goods coded in one HS edition: its codes (those that exist), where each kind of
        bought line goes (slot) and the rule of each code, as found so far."""
        found = self.editions_seen[version] = (
            self.ref.nomenclatures[version].descriptions,
            self.slots.setdefault(version, {}),
            {},
        )
        return found

    def rule_facts(self, hs: str, version: str) -> tuple:
        """The rule of a code, and what the walk needs of it (None when no rule is found)."""
        rule = self.ref.rules.find(hs, version)
        if not isinstance(rule, RuleMatch):
            return rule, None
        row = rule.row
        facts = _RuleFacts()
        plan = self.plans.get(id(row))
        if plan is None:
            plan = self.plans[id(row)] = _plan(row)
        facts.plan = plan
        facts.entries = [self.failing_entry(term, hs) for term in row.ctc_terms]
        facts.transposed = (
            {
                "code": display(rule.code),
                "rule_code": display(row.code),
                "rule_text": row.psr,
                "mapped": ", ".join(display(c) for c in rule.mapped),
                "relationship": rule.relationship or "correlation",
            }
            if rule.transposed
            else None
        )
        facts.partial = row.partial
        return rule, facts

    def slot(self, kind: LineKind, version: str) -> tuple[str, object]:
        """Where the value of a kind of bought line goes in the sums of a good or sub-assembly
        coded in ``version``, and under which code (its role for packing and accessories).
        Every code a node's materials are summed under is made here, and kept in ``codes``."""
        bucket = self.buckets.get(kind)
        if bucket is None:
            bucket = self.bucket(kind)
        if bucket is _NON_ORIGINATING_MATERIAL or bucket is _CUMULATED_MATERIAL:
            code = kind.hs if kind.hs_version == version else self.in_edition(kind, version)
            if code not in self.code_set:
                self.code_set.add(code)
                self.codes.append(code)
        else:
            code = kind.role
        found = self.slots[version][kind] = (bucket, code)
        return found

    def report_node(self, node: Node) -> None:
        item = node.item
        block = node.sums[3]
        # (a value derived from the materials is never below them)
        value = node.value
        if value is not node.materials_value and item.bom and node.materials_value > value:
            self.issue(
                "BOM_VALUE_EXCEEDS_FOB",
                item.path,
                what=_what(item, node.is_good),
                value=node.value,
                materials=node.materials_value,
                currency=self.currency or "",
            )
        if node.is_good:
            self.check_good(item)
        elif item.bom == () and not item.wholly_obtained:
            self.issue("BOM_EMPTY", item.path, what=_what(item))
        rule = node.rule
        if isinstance(rule, RuleNotFound):
            world = node.world()
            serious = node.is_good and not (world.wo or world.pe)
            self.issue(
                "PSR_NOT_FOUND",
                item.path,
                severity=ERROR if serious else WARNING,
                code=display(rule.code),
                version=rule.version,
                detail=rule.detail,
            )
        elif isinstance(rule, RuleMatch):
            row, facts = rule.row, node.facts
            if facts.transposed:
                self.issues.append(
                    make_issue("PSR_TRANSPOSED", item.path, facts.transposed, _TRANSPOSED)
                )
            if facts.partial:
                self.issue(
                    "PSR_PARTIAL",
                    item.path,
                    rule_text=row.psr,
                    rule_code=f"{row.hs_version} {display(row.code)}",
                )
        if not item.processes:
            serious = node.is_good and block
            self.issue(
                "PROCESS_MISSING",
                item.path,
                what=_what(item, node.is_good),
                severity=ERROR if serious else WARNING,
            )
        elif block and node.minimal:
            self.issue(
                "PROCESS_MINIMAL",
                item.path,
                what=_what(item, node.is_good),
                processes=", ".join(item.processes),
            )

    # --- judging one node --------------------------------------------------------------------

    def sums(self, node: Node, cumulation: bool) -> tuple[Decimal, Decimal, dict, bool]:
        """A node's non-originating and originating value, non-originating materials by HS
        code and whether it uses non-originating materials or accessories, with or without
        cumulation: its own lines, and its sub-assemblies rolled up or seen through."""
        vnm, vom, block, ctc = node.vnm, node.vom, node.block, node.ctc
        if not cumulation:
            vnm, vom, block = vnm + node.c_value, vom - node.c_value, block or node.c_block
            ctc = _merged(ctc, node.c_ctc, 1)
        for q, sub, role, total in node.subs:  # total: q x its value
            if role == "indirect":  # an in-house jig or tool: originating (Art 3.10)
                vom += total
                continue
            if cumulation:
                if sub.originating:  # roll-up, Art 3.12
                    vom += total
                    continue
                sub_vnm, _, sub_ctc, sub_block = sub.sums
            else:
                w = sub.world(False)
                if w.originating:
                    vom += total
                    continue
                sub_vnm, sub_ctc, sub_block = w.rvc.vnm, w.ctc_values, w.uses_non_originating
            # transparent: its non-originating inputs count here; for retail packing and
            # accessories only in the RVC (Arts 3.8, 3.9)
            sub_vnm *= q
            vnm += sub_vnm
            vom += total - sub_vnm
            if role == "material":
                ctc = _merged(ctc, sub_ctc, q)
            if role != "packing":
                block = block or sub_block
        return vnm, vom, ctc, block

    def originates(self, node: Node) -> bool:
        """Whether a node just walked is originating with cumulation, as ``judge`` would find
        (``World.originating``), without the rest of its World: the walk needs no more of a
        sub-assembly, and its World is made if something asks for it. Keeps the sums and
        whether it is wholly obtained, which the nodes above it need."""
        item = node.item
        if node.subs:
            vnm, vom, ctc, block = node.sums = self.sums(node, True)
        else:
            vnm, vom, ctc, block = node.sums = node.vnm, node.vom, node.ctc, node.block
        node.wo = False
        if block:
            minimal = node.minimal  # only minimal operations on non-originating materials
        else:
            if item.wholly_obtained and self.wholly_obtained(node, True):
                node.wo = True
                return True
            if item.bom:
                return True  # PE
            minimal = False
        if not node.judgeable or not node.hs or minimal:
            return False
        facts, value = node.facts, node.value
        terms, entries = node.rule.row.ctc_terms, facts.entries
        tested: list = [None] * len(terms)
        rvc = None
        for _, ctc_at, others in facts.plan:
            strict = dmi = True
            for i in ctc_at:
                found = tested[i]
                if found is None:
                    found = tested[i] = self.ctc_test(terms[i], entries[i], node, value, ctc)
                strict = strict and found & _STRICT
                dmi = dmi and found & _WITHIN
            if not (strict or dmi):
                continue
            for what, threshold in others:
                if what is RVC:
                    if rvc is None:
                        rvc = Rvc(value, vnm, vom, node.costs)
                    ok = rvc.meets(threshold)
                elif what is CR:
                    ok = "chemical_reaction" in item.processes
                else:  # WO holds here only with WO or PE, which need no non-originating input
                    ok = False
                if not ok:
                    break
            else:
                return True
        return False

    def judge(self, node: Node, cumulation: bool) -> World:
        """The outcome of one good or sub-assembly, with or without cumulation (Art 3.4)."""
        item = node.item
        vnm, vom, ctc, block = node.sums if cumulation else self.sums(node, False)
        value = node.value
        rvc = Rvc(value, vnm, vom, node.costs)
        if block:
            wo = pe = False
            minimal = node.minimal
        else:
            wo = item.wholly_obtained and self.wholly_obtained(node, cumulation)
            pe = not wo and bool(item.bom)
            minimal = False
        satisfied = ["WO"] if wo else ["PE"] if pe else []
        outcomes: tuple[CtcOutcome, ...] = ()
        held: dict[str, str] = {}
        # Fewer originating materials never make a good originating (see the property tests):
        # what fails with cumulation fails without it, and its rule need not be tried again.
        if node.judgeable and node.hs and not minimal and (cumulation or node.originating):
            row = node.rule.row
            outcomes = tuple(
                [self.ctc_outcome(t, node, value, ctc, cumulation) for t in row.ctc_terms]
            )
            held = self.rule_families(row, item, rvc, outcomes, wo or pe)
            for family in ("CTC", "RVC", "CR"):
                if family in held:
                    satisfied.append(family)
        criterion = satisfied[0] if satisfied else None  # in the order of PREFERENCE
        # originating, criterion, satisfied, dmi, minimal, wo, pe, rvc, ctc, ctc_values,
        # uses_non_originating
        return World(
            criterion is not None,
            criterion,
            tuple(satisfied),
            held.get(criterion) == "dmi",
            minimal,
            wo,
            pe,
            rvc,
            outcomes,
            ctc,
            block,
        )

    def holds_at_worst(self, top: Node, declared: World) -> bool:
        """Whether the good's declared criterion holds without cumulation even if none of its
        in-house sub-assemblies were originating. Then it holds without cumulation (no ACU),
        and the sub-assemblies need not be judged again without it. False when unsure.

        Fewer originating materials never make a criterion hold (see the property tests): a
        sub-assembly that is not originating adds its non-originating inputs to the good's,
        so taking all of them so, and every cumulated material as non-originating, gives the
        most non-originating value and failing HS codes the good can have without cumulation.
        The sums are exact, so the bound is exact too."""
        if not top.judgeable or not top.hs or top.minimal:
            return False  # no rule tried, or only minimal operations: the full judgement says
        if not top.p_block:
            return False  # WO or PE might hold: the full judgement says
        # everything that is not non-originating at worst is originating (vom + vnm = value
        # of the materials, exactly)
        vnm, vom = top.p_vnm, top.materials_value - top.p_vnm
        counted = [(top, None)]  # nodes whose materials count for CTC, and their quantity
        if top.rule.row.ctc_terms:
            for q, sub, role, _ in top.subs:
                if role == "material":
                    self.counted(sub, q, counted)
        row, hs, value = top.rule.row, top.hs, top.value
        failing_sets = [self.failing_set(term, hs) for term in row.ctc_terms]
        values: dict = {}  # the failing codes found in the counted nodes, and their value
        for code in set().union(*failing_sets):
            total, found = ZERO, False
            for node, q in counted:
                ctc, c_ctc = node.ctc, node.c_ctc
                if code in ctc or code in c_ctc:
                    found = True
                    v = ctc.get(code, ZERO) + c_ctc.get(code, ZERO)
                    total += v if q is None else v * q
            if found:
                values[code] = total
        outcomes = []
        for term, fails in zip(row.ctc_terms, failing_sets, strict=True):
            failing = tuple((code, v) for code, v in values.items() if code in fails)
            failing_value = sum([v for _, v in failing], ZERO)
            within = failing_value * 10 <= value
            if not within and failing and int(hs[:2]) in TEXTILE_CHAPTERS:
                return False  # de minimis by weight (Art 3.7(b)): the full judgement says
            outcomes.append(CtcOutcome(term, failing, failing_value, within))
        held = self.rule_families(
            row, top.item, Rvc(value, vnm, vom, top.costs), tuple(outcomes), False
        )
        found = held.get(declared.criterion)
        if found is None:
            return False
        return found == "strict" or declared.criterion != "CTC" or declared.dmi

    def counted(self, node: Node, q: Decimal, counted: list) -> None:
        """Add a sub-assembly seen through for the good's CTC, and those below it, with their
        quantity per unit of the good (as ``judge`` merges their materials' values)."""
        counted.append((node, q))
        for sub_q, sub, role, _ in node.subs:
            if role == "material":
                self.counted(sub, q * sub_q, counted)

    def failing_entry(self, term: CTC, hs: str) -> list:
        """[how many of ``codes`` were tested, those that fail] for a term and good's code."""
        per_code = self.failing_codes.get(id(term))
        if per_code is None:
            per_code = self.failing_codes[id(term)] = {}
        entry = per_code.get(hs)
        if entry is None:
            entry = per_code[hs] = [0, set()]
        return entry

    def failing_set(self, term: CTC, hs: str, entry: list | None = None) -> set:
        """The codes materials are summed under (``codes``) that fail ``term`` for a good coded
        ``hs``. A BOM repeats few codes: each is tested once per term and good's code."""
        if entry is None:
            entry = self.failing_entry(term, hs)
        codes = self.codes
        if entry[0] < len(codes):
            own, fails = hs[: CTC_DIGITS[term.kind]], entry[1]
            for code in codes[entry[0] :]:
                if _fails(code, own, term):
                    fails.add(code)
            entry[0] = len(codes)
        return entry[1]

    def ctc_test(self, term: CTC, entry: list, node: Node, value: Decimal, ctc: dict) -> int:
        """What ``ctc_outcome`` (with cumulation) would find of a term, without making it:
        _STRICT when no material fails it, _WITHIN when its ``de_minimis`` holds. ``entry``
        is the term's failing_entry for the node's code."""
        fails = entry[1] if entry[0] == len(self.codes) else self.failing_set(term, node.hs, entry)
        failing_value = None  # the value of the failing materials, once one is found
        if fails:
            for code in fails if len(fails) < len(ctc) else ctc.keys() & fails:
                v = ctc.get(code)
                if v is not None:
                    failing_value = v if failing_value is None else failing_value + v
        found = failing_value is not None
        if (failing_value * 10 if found else ZERO) <= value:  # Art 3.7(a)
            return _WITHIN if found else _STRICT | _WITHIN
        if found and int(node.hs[:2]) in TEXTILE_CHAPTERS:  # Art 3.7(b): by weight
            return _WITHIN if self.ctc_outcome(term, node, value, ctc, True).de_minimis else 0
        return 0 if found else _STRICT

    def ctc_outcome(
        self, term: CTC, node: Node, value: Decimal, ctc: dict, cumulation: bool
    ) -> CtcOutcome:
        hs = node.hs
        fails = self.failing_set(term, hs)
        failing: tuple = ()
        failing_value = ZERO
        if fails:
            hit = [code for code in fails if code in ctc] if len(fails) < 3 else ctc.keys() & fails
            if len(hit) == 1:
                (code,) = hit
                v = ctc[code]
                failing, failing_value = ((code, v),), ZERO + v
            elif hit:  # in the order of the BOM
                failing = tuple([(code, v) for code, v in ctc.items() if code in fails])
                failing_value = sum([v for _, v in failing], ZERO)
        within = failing_value * 10 <= value  # Art 3.7(a): not more than 10 % of FOB
        weights = None
        if not within and failing and int(hs[:2]) in TEXTILE_CHAPTERS:  # Art 3.7(b)
            weights = self.failing_weight(node, {c for c, _ in failing}, cumulation)
            within = weights is not None and weights[0] * 10 <= weights[1]
        return CtcOutcome(term, failing, failing_value, within, weights)

    def failing_weight(self, node: Node, failing: set, cumulation: bool):
        """Art 3.7(b): the weight of the failing materials and of the good, when the good and
        every failing material have a weight (per unit); else None (not applicable)."""
        total = node.item.weight
        if not total:
            return None
        weight = ZERO
        for m, q in self.counted_lines(node, cumulation, Decimal(1)):
            if self.edition_code(m, node.item.hs_version) in failing:
                if m.weight is None:
                    return None
                weight += m.weight * q
        return weight, total

    def wholly_obtained(self, node: Node, cumulation: bool) -> bool:
        """Art 3.3(j): produced solely from wholly obtained goods of the exporting Party
        (retail packing and indirect materials aside)."""
        for m in node.item.bom or ():
            if m.role in ("packing", "indirect"):
                continue
            if m.bom is not None:
                sub = self.nodes[id(m)]
                if not (sub.wo if cumulation else sub.world(False).wo):
                    return False
            elif not (m.wholly_obtained and self.reason(m.kind) is PROOF):
                return False
        return True

    def in_edition(self, kind: LineKind, version: str):
        """A material's code in another HS edition, through the UNSD correlation: one code,
        or a tuple of the candidates when it correlates to several (each is then tested)."""
        key = (kind, version)
        found = self.editions.get(key)
        if found is None:
            if kind.hs is None or kind.hs not in self.ref.nomenclatures[kind.hs_version]:
                found = kind.hs
            else:
                corr = self.ref.correlation
                targets = (
                    corr.to_hs2012(kind.hs)[0] if version == HS2012 else corr.to_hs2022(kind.hs)
                )
                if not targets or kind.hs in targets:  # the same code: the plain reading
                    found = kind.hs
                else:  # one code, or several of which any may fail the change
                    found = targets[0] if len(targets) == 1 else tuple(targets)
            self.editions[key] = found
        return found

    def edition_code(self, m: Material, version: str):
        """The code under which a bought line is tested against a rule of ``version``."""
        if m.kind is None or m.kind.hs_version == version:
            return m.hs
        return self.in_edition(m.kind, version)

    def counted_lines(self, node: Node, cumulation: bool, factor: Decimal):
        """The non-originating material lines counted for a node, sub-assemblies seen
        through, with their quantity per unit of the node."""
        for m in node.item.bom or ():
            q = (m.quantity or ZERO) * factor
            if m.bom is not None:
                sub = self.nodes[id(m)]
                if m.role == "material" and not (
                    sub.originating if cumulation else sub.world(False).originating
                ):
                    yield from self.counted_lines(sub, cumulation, q)
            elif m.role == "material":
                reason = self.reason(m.kind)
                if reason is not PROOF and (reason is not CUMULATION or not cumulation):
                    yield m, q

    def rule_families(
        self, row, item, rvc: Rvc, outcomes: tuple[CtcOutcome, ...], wo_or_pe: bool
    ) -> dict[str, str]:
        """Which criteria of the rule hold: {"CTC": "strict" | "dmi", "RVC": "strict", ...}."""
        plan = self.plans.get(id(row))
        if plan is None:
            plan = self.plans[id(row)] = _plan(row)
        held: dict[str, str] = {}
        for criterion, ctc_at, others in plan:
            strict = dmi = True
            for i in ctc_at:
                outcome = outcomes[i]
                strict = strict and not outcome.failing
                dmi = dmi and outcome.de_minimis
            if not (strict or dmi):
                continue
            for what, threshold in others:
                if what is RVC:
                    ok = rvc.meets(threshold)
                elif what is CR:
                    ok = "chemical_reaction" in item.processes
                elif what is WO:
                    ok = wo_or_pe
                else:  # Incomplete: the illegible rest of a partial rule never holds
                    ok = False
                if not ok:
                    strict = dmi = False
                    break
            if strict:
                held[criterion] = "strict"
            elif dmi and held.get(criterion) != "strict":
                held[criterion] = "dmi"  # its CTC part holds by de minimis only
        return held

    # --- checks -----------------------------------------------------------------------------

    def check_hs(self, item, what: str, severity: str) -> str | None:
        """The 6-digit code if it exists in its HS edition, else None (and an issue)."""
        hs = item.hs
        if hs is None:
            if getattr(item, "role", "material") != "indirect":
                self.issue("HS_MISSING", item.path, what=what, severity=severity)
            return None
        if hs in self.ref.nomenclatures[item.hs_version]:
            return hs
        other = HS2012 if item.hs_version == HS2022 else HS2022
        exists = hs != "?" and hs in self.ref.nomenclatures[other]
        self.issue(
            "HS_INVALID",
            item.path,
            severity=severity,
            what=what,
            code=item.hs_full if hs == "?" else display(hs),
            version=item.hs_version,
            other_version_hint=f"; it exists in {other}: set hs_version" if exists else "",
        )
        return None

    def check_processes(self, item, what: str) -> None:
        known = self.ref.processes
        for process in item.processes:
            if process not in known:
                self.issue(
                    "PROCESS_UNKNOWN",
                    f"{item.path}.processes",
                    what=what,
                    process=process,
                    known=", ".join(p.code for p in known),
                )

    def check_good(self, good: Good) -> None:
        if good.fob_undetermined == "incoterm" and good.incoterm is None:
            self.issue("INCOTERM_MISSING", good.path)
        elif good.fob_undetermined:
            self.issue(
                "FOB_UNDETERMINED", good.path, incoterm=good.incoterm, missing=good.fob_undetermined
            )
        elif good.fob is None or good.fob <= 0:
            self.issue("FOB_MISSING", f"{good.path}.fob")
        if not good.bom and not good.wholly_obtained:
            self.issue("BOM_EMPTY", good.path, what=f"the good {good.code}")

    def check_currency(self, m: Material) -> None:
        if m.currency != self.currency:
            self.issue(
                "CURRENCY_MISMATCH",
                f"{m.path}.currency",
                what=_what(m),
                found=m.currency,
                expected=self.currency,
            )

    def bucket(self, kind: LineKind) -> object:
        """Where the value of a kind of bought line goes (cached for the evaluation)."""
        reason = self.reason(kind)
        if kind in self.bad_kinds:
            return _BAD
        if reason in ORIGINATING:
            found = (
                _ORIGINATING
                if reason is not CUMULATION
                else (_CUMULATED_MATERIAL if kind.role == "material" else _CUMULATED_OTHER)
            )
        else:
            found = (
                _NON_ORIGINATING_MATERIAL if kind.role == "material" else (_NON_ORIGINATING_OTHER)
            )
        self.buckets[kind] = found
        return found

    def reason(self, kind: LineKind) -> str:
        found = self.kinds.get(kind)
        if found is None:
            found = self.kinds[kind] = self.kind_reason(kind)
        return found

    def kind_reason(self, kind: LineKind) -> str:
        """Why bought lines of one kind are, or are not, originating on the shipment date
        (Arts 3.4, 3.10, 3.16); notes kinds whose HS code or currency is wrong."""
        if kind.currency is not None and kind.currency != self.currency:
            self.bad_kinds.add(kind)
        if kind.role == "indirect":
            if kind.hs is not None and kind.hs not in self.ref.nomenclatures[kind.hs_version]:
                self.bad_kinds.add(kind)
            return INDIRECT
        if kind.hs is None or kind.hs not in self.ref.nomenclatures[kind.hs_version]:
            self.bad_kinds.add(kind)
        proof, country = kind.proof, kind.origin_country
        party = self.ref.parties.get(country)
        if proof is None:
            if country is None:
                return ORIGIN_UNKNOWN
            return NO_PROOF if party is not None else NON_PARTY
        if party is None or not party.in_force_on(self.day):
            return PROOF_INVALID
        if proof.type == "SUPPLIER_DECLARATION" and country != self.exporter:
            return PROOF_INVALID  # a domestic document: another Party's origin needs a CO or DO
        through = proof.valid_through()
        if through is None:
            return PROOF_INVALID
        if proof.issue_date and proof.issue_date > self.day:
            return PROOF_NOT_YET_VALID
        if through < self.day:
            return PROOF_EXPIRED
        return PROOF if country == self.exporter else CUMULATION

    def report_line(self, m: Material) -> None:
        """The issues of a line whose HS code or currency is wrong."""
        self.check_hs(m, _what(m), ERROR)
        if m.currency is not None:
            self.check_currency(m)

    def only_minimal(self, processes: tuple[str, ...]) -> bool:
        found = self.minimal.get(processes)
        if found is None:
            found = self.minimal[processes] = self.ref.processes.only_minimal(processes)
        return found

    # --- per-line facts, on first use -------------------------------------------------------

    def details(self, top: Node | None) -> tuple[tuple[MaterialVerdict, ...], tuple[Issue, ...]]:
        verdicts: list[MaterialVerdict] = []
        issues: list[Issue] = []
        if top is not None:
            self._details(top, top, Decimal(1), False, verdicts, issues, {})
        return tuple(verdicts), tuple(issues)

    def _details(
        self,
        node: Node,
        judge: Node,
        factor: Decimal,
        ignored: bool,
        verdicts: list,
        issues: list,
        seen: dict,
    ) -> None:
        """Verdicts for a node's lines. ``judge`` is the good or sub-assembly whose rule tests
        them, ``factor`` the quantity of ``node`` per unit of ``judge``, and ``ignored`` says
        they sit in retail packing or an accessory (RVC only, Arts 3.8-3.9)."""
        outcome = decisive(judge.world())
        failing = {code for code, _ in outcome.failing} if outcome else set()
        version = judge.item.hs_version
        for m in node.item.bom or ():
            self.line_issues(m, node, seen, issues)
            q = m.quantity or ZERO
            if m.bom is not None:
                sub = self.nodes[id(m)]
                w = sub.world()
                if m.role == "indirect":
                    reason = INDIRECT
                else:
                    reason = ROLLED_UP if w.originating else TRANSPARENT
                total = q * sub.value
                verdict = MaterialVerdict(m, reason, total, "n/a", "", w.criterion, total * factor)
                if reason == TRANSPARENT:
                    verdict.note = transparency_cause(sub, w)
                verdicts.append(verdict)
                if reason == TRANSPARENT:
                    self._details(
                        sub,
                        judge,
                        factor * q,
                        ignored or m.role != "material",
                        verdicts,
                        issues,
                        seen,
                    )
                else:
                    self._details(sub, sub, Decimal(1), False, verdicts, issues, seen)
                continue
            reason = self.reason(m.kind)
            issue = self.origin_issue(m, reason)
            if issue:
                issues.append(issue)
            ctc, key = "n/a", None
            if reason not in ORIGINATING and outcome is not None:
                if ignored or m.role in ("packing", "accessory"):
                    ctc = "ignored"
                else:
                    key = self.edition_code(m, version)
                    ctc = "fail" if key in failing or m.hs is None else "pass"
            total = q * (m.unit_cost or ZERO)
            verdicts.append(
                MaterialVerdict(m, reason, total, ctc, judge.item.path, None, total * factor, key)
            )

    def line_issues(self, m: Material, node: Node, seen: dict, issues: list) -> None:
        """HS_INCONSISTENT: one material code with two HS codes, or a line coded in another HS
        edition than its good (then compared through the UNSD correlation)."""
        if m.hs and m.hs != "?" and m.code:
            first = seen.setdefault(m.code, (m.hs, m.path))
            if first[0] != m.hs:
                problem = f"classified {display(m.hs)} here, {display(first[0])} at {first[1]}"
                issues.append(
                    Issue("HS_INCONSISTENT", m.path, {"what": _what(m), "problem": problem})
                )
        version = node.item.hs_version
        if m.kind is not None and m.hs and m.hs != "?" and m.hs_version != version:
            code = self.in_edition(m.kind, version)
            shown = (
                display(code) if isinstance(code, str) else f"any of {len(code)} {version} codes"
            )
            issues.append(
                Issue(
                    "HS_INCONSISTENT",
                    m.path,
                    {
                        "what": _what(m),
                        "problem": f"coded in {m.hs_version} while "
                        f"{_what(node.item, node.is_good)} is coded in {version}; compared as "
                        f"{version} {shown} through the UNSD correlation",
                    },
                )
            )

    def origin_issue(self, m: Material, reason: str) -> Issue | None:
        what, proof = _what(m), m.proof
        if reason == ORIGIN_UNKNOWN:
            return Issue("ORIGIN_UNKNOWN", m.path, {"what": what})
        if reason == NO_PROOF:
            missed = (
                " (a supplier declaration would make it originating)"
                if m.origin_country == self.exporter
                else " and cumulation (Art 3.4) is missed"
            )
            return Issue(  # ``missed_by``: what a proof would give, for callers that word it
                "ORIGIN_PROOF_MISSING",
                m.path,
                {
                    "what": what,
                    "country": m.origin_country,
                    "missed": missed,
                    "missed_by": (
                        "supplier_declaration"
                        if m.origin_country == self.exporter
                        else "cumulation"
                    ),
                },
            )
        if proof is None:
            return None
        reference = proof.reference or proof.type
        if reason in (PROOF_EXPIRED, PROOF_NOT_YET_VALID):
            problem = (
                f"expired (valid until {proof.valid_through()})"
                if reason == PROOF_EXPIRED
                else f"not yet valid (issued {proof.issue_date})"
            )
            return Issue(
                "ORIGIN_PROOF_EXPIRED",
                m.path,
                {
                    "what": what,
                    "reference": reference,
                    "problem": problem,
                    "date": self.day,
                    # the same, as data: "expired" (through valid_through) or "not_yet_valid"
                    "state": "expired" if reason == PROOF_EXPIRED else "not_yet_valid",
                    "valid_through": proof.valid_through(),
                    "issued": proof.issue_date,
                },
            )
        party = self.ref.parties.get(m.origin_country)
        if reason == PROOF_INVALID:
            if m.origin_country is None:
                why, problem = "no_country", "it names no country of origin (origin_country)"
            elif party is None:
                why, problem = "not_a_party", f"{m.origin_country} is not an RCEP Party"
            elif not party.in_force_on(self.day):
                why = "not_in_force"
                problem = f"RCEP is not in force for {party.name} on {self.day}"
            elif proof.type == "SUPPLIER_DECLARATION" and m.origin_country != self.exporter:
                why = "supplier_declaration_abroad"
                problem = (
                    f"a supplier declaration proves origin only for a supplier in the exporting "
                    f"Party; a material originating in {party.name} needs an RCEP certificate or "
                    "declaration of origin (Art 3.16)"
                )
            else:
                why, problem = "no_dates", "it has neither valid_until nor issue_date"
            return Issue(  # ``why``: the problem as a code, for callers that word it
                "ORIGIN_PROOF_INVALID",
                m.path,
                {
                    "what": what,
                    "reference": reference,
                    "problem": problem,
                    "why": why,
                    "country": m.origin_country,
                    "party": party.name if party else None,
                },
            )
        if party is not None and party.contested:
            return Issue(
                "PARTY_CONTESTED",
                m.path,
                {"country": party.name, "role": f"origin of {what}", "note": party.note},
            )
        return None


def _fails(code, own: str, term: CTC) -> bool:
    """Whether a non-originating material coded ``code`` (None when unknown; a tuple when it
    correlates to several codes, any of which may fail) fails ``term`` for a good whose code
    starts ``own`` (as many digits as the term compares): what ``ctc_outcome`` tests."""
    if isinstance(code, tuple):
        return any(_fails(c, own, term) for c in code)
    return (
        code is None
        or code[: len(own)] == own
        or bool(term.excluded and code.startswith(term.excluded))
    )


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
            (type(t), t.threshold if isinstance(t, RVC) else None)
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
