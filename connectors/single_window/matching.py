"""Is an issued certificate this declaration's? What the client compares before it keeps one.

A signature proves who signed a certificate, not for which declaration: a man in the middle
(the default endpoint is plain HTTP) or a faulty service can answer with a genuinely signed
certificate of another declaration. The client accepts a certificate only when the receipt is
for the idempotency key it sent, the certificate's numbers are the receipt's and its Annex 3B
content is the declaration it sent: exporter, producer and
importer, transport, invoices, and each item (number, marks, packages, description, HS code,
national code, criterion with its annotations, FOB value where RVC, origin, quantity and unit).
Texts are compared with XML white space collapsed, numbers as decimals; nothing else is
normalised.
"""

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from lxml import etree

from connectors.declaration import Address, C, Declaration

K = "urn:rcep-origin:certificate:1"
_SPACES = re.compile(r"[ \t\r\n]+")
NS = {"k": K, "c": C}
MISSING = "(missing)"


class CertificateMismatch(ValueError):
    """The certificate is genuinely signed but is not the one of the declaration sent."""

    code = "CERTIFICATE_MISMATCH"

    def __init__(self, differences: list[str]) -> None:
        shown = "; ".join(differences[:5]) + (
            f"; and {len(differences) - 5} more" if len(differences) > 5 else ""
        )
        super().__init__(
            f"the certificate returned is not this declaration's ({shown}); it was not kept "
            "as issued"
        )
        self.differences = differences


def check(certificate: etree._Element, declaration: Declaration, receipt) -> None:
    """Raise CertificateMismatch unless the verified certificate element is the one issued
    for ``declaration`` under ``receipt`` (its IdempotencyKey, ReferenceNumber and
    CertificateNumber, as zeep reads a r:Receipt)."""
    differences = differences_between(certificate, declaration, receipt)
    if differences:
        raise CertificateMismatch(differences)


def differences_between(
    certificate: etree._Element, declaration: Declaration, receipt
) -> list[str]:
    """Where the certificate and the receipt differ from the declaration sent, in words."""
    out = []
    if receipt.IdempotencyKey != declaration.idempotency_key:
        out.append(
            f"receipt IdempotencyKey: sent {declaration.idempotency_key!r}, receipt says "
            f"{receipt.IdempotencyKey!r}"
        )
    expected = {
        "CertificateNumber": _plain(receipt.CertificateNumber),
        "ReferenceNumber": _plain(receipt.ReferenceNumber),
        **_declared(declaration),
    }
    found = _certified(certificate)
    for path in dict.fromkeys([*expected, *found]):
        want, got = expected.get(path, MISSING), found.get(path, MISSING)
        if want != got:
            out.append(f"{path}: sent {_say(want)}, certificate says {_say(got)}")
    return out


# --- the two sides, as the same flat facts ---------------------------------------------------


def _declared(d: Declaration) -> dict[str, object]:
    facts: dict[str, object] = {}

    def party(tag: str, p: Address | None) -> None:
        if p is not None:
            facts.update(
                {
                    f"{tag}/Name": _plain(p.name),
                    f"{tag}/Address": _plain(p.address),
                    f"{tag}/Country": _plain(p.country),
                }
            )

    party("Exporter", d.exporter)
    facts["Exporter/CustomsCode"] = _plain(d.exporter.customs_code)
    party("Producer", d.producer)
    party("Importer", d.importer)
    t = d.transport
    facts |= {
        "Transport/DepartureDate": t.departure_date.isoformat(),
        "Transport/Means": _plain(t.means),
        "Transport/VesselOrFlight": _plain(t.vessel_or_flight),
        "Transport/PortOfLoading": _plain(t.port_of_loading),
        "Transport/PortOfDischarge": _plain(t.port_of_discharge),
    }
    for n, invoice in enumerate(d.invoices, 1):
        facts[f"Invoices/Invoice[{n}]/Number"] = _plain(invoice.number)
        facts[f"Invoices/Invoice[{n}]/Date"] = invoice.date.isoformat()
    for n, item in enumerate(d.items, 1):
        at = f"Items/Item[{n}]"
        facts |= {
            f"{at}/ItemNumber": Decimal(item.number),
            f"{at}/MarksAndNumbers": _plain(item.marks_and_numbers),
            f"{at}/Packages/Number": Decimal(item.packages_number),
            f"{at}/Packages/Kind": _plain(item.packages_kind),
            f"{at}/Description": _plain(item.description),
            f"{at}/HSCode": _plain(item.hs),
            f"{at}/OriginCriterion": item.criterion,
            f"{at}/OriginCriterion/Annotation": " ".join(item.annotations),
            f"{at}/CountryOfOrigin": _plain(item.country_of_origin),
            f"{at}/Quantity": item.quantity,
            f"{at}/Quantity/@unit": item.unit,
        }
        if item.national_code:
            facts[f"{at}/NationalCode"] = _plain(item.national_code)
        if item.criterion == "RVC":
            facts[f"{at}/OriginCriterion/RVC/FOBValue"] = item.fob_value
            facts[f"{at}/OriginCriterion/RVC/FOBValue/@currency"] = item.currency
    return facts


