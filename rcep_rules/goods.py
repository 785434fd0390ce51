"""The goods file (DESIGN.md "The goods file") read into frozen dataclasses.

Reading never raises on content: every wrong type or value becomes an issue with a code and a
path into the file (``INPUT_INVALID``, ``BOM_QTY_INVALID``, ...), and the field is left empty so
that the review can go on and report everything at once. Only a file that is not JSON at all
raises :class:`GoodsFileError`. Money is parsed into ``Decimal`` straight from the JSON text.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from rcep_rules.hs import DEFAULT_VERSION, VERSIONS, normalise
from rcep_rules.issues import Issue

PROOF_TYPES = ("RCEP_CO", "RCEP_DO", "SUPPLIER_DECLARATION")
ROLES = ("material", "packing", "accessory", "indirect")
INCOTERMS = ("EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP")
# From an invoice value on each incoterm to the FOB value: what is added (the costs up to and
# including loading at the port of shipment) and what is deducted (paid beyond it). "freight"
# is all transport after loading, unloading at destination included; "insurance" may be 0.
TO_FOB = {
    "FOB": ((), ()),
    "EXW": (("costs_to_port",), ()),
    "FCA": (("costs_to_port",), ()),
    "FAS": (("costs_to_port",), ()),
    "CFR": ((), ("freight",)),
    "CPT": ((), ("freight",)),
    "CIF": ((), ("freight", "insurance")),
    "CIP": ((), ("freight", "insurance")),
    "DAP": ((), ("freight", "insurance")),
    "DPU": ((), ("freight", "insurance")),
    "DDP": ((), ("freight", "insurance", "import_duties_and_taxes")),
}


class GoodsFileError(ValueError):
    """The goods file cannot be read at all (not JSON, or not an object or a list)."""

    code = "INPUT_INVALID"

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint or "Give one good as a JSON object, or a list of them (see README)."


@dataclass(frozen=True, slots=True)
class Proof:
    type: str
    reference: str
    issue_date: date | None
    valid_until: date | None

    def valid_through(self) -> date | None:
        """Last day of validity, inclusive. A proof of origin is valid one year from its issue
        (Art 3.16.6): a later ``valid_until`` on an RCEP certificate or declaration does not
        extend it. A supplier declaration is a domestic document and keeps its own date."""
        year_after = None
        if self.issue_date:
            try:
                year_after = self.issue_date.replace(year=self.issue_date.year + 1)
            except ValueError:  # 29 February
                year_after = self.issue_date.replace(year=self.issue_date.year + 1, day=28)
        if self.valid_until and year_after and self.type != "SUPPLIER_DECLARATION":
            return min(self.valid_until, year_after)
        return self.valid_until or year_after


@dataclass(frozen=True, slots=True, eq=False)
class LineKind:
    """What about a bought BOM line matters for its origin: lines of one kind are judged once.

    Lines share one kind object when they agree on all of it (a BOM repeats few of them), so
    the evaluation groups lines by identity, without hashing their contents again."""

    hs: str | None
    hs_version: str
    role: str
    origin_country: str | None
    proof: Proof | None
    currency: str | None


@dataclass(slots=True, eq=False)
class Material:
    """One line of a bill of materials; with a ``bom`` of its own it is made in-house.

    Read-only like the other records here, but not declared frozen: a frozen dataclass
    sets each of its 18 fields through ``object.__setattr__``, which made building a
    material cost about twice what the rest of reading its line does, and an order
    confirmed in Odoo reads thousands of lines. Nothing assigns to a Material after it is
    read (`dataclasses.replace` makes a changed copy)."""

    path: str
    code: str
    description: str
    hs: str | None  # the 6-digit subheading
    hs_full: str | None  # all digits given, national extension included
    hs_version: str
    quantity: Decimal | None
    unit_cost: Decimal | None
    origin_country: str | None
    proof: Proof | None
    role: str
    processes: tuple[str, ...]
    bom: "tuple[Material, ...] | None"
    wholly_obtained: bool
    costs: tuple[Decimal, ...] | None  # direct labour, overhead, profit, other (build-up)
    weight: Decimal | None
    currency: str | None
    kind: LineKind | None = None  # bought lines only


@dataclass(frozen=True, slots=True, eq=False)
class Good:
    path: str
    code: str
    description: str
    hs: str | None
    hs_full: str | None
    hs_version: str
    fob: Decimal | None
    processes: tuple[str, ...]
    bom: tuple[Material, ...] | None
    wholly_obtained: bool
    costs: tuple[Decimal, ...] | None
    weight: Decimal | None
    incoterm: str | None = None
    fob_undetermined: str = ""  # what is missing to derive FOB from the invoice value


@dataclass(frozen=True, eq=False)
class Shipment:
    exporting_party: str | None
    importing_party: str | None
    shipment_date: date | None
    currency: str | None
    good: Good | None
    input_issues: tuple[Issue, ...] = field(default=())
    prefix: str = ""


def load_shipments(text: str | bytes) -> list[Shipment]:
    """Read a goods file: one shipment object, or a list of them."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if hasattr(exc, "lineno") else ""
        raise GoodsFileError(
            f"The goods file is not valid JSON{where}: {exc.msg if hasattr(exc, 'msg') else exc}."
        ) from None
    except RecursionError:
        raise GoodsFileError("The goods file is nested too deeply to read.") from None
    if isinstance(data, dict):
        return [parse_shipment(data)]
    if isinstance(data, list) and data:
        return [parse_shipment(item, f"[{i}].") for i, item in enumerate(data)]
    raise GoodsFileError("The goods file must hold a shipment object or a non-empty list of them.")


