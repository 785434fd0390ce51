"""The declaration built from a shipment file (README, "The shipment file and the
declaration") and the engine's evaluation of each item: the criterion, annotations, RVC
figures and every BOM line come from that evaluation, so nothing is typed twice.

Every problem is found before anything is refused: each bad field and each item that cannot
be declared is named by its path in the shipment file (``items[2].quantity.unit``), and one
DeclarationError carries them all. A value the schema would refuse in the XML (a unit that
is not a UN/ECE code) is refused here, by the shipment field, with the schema's own type."""

import json
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from connectors.xmlsafe import schema_model
from rcep_rules import Reference, evaluate, load_shipments, parse_shipment
from rcep_rules.explain import percent
from rcep_rules.hs import display

from .model import (
    CENT,
    MEANS,
    XML_SPACE,
    Address,
    BackToBack,
    BomLine,
    C,
    Declaration,
    DeclarationError,
    Evidence,
    Exporter,
    Invoice,
    Item,
    ProofInfo,
    RuleApplied,
    RvcFigures,
    ThirdPartyInvoicing,
    Transport,
)

GOODS_FILE_HINT = (
    "Declare a shipment file (README, the shipment file): its items name each goods file "
    "(goods_file) or hold the good; a goods file alone is for `rcep-origin evaluate`."
)


