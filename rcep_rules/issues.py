"""Pre-review issue codes: the catalogue, and the one place where they are worded for people.

The engine reports facts (a code, a path into the goods file and a few named values); the
message and the hint are rendered here from those facts, so that the command line, the XML
and Odoo all say the same thing. Codes are stable and documented in README.md.
"""

from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class IssueType:
    code: str
    severity: str
    message: str
    hint: str


_CATALOGUE = [
    IssueType(
        "INPUT_INVALID",
        ERROR,
        "{field} is not valid: {problem}.",
        "Correct the goods file at {path}: {expected}.",
    ),
    IssueType(
        "HS_MISSING",
        ERROR,
        "{what} has no HS code.",
        'Add the HS code (6 digits or more, e.g. "8538.90") at {path}.hs_code.',
    ),
    IssueType(
        "HS_INVALID",
        ERROR,
        "HS code {code!r} of {what} is not a subheading of {version}.",
        "Check the classification; a code must be 6 digits or more and exist in {version}"
        "{other_version_hint}.",
    ),
    IssueType(
        "HS_INCONSISTENT",
        WARNING,
        "{what} is {problem}.",
        "Use one HS code for one material, or give the two materials different codes.",
    ),
    IssueType(
        "PSR_NOT_FOUND",
        ERROR,
        "No Annex 3A product-specific rule is loaded for HS {code} ({version}){detail}.",
        "Load the official rule for this code with `rcep-origin psr import FILE`; the Annex 3A "
        "text is at fta.mofcom.gov.cn (HS2012) and rcepsec.org (HS2022). Rules are never "
        "guessed.",
    ),
    IssueType(
        "PSR_TRANSPOSED",
        WARNING,
        "No HS2022 rule is loaded for {code}; the HS2012 rule of {rule_code} ({rule_text}) is "
        "applied through the UNSD correlation {code} -> {mapped} ({relationship}).",
        "China applies the HS2022 transposition of Annex 3A (GACC 2022 No.129): confirm the "
        "HS2022 rule for {code} and import it to remove this warning.",
    ),
    IssueType(
        "PSR_PARTIAL",
        WARNING,
        "The rule for {rule_code} ({rule_text}) was only partly legible in its source.",
        "Confirm the full rule text from the official Annex 3A and import it; until then only "
        "the legible alternatives are checked.",
    ),
    IssueType(
        "FOB_MISSING",
        ERROR,
        "The FOB value of the good is missing or not positive.",
        "Give the FOB value (Art 3.1(e)) as a decimal string at {path}.",
    ),
    IssueType(
        "INCOTERM_MISSING",
        ERROR,
        "The invoice value of the good is given without its incoterm, so the FOB value "
        "(Art 3.1(e)) cannot be determined: it is not assumed to be FOB.",
        "Give the incoterm at {path}.incoterm, or the FOB value itself as {path}.fob.",
    ),
    IssueType(
        "FOB_UNDETERMINED",
        ERROR,
        "The good is sold {incoterm} and its {missing} is not given, so the FOB value "
        "(Art 3.1(e)) cannot be determined.",
        "Give {missing} at {path}, or the FOB value itself as good.fob.",
    ),
    IssueType(
        "BOM_EMPTY",
        ERROR,
        "{what} has no bill of materials and is not wholly obtained.",
        "List the materials used at {path}.bom, or set wholly_obtained if Art 3.3 applies.",
    ),
    IssueType(
        "BOM_COST_MISSING",
        ERROR,
        "{what} has no valid unit cost{problem}.",
        "Give unit_cost as a non-negative decimal string at {path}.unit_cost "
        "(imported: CIF value; domestic: the price paid, Art 3.5.3).",
    ),
    IssueType(
        "BOM_QTY_INVALID",
        ERROR,
        "{what} has an invalid quantity{problem}.",
        "Give a positive quantity per unit of the parent at {path}.quantity.",
    ),
    IssueType(
        "BOM_CYCLE",
        ERROR,
        "{what} contains itself (code {code} is also one of its parents).",
        "Break the loop in the bill of materials at {path}.",
    ),
    IssueType(
        "BOM_VALUE_EXCEEDS_FOB",
        WARNING,
        "The materials of {what} are worth {materials} {currency}, more than its value "
        "{value} {currency}.",
        "Check quantities and unit costs at {path}.bom and the value of {what}.",
    ),
    IssueType(
        "ORIGIN_UNKNOWN",
        WARNING,
        "{what} has no country of origin and no origin proof; it counts as non-originating "
        "(Art 3.5.4).",
        "Ask the supplier for the country of origin and, for an RCEP Party, an origin proof "
        "({path}.origin_country, {path}.proof).",
    ),
    IssueType(
        "ORIGIN_PROOF_MISSING",
        WARNING,
        "{what} comes from {country}, an RCEP Party, but has no origin proof; it counts as "
        "non-originating{missed}.",
        "Obtain a certificate or declaration of origin or a supplier declaration and add it "
        "at {path}.proof.",
    ),
    IssueType(
        "ORIGIN_PROOF_EXPIRED",
        WARNING,
        "The origin proof {reference} of {what} is {problem} on the shipment date {date}; the "
        "material counts as non-originating (Art 3.16: valid one year).",
        "Obtain a proof valid on the shipment date and update {path}.proof.",
    ),
    IssueType(
        "ORIGIN_PROOF_INVALID",
        WARNING,
        "The origin proof {reference} of {what} cannot make it originating: {problem}.",
        "Correct {path}.proof and {path}.origin_country; only materials originating in an "
        "RCEP Party in force count (Art 3.4).",
    ),
    IssueType(
        "PROCESS_MISSING",
        ERROR,
        "No production process is given for {what}.",
        "List the processes performed at {path}.processes (codes from data/processes.csv).",
    ),
    IssueType(
        "PROCESS_UNKNOWN",
        ERROR,
        "Process {process!r} of {what} is not in the process vocabulary.",
        "Use one of: {known}.",
    ),
    IssueType(
        "PROCESS_MINIMAL",
        WARNING,
        "{what} only undergoes minimal operations ({processes}) on non-originating materials; "
        "these do not confer origin whatever the product-specific rule says (Art 3.6).",
        "Record the substantial processes really performed at {path}.processes, or source the "
        "materials with origin proofs.",
    ),
    IssueType(
        "PARTY_NOT_RCEP",
        ERROR,
        "{role} {country} is not an RCEP Party.",
        "RCEP preference needs both the exporting and the importing country to be RCEP "
        "Parties; check {path}.",
    ),
    IssueType(
        "PARTY_NOT_IN_FORCE",
        ERROR,
        "RCEP is not in force for {role} {country} on {date} (in force from {since}).",
        "Check the shipment date and {path}.",
    ),
    IssueType(
        "PARTY_CONTESTED",
        WARNING,
        "{country} ({role}): {note}.",
        "Confirm with the importing customs that RCEP treatment is accepted for {country}.",
    ),
    IssueType(
        "CURRENCY_MISMATCH",
        ERROR,
        "{what} is valued in {found}, the shipment in {expected}.",
        "Convert the value at {path} to {expected} (Art 3.5.2: customs valuation rules).",
    ),
]