def _certified(root: etree._Element) -> dict[str, object]:
    facts: dict[str, object] = {}

    def text(path: str, node=root):
        found = _find(node, path)
        return MISSING if found is None else _plain(found.text)

    facts["CertificateNumber"] = text("k:CertificateNumber")
    facts["ReferenceNumber"] = text("k:ReferenceNumber")
    for tag in ("Exporter", "Producer", "Importer"):
        if _find(root, f"k:{tag}") is not None:
            for field in ("Name", "Address", "Country"):
                facts[f"{tag}/{field}"] = text(f"k:{tag}/c:{field}")
    facts["Exporter/CustomsCode"] = text("k:Exporter/c:CustomsCode")
    for field in ("DepartureDate", "Means", "VesselOrFlight", "PortOfLoading", "PortOfDischarge"):
        facts[f"Transport/{field}"] = text(f"k:Transport/c:{field}")
    for n, invoice in enumerate(root.iterfind("k:Invoices/c:Invoice", NS), 1):
        facts[f"Invoices/Invoice[{n}]/Number"] = text("c:Number", invoice)
        facts[f"Invoices/Invoice[{n}]/Date"] = text("c:Date", invoice)
    for n, item in enumerate(root.iterfind("k:Items/k:Item", NS), 1):
        at = f"Items/Item[{n}]"
        criterion = _find(item, "c:OriginCriterion")
        base = criterion[0] if criterion is not None and len(criterion) else None
        quantity = _find(item, "c:Quantity")
        facts |= {
            f"{at}/ItemNumber": _number(text("c:ItemNumber", item)),
            f"{at}/MarksAndNumbers": text("c:MarksAndNumbers", item),
            f"{at}/Packages/Number": _number(text("c:Packages/c:Number", item)),
            f"{at}/Packages/Kind": text("c:Packages/c:Kind", item),
            f"{at}/Description": text("c:Description", item),
            f"{at}/HSCode": text("c:HSCode", item),
            f"{at}/OriginCriterion": MISSING if base is None else etree.QName(base).localname,
            f"{at}/OriginCriterion/Annotation": " ".join(
                _plain(a.text) for a in item.iterfind("c:OriginCriterion/c:Annotation", NS)
            ),
            f"{at}/CountryOfOrigin": text("c:CountryOfOrigin", item),
            f"{at}/Quantity": MISSING if quantity is None else _number(_plain(quantity.text)),
            f"{at}/Quantity/@unit": MISSING if quantity is None else quantity.get("unit"),
        }
        if _find(item, "c:NationalCode") is not None:
            facts[f"{at}/NationalCode"] = text("c:NationalCode", item)
        fob = _find(item, "c:OriginCriterion/c:RVC/c:FOBValue")
        if fob is not None:
            facts[f"{at}/OriginCriterion/RVC/FOBValue"] = _number(_plain(fob.text))
            facts[f"{at}/OriginCriterion/RVC/FOBValue/@currency"] = fob.get("currency")
    return facts


@cache
def _steps(path: str) -> tuple[str, ...]:
    return tuple(f"{{{NS[step[0]]}}}{step[2:]}" for step in path.split("/"))


def _find(node, path: str):
    """The element at a path of child steps ("k:Exporter/c:Name"), or None; each step is
    the first child of that name (the schema has one of each)."""
    for tag in _steps(path):
        node = next(node.iterchildren(tag), None)
        if node is None:
            return None
    return node


def _plain(text: str | None) -> str:
    """A text with XML white space collapsed, as xs:token reads it."""
    if text is None:
        return MISSING
    return _SPACES.sub(" ", text).strip(" ")


def _number(text: str) -> object:
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return text


def _say(value: object) -> str:
    return value if value == MISSING else repr(str(value))
