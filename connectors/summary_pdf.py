"""The buyer-facing summary of a signed certificate: its content read from the verified
certificate (for the Odoo report), and a PDF (reportlab) of certificate and reference numbers,
issuance timestamp, format, parties, items and the signature fingerprint.

A certificate is read here only in the shape a verified one has (``signing.signed_root``: safe
parsing without comments, the root is the certificate and its one signature refers to it), so
that no wrapper around a genuine certificate is ever summarised in its place."""

import io

from lxml import etree
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from connectors.single_window.signing import fingerprint, signed_root, verify

NS = {"k": "urn:rcep-origin:certificate:1", "c": "urn:rcep-origin:common:1"}


def certificate_items(signed_xml: bytes) -> list[dict]:
    """The items of a signed certificate (number, description, HS, criterion with its
    annotations, origin, quantity with its unit), for a summary; SignatureInvalid (with its
    code) for a document that is not a signed certificate in the shape that verifies."""
    return _items(signed_root(signed_xml))


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
    """A straight read of a certificate (xsd/certificate-1.xsd) into plain values: numbers,
    issuance, issuing body, format, parties, transport, invoices and items. ``root`` is the
    ``k:Certificate`` element, parsed safely (and, for a signed one, the verified element)."""

    def text(path: str, node=root) -> str:
        return node.findtext(path, "", NS)

    def party(path: str) -> dict | None:
        node = root.find(path, NS)
        if node is None:
            return None
        values = {key: text(f"c:{key.title()}", node) for key in ("name", "address", "country")}
        if node.find("c:CustomsCode", NS) is not None:
            values["customs_code"] = text("c:CustomsCode", node)
        return values

    transport = root.find("k:Transport", NS)
    return {
        "certificate_number": text("k:CertificateNumber"),
        "reference_number": text("k:ReferenceNumber"),
        "issued_at": text("k:IssuedAt"),
        "issuing_body": party("k:IssuingBody"),
        "format": text("k:Format"),
        "exporter": party("k:Exporter"),
        "producer": party("k:Producer"),
        "importer": party("k:Importer"),
        "transport": {
            "departure_date": text("c:DepartureDate", transport),
            "means": text("c:Means", transport),
            "vessel_or_flight": text("c:VesselOrFlight", transport),
            "port_of_loading": text("c:PortOfLoading", transport),
            "port_of_discharge": text("c:PortOfDischarge", transport),
        },
        "invoices": [
            {"number": text("c:Number", invoice), "date": text("c:Date", invoice)}
            for invoice in root.iterfind("k:Invoices/c:Invoice", NS)
        ],
        "items": _items(root),
    }


def _items(root) -> list[dict]:
    items = []
    for item in root.iterfind("k:Items/k:Item", NS):
        criterion = item.find("c:OriginCriterion", NS)
        base = etree.QName(criterion[0]).localname
        annotations = [a.text for a in criterion.iterfind("c:Annotation", NS)]
        fob = criterion.find("c:RVC/c:FOBValue", NS)
        quantity = item.find("c:Quantity", NS)
        items.append(
            {
                "number": item.findtext("c:ItemNumber", "", NS),
                "marks": item.findtext("c:MarksAndNumbers", "", NS),
                "packages_number": item.findtext("c:Packages/c:Number", "", NS),
                "packages_kind": item.findtext("c:Packages/c:Kind", "", NS),
                "description": item.findtext("c:Description", "", NS),
                "hs": item.findtext("c:HSCode", "", NS),
                "national_code": item.findtext("c:NationalCode", "", NS),
                "criterion": " ".join([base, *annotations]),
                "base_criterion": base,
                "annotations": annotations,
                "fob_value": fob.text if fob is not None else "",
                "fob_currency": fob.get("currency", "") if fob is not None else "",
                "origin": item.findtext("c:CountryOfOrigin", "", NS),
                "quantity": f"{quantity.text} {quantity.get('unit')}",
                "quantity_value": quantity.text,
                "unit": quantity.get("unit"),
            }
        )
    return items


def certificate_pdf(signed_xml: bytes, signature_fingerprint: str) -> bytes:
    root = signed_root(signed_xml)

    def text(path: str, node=root) -> str:
        return node.findtext(path, namespaces=NS) or ""

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
        ["Certificate number", text("k:CertificateNumber")],
        ["Reference number", text("k:ReferenceNumber")],
        ["Issued at", text("k:IssuedAt")],
        ["Format", text("k:Format")],
        ["Issuing body", f"{text('k:IssuingBody/c:Name')} ({text('k:IssuingBody/c:Country')})"],
        ["Exporter", f"{text('k:Exporter/c:Name')}, {text('k:Exporter/c:Country')}"],
        ["Importer", f"{text('k:Importer/c:Name')}, {text('k:Importer/c:Country')}"],
        [
            "Departure",
            f"{text('k:Transport/c:DepartureDate')} {text('k:Transport/c:VesselOrFlight')}",
        ],
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
    for item in _items(root):
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
        buffer, pagesize=A4, title=f"RCEP CO {text('k:CertificateNumber')}", invariant=1
    ).build(story)
    return buffer.getvalue()
