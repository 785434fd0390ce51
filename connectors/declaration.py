"""The declaration (certificate application) sent to the Single Window: built from a shipment
file and the engine's evaluation of each item, written as XML that must pass
``xsd/declaration-1.xsd`` before it is written anywhere, and read back from XML.

The builder is a straight walk over the schema's structure; the evaluation feeds the
criterion, the RVC figures and the BOM evidence, so nothing is typed twice.
"""

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from connectors.xmlsafe import SchemaInvalid, parse_untrusted, validate
from rcep_rules import Reference, evaluate, load_shipments, parse_shipment
from rcep_rules.explain import money, percent
from rcep_rules.hs import display

C = "urn:rcep-origin:common:1"
D = "urn:rcep-origin:declaration:1"
CENT = Decimal("0.01")
MEANS = ("SEA", "AIR", "ROAD", "RAIL", "MULTIMODAL")
XML_SPACE = " \t\r\n"  # what xs:token collapses; other spaces are text


class DeclarationError(ValueError):
    """The shipment cannot be declared: a code, where, and what to do."""

    def __init__(
        self, code: str, path: str, message: str, hint: str, line: int | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.path, self.hint, self.line = code, path, hint, line

    def as_dict(self) -> dict:
        return {"code": self.code, "path": self.path, "message": str(self), "hint": self.hint}


# --- the model (the schema's structure) --------------------------------------------------------


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


# --- building from a shipment file --------------------------------------------------------------


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
    if not isinstance(data, dict):
        raise DeclarationError(
            "SHIPMENT_INVALID",
            "(top)",
            "the shipment file must hold an object",
            "See README, the shipment file.",
        )
    return data


def build(data: dict, base_dir: Path, reference: Reference | None = None) -> Declaration:
    """The declaration of a shipment; every item must be originating with no review error."""
    f = _Fields(data)
    exporter = Exporter(*f.address("exporter"), customs_code=f.text("exporter", "customs_code"))
    importer = Address(*f.address("importer"))
    producer = Address(*f.address("producer")) if data.get("producer") is not None else None
    transport = Transport(
        departure_date=f.date("transport", "departure_date"),
        means=f.choice("transport", "means", MEANS),
        vessel_or_flight=f.text("transport", "vessel_or_flight"),
        port_of_loading=f.text("transport", "port_of_loading"),
        port_of_discharge=f.text("transport", "port_of_discharge"),
    )
    invoices = tuple(
        Invoice(
            f.text(f"invoices[{i}]", "number", node=inv), f.date(f"invoices[{i}]", "date", node=inv)
        )
        for i, inv in enumerate(f.items("invoices"))
    )
    third = None
    if data.get("third_party_invoicing") is not None:
        third = ThirdPartyInvoicing(
            f.text("third_party_invoicing", "operator_name"),
            f.text("third_party_invoicing", "operator_address"),
            f.text("third_party_invoicing", "operator_country"),
        )
    b2b = None
    if data.get("back_to_back") is not None:
        b2b = BackToBack(
            f.text("back_to_back", "original_proof_reference"),
            f.date("back_to_back", "original_issue_date"),
            f.text("back_to_back", "first_exporting_party_origin"),
            f.optional("back_to_back", "approved_exporter_code"),
        )
    currency = f.text(None, "currency")
    key = data.get("idempotency_key") or str(uuid.uuid4())
    items = tuple(
        _item(i, raw, f, exporter, importer, transport, currency, base_dir, reference)
        for i, raw in enumerate(f.items("items"))
    )
    return Declaration(
        idempotency_key=str(key),
        declaration_date=f.date(None, "declaration_date"),
        exporter=exporter,
        producer=producer,
        importer=importer,
        transport=transport,
        invoices=invoices,
        third_party_invoicing=third,
        back_to_back=b2b,
        items=items,
    )


def _item(index, raw, f, exporter, importer, transport, currency, base_dir, reference) -> Item:
    path = f"items[{index}]"
    good = raw.get("good")
    if raw.get("goods_file") is not None:
        goods_path = (base_dir / str(raw["goods_file"])).resolve()
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
        good = _good_dict(goods_path, content, shipments)
    if not isinstance(good, dict):
        raise DeclarationError(
            "SHIPMENT_INVALID",
            f"{path}.good",
            "the item has no good",
            "Give the good inline (good) or a goods file (goods_file).",
        )
    shipment = parse_shipment(
        {
            "exporting_party": exporter.country,
            "importing_party": importer.country,
            "shipment_date": transport.departure_date.isoformat(),
            "currency": currency,
            "good": good,
        }
    )
    evaluation = evaluate(shipment, reference)
    name = f"item {index + 1} ({good.get('code') or 'no code'})"
    if evaluation.originating is not True:
        codes = sorted({i.code for i in (evaluation.errors or evaluation.issues)})
        if evaluation.originating is None:
            raise DeclarationError(
                "ITEM_REVIEW_ERRORS",
                path,
                f"{name} has review errors: {', '.join(codes)}; it cannot be declared.",
                "Run `rcep-origin review` on the good and fix the errors first.",
            )
        raise DeclarationError(
            "ITEM_NOT_ORIGINATING",
            path,
            f"{name} is not originating under RCEP ({', '.join(codes) or 'no criterion holds'})"
            "; it cannot be declared.",
            "Run `rcep-origin evaluate` on the good for the explanation; declare only "
            "originating goods.",
        )
    quantity = f.decimal(path, "quantity", node=raw.get("quantity"), key2="value")
    unit = f.text(f"{path}.quantity", "unit", node=raw.get("quantity"))
    packages = raw.get("packages") if isinstance(raw.get("packages"), dict) else {}
    result = evaluation.result
    unit_fob = result.rvc.fob
    fob_value = None
    if evaluation.criterion == "RVC":
        fob_value = (unit_fob * quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    hs_full = shipment.good.hs_full or ""
    rule = evaluation.rule
    rvc = result.rvc
    return Item(
        number=index + 1,
        marks_and_numbers=f.text(path, "marks_and_numbers", node=raw),
        packages_number=int(f.decimal(f"{path}.packages", "number", node=packages)),
        packages_kind=f.text(f"{path}.packages", "kind", node=packages),
        description=str(raw.get("description") or shipment.good.description or shipment.good.code),
        hs=hs_full[:6],
        national_code=hs_full[6:] or None,
        criterion=evaluation.criterion,
        annotations=evaluation.annotations,
        fob_value=fob_value,
        currency=currency,
        country_of_origin=exporter.country,  # Art 2.6: produced and originating there
        quantity=quantity,
        unit=unit,
        evidence=Evidence(
            item_code=shipment.good.code or f"item-{index + 1}",
            currency=currency,
            hs_version=shipment.good.hs_version,
            wholly_obtained=shipment.good.wholly_obtained,
            processes=shipment.good.processes,
            direct_costs=sum(shipment.good.costs) if shipment.good.costs else None,
            rule=RuleApplied(
                rule.row.hs_version, display(rule.row.code), rule.row.psr, rule.transposed
            )
            if hasattr(rule, "row")
            else None,
            rvc=RvcFigures(
                unit_fob,
                rvc.vnm,
                rvc.vom,
                Decimal(percent(rvc.build_down)),
                Decimal(percent(rvc.build_up)) if rvc.build_up is not None else None,
            )
            if rvc.fob
            else None,
            bom=tuple(_bom_line(v) for v in evaluation.materials),
        ),
    )


def _bom_line(v) -> BomLine:
    m = v.material
    proof = None
    if m.proof is not None and m.proof.valid_through() is not None:
        proof = ProofInfo(m.proof.type, m.proof.reference or None, m.proof.valid_through())
    return BomLine(
        path=m.path,
        code=m.code or m.path,
        description=m.description or None,
        hs=m.hs,
        origin_country=m.origin_country,
        originating=v.originating,
        proof=proof,
        quantity=m.quantity,
        unit_cost=m.unit_cost,
        value=v.value,
        role=m.role,
        wholly_obtained=m.wholly_obtained or None,
        processes=m.processes if m.bom is not None else None,
        direct_costs=sum(m.costs) if m.costs else None,
    )


def _good_dict(path: Path, content: bytes, shipments) -> dict:
    if len(shipments) != 1:
        raise DeclarationError(
            "ITEM_GOODS_UNREADABLE",
            str(path),
            f"{path} holds {len(shipments)} goods",
            "Give one good per item.",
        )
    return json.loads(content, parse_float=Decimal)["good"]


class _Fields:
    """Reads the shipment file with errors that name the field."""

    def __init__(self, data: dict) -> None:
        self.data = data

    def _node(self, section: str | None, node: Any = None) -> Any:
        if node is not None:
            return node
        return self.data if section is None else self.data.get(section)

    def _fail(self, path: str, what: str) -> DeclarationError:
        return DeclarationError(
            "SHIPMENT_INVALID",
            path,
            f"{path} is {what}.",
            "See README, the shipment file, for its fields.",
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
        raise self._fail(path, "missing" if value is None else f"not valid text ({value!r})")

    def optional(self, section, key) -> str | None:
        parent = self._node(section)
        return self.text(section, key) if parent.get(key) is not None else None

    def date(self, section, key, node=None) -> date:
        text = self.text(section, key, node)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self._fail(
                f"{section}.{key}" if section else key, f"not an ISO date ({text!r})"
            ) from None

    def choice(self, section, key, allowed) -> str:
        text = self.text(section, key)
        if text not in allowed:
            raise self._fail(f"{section}.{key}", f"{text!r}, not one of {', '.join(allowed)}")
        return text

    def decimal(self, section, key, node=None, key2=None) -> Decimal:
        parent = self._node(section, node) if node is not None else self._node(section)
        path = f"{section}.{key}"
        value = parent.get(key2 or key) if isinstance(parent, dict) else None
        try:
            number = Decimal(str(value))
        except Exception:
            number = None
        if number is None or not number.is_finite() or number <= 0:
            raise self._fail(path, "missing or not a positive number")
        return number

    def address(self, section) -> tuple[str, str, str]:
        return (
            self.text(section, "name"),
            self.text(section, "address"),
            self.text(section, "country"),
        )

    def items(self, key) -> list:
        value = self.data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise self._fail(key, "missing, empty or not a list of objects")
        return value


# --- writing XML ----------------------------------------------------------------------------------


def _c(parent, tag: str, text: Any = None, **attrs) -> etree._Element:
    return _sub(parent, C, tag, text, attrs)


def _d(parent, tag: str, text: Any = None, **attrs) -> etree._Element:
    return _sub(parent, D, tag, text, attrs)


def _sub(parent, ns: str, tag: str, text: Any, attrs: dict) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        node.text = _text(text)
    return node


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _address(parent, tag: str, party: Address, ns: str = D) -> None:
    node = _sub(parent, ns, tag, None, {})
    _c(node, "Name", party.name)
    _c(node, "Address", party.address)
    _c(node, "Country", party.country)
    if isinstance(party, Exporter):
        _c(node, "CustomsCode", party.customs_code)


def to_xml(declaration: Declaration) -> bytes:
    """The declaration as XML; raises SchemaInvalid (naming line, element and rule) when it
    does not match xsd/declaration-1.xsd: such a document is never written out."""
    dec = declaration
    root = etree.Element(f"{{{D}}}Declaration", nsmap={"d": D, "c": C}, schemaVersion="1")
    _d(root, "IdempotencyKey", dec.idempotency_key)
    _d(root, "DeclarationDate", dec.declaration_date)
    _address(root, "Exporter", dec.exporter)
    if dec.producer:
        _address(root, "Producer", dec.producer)
    _address(root, "Importer", dec.importer)
    _transport_and_invoices(root, dec, D)
    if dec.third_party_invoicing:
        tp = _d(root, "ThirdPartyInvoicing")
        _d(tp, "OperatorName", dec.third_party_invoicing.operator_name)
        _d(tp, "OperatorAddress", dec.third_party_invoicing.operator_address)
        _d(tp, "OperatorCountry", dec.third_party_invoicing.operator_country)
    if dec.back_to_back:
        b = dec.back_to_back
        node = _d(root, "BackToBack")
        _d(node, "OriginalProofReference", b.original_proof_reference)
        _d(node, "OriginalIssueDate", b.original_issue_date)
        _d(node, "FirstExportingPartyOrigin", b.first_exporting_party_origin)
        if b.approved_exporter_code:
            _d(node, "ApprovedExporterCode", b.approved_exporter_code)
    items = _d(root, "Items")
    for item in dec.items:
        _item_xml(_d(items, "Item"), item)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(parse_untrusted(data))  # the very bytes that will be written, with line numbers
    return data


def _transport_and_invoices(root, dec: Declaration, ns: str) -> None:
    """Boxes 4 and 13 of Form RCEP, in the declaration and in the certificate alike."""
    t = _sub(root, ns, "Transport", None, {})
    for tag, value in (
        ("DepartureDate", dec.transport.departure_date),
        ("Means", dec.transport.means),
        ("VesselOrFlight", dec.transport.vessel_or_flight),
        ("PortOfLoading", dec.transport.port_of_loading),
        ("PortOfDischarge", dec.transport.port_of_discharge),
    ):
        _c(t, tag, value)
    invoices = _sub(root, ns, "Invoices", None, {})
    for invoice in dec.invoices:
        node = _c(invoices, "Invoice")
        _c(node, "Number", invoice.number)
        _c(node, "Date", invoice.date)


def _item_xml(node, item: Item, evidence: bool = True) -> None:
    _c(node, "ItemNumber", item.number)
    _c(node, "MarksAndNumbers", item.marks_and_numbers)
    packages = _c(node, "Packages")
    _c(packages, "Number", item.packages_number)
    _c(packages, "Kind", item.packages_kind)
    _c(node, "Description", item.description)
    _c(node, "HSCode", item.hs)
    if item.national_code:
        _c(node, "NationalCode", item.national_code)
    criterion = _c(node, "OriginCriterion")
    base = _c(criterion, item.criterion)
    if item.criterion == "RVC":
        _c(base, "FOBValue", money(item.fob_value), currency=item.currency)
    for annotation in item.annotations:
        _c(criterion, "Annotation", annotation)
    _c(node, "CountryOfOrigin", item.country_of_origin)
    _c(node, "Quantity", item.quantity, unit=item.unit)
    if not evidence:
        return
    ev = item.evidence
    evidence = _d(node, "Evidence")
    _d(evidence, "ItemCode", ev.item_code)
    _d(evidence, "Currency", ev.currency)
    _d(evidence, "HSVersion", ev.hs_version)
    _d(evidence, "WhollyObtained", ev.wholly_obtained)
    _processes(evidence, ev.processes)
    if ev.direct_costs is not None:
        _d(evidence, "DirectCosts", ev.direct_costs)
    if ev.rule:
        rule = _d(evidence, "Rule")
        _d(rule, "HSVersion", ev.rule.hs_version)
        _d(rule, "Code", ev.rule.code)
        _d(rule, "Text", ev.rule.text)
        _d(rule, "Transposed", ev.rule.transposed)
    if ev.rvc:
        rvc = _d(evidence, "RVC")
        _d(rvc, "UnitFOB", ev.rvc.unit_fob)
        _d(rvc, "VNM", ev.rvc.vnm)
        _d(rvc, "VOM", ev.rvc.vom)
        _d(rvc, "BuildDown", ev.rvc.build_down)
        if ev.rvc.build_up is not None:
            _d(rvc, "BuildUp", ev.rvc.build_up)
    for line in ev.bom:
        b = _d(evidence, "BOMLine")
        _d(b, "Path", line.path)
        _d(b, "Code", line.code)
        if line.description:
            _d(b, "Description", line.description)
        if line.hs:
            _d(b, "HSCode", line.hs)
        if line.origin_country:
            _d(b, "OriginCountry", line.origin_country)
        _d(b, "Originating", line.originating)
        if line.proof:
            proof = _d(b, "Proof")
            _d(proof, "Type", line.proof.type)
            if line.proof.reference:
                _d(proof, "Reference", line.proof.reference)
            _d(proof, "ValidUntil", line.proof.valid_until)
        _d(b, "Quantity", line.quantity)
        if line.unit_cost is not None:
            _d(b, "UnitCost", line.unit_cost)
        _d(b, "Value", line.value)
        _d(b, "Role", line.role)
        if line.wholly_obtained is not None:
            _d(b, "WhollyObtained", line.wholly_obtained)
        if line.processes is not None:
            _processes(b, line.processes)
        if line.direct_costs is not None:
            _d(b, "DirectCosts", line.direct_costs)


def _processes(parent, processes: tuple[str, ...]) -> None:
    node = _d(parent, "Processes")
    for process in processes:
        _d(node, "Process", process)


# --- reading XML ----------------------------------------------------------------------------------


def from_xml(data: bytes) -> Declaration:
    """Read a declaration from untrusted XML: safe parsing, then the schema, then the fields."""
    tree = parse_untrusted(data)
    validate(tree)
    return read_validated(tree.getroot())


def read_validated(root: etree._Element) -> Declaration:
    """The fields of a d:Declaration element that was already parsed safely and validated
    against declaration-1.xsd (the Single Window's request schema does that for the
    declaration it carries); nothing here checks the schema again."""
    if etree.QName(root).namespace != D:
        raise SchemaInvalid([])
    r = _Reader(root)
    return Declaration(
        idempotency_key=r.text("d:IdempotencyKey"),
        declaration_date=r.date("d:DeclarationDate"),
        exporter=Exporter(
            *r.address("d:Exporter"), customs_code=r.text("d:Exporter/c:CustomsCode")
        ),
        producer=Address(*r.address("d:Producer")) if r.has("d:Producer") else None,
        importer=Address(*r.address("d:Importer")),
        transport=Transport(
            r.date("d:Transport/c:DepartureDate"),
            r.text("d:Transport/c:Means"),
            r.text("d:Transport/c:VesselOrFlight"),
            r.text("d:Transport/c:PortOfLoading"),
            r.text("d:Transport/c:PortOfDischarge"),
        ),
        invoices=tuple(
            Invoice(r.text("c:Number", n), r.date("c:Date", n))
            for n in r.all("d:Invoices/c:Invoice")
        ),
        third_party_invoicing=ThirdPartyInvoicing(
            r.text("d:ThirdPartyInvoicing/d:OperatorName"),
            r.text("d:ThirdPartyInvoicing/d:OperatorAddress"),
            r.text("d:ThirdPartyInvoicing/d:OperatorCountry"),
        )
        if r.has("d:ThirdPartyInvoicing")
        else None,
        back_to_back=BackToBack(
            r.text("d:BackToBack/d:OriginalProofReference"),
            r.date("d:BackToBack/d:OriginalIssueDate"),
            r.text("d:BackToBack/d:FirstExportingPartyOrigin"),
            r.optional("d:BackToBack/d:ApprovedExporterCode"),
        )
        if r.has("d:BackToBack")
        else None,
        items=tuple(_read_item(r, n) for n in r.all("d:Items/d:Item")),
    )


def _read_item(r: "_Reader", node) -> Item:
    criterion_node = r.first("c:OriginCriterion", node)[0]
    criterion = etree.QName(criterion_node).localname
    fob = r.optional("c:OriginCriterion/c:RVC/c:FOBValue", node)
    ev = r.first("d:Evidence", node)
    rule = None
    if r.has("d:Rule", ev):
        rule = RuleApplied(
            r.text("d:Rule/d:HSVersion", ev),
            r.text("d:Rule/d:Code", ev),
            r.text("d:Rule/d:Text", ev),
            r.flag("d:Rule/d:Transposed", ev),
        )
    rvc = None
    if r.has("d:RVC", ev):
        build_up = r.optional("d:RVC/d:BuildUp", ev)
        rvc = RvcFigures(
            Decimal(r.text("d:RVC/d:UnitFOB", ev)),
            Decimal(r.text("d:RVC/d:VNM", ev)),
            Decimal(r.text("d:RVC/d:VOM", ev)),
            Decimal(r.text("d:RVC/d:BuildDown", ev)),
            Decimal(build_up) if build_up is not None else None,
        )
    quantity = r.first("c:Quantity", node)
    return Item(
        number=int(r.text("c:ItemNumber", node)),
        marks_and_numbers=r.text("c:MarksAndNumbers", node),
        packages_number=int(r.text("c:Packages/c:Number", node)),
        packages_kind=r.text("c:Packages/c:Kind", node),
        description=r.text("c:Description", node),
        hs=r.text("c:HSCode", node),
        national_code=r.optional("c:NationalCode", node),
        criterion=criterion,
        annotations=tuple(n.text for n in r.all("c:OriginCriterion/c:Annotation", node)),
        fob_value=Decimal(fob) if fob is not None else None,
        currency=r.text("d:Currency", ev),
        country_of_origin=r.text("c:CountryOfOrigin", node),
        quantity=Decimal(quantity.text),
        unit=quantity.get("unit"),
        evidence=Evidence(
            item_code=r.text("d:ItemCode", ev),
            currency=r.text("d:Currency", ev),
            hs_version=r.text("d:HSVersion", ev),
            wholly_obtained=r.flag("d:WhollyObtained", ev),
            processes=tuple(p.text for p in r.all("d:Processes/d:Process", ev)),
            direct_costs=_decimal(r.optional("d:DirectCosts", ev)),
            rule=rule,
            rvc=rvc,
            bom=tuple(
                BomLine(
                    path=r.text("d:Path", b),
                    code=r.text("d:Code", b),
                    description=r.optional("d:Description", b),
                    hs=r.optional("d:HSCode", b),
                    origin_country=r.optional("d:OriginCountry", b),
                    originating=r.flag("d:Originating", b),
                    proof=ProofInfo(
                        r.text("d:Proof/d:Type", b),
                        r.optional("d:Proof/d:Reference", b),
                        r.date("d:Proof/d:ValidUntil", b),
                    )
                    if r.has("d:Proof", b)
                    else None,
                    quantity=Decimal(r.text("d:Quantity", b)),
                    unit_cost=_decimal(r.optional("d:UnitCost", b)),
                    value=Decimal(r.text("d:Value", b)),
                    role=r.text("d:Role", b),
                    wholly_obtained=r.flag("d:WhollyObtained", b)
                    if r.has("d:WhollyObtained", b)
                    else None,
                    processes=tuple(p.text for p in r.all("d:Processes/d:Process", b))
                    if r.has("d:Processes", b)
                    else None,
                    direct_costs=_decimal(r.optional("d:DirectCosts", b)),
                )
                for b in r.all("d:BOMLine", ev)
            ),
        ),
    )


NS = {"c": C, "d": D}
REPEATED = {"Invoice", "Item", "BOMLine"}


def _field_path(element) -> str:
    """Where an element is in the declaration, as the rejection reasons say it:
    /Declaration/Items/Item[1]/Evidence/BOMLine[2]/Proof/ValidUntil."""
    steps = []
    while True:
        name, parent = etree.QName(element).localname, element.getparent()
        if parent is None or element.tag == f"{{{D}}}Declaration":
            return "/" + "/".join([name, *reversed(steps)])
        same = parent.findall(element.tag)
        if name in REPEATED or len(same) > 1:
            name += f"[{same.index(element) + 1}]"
        steps.append(name)
        element = parent


def _date_refused(element) -> DeclarationError:
    """A date the schema lets through (xs:date) that a customs declaration does not take: one
    with a time zone, or a year outside 0001 to 9999. A declaration's dates are calendar days
    (declared, departed, invoiced, valid until) that the checks compare with one another; a
    zone on a day makes it an interval that starts at another instant in each zone, and
    dropping or converting it would change what was declared."""
    text = element.text
    path = _field_path(element)
    zoned = re.search(r"(Z|[+-][0-9]{2}:[0-9]{2})$", text or "")
    why = "carries a time zone" if zoned else "has a year outside 0001 to 9999"
    return DeclarationError(
        "DATE_UNSUPPORTED",
        path,
        f"{path} is {text!r}: a date that {why}; declarations take calendar dates only.",
        "Give the date as YYYY-MM-DD, without a time zone (for example 2026-01-31).",
        line=element.sourceline,
    )


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


@cache
def _steps(path: str) -> tuple[str, ...]:
    """'d:Transport/c:DepartureDate' as Clark-notation tags, worked out once per path."""
    return tuple(f"{{{NS[step[0]]}}}{step[2:]}" for step in path.split("/"))


def _first(node, steps: tuple[str, ...]):
    """What ``node.find(path, NS)`` finds for a path of child steps (the first match in
    document order), without ElementPath's parsing and namespace handling on each call:
    a declaration is read with some 160 lookups, and this halves their cost."""
    if not steps:
        return node
    for child in node.iterchildren(steps[0]):
        found = _first(child, steps[1:])
        if found is not None:
            return found
    return None


class _Reader:
    def __init__(self, root) -> None:
        self.root = root

    def all(self, path: str, node=None) -> list:
        return (node if node is not None else self.root).findall(path, NS)

    def first(self, path: str, node=None):
        return _first(node if node is not None else self.root, _steps(path))

    def has(self, path: str, node=None) -> bool:
        return self.first(path, node) is not None

    def optional(self, path: str, node=None) -> str | None:
        found = self.first(path, node)
        return found.text if found is not None else None

    def text(self, path: str, node=None) -> str:
        return self.first(path, node).text

    def flag(self, path: str, node=None) -> bool:
        """An xs:boolean: true, false, 1 or 0, with the spaces the schema collapses."""
        return self.text(path, node).strip(XML_SPACE) in ("true", "1")

    def date(self, path: str, node=None) -> date:
        found = self.first(path, node)
        try:
            return date.fromisoformat(found.text)
        except ValueError:
            raise _date_refused(found) from None

    def address(self, path: str) -> tuple[str, str, str]:
        return (
            self.text(f"{path}/c:Name"),
            self.text(f"{path}/c:Address"),
            self.text(f"{path}/c:Country"),
        )
