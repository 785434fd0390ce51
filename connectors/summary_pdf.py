"""The buyer-facing summary of a signed certificate: its content read from the verified
certificate (for the Odoo report), and a PDF (reportlab) of certificate and reference numbers,
issuance timestamp, format, parties, items and the signature fingerprint.

A certificate is read here only in the shape a verified one has (``signing.signed_root``: safe
parsing without comments, the root is the certificate and its one signature refers to it), so
that no wrapper around a genuine certificate is ever summarised in its place."""

import io
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from connectors.single_window.signing import fingerprint, signed_root, verify
from connectors.xmlsafe import decode


def certificate_items(signed_xml: bytes) -> list[dict]:
    """The items of a signed certificate (number, description, HS, criterion with its
    annotations, origin, quantity with its unit), for a summary; SignatureInvalid (with its
    code) for a document that is not a signed certificate in the shape that verifies."""
    return [_item(item) for item in decode(signed_root(signed_xml))["Items"]["Item"]]


def verified_certificate(signed_xml: bytes, cert_pem: bytes) -> dict:
    """What a buyer's summary shows of a signed certificate, read only from the element its
    signature covers: raises ``SignatureInvalid`` when the signature does not verify with the
    pinned signing certificate ``cert_pem`` (or the document is not exactly the signed
    certificate). The fingerprint of that certificate comes with it."""
    pem = cert_pem.encode() if isinstance(cert_pem, str) else cert_pem
    content = certificate_content(verify(signed_xml, pem))
    content["signing_fingerprint"] = fingerprint(pem)
    return content


def certificate_content(root) -> dict:
    """A certificate (xsd/certificate-1.xsd) as plain values: numbers, issuance, issuing
    body, format, parties, transport, invoices and items, each as the text a summary shows.
    ``root`` is the ``k:Certificate`` element, parsed safely (and, for a signed one, the
    verified element); it is validated and decoded by ``xmlsafe.decode`` (lxml checks,
    xmlschema decodes), so nothing is read from an element that fails the schema."""
    data = decode(root)
    transport = data["Transport"]
    return {
        "certificate_number": data["CertificateNumber"],
        "reference_number": data["ReferenceNumber"],
        "issued_at": data["IssuedAt"],
        "issuing_body": _party(data["IssuingBody"]),
        "format": data["Format"],
        "exporter": _party(data["Exporter"]),
        "producer": _party(data.get("Producer")),
        "importer": _party(data["Importer"]),
        "transport": {
            "departure_date": transport["DepartureDate"],
            "means": transport["Means"],
            "vessel_or_flight": transport["VesselOrFlight"],
            "port_of_loading": transport["PortOfLoading"],
            "port_of_discharge": transport["PortOfDischarge"],
        },
        "invoices": [
            {"number": invoice["Number"], "date": invoice["Date"]}
            for invoice in data["Invoices"]["Invoice"]
        ],
        "items": [_item(item) for item in data["Items"]["Item"]],
    }


def _party(party: dict | None) -> dict | None:
    if party is None:
        return None
    values = {key: party[key.title()] for key in ("name", "address", "country")}
    if "CustomsCode" in party:
        values["customs_code"] = party["CustomsCode"]
    return values


def _item(item: dict) -> dict:
    criterion = item["OriginCriterion"]
    base = next(name for name in criterion if name != "Annotation")
    annotations = list(criterion.get("Annotation", ()))
    fob = (criterion[base] or {}).get("FOBValue") if base == "RVC" else None
    quantity, unit = _shown(item["Quantity"]["$"]), item["Quantity"]["@unit"]
    return {
        "number": _shown(item["ItemNumber"]),
        "marks": item["MarksAndNumbers"],
        "packages_number": _shown(item["Packages"]["Number"]),
        "packages_kind": item["Packages"]["Kind"],
        "description": item["Description"],
        "hs": item["HSCode"],
        "national_code": item.get("NationalCode", ""),
        "criterion": " ".join([base, *annotations]),
        "base_criterion": base,
        "annotations": annotations,
        "fob_value": _shown(fob["$"]) if fob is not None else "",
        "fob_currency": fob["@currency"] if fob is not None else "",
        "origin": item["CountryOfOrigin"],
        "quantity": f"{quantity} {unit}",
        "quantity_value": quantity,
        "unit": unit,
    }


def _shown(value) -> str:
    """A decoded number as the certificate wrote it (a Decimal keeps its digits)."""
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def certificate_pdf(signed_xml: bytes, signature_fingerprint: str) -> bytes:
    content = certificate_content(signed_root(signed_xml))
    issuer, exporter, importer = (
        content["issuing_body"],
        content["exporter"],
        content["importer"],
    )
    transport = content["transport"]
    styles = getSampleStyleSheet()
    story = [
        Paragraph("RCEP certificate of origin - summary", styles["Title"]),
        Paragraph(
            "For information: the signed XML certificate is the authoritative document.",
            styles["Italic"],
        ),
        Spacer(1, 8),
    ]
    facts = [
        ["Certificate number", content["certificate_number"]],
        ["Reference number", content["reference_number"]],
        ["Issued at", content["issued_at"]],
        ["Format", content["format"]],
        ["Issuing body", f"{issuer['name']} ({issuer['country']})"],
        ["Exporter", f"{exporter['name']}, {exporter['country']}"],
        ["Importer", f"{importer['name']}, {importer['country']}"],
        ["Departure", f"{transport['departure_date']} {transport['vessel_or_flight']}"],
        [
            "Signature (SHA-256 of the signing certificate)",
            Paragraph(signature_fingerprint, styles["Code"]),
        ],
    ]
    table = Table(facts, colWidths=[170, 330])
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    story += [table, Spacer(1, 12)]
    rows = [["#", "Description", "HS", "Criterion", "Origin", "Quantity"]]
    for item in content["items"]:
        rows.append(
            [
                item["number"],
                Paragraph(item["description"], styles["BodyText"]),
                item["hs"],
                item["criterion"],
                item["origin"],
                item["quantity"],
            ]
        )
    items = Table(rows, colWidths=[25, 215, 55, 70, 45, 90], repeatRows=1)
    items.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(items)
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=f"RCEP CO {content['certificate_number']}", invariant=1
    ).build(story)
    return buffer.getvalue()