CATALOGUE: dict[str, IssueType] = {t.code: t for t in _CATALOGUE}


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding of the pre-review: a stable code, a severity, a path and the facts."""

    code: str
    path: str
    facts: dict[str, Any] = field(default_factory=dict, compare=False)
    severity: str = ""

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", CATALOGUE[self.code].severity)

    @property
    def message(self) -> str:
        return CATALOGUE[self.code].message.format_map(_Facts(self.facts, self.path))

    @property
    def hint(self) -> str:
        return CATALOGUE[self.code].hint.format_map(_Facts(self.facts, self.path))

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


_new = object.__new__
_set_code, _set_path, _set_facts, _set_severity = (
    Issue.code.__set__,  # type: ignore[attr-defined]
    Issue.path.__set__,  # type: ignore[attr-defined]
    Issue.facts.__set__,  # type: ignore[attr-defined]
    Issue.severity.__set__,  # type: ignore[attr-defined]
)


def make_issue(code: str, path: str, facts: dict[str, Any], severity: str) -> Issue:
    """``Issue(code, path, facts, severity)``, made without the frozen dataclass's
    ``__init__`` (which sets each field through ``object.__setattr__``): for issues the
    engine reports for every sub-assembly. The same object, twice as fast to make."""
    issue = _new(Issue)
    _set_code(issue, code)
    _set_path(issue, path)
    _set_facts(issue, facts)
    _set_severity(issue, severity)
    return issue


class _Facts(dict):
    def __init__(self, facts: dict[str, Any], path: str) -> None:
        super().__init__(facts)
        self.setdefault("path", path)

    def __missing__(self, key: str) -> str:
        return ""
