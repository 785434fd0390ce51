"""The declaration read back from XML into the model where a person reads one (the ledger's
declarations in the command line): safe parsing (``xmlsafe``), the schema (lxml, fast, with
line numbers), then xmlschema decodes the validated element into
typed data (decimals, booleans, integers, collapsed tokens) and this module only maps that
data onto the dataclasses. No value is read from an element's ``.text`` here: what the
schema validated is what is decoded."""

import re
from datetime import date

from lxml import etree

from connectors.xmlsafe import SchemaInvalid, decode, parse_untrusted

from .model import (
    Address,
    BackToBack,
    BomLine,
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

REPEATED = {"Invoice", "Item", "BOMLine"}


def decode_xml(data: bytes) -> Declaration:
    """Read a declaration from untrusted XML: safe parsing, then the schema, then the fields."""
    return decode_validated(parse_untrusted(data).getroot())


def decode_validated(root: etree._Element) -> Declaration:
    """The declaration a ``d:Declaration`` element says. The element comes from the safe
    parser (alone, or inside the Single Window's request); it is validated against
    declaration-1.xsd before anything of it is decoded (SchemaInvalid otherwise), and a
    schema-valid date a declaration does not take is DATE_UNSUPPORTED, naming it."""
    if etree.QName(root).namespace != D:
        raise SchemaInvalid([])
    return _Reader(root, decode(root)).declaration()


class _Reader:
    """Maps xmlschema's data of a declaration onto the model; dates are checked here, where
    the path of each one is known."""

    def __init__(self, root: etree._Element, data: dict) -> None:
        self.root, self.data = root, data

    def declaration(self) -> Declaration:
        data = self.data
        third = data.get("ThirdPartyInvoicing")
        back = data.get("BackToBack")
        return Declaration(
            idempotency_key=data["IdempotencyKey"],
            declaration_date=self.date(data["DeclarationDate"], "DeclarationDate"),
            exporter=Exporter(
                **_address(data["Exporter"]), customs_code=data["Exporter"]["CustomsCode"]
            ),
            producer=Address(**_address(data["Producer"])) if "Producer" in data else None,
            importer=Address(**_address(data["Importer"])),
            transport=self.transport(data["Transport"]),
            invoices=tuple(
                Invoice(
                    invoice["Number"], self.date(invoice["Date"], f"Invoices/Invoice[{n}]/Date")
                )
                for n, invoice in enumerate(data["Invoices"]["Invoice"], 1)
            ),
            third_party_invoicing=ThirdPartyInvoicing(
                third["OperatorName"], third["OperatorAddress"], third["OperatorCountry"]
            )
            if third is not None
            else None,
            back_to_back=BackToBack(
                back["OriginalProofReference"],
                self.date(back["OriginalIssueDate"], "BackToBack/OriginalIssueDate"),
                back["FirstExportingPartyOrigin"],
                back.get("ApprovedExporterCode"),
            )
            if back is not None
            else None,
            items=tuple(
                self.item(item, f"Items/Item[{n}]")
                for n, item in enumerate(data["Items"]["Item"], 1)
            ),
        )

    def transport(self, transport: dict) -> Transport:
        return Transport(
            departure_date=self.date(transport["DepartureDate"], "Transport/DepartureDate"),
            means=transport["Means"],
            vessel_or_flight=transport["VesselOrFlight"],
            port_of_loading=transport["PortOfLoading"],
            port_of_discharge=transport["PortOfDischarge"],
        )

    def item(self, item: dict, where: str) -> Item:
        criterion = item["OriginCriterion"]
        base = next(name for name in criterion if name != "Annotation")
        fob = (criterion[base] or {}).get("FOBValue") if base == "RVC" else None
        evidence = item["Evidence"]
        rule, rvc = evidence.get("Rule"), evidence.get("RVC")
        return Item(
            number=item["ItemNumber"],
            marks_and_numbers=item["MarksAndNumbers"],
            packages_number=item["Packages"]["Number"],
            packages_kind=item["Packages"]["Kind"],
            description=item["Description"],
            hs=item["HSCode"],
            national_code=item.get("NationalCode"),
            criterion=base,
            annotations=tuple(criterion.get("Annotation", ())),
            fob_value=fob["$"] if fob is not None else None,
            currency=evidence["Currency"],
            country_of_origin=item["CountryOfOrigin"],
            quantity=item["Quantity"]["$"],
            unit=item["Quantity"]["@unit"],
            evidence=Evidence(
                item_code=evidence["ItemCode"],
                currency=evidence["Currency"],
                hs_version=evidence["HSVersion"],
                wholly_obtained=evidence["WhollyObtained"],
                processes=_processes(evidence["Processes"]),
                direct_costs=evidence.get("DirectCosts"),
                rule=RuleApplied(rule["HSVersion"], rule["Code"], rule["Text"], rule["Transposed"])
                if rule is not None
                else None,
                rvc=RvcFigures(
                    unit_fob=rvc["UnitFOB"],
                    vnm=rvc["VNM"],
                    vom=rvc["VOM"],
                    build_down=rvc["BuildDown"],
                    build_up=rvc.get("BuildUp"),
                )
                if rvc is not None
                else None,
                bom=tuple(
                    self.bom_line(line, f"{where}/Evidence/BOMLine[{n}]")
                    for n, line in enumerate(evidence.get("BOMLine", ()), 1)
                ),
            ),
        )

    def bom_line(self, line: dict, where: str) -> BomLine:
        proof = line.get("Proof")
        return BomLine(
            path=line["Path"],
            code=line["Code"],
            description=line.get("Description"),
            hs=line.get("HSCode"),
            origin_country=line.get("OriginCountry"),
            originating=line["Originating"],
            proof=ProofInfo(
                proof["Type"],
                proof.get("Reference"),
                self.date(proof["ValidUntil"], f"{where}/Proof/ValidUntil"),
            )
            if proof is not None
            else None,
            quantity=line["Quantity"],
            unit_cost=line.get("UnitCost"),
            value=line["Value"],
            role=line["Role"],
            wholly_obtained=line.get("WhollyObtained"),
            processes=_processes(line["Processes"]) if "Processes" in line else None,
            direct_costs=line.get("DirectCosts"),
        )

    def date(self, text: str, where: str) -> date:
        """An xs:date as a calendar day. The schema also lets through a date with a time zone
        and a year outside 0001 to 9999; a customs declaration does not take them: its dates
        are calendar days (declared, departed, invoiced, valid until) that the checks compare
        with one another; a zone makes a day an interval that starts at another instant in
        each zone, and dropping or converting it would change what was declared."""
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        path = f"/Declaration/{where}"
        zoned = re.search(r"(Z|[+-][0-9]{2}:[0-9]{2})$", text)
        why = "carries a time zone" if zoned else "has a year outside 0001 to 9999"
        raise DeclarationError(
            "DATE_UNSUPPORTED",
            path,
            f"{path} is {text!r}: a date that {why}; declarations take calendar dates only.",
            "Give the date as YYYY-MM-DD, without a time zone (for example 2026-01-31).",
            line=_element_at(self.root, where).sourceline,
        )


def _address(party: dict) -> dict:
    return {"name": party["Name"], "address": party["Address"], "country": party["Country"]}


def _processes(processes: dict | None) -> tuple[str, ...]:
    return tuple((processes or {}).get("Process", ()))


def _element_at(root: etree._Element, where: str) -> etree._Element:
    """The element at a path such as ``Items/Item[2]/Evidence/BOMLine[3]/Proof/ValidUntil``
    (local names, 1-based positions among siblings of the same name)."""
    element = root
    for step in where.split("/"):
        name, _, position = step.partition("[")
        same = [child for child in element if etree.QName(child).localname == name]
        element = same[int(position.rstrip("]")) - 1 if position else 0]
    return element