def load_shipment_file(path: Path) -> dict:
    try:
        data = json.loads(path.read_bytes(), parse_float=Decimal)
    except OSError as exc:
        raise DeclarationError(
            "SHIPMENT_UNREADABLE",
            str(path),
            f"cannot read {path}: {exc.strerror}",
            "Check the file name.",
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DeclarationError(
            "SHIPMENT_UNREADABLE",
            str(path),
            f"{path} is not valid JSON: {exc}",
            "Fix the JSON (see README, the shipment file).",
        ) from None
    _not_a_goods_file(data, str(path))
    if not isinstance(data, dict):
        raise DeclarationError(
            "SHIPMENT_INVALID",
            "(top)",
            "the shipment file must hold an object",
            "See README, the shipment file.",
        )
    return data


def _not_a_goods_file(data: Any, name: str) -> None:
    """A goods file (one good, or a list of them) given where a shipment is expected."""
    goods = (isinstance(data, dict) and "good" in data and "items" not in data) or (
        isinstance(data, list)
        and data
        and all(isinstance(entry, dict) and "good" in entry for entry in data)
    )
    if goods:
        raise DeclarationError(
            "SHIPMENT_IS_GOODS_FILE",
            "(top)",
            f"{name} is a goods file (exporting_party, importing_party and good), not a "
            "shipment file; a declaration is made of a shipment's items.",
            GOODS_FILE_HINT,
        )


def _is_good(entry: Any) -> bool:
    return isinstance(entry, dict) and "good" in entry


def _attempt(builder, make):
    """What ``make()`` gives, or None with its problems kept in ``builder.problems`` (every
    problem of a declaration is reported, not only the first)."""
    try:
        return make()
    except DeclarationError as exc:
        builder.problems.extend(exc.problems)
        return None


@dataclass(frozen=True)
class _Shipment:
    """What every item's evaluation needs from the shipment's header."""

    exporting_party: str
    importing_party: str
    departure_date: date
    currency: str
    reference: Reference | None


def build(data: dict, base_dir: Path, reference: Reference | None = None) -> Declaration:
    """The declaration of a shipment; every item must be originating with no review error.
    Raises one DeclarationError naming every problem (``problems``), each by its path."""
    _not_a_goods_file(data, "the shipment")
    fields = _Fields(data, base_dir)
    exporter = fields.attempt(
        lambda: Exporter(
            **fields.address("exporter"), customs_code=fields.text("exporter", "customs_code")
        )
    )
    importer = fields.attempt(lambda: Address(**fields.address("importer")))
    producer = None
    if data.get("producer") is not None:
        producer = fields.attempt(lambda: Address(**fields.address("producer")))
    transport = fields.attempt(lambda: _transport(fields))
    invoices = fields.attempt(
        lambda: tuple(
            Invoice(
                fields.text(f"invoices[{n}]", "number", node=invoice),
                fields.date(f"invoices[{n}]", "date", node=invoice),
            )
            for n, invoice in enumerate(fields.items("invoices"))
        )
    )
    third = None
    if data.get("third_party_invoicing") is not None:
        third = fields.attempt(lambda: _third_party(fields))
    back_to_back = None
    if data.get("back_to_back") is not None:
        back_to_back = fields.attempt(lambda: _back_to_back(fields))
    currency = fields.attempt(lambda: fields.text(None, "currency"))
    declared = fields.attempt(lambda: fields.date(None, "declaration_date"))
    # the items are evaluated whenever the four facts they need are there, even when another
    # field of the header is wrong (that one is reported once, above)
    needed = (
        fields.quietly(lambda: fields.text("exporter", "country")),
        fields.quietly(lambda: fields.text("importer", "country")),
        fields.quietly(lambda: fields.date("transport", "departure_date")),
        currency,
    )
    shipment = _Shipment(*needed, reference) if None not in needed else None
    items = []
    for index, raw in enumerate(fields.attempt(lambda: fields.items("items")) or ()):
        try:
            item = _ItemBuilder(fields, index, raw, shipment).build()
        except DeclarationError as exc:
            fields.problems.extend(exc.problems)
        else:
            items.append(item)
    if fields.problems:
        raise DeclarationError.of(fields.problems)
    return Declaration(
        idempotency_key=str(data.get("idempotency_key") or uuid.uuid4()),
        declaration_date=declared,
        exporter=exporter,
        producer=producer,
        importer=importer,
        transport=transport,
        invoices=invoices,
        third_party_invoicing=third,
        back_to_back=back_to_back,
        items=tuple(items),
    )


def _transport(fields: "_Fields") -> Transport:
    return Transport(
        departure_date=fields.date("transport", "departure_date"),
        means=fields.choice("transport", "means", MEANS),
        vessel_or_flight=fields.text("transport", "vessel_or_flight"),
        port_of_loading=fields.text("transport", "port_of_loading"),
        port_of_discharge=fields.text("transport", "port_of_discharge"),
    )


def _third_party(fields: "_Fields") -> ThirdPartyInvoicing:
    return ThirdPartyInvoicing(
        operator_name=fields.text("third_party_invoicing", "operator_name"),
        operator_address=fields.text("third_party_invoicing", "operator_address"),
        operator_country=fields.text("third_party_invoicing", "operator_country"),
    )


def _back_to_back(fields: "_Fields") -> BackToBack:
    return BackToBack(
        original_proof_reference=fields.text("back_to_back", "original_proof_reference"),
        original_issue_date=fields.date("back_to_back", "original_issue_date"),
        first_exporting_party_origin=fields.text("back_to_back", "first_exporting_party_origin"),
        approved_exporter_code=fields.optional("back_to_back", "approved_exporter_code"),
    )


@dataclass(frozen=True)
class _ItemFields:
    """An item's own fields in the shipment file (boxes 7, 8 and 12 of Form RCEP)."""

    marks_and_numbers: str | None
    packages_number: int | None
    packages_kind: str | None
    quantity: Decimal | None
    unit: str | None


class _ItemBuilder:
    """One item of the shipment: its own fields, then its good's evaluation. Collects every
    problem of the item before raising them together."""

    def __init__(self, fields: "_Fields", index: int, raw: dict, shipment: _Shipment | None):
        self.fields, self.index, self.raw, self.shipment = fields, index, raw, shipment
        self.path = f"items[{index}]"
        self.problems: list[DeclarationError] = []

    attempt = _attempt

    def build(self) -> Item | None:
        own = self.own_fields()
        good = self.attempt(self.good)
        evaluated = self.attempt(lambda: self.evaluate(good)) if good is not None else None
        if self.problems:
            raise DeclarationError.of(self.problems)
        if evaluated is None:  # the shipment's header is unusable: said already
            return None
        shipment_good, evaluation = evaluated
        return self.item(shipment_good, evaluation, own)

    def own_fields(self) -> "_ItemFields":
        """Marks, packages and quantity, each checked on its own (problems kept)."""
        fields, raw, path = self.fields, self.raw, self.path
        packages = raw.get("packages") if isinstance(raw.get("packages"), dict) else {}
        quantity = raw.get("quantity") if isinstance(raw.get("quantity"), dict) else {}
        own = _ItemFields(
            marks_and_numbers=self.attempt(
                lambda: fields.text(path, "marks_and_numbers", node=raw)
            ),
            packages_number=self.attempt(
                lambda: fields.schema_value(
                    f"{path}.packages.number",
                    packages.get("number"),
                    "Packages",
                    "Number",
                    "Give the number of packages as a whole number, 1 or more.",
                )
            ),
            packages_kind=self.attempt(
                lambda: fields.text(f"{path}.packages", "kind", node=packages)
            ),
            quantity=self.attempt(
                lambda: fields.schema_value(
                    f"{path}.quantity.value",
                    quantity.get("value"),
                    "Quantity",
                    "$",
                    "Give the quantity as a positive number with at most 6 decimals.",
                )
            ),
            unit=self.attempt(
                lambda: fields.schema_value(
                    f"{path}.quantity.unit",
                    quantity.get("unit"),
                    "Quantity",
                    "@unit",
                    "Give a UN/ECE Recommendation 20 unit code such as PCE, SET or KGM.",
                )
            ),
        )
        if own.quantity is not None and own.quantity <= 0:
            self.problems.append(fields.fail(f"{path}.quantity.value", "not a positive number"))
        return own

    def good(self) -> dict:
        raw, path = self.raw, self.path
        good = raw.get("good")
        if raw.get("goods_file") is not None:
            goods_path = (self.fields.base_dir / str(raw["goods_file"])).resolve()
            try:
                content = goods_path.read_bytes()
                shipments = load_shipments(content)
            except (OSError, ValueError) as exc:
                raise DeclarationError(
                    "ITEM_GOODS_UNREADABLE",
                    f"{path}.goods_file",
                    f"cannot read the goods file {goods_path}: {exc}",
                    "Give a goods file that `rcep-origin review` accepts.",
                ) from None
            if len(shipments) != 1:
                raise DeclarationError(
                    "ITEM_GOODS_UNREADABLE",
                    f"{path}.goods_file",
                    f"{goods_path} holds {len(shipments)} goods",
                    "Give one good per item.",
                )
            good = json.loads(content, parse_float=Decimal)["good"]
        if not isinstance(good, dict):
            raise DeclarationError(
                "SHIPMENT_INVALID",
                f"{path}.good",
                "the item has no good",
                "Give the good inline (good) or a goods file (goods_file).",
            )
        return good

    def evaluate(self, good: dict):
        """The good's evaluation, exporter to importer on the departure date; refused when
        it is not originating or has review errors. None when the header is unusable (its
        problems are reported already)."""
        shipment = self.shipment
        if shipment is None:
            return None
        parsed = parse_shipment(
            {
                "exporting_party": shipment.exporting_party,
                "importing_party": shipment.importing_party,
                "shipment_date": shipment.departure_date.isoformat(),
                "currency": shipment.currency,
                "good": good,
            }
        )
        evaluation = evaluate(parsed, shipment.reference)
        name = f"item {self.index + 1} ({good.get('code') or 'no code'})"
        if evaluation.originating is not True:
            codes = sorted({issue.code for issue in (evaluation.errors or evaluation.issues)})
            if evaluation.originating is None:
                raise DeclarationError(
                    "ITEM_REVIEW_ERRORS",
                    self.path,
                    f"{name} has review errors: {', '.join(codes)}; it cannot be declared.",
                    "Run `rcep-origin review` on the good and fix the errors first.",
                )
            raise DeclarationError(
                "ITEM_NOT_ORIGINATING",
                self.path,
                f"{name} is not originating under RCEP "
                f"({', '.join(codes) or 'no criterion holds'}); it cannot be declared.",
                "Run `rcep-origin evaluate` on the good for the explanation; declare only "
                "originating goods.",
            )
        return parsed.good, evaluation

    def item(self, good, evaluation, own: "_ItemFields") -> Item:
        shipment, number = self.shipment, self.index + 1
        result, rule = evaluation.result, evaluation.rule
        rvc = result.rvc
        fob_value = None
        if evaluation.criterion == "RVC":
            fob_value = (rvc.fob * own.quantity).quantize(CENT, rounding=ROUND_HALF_UP)
        hs_full = good.hs_full or ""
        return Item(
            number=number,
            marks_and_numbers=own.marks_and_numbers,
            packages_number=own.packages_number,
            packages_kind=own.packages_kind,
            description=str(self.raw.get("description") or good.description or good.code),
            hs=hs_full[:6],
            national_code=hs_full[6:] or None,
            criterion=evaluation.criterion,
            annotations=evaluation.annotations,
            fob_value=fob_value,
            currency=shipment.currency,
            country_of_origin=shipment.exporting_party,  # Art 2.6: produced and originating there
            quantity=own.quantity,
            unit=own.unit,
            evidence=Evidence(
                item_code=good.code or f"item-{number}",
                currency=shipment.currency,
                hs_version=good.hs_version,
                wholly_obtained=good.wholly_obtained,
                processes=good.processes,
                direct_costs=sum(good.costs) if good.costs else None,
                rule=RuleApplied(
                    rule.row.hs_version, display(rule.row.code), rule.row.psr, rule.transposed
                )
                if hasattr(rule, "row")
                else None,
                rvc=RvcFigures(
                    unit_fob=rvc.fob,
                    vnm=rvc.vnm,
                    vom=rvc.vom,
                    build_down=Decimal(percent(rvc.build_down)),
                    build_up=Decimal(percent(rvc.build_up)) if rvc.build_up is not None else None,
                )
                if rvc.fob
                else None,
                bom=tuple(_bom_line(verdict) for verdict in evaluation.materials),
            ),
        )


def _bom_line(verdict) -> BomLine:
    material = verdict.material
    proof = None
    if material.proof is not None and material.proof.valid_through() is not None:
        proof = ProofInfo(
            material.proof.type, material.proof.reference or None, material.proof.valid_through()
        )
    return BomLine(
        path=material.path,
        code=material.code or material.path,
        description=material.description or None,
        hs=material.hs,
        origin_country=material.origin_country,
        originating=verdict.originating,
        proof=proof,
        quantity=material.quantity,
        unit_cost=material.unit_cost,
        value=verdict.value,
        role=material.role,
        wholly_obtained=material.wholly_obtained or None,
        processes=material.processes if material.bom is not None else None,
        direct_costs=sum(material.costs) if material.costs else None,
    )


class _Fields:
    """Reads the shipment file with errors that name the field, and keeps every problem."""

    def __init__(self, data: dict, base_dir: Path) -> None:
        self.data, self.base_dir = data, base_dir
        self.problems: list[DeclarationError] = []

    attempt = _attempt

    def quietly(self, make):
        """What ``make()`` gives, or None; its problems are reported elsewhere."""
        try:
            return make()
        except DeclarationError:
            return None

    def _node(self, section: str | None, node: Any = None) -> Any:
        if node is not None:
            return node
        return self.data if section is None else self.data.get(section)

    def fail(self, path: str, what: str, hint: str | None = None) -> DeclarationError:
        return DeclarationError(
            "SHIPMENT_INVALID",
            path,
            f"{path} is {what}.",
            hint or "See README, the shipment file, for its fields.",
        )

    def text(self, section, key, node=None) -> str:
        parent = self._node(section, node)
        path = f"{section}.{key}" if section else key
        value = parent.get(key) if isinstance(parent, dict) else None
        if (
            isinstance(value, str | int)
            and not isinstance(value, bool)
            and str(value).strip(XML_SPACE)
        ):
            return str(value).strip(XML_SPACE)
        raise self.fail(path, "missing" if value is None else f"not valid text ({value!r})")

    def optional(self, section, key) -> str | None:
        parent = self._node(section)
        return self.text(section, key) if parent.get(key) is not None else None

    def date(self, section, key, node=None) -> date:
        text = self.text(section, key, node)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.fail(
                f"{section}.{key}" if section else key, f"not an ISO date ({text!r})"
            ) from None

    def choice(self, section, key, allowed) -> str:
        text = self.text(section, key)
        if text not in allowed:
            raise self.fail(f"{section}.{key}", f"{text!r}, not one of {', '.join(allowed)}")
        return text

    def schema_value(self, path: str, value: Any, type_name: str, part: str, hint: str):
        """A shipment value checked with the schema type of the XML it is written into
        (``part``: a child element, ``@attribute`` or ``$`` for simple content of the
        common type ``type_name``), decoded by that type (an int, a Decimal, a str)."""
        if value is None or isinstance(value, bool | dict | list):
            raise self.fail(path, "missing" if value is None else f"not valid ({value!r})", hint)
        text = f"{value:f}" if isinstance(value, Decimal) else str(value).strip(XML_SPACE)
        decoded, reason = _schema_decoded(type_name, part, text)
        if reason is not None:
            raise self.fail(path, f"{value!r}: {reason}", hint)
        return decoded

    def address(self, section) -> dict:
        return {
            "name": self.text(section, "name"),
            "address": self.text(section, "address"),
            "country": self.text(section, "country"),
        }

    def items(self, key) -> list:
        value = self.data.get(key)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(entry, dict) for entry in value)
        ):
            raise self.fail(key, "missing, empty or not a list of objects")
        return value


@lru_cache(maxsize=4096)
def _schema_decoded(type_name: str, part: str, text: str) -> tuple[Any, str | None]:
    """A text decoded by the declaration schema's type for a part of a common type
    (``("Quantity", "@unit")`` is the type of ``c:Quantity/@unit``), or the schema's reason
    to refuse it. Cached: xmlschema takes some 0.2 ms a value, and units and quantities
    repeat."""
    complex_type = schema_model("declaration-1.xsd").maps.types[f"{{{C}}}{type_name}"]
    if part == "$":
        simple = complex_type.content
    elif part.startswith("@"):
        simple = complex_type.attributes[part[1:]].type
    else:
        simple = next(
            child for child in complex_type.content.iter_elements() if child.local_name == part
        ).type
    try:
        return simple.decode(text), None
    except (ValueError, InvalidOperation) as exc:
        return None, getattr(exc, "reason", None) or str(exc)
