"""The pre-review checks of one evaluation (the issues that are not verdicts on single
lines): the Parties, HS codes, processes, FOB, currency and each node's rule and processes.
A part of ``rcep_rules.evaluation._Walk``, kept apart for the reader."""

from rcep_rules.goods import Good, Material
from rcep_rules.hs import HS2012, HS2022, display
from rcep_rules.issues import CATALOGUE, ERROR, WARNING, make_issue
from rcep_rules.outcome import Node
from rcep_rules.psr import RuleMatch, RuleNotFound

_TRANSPOSED = CATALOGUE["PSR_TRANSPOSED"].severity


def _what(item, is_good: bool = False) -> str:
    if is_good:
        return f"the good {item.code}"
    if item.bom is not None:
        return f"sub-assembly {item.code}"
    return f"material {item.code}" if item.code else f"the material at {item.path}"


class Checks:
    """The checks of ``_Walk``: each adds its issues with ``self.issue``."""

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
            forms = self.ref.processes.machine_forms(item.processes)
            self.issue(
                "PROCESS_MINIMAL",
                item.path,
                what=_what(item, node.is_good),
                processes=", ".join(item.processes),
                machine_forms=", ".join(forms),
                not_simple=(
                    " If an operation was not simple (it needed special skills, or machines or "
                    "equipment especially produced or installed for it: Art 3.6 footnote), "
                    f"record what was done instead, e.g. {', '.join(forms)}."
                    if forms
                    else ""
                ),
            )

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

    def report_line(self, m: Material) -> None:
        """The issues of a line whose HS code or currency is wrong."""
        self.check_hs(m, _what(m), ERROR)
        if m.currency is not None:
            self.check_currency(m)
