"""The facts of single BOM lines, made on first use (``Evaluation.materials``, ``.issues``):
a verdict for every line (``MaterialVerdict``) and the warnings about single materials
(origin proofs, inconsistent HS codes). A part of ``rcep_rules.evaluation._Walk``."""

from decimal import Decimal

from rcep_rules.checks import _what
from rcep_rules.goods import Material
from rcep_rules.hs import display
from rcep_rules.issues import Issue
from rcep_rules.outcome import Node, decisive, transparency_cause
from rcep_rules.verdicts import (
    INDIRECT,
    NO_PROOF,
    ORIGIN_UNKNOWN,
    ORIGINATING,
    PROOF_EXPIRED,
    PROOF_INVALID,
    PROOF_NOT_YET_VALID,
    ROLLED_UP,
    TRANSPARENT,
    ZERO,
    MaterialVerdict,
)


class LineFacts:
    """The per-line facts of ``_Walk``."""

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
            if m.wholly_obtained and reason not in ORIGINATING:
                issues.append(Issue("ORIGIN_WO_UNPROVEN", m.path, {"what": _what(m)}))
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