def parse_shipment(data: Any, prefix: str = "") -> Shipment:
    reader = _Reader(prefix)
    if not isinstance(data, dict):
        reader.invalid(
            prefix.rstrip(".") or "(top)",
            "the shipment",
            "not an object",
            "a JSON object with exporting_party, importing_party, ... and good",
        )
        return Shipment(None, None, None, None, None, tuple(reader.issues), prefix)
    exporting = reader.party(data, "exporting_party")
    importing = reader.party(data, "importing_party")
    day = reader.date(data, "shipment_date", prefix + "shipment_date", required=True)
    currency = reader.currency(data, prefix + "currency", required=True)
    good = None
    if isinstance(data.get("good"), dict):
        good = reader.good(data["good"], prefix + "good")
    else:
        reader.invalid(
            prefix + "good",
            "good",
            "missing or not an object",
            "the good as an object (code, hs_code, fob, processes, bom)",
        )
    return Shipment(exporting, importing, day, currency, good, tuple(reader.issues), prefix)


class _Reader:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.issues: list[Issue] = []
        self.kinds: dict[tuple, LineKind] = {}
        self._codes: dict[tuple, tuple[str | None, str | None]] = {}  # HS codes read before
        self._proofs: dict[tuple, Proof] = {}  # proofs read before without an issue

    def invalid(self, path: str, name: str, problem: str, expected: str) -> None:
        self.issues.append(
            Issue("INPUT_INVALID", path, {"field": name, "problem": problem, "expected": expected})
        )

    # --- scalars ---

    def text(self, data: dict, key: str, path: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
        self.invalid(f"{path}.{key}", key, f"{type(value).__name__} instead of text", "a string")
        return ""

    def decimal(
        self, data: dict, key: str, path: str, code: str = "INPUT_INVALID", what: str = ""
    ) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        number = _to_decimal(value)
        if number is None or number < 0:
            problem = f" ({value!r} is not a non-negative number of at most {_LIMIT_TEXT})"
            if code == "INPUT_INVALID":
                self.invalid(
                    f"{path}.{key}",
                    key,
                    problem.strip(" ()"),
                    'a non-negative decimal string such as "12.50"',
                )
            else:  # ``given``: the value as written, for callers that word the problem
                self.issues.append(
                    Issue(code, path, {"what": what, "problem": problem, "given": repr(value)})
                )
            return None
        return number

    def date(self, data: dict, key: str, path: str, required: bool = False) -> date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.invalid(path, key, "missing", 'an ISO date such as "2026-11-20"')
            return None
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _bad()
        except ValueError:
            self.invalid(path, key, f"{value!r} is not a date", 'an ISO date such as "2026-11-20"')
            return None

    def party(self, data: dict, key: str) -> str | None:
        value = data.get(key)
        if isinstance(value, str) and len(value.strip()) == 2 and value.strip().isalpha():
            return value.strip().upper()
        self.invalid(
            self.prefix + key,
            key,
            "missing" if value is None else f"{value!r}",
            'an ISO 3166 alpha-2 country code such as "VN"',
        )
        return None

    def currency(self, data: dict, path: str, required: bool = False) -> str | None:
        value = data.get("currency")
        if value is None and not required:
            return None
        if isinstance(value, str) and len(value) == 3 and value.isalpha():
            return value.upper()
        self.invalid(
            path,
            "currency",
            "missing" if value is None else f"{value!r}",
            'an ISO 4217 currency code such as "USD"',
        )
        return None

    def flag(self, data: dict, key: str, path: str) -> bool:
        value = data.get(key, False)
        if isinstance(value, bool):
            return value
        self.invalid(f"{path}.{key}", key, f"{value!r}", "true or false")
        return False

    # --- shared parts of goods and in-house materials ---

    def hs(self, data: dict, path: str) -> tuple[str | None, str | None, str]:
        version = data.get("hs_version", DEFAULT_VERSION)
        if version not in VERSIONS:
            self.invalid(f"{path}.hs_version", "hs_version", f"{version!r}", " or ".join(VERSIONS))
            version = DEFAULT_VERSION
        raw = data.get("hs_code")
        if raw is None or raw == "":
            return None, None, version
        key = (raw, type(raw)) if isinstance(raw, str | int) else None  # others: not codes
        known = self._codes.get(key) if key else None
        if known is None:
            digits = normalise(raw)
            if digits is None or not 6 <= len(digits) <= 12:
                # kept as given, so the review reports HS_INVALID with the user's own text
                known = ("?", str(raw))
            else:
                known = (digits[:6], digits)
            if key:
                self._codes[key] = known
        return known[0], known[1], version

    def processes(self, data: dict, path: str) -> tuple[str, ...]:
        value = data.get("processes", [])
        if isinstance(value, list) and all(isinstance(p, str) for p in value):
            return tuple(p.strip() for p in value)
        self.invalid(
            f"{path}.processes",
            "processes",
            "not a list of process codes",
            'a list such as ["cnc_machining", "assembly"]',
        )
        return ()

    def costs(self, data: dict, path: str) -> tuple[Decimal, ...] | None:
        if _COST_KEYS.isdisjoint(data):
            return None
        return tuple(self.decimal(data, k, path) or Decimal(0) for k in _COST_KEYS_ORDER)

    def bom(self, data: dict, path: str, ancestors: tuple[str, ...]) -> tuple[Material, ...] | None:
        if "bom" not in data:
            return None
        lines = data["bom"]
        if not isinstance(lines, list):
            self.invalid(f"{path}.bom", "bom", "not a list", "a list of material objects")
            return ()
        materials = []
        for i, line in enumerate(lines):
            line_path = f"{path}.bom[{i}]"
            if not isinstance(line, dict):
                self.invalid(
                    line_path,
                    "a BOM line",
                    f"{type(line).__name__} instead of an object",
                    "an object with code, hs_code, quantity, unit_cost, ...",
                )
                continue
            materials.append(self.material(line, line_path, ancestors))
        return tuple(materials)

    # --- records ---

    def good(self, data: dict, path: str) -> Good:
        code = self.text(data, "code", path)
        hs, hs_full, version = self.hs(data, path)
        fob, incoterm, undetermined = self.fob(data, path)
        return Good(
            path=path,
            code=code,
            description=self.text(data, "description", path),
            hs=hs,
            hs_full=hs_full,
            hs_version=version,
            fob=fob,
            processes=self.processes(data, path),
            bom=self.bom(data, path, (code,) if code else ()),
            wholly_obtained=self.flag(data, "wholly_obtained", path),
            costs=self.costs(data, path),
            weight=self.decimal(data, "weight", path),
            incoterm=incoterm,
            fob_undetermined=undetermined,
        )

    def fob(self, data: dict, path: str) -> tuple[Decimal | None, str | None, str]:
        """FOB value (Art 3.1(e): free on board, including transport to the port of shipment):
        given, or derived from an invoice value on another incoterm by adding the costs up to
        the port (EXW, FCA, FAS) or deducting those paid beyond it (C and D terms)."""
        incoterm = data.get("incoterm")
        if incoterm is not None and incoterm not in INCOTERMS:
            self.invalid(f"{path}.incoterm", "incoterm", f"{incoterm!r}", ", ".join(INCOTERMS))
            incoterm = None
        if "fob" in data or (incoterm is None and "invoice_value" not in data):
            return self.decimal(data, "fob", path), incoterm, ""
        invoice = self.decimal(data, "invoice_value", path)
        if incoterm is None:  # an invoice value, but on which terms? (not guessed as FOB)
            return None, None, "" if "incoterm" in data else "incoterm"
        if invoice is None:
            return None, incoterm, ""
        added, deducted = TO_FOB[incoterm]
        amounts = {name: self.decimal(data, name, path) for name in added + deducted}
        missing = [name for name, value in amounts.items() if value is None]
        if missing:
            return None, incoterm, " and ".join(missing)
        fob = invoice + sum((amounts[n] for n in added), Decimal(0))
        return fob - sum((amounts[n] for n in deducted), Decimal(0)), incoterm, ""

    def material(self, data: dict, path: str, ancestors: tuple[str, ...]) -> Material:
        # The common case (plain strings, no optional fields) is read without the helpers'
        # calls: a confirmed order can hold thousands of lines. Anything else goes through
        # the helpers, which report the problem.
        code = data.get("code")
        if type(code) is not str:
            code = self.text(data, "code", path)
        hs, hs_full, version = self.hs(data, path)
        role = data.get("role", "material")
        if role not in ROLES:
            self.invalid(f"{path}.role", "role", f"{role!r}", ", ".join(ROLES))
            role = "material"
        quantity = data.get("quantity")
        quantity = _text_to_decimal(quantity) if type(quantity) is str else None
        if quantity is None or quantity <= 0:
            quantity = self._quantity(data, path, code)
        cycle = bool(code) and code in ancestors
        if cycle:
            self.issues.append(Issue("BOM_CYCLE", path, {"what": _name(code, path), "code": code}))
        bom = None
        if not cycle and "bom" in data:
            bom = self.bom(data, path, (*ancestors, code) if code else ancestors)
        cost = data.get("unit_cost")
        unit_cost = None
        if cost is not None:
            unit_cost = _text_to_decimal(cost) if type(cost) is str else _to_decimal(cost)
            if unit_cost is None or unit_cost < 0:
                unit_cost = self.decimal(
                    data, "unit_cost", path, "BOM_COST_MISSING", _name(code, path)
                )
        elif bom is None:
            problem = " (a bought material needs its cost, even when it is zero)"
            self.issues.append(
                Issue(
                    "BOM_COST_MISSING",
                    path,
                    {"what": _name(code, path), "problem": problem, "given": None},
                )
            )
        country = data.get("origin_country")
        if not (
            type(country) is str and len(country) == 2 and country.isalpha() and country.isupper()
        ):
            country = self._country(data, path)
        proof = self._proof(data, path) if "proof" in data else None
        currency = self.currency(data, f"{path}.currency") if "currency" in data else None
        kind = None
        if bom is None:
            key = (hs, version, role, country, proof, currency)
            kind = self.kinds.get(key)
            if kind is None:
                kind = self.kinds[key] = LineKind(hs, version, role, country, proof, currency)
            proof = kind.proof
        description = data.get("description")
        if type(description) is not str:
            description = self.text(data, "description", path)
        processes = self.processes(data, path) if "processes" in data else ()
        wholly = data.get("wholly_obtained", False)  # after processes: issues in field order
        if wholly is not False and wholly is not True:
            wholly = self.flag(data, "wholly_obtained", path)
        return Material(  # positional: the fields' order (a bought line is made often)
            path,
            code,
            description,
            hs,
            hs_full,
            version,
            quantity,
            unit_cost,
            country,
            proof,
            role,
            processes,
            bom,
            wholly,
            None if _COST_KEYS.isdisjoint(data) else self.costs(data, path),
            self.decimal(data, "weight", path) if "weight" in data else None,
            currency,
            kind,
        )

    def _quantity(self, data: dict, path: str, code: str) -> Decimal | None:
        value = data.get("quantity")
        number = _to_decimal(value)
        if number is None or number <= 0:
            problem = (
                " (missing)"
                if value is None
                else f" ({value!r} is not a positive number of at most {_LIMIT_TEXT})"
            )
            self.issues.append(
                Issue("BOM_QTY_INVALID", path, {"what": _name(code, path), "problem": problem})
            )
            return None
        return number

    def _country(self, data: dict, path: str) -> str | None:
        value = data.get("origin_country")
        if value is None or value == "":
            return None
        if isinstance(value, str) and len(value) == 2 and value.isalpha():
            return value.upper()
        self.invalid(
            f"{path}.origin_country",
            "origin_country",
            f"{value!r}",
            'an ISO 3166 alpha-2 country code such as "JP"',
        )
        return None

    def _proof(self, data: dict, path: str) -> Proof | None:
        value = data.get("proof")
        if value is None:
            return None
        ppath = f"{path}.proof"
        if not isinstance(value, dict):
            self.invalid(
                ppath,
                "proof",
                "not an object",
                "an object with type, reference, valid_until or issue_date",
            )
            return None
        try:  # the same proof on many lines is read once
            key = tuple(sorted((k, v, type(v)) for k, v in value.items()))
            known = self._proofs.get(key)
        except TypeError:  # unhashable values: read it and let the checks speak
            key, known = None, None
        if known is not None:
            return known
        kind = value.get("type")
        if kind not in PROOF_TYPES:
            self.invalid(f"{ppath}.type", "proof type", f"{kind!r}", ", ".join(PROOF_TYPES))
            return None
        issues = len(self.issues)
        proof = Proof(
            type=kind,
            reference=self.text(value, "reference", ppath),
            issue_date=self.date(value, "issue_date", f"{ppath}.issue_date"),
            valid_until=self.date(value, "valid_until", f"{ppath}.valid_until"),
        )
        if key is not None and len(self.issues) == issues:
            self._proofs[key] = proof
        return proof


_COST_KEYS_ORDER = ("direct_labour", "direct_overhead", "profit", "other_costs")
_COST_KEYS = frozenset(_COST_KEYS_ORDER)
_LIMIT = Decimal("1E15")  # money and quantities beyond this are typing errors
_LIMIT_TEXT = "15 digits and 9 decimals"


def _to_decimal(value: Any) -> Decimal | None:
    """A finite decimal below 10^15 with at most 9 decimals, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal | int):
        return _within_limits(Decimal(value))
    if isinstance(value, str):
        return _text_to_decimal(value)
    return None


@lru_cache(maxsize=4096)  # BOMs repeat their quantities and costs; a Decimal is immutable
def _text_to_decimal(text: str) -> Decimal | None:
    try:
        return _within_limits(Decimal(text.strip()))
    except InvalidOperation:
        return None


def _within_limits(number: Decimal) -> Decimal | None:
    if not number.is_finite() or abs(number) >= _LIMIT or number.as_tuple().exponent < -9:
        return None
    return number


def _bad() -> date:
    raise ValueError


def _name(code: str, path: str) -> str:
    return f"material {code}" if code else f"the material at {path}"
