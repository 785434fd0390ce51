"""The declaration (certificate application) as data: the structure of
``xsd/declaration-1.xsd`` in frozen dataclasses, and the error a shipment that cannot be
declared raises. Building (from a shipment file), writing (XML) and reading (XML) are the
modules beside this one; none of them adds a field the schema does not have."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

C = "urn:rcep-origin:common:1"
D = "urn:rcep-origin:declaration:1"
CENT = Decimal("0.01")
MEANS = ("SEA", "AIR", "ROAD", "RAIL", "MULTIMODAL")
XML_SPACE = " \t\r\n"  # what xs:token collapses; other spaces are text

# codes of problems in the shipment file itself (exit 2) rather than in a good (exit 1)
ITEM_CODES = ("ITEM_NOT_ORIGINATING", "ITEM_REVIEW_ERRORS")


class DeclarationError(ValueError):
    """The shipment cannot be declared: a code, where, and what to do.

    ``problems`` holds every problem found (this one alone when there is one): the builder
    reports every bad item and field at once, each with its shipment path."""

    def __init__(
        self, code: str, path: str, message: str, hint: str, line: int | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.path, self.hint, self.line = code, path, hint, line
        self.problems: tuple[DeclarationError, ...] = (self,)

    @classmethod
    def of(cls, problems: list["DeclarationError"]) -> "DeclarationError":
        """One error for many problems. Its code and path are those of the first problem in
        the shipment file itself, else of the first item that cannot be declared (so the
        command line's exit code is the worst one); its message names every problem."""
        if len(problems) == 1:
            return problems[0]
        first = next((one for one in problems if one.code not in ITEM_CODES), problems[0])
        lines = "\n".join(f"  {one.path}: {one} {one.hint}" for one in problems)
        error = cls(
            first.code,
            first.path,
            f"{len(problems)} problems, nothing was written:\n{lines}",
            "Fix each problem named above and declare again.",
        )
        error.problems = tuple(problems)
        return error

    def as_dict(self) -> dict:
        out = {"code": self.code, "path": self.path, "message": str(self), "hint": self.hint}
        if len(self.problems) > 1:
            out["errors"] = [one.as_dict() for one in self.problems]
        return out


@dataclass(frozen=True)
class Address:
    name: str
    address: str
    country: str


@dataclass(frozen=True)
class Exporter(Address):
    customs_code: str = ""


@dataclass(frozen=True)
class Transport:
    departure_date: date
    means: str
    vessel_or_flight: str
    port_of_loading: str
    port_of_discharge: str


@dataclass(frozen=True)
class Invoice:
    number: str
    date: date


@dataclass(frozen=True)
class ThirdPartyInvoicing:
    operator_name: str
    operator_address: str
    operator_country: str


@dataclass(frozen=True)
class BackToBack:
    original_proof_reference: str
    original_issue_date: date
    first_exporting_party_origin: str
    approved_exporter_code: str | None = None


@dataclass(frozen=True)
class RuleApplied:
    hs_version: str
    code: str
    text: str
    transposed: bool


@dataclass(frozen=True)
class RvcFigures:
    unit_fob: Decimal
    vnm: Decimal
    vom: Decimal
    build_down: Decimal
    build_up: Decimal | None


@dataclass(frozen=True)
class ProofInfo:
    type: str
    reference: str | None
    valid_until: date


@dataclass(frozen=True)
class BomLine:
    path: str
    code: str
    description: str | None
    hs: str | None
    origin_country: str | None
    originating: bool
    proof: ProofInfo | None
    quantity: Decimal
    unit_cost: Decimal | None
    value: Decimal
    role: str
    wholly_obtained: bool | None = None
    processes: tuple[str, ...] | None = None  # made in-house
    direct_costs: Decimal | None = None


@dataclass(frozen=True)
class Evidence:
    item_code: str
    currency: str
    hs_version: str
    wholly_obtained: bool
    processes: tuple[str, ...]
    direct_costs: Decimal | None
    rule: RuleApplied | None
    rvc: RvcFigures | None
    bom: tuple[BomLine, ...]


@dataclass(frozen=True)
class Item:
    number: int
    marks_and_numbers: str
    packages_number: int
    packages_kind: str
    description: str
    hs: str
    national_code: str | None
    criterion: str
    annotations: tuple[str, ...]
    fob_value: Decimal | None  # the line's FOB value, declared where RVC is the criterion
    currency: str
    country_of_origin: str
    quantity: Decimal
    unit: str
    evidence: Evidence


@dataclass(frozen=True)
class Declaration:
    idempotency_key: str
    declaration_date: date
    exporter: Exporter
    producer: Address | None
    importer: Address
    transport: Transport
    invoices: tuple[Invoice, ...]
    third_party_invoicing: ThirdPartyInvoicing | None
    back_to_back: BackToBack | None
    items: tuple[Item, ...]
