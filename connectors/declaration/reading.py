"""The declaration read back from XML into the model, on the Single Window's path (the
client before it sends, the server and its service on every submission): safe parsing
(``xmlsafe``), the schema (lxml), then the fields read from the validated tree with direct
child lookups.

Not xmlschema here, on purpose: decoding a declaration with xmlschema (``decoding.py``, used
where a person reads one back) costs 40-130 us per element, and on this path it tripled the
CPU of a submission (the load test fell from 234 to 72 submissions/s). Both readers give the
same model (tests/test_declaration_decoding.py)."""

import re
from datetime import date
from decimal import Decimal
from functools import cache

from lxml import etree

from connectors.xmlsafe import SchemaInvalid, parse_untrusted, validate

from .model import (
    XML_SPACE,
    Address,
    BackToBack,
    BomLine,
    C,
    D,
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

NS = {"c": C, "d": D}
REPEATED = {"Invoice", "Item", "BOMLine"}


def from_xml(data: bytes) -> Declaration:
    """Read a declaration from untrusted XML: safe parsing, then the schema, then the fields."""
    tree = parse_untrusted(data)
    validate(tree)
    return read_validated(tree.getroot())


def read_validated(root: etree._Element) -> Declaration:
    """The fields of a d:Declaration element that was parsed safely and validated against
    declaration-1.xsd by its caller (the client checks the declaration it sends; the Single
    Window's request schema checks the declaration a request carries), so it is not validated
    a second time on every submission; a schema-valid date a declaration does not take is
    DATE_UNSUPPORTED, naming it. An element nobody validated goes to ``from_xml`` or to
    ``decoding.decode_validated``, which validate first."""
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


_XML_SPACES = re.compile(r"[ \t\r\n]+")


def _collapsed(text: str | None) -> str | None:
    """A text as the schema means it: the texts are xs:token (XML white space, that is
    space, tab, CR and LF, collapsed) or patterns that allow no white space at all. (xmlschema
    also collapses other Unicode spaces, such as U+3000; XML's rule keeps them as data.)"""
    if not text or (" " not in text and "\n" not in text and "\t" not in text and "\r" not in text):
        return text  # most are codes and numbers: nothing to collapse
    return _XML_SPACES.sub(" ", text).strip(" ")


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
    if len(steps) == 1:  # most paths are one step
        return next(node.iterchildren(steps[0]), None)
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
        return _collapsed(found.text) if found is not None else None

    def text(self, path: str, node=None) -> str:
        return _collapsed(self.first(path, node).text)

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
