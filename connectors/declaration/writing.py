"""The declaration written as XML, a straight walk over the structure of
``xsd/declaration-1.xsd``; ``to_xml`` validates what it wrote (lxml, the fast validator)
before anyone can write it out. The certificate (``single_window/service.py``) reuses the
parts its schema shares with the declaration: parties, transport, invoices, declared items."""

from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from connectors.xmlsafe import parse_untrusted, validate
from rcep_rules.explain import money

from .model import Address, BomLine, C, D, Declaration, Evidence, Exporter, Item


def common(parent, tag: str, text: Any = None, **attrs) -> etree._Element:
    """A child element in the common namespace (c:), shared by declaration and certificate."""
    return _sub(parent, C, tag, text, attrs)


def own(parent, tag: str, text: Any = None, **attrs) -> etree._Element:
    """A child element in the declaration's own namespace (d:)."""
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


def write_address(parent, tag: str, party: Address, ns: str = D) -> None:
    node = _sub(parent, ns, tag, None, {})
    common(node, "Name", party.name)
    common(node, "Address", party.address)
    common(node, "Country", party.country)
    if isinstance(party, Exporter):
        common(node, "CustomsCode", party.customs_code)


def to_xml(declaration: Declaration) -> bytes:
    """The declaration as XML; raises SchemaInvalid (naming line, element and rule) when it
    does not match xsd/declaration-1.xsd: such a document is never written out."""
    root = etree.Element(f"{{{D}}}Declaration", nsmap={"d": D, "c": C}, schemaVersion="1")
    own(root, "IdempotencyKey", declaration.idempotency_key)
    own(root, "DeclarationDate", declaration.declaration_date)
    write_address(root, "Exporter", declaration.exporter)
    if declaration.producer:
        write_address(root, "Producer", declaration.producer)
    write_address(root, "Importer", declaration.importer)
    write_transport_and_invoices(root, declaration, D)
    third = declaration.third_party_invoicing
    if third:
        node = own(root, "ThirdPartyInvoicing")
        own(node, "OperatorName", third.operator_name)
        own(node, "OperatorAddress", third.operator_address)
        own(node, "OperatorCountry", third.operator_country)
    back = declaration.back_to_back
    if back:
        node = own(root, "BackToBack")
        own(node, "OriginalProofReference", back.original_proof_reference)
        own(node, "OriginalIssueDate", back.original_issue_date)
        own(node, "FirstExportingPartyOrigin", back.first_exporting_party_origin)
        if back.approved_exporter_code:
            own(node, "ApprovedExporterCode", back.approved_exporter_code)
    items = own(root, "Items")
    for item in declaration.items:
        write_item(own(items, "Item"), item)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(parse_untrusted(data))  # the very bytes that will be written, with line numbers
    return data


def write_transport_and_invoices(root, declaration: Declaration, ns: str) -> None:
    """Boxes 4 and 13 of Form RCEP, in the declaration and in the certificate alike."""
    transport = _sub(root, ns, "Transport", None, {})
    for tag, value in (
        ("DepartureDate", declaration.transport.departure_date),
        ("Means", declaration.transport.means),
        ("VesselOrFlight", declaration.transport.vessel_or_flight),
        ("PortOfLoading", declaration.transport.port_of_loading),
        ("PortOfDischarge", declaration.transport.port_of_discharge),
    ):
        common(transport, tag, value)
    invoices = _sub(root, ns, "Invoices", None, {})
    for invoice in declaration.invoices:
        node = common(invoices, "Invoice")
        common(node, "Number", invoice.number)
        common(node, "Date", invoice.date)


def write_item(node, item: Item, evidence: bool = True) -> None:
    """Boxes 6 to 12 of one item (c:DeclaredItem) and, in a declaration, its evidence."""
    common(node, "ItemNumber", item.number)
    common(node, "MarksAndNumbers", item.marks_and_numbers)
    packages = common(node, "Packages")
    common(packages, "Number", item.packages_number)
    common(packages, "Kind", item.packages_kind)
    common(node, "Description", item.description)
    common(node, "HSCode", item.hs)
    if item.national_code:
        common(node, "NationalCode", item.national_code)
    criterion = common(node, "OriginCriterion")
    base = common(criterion, item.criterion)
    if item.criterion == "RVC":
        common(base, "FOBValue", money(item.fob_value), currency=item.currency)
    for annotation in item.annotations:
        common(criterion, "Annotation", annotation)
    common(node, "CountryOfOrigin", item.country_of_origin)
    common(node, "Quantity", item.quantity, unit=item.unit)
    if evidence:
        _write_evidence(own(node, "Evidence"), item.evidence)


def _write_evidence(node, evidence: Evidence) -> None:
    own(node, "ItemCode", evidence.item_code)
    own(node, "Currency", evidence.currency)
    own(node, "HSVersion", evidence.hs_version)
    own(node, "WhollyObtained", evidence.wholly_obtained)
    _write_processes(node, evidence.processes)
    if evidence.direct_costs is not None:
        own(node, "DirectCosts", evidence.direct_costs)
    if evidence.rule:
        rule = own(node, "Rule")
        own(rule, "HSVersion", evidence.rule.hs_version)
        own(rule, "Code", evidence.rule.code)
        own(rule, "Text", evidence.rule.text)
        own(rule, "Transposed", evidence.rule.transposed)
    if evidence.rvc:
        rvc = own(node, "RVC")
        own(rvc, "UnitFOB", evidence.rvc.unit_fob)
        own(rvc, "VNM", evidence.rvc.vnm)
        own(rvc, "VOM", evidence.rvc.vom)
        own(rvc, "BuildDown", evidence.rvc.build_down)
        if evidence.rvc.build_up is not None:
            own(rvc, "BuildUp", evidence.rvc.build_up)
    for line in evidence.bom:
        _write_bom_line(own(node, "BOMLine"), line)


def _write_bom_line(node, line: BomLine) -> None:
    own(node, "Path", line.path)
    own(node, "Code", line.code)
    if line.description:
        own(node, "Description", line.description)
    if line.hs:
        own(node, "HSCode", line.hs)
    if line.origin_country:
        own(node, "OriginCountry", line.origin_country)
    own(node, "Originating", line.originating)
    if line.proof:
        proof = own(node, "Proof")
        own(proof, "Type", line.proof.type)
        if line.proof.reference:
            own(proof, "Reference", line.proof.reference)
        own(proof, "ValidUntil", line.proof.valid_until)
    own(node, "Quantity", line.quantity)
    if line.unit_cost is not None:
        own(node, "UnitCost", line.unit_cost)
    own(node, "Value", line.value)
    own(node, "Role", line.role)
    if line.wholly_obtained is not None:
        own(node, "WhollyObtained", line.wholly_obtained)
    if line.processes is not None:
        _write_processes(node, line.processes)
    if line.direct_costs is not None:
        own(node, "DirectCosts", line.direct_costs)


def _write_processes(parent, processes: tuple[str, ...]) -> None:
    node = own(parent, "Processes")
    for process in processes:
        own(node, "Process", process)
