"""The declaration (certificate application) sent to the Single Window, in four parts:

- ``model``: the schema's structure (``xsd/declaration-1.xsd``) as frozen dataclasses, and
  ``DeclarationError``;
- ``building``: a shipment file and the engine's evaluation of each item to the model,
  every problem named by its path in the shipment file;
- ``writing``: the model to XML, validated before it can be written anywhere;
- ``reading``: validated XML back to the model (xmlschema decodes; lxml validates).

Everything is importable from ``connectors.declaration`` as before the split.
"""

from .building import build, load_shipment_file
from .decoding import decode_validated, decode_xml
from .model import (
    CENT,
    MEANS,
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
from .reading import from_xml, read_validated
from .writing import (
    common,
    own,
    to_xml,
    write_address,
    write_item,
    write_transport_and_invoices,
)

# the names the certificate builder used before the split (single_window/service.py)
_c, _d, _address = common, own, write_address
_item_xml, _transport_and_invoices = write_item, write_transport_and_invoices

__all__ = [
    "CENT",
    "MEANS",
    "XML_SPACE",
    "Address",
    "BackToBack",
    "BomLine",
    "C",
    "D",
    "Declaration",
    "DeclarationError",
    "Evidence",
    "Exporter",
    "Invoice",
    "Item",
    "ProofInfo",
    "RuleApplied",
    "RvcFigures",
    "ThirdPartyInvoicing",
    "Transport",
    "build",
    "common",
    "decode_validated",
    "decode_xml",
    "from_xml",
    "load_shipment_file",
    "own",
    "read_validated",
    "to_xml",
    "write_address",
    "write_item",
    "write_transport_and_invoices",
]
