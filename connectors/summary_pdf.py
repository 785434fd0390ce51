"""The buyer-facing summary of a signed certificate, as a PDF (reportlab): certificate and
reference numbers, issuance timestamp, format, parties, items and the signature fingerprint.

A certificate is read here only in the shape a verified one has (``signing.signed_root``: safe
parsing without comments, the root is the certificate and its one signature refers to it), so
that no wrapper around a genuine certificate is ever summarised in its place."""

import io

from lxml import etree
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from connectors.single_window.signing import signed_root

NS = {"k": "urn:rcep-origin:certificate:1", "c": "urn:rcep-origin:common:1"}


def certificate_items(signed_xml: bytes) -> list[dict]:
    """The items of a signed certificate (number, description, HS, criterion with its
    annotations, origin, quantity with its unit), for a summary; SignatureInvalid (with its
    code) for a document that is not a signed certificate in the shape that verifies."""
    return _items(signed_root(signed_xml))


def _items(root) -> list[dict]:
    items = []
    for item in root.iterfind("k:Items/k:Item", NS):
        criterion = item.find("c:OriginCriterion", NS)
        codes = [etree.QName(criterion[0]).localname] + [
            a.text for a in criterion.iterfind("c:Annotation", NS)
        ]
        quantity = item.find("c:Quantity", NS)
        items.append(
            {
                "number": item.findtext("c:ItemNumber", "", NS),
                "description": item.findtext("c:Description", "", NS),
                "hs": item.findtext("c:HSCode", "", NS),
                "criterion": " ".join(codes),
                "origin": item.findtext("c:CountryOfOrigin", "", NS),
                "quantity": f"{quantity.text} {quantity.get('unit')}",
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
