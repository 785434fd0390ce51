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

The parts, by what a reader looks for: ``verdicts`` (the reason codes, ``MaterialVerdict``,
``Verdict``; it imports nothing else of the engine, so the wording in ``explain`` depends on the
facts only), ``outcome`` (``Node``, ``Rvc``, ``CtcOutcome``, ``World`` and ``try_branches``, the
one routine that tries a rule's branches for ``originates`` and ``judge`` alike), ``checks``
(the pre-review checks) and ``line_facts`` (the per-line verdicts and warnings); this module
walks the BOM and judges each node. Names that moved stay importable from here.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal, localcontext
from functools import cached_property

from rcep_rules.checks import Checks, _what
from rcep_rules.goods import Good, LineKind, Material, Shipment
from rcep_rules.hs import HS2012, display
from rcep_rules.issues import ERROR, WARNING, Issue
from rcep_rules.line_facts import LineFacts

# The outcome and verdict types are imported from here by callers of old: kept importable.
from rcep_rules.outcome import (  # noqa: F401
    STRICT,
    TEXTILE_CHAPTERS,
    WITHIN,
    CtcOutcome,
    Node,
    Rvc,
    World,
    _fails,
    _merged,
    _plan,
    _RuleFacts,
    cap_holds,
    decisive,
    others_hold,
    transparency_cause,
    try_branches,
)
from rcep_rules.psr import CTC, RuleMatch, RuleNotFound
from rcep_rules.reference import Reference
from rcep_rules.verdicts import (  # noqa: F401
    CUMULATION,
    EXACT,
    HUNDRED,
    INDIRECT,
    NO_PROOF,
    NON_PARTY,
    ORIGIN_UNKNOWN,
    ORIGINATING,
    PREFERENCE,
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

# Where the value of a bought line goes in the sums of its good or sub-assembly.
_ORIGINATING = "originating"
_NON_ORIGINATING_MATERIAL = "non-originating material"  # counted for CTC and RVC
_NON_ORIGINATING_OTHER = "non-originating packing or accessory"  # RVC only (Arts 3.8, 3.9)
_CUMULATED_MATERIAL = "material originating by cumulation"
_CUMULATED_OTHER = "packing or accessory originating by cumulation"
_BAD = "wrong HS code or currency"


class Evaluation:
    """The engine's answer for one shipment; ``originating`` is None when review errors
    stopped the evaluation."""

    def __init__(self, shipment: Shipment, walk: "_Walk", top: Node | None) -> None:
        self.shipment = shipment
        self._walk = walk
        self.node = top
        self.errors: tuple[Issue, ...] = tuple(i for i in walk.issues if i.severity == ERROR)
        world = top.world() if top is not None else None
        if world is not None and not self.errors and shipment.good.claim:
            world = _claimed(world, shipment.good, walk)
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


def _claimed(world: World, good: Good, walk: "_Walk") -> World:
    """The good's outcome under the criterion the exporter claims (Annex 3A headnote 8): it
    is declared when it holds; when it does not, the good is not originating for that claim
    (CRITERION_CLAIM_NOT_MET names the criteria that do hold)."""
    claim = good.claim
    if claim in world.satisfied:
        return replace(world, criterion=claim, dmi=world.held.get(claim) == "dmi")
    walk.issue(
        "CRITERION_CLAIM_NOT_MET",
        f"{good.path}.claim",
        claim=claim,
        code=good.code,
        satisfied=", ".join(world.satisfied),
        holding=(
            f"; it qualifies under {', '.join(world.satisfied)} instead: claim one of them or "
            "remove the claim"
            if world.satisfied
            else "; no criterion holds"
        ),
    )
    return replace(world, originating=False, criterion=None, dmi=False)


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


class _Walk(Checks, LineFacts):
    """One evaluation: the walk over the BOM and the judgement of each node; the checks
    (``rcep_rules.checks``) and the per-line facts (``rcep_rules.line_facts``) are its parts."""

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
        # (no comprehension and positional arguments: this runs for every sub-assembly)
        if len(terms) == 1:
            flags = [self.ctc_test(terms[0], entries[0], node, value, ctc)]
        else:
            flags = []
            for i, term in enumerate(terms):
                flags.append(self.ctc_test(term, entries[i], node, value, ctc))
        # WO or PE cannot hold here: they need no non-originating input (block), or a BOM
        parts = (value, vnm, vom, node.costs)  # an Rvc, made only if a branch needs it
        return bool(try_branches(facts.plan, flags, parts, item.processes, ctc, False, True))

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
            held = self.rule_families(row, item, rvc, outcomes, wo or pe, ctc)
            for family in ("CTC", "RVC", "CR"):
                if family in held:
                    satisfied.append(family)
        criterion = satisfied[0] if satisfied else None  # in the order of PREFERENCE
        return World(
            originating=criterion is not None,
            criterion=criterion,
            satisfied=tuple(satisfied),
            dmi=held.get(criterion) == "dmi",
            minimal=minimal,
            wo=wo,
            pe=pe,
            rvc=rvc,
            ctc=outcomes,
            ctc_values=ctc,
            uses_non_originating=block,
            held=held,
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
            own, fails = term.own(hs), entry[1]
            for code in codes[entry[0] :]:
                if _fails(code, own, term):
                    fails.add(code)
            entry[0] = len(codes)
        return entry[1]

    def ctc_test(self, term: CTC, entry: list, node: Node, value: Decimal, ctc: dict) -> int:
        """What ``ctc_outcome`` (with cumulation) would find of a term, without making it:
        STRICT when no material fails it, WITHIN when its ``de_minimis`` holds. ``entry``
        is the term's failing_entry for the node's code."""
        fails = entry[1] if entry[0] == len(self.codes) else self.failing_set(term, node.hs, entry)
        failing_value = None  # the value of the failing materials, once one is found
        if fails:
            for code in fails if len(fails) < len(ctc) else ctc.keys() & fails:
                v = ctc.get(code)
                if v is not None:
                    failing_value = v if failing_value is None else failing_value + v
        if failing_value is None:
            return STRICT | WITHIN
        if failing_value * 10 <= value:  # de_minimis (a), the common case, without the call
            return WITHIN
        return (
            WITHIN
            if self.de_minimis(node, value, failing_value, ctc.keys() & fails, True)[0]
            else 0
        )

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
        codes = {c for c, _ in failing} if failing and failing_value * 10 > value else ()
        within, weights = self.de_minimis(node, value, failing_value, codes, cumulation)
        return CtcOutcome(term, failing, failing_value, within, weights)

    def de_minimis(
        self, node: Node, value: Decimal, failing_value: Decimal, failing, cumulation: bool
    ) -> tuple[bool, tuple[Decimal, Decimal] | None]:
        """Art 3.7, for the fast path (``ctc_test``) and the full outcome (``ctc_outcome``)
        alike: the materials that fail a CTC term (``failing``, their codes; worth
        ``failing_value``) are within de minimis when worth not more than 10 % of the FOB
        value (a), or, for a good of chapters 50-63, when they weigh not more than 10 % of
        it (b). Gives whether it holds, and the weights when (b) was weighed."""
        if failing_value * 10 <= value:  # (a), inclusive
            return True, None
        if failing and int(node.hs[:2]) in TEXTILE_CHAPTERS:  # (b): by weight
            weights = self.failing_weight(node, set(failing), cumulation)
            return weights is not None and weights[0] * 10 <= weights[1], weights
        return False, None

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
        self,
        row,
        item,
        rvc: Rvc,
        outcomes: tuple[CtcOutcome, ...],
        wo_or_pe: bool,
        ctc: dict | None = None,
    ) -> dict[str, str]:
        """Which criteria of the rule hold: {"CTC": "strict" | "dmi", "RVC": "strict", ...}.
        ``ctc`` is the non-originating materials by HS code, for provisos on named materials
        (None when they are not known: a proviso then does not hold)."""
        plan = self.plans.get(id(row))
        if plan is None:
            plan = self.plans[id(row)] = _plan(row)
        flags = [(0 if o.failing else STRICT) | (WITHIN if o.de_minimis else 0) for o in outcomes]
        return try_branches(plan, flags, rvc, item.processes, ctc, wo_or_pe)

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

    def only_minimal(self, processes: tuple[str, ...]) -> bool:
        found = self.minimal.get(processes)
        if found is None:
            found = self.minimal[processes] = self.ref.processes.only_minimal(processes)
        return found
