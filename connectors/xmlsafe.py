"""Reading XML that comes from outside, safely, and validating it against the contract.

Untrusted XML (certificates, receipts, files to validate) is parsed with no DTD, no entity
expansion and no network access; a document that carries a DOCTYPE at all is refused before
anything in it is used (XXE, "billion laughs", external DTDs). Comments and processing
instructions are removed while parsing: the schema validates an element's whole text, while a
reader takes ``.text``, the part before a comment (``<c:Quantity>4<!--c-->00</c:Quantity>``
would validate as 400 and read as 4); without them both see the same text, and it is the text
exclusive c14n signs. Schema validation uses only the schemas in ``xsd/``: an
``xsi:schemaLocation`` in a document is never followed.
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from lxml import etree

MAX_BYTES = 20 * 1024 * 1024

SCHEMAS = {
    "urn:rcep-origin:declaration:1": "declaration-1.xsd",
    "urn:rcep-origin:receipt:1": "receipt-1.xsd",
    "urn:rcep-origin:certificate:1": "certificate-1.xsd",
    "urn:rcep-origin:rejection:1": "rejection-1.xsd",
}


def xsd_path(name: str) -> Path:
    return Path(str(files("rcep_xsd").joinpath(name)))


class XMLUnreadable(ValueError):
    """Not well-formed, too large, or hostile: nothing in it was used."""

    code = "XML_UNREADABLE"


@dataclass(frozen=True)
class SchemaProblem:
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.path}: {self.message}"

    def as_dict(self) -> dict:
        return {"line": self.line, "path": self.path, "message": self.message}


class SchemaInvalid(ValueError):
    code = "SCHEMA_INVALID"

    def __init__(self, problems: list[SchemaProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_untrusted(data: bytes) -> etree._ElementTree:
    """Parse XML from outside; raise XMLUnreadable for anything not plain, well-formed XML.
    Comments and processing instructions are dropped: the tree holds only elements, their
    attributes and whole texts. Every entry point for outside XML comes through here."""
    if len(data) > MAX_BYTES:
        raise XMLUnreadable(f"the document is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        raise XMLUnreadable(f"not well-formed XML: {exc.msg} (line {exc.lineno})") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XMLUnreadable(
            "the document declares a DOCTYPE; DTDs and entities are refused, nothing was read"
        )
    for node in tree.iter():
        if isinstance(node, etree._Entity):
            raise XMLUnreadable("the document uses entity references; they are refused")
    return tree


@cache
def schema(name: str) -> etree.XMLSchema:
    path = xsd_path(name)
    return etree.XMLSchema(etree.parse(str(path), _parser()))


def schema_for(tree: etree._ElementTree) -> etree.XMLSchema:
    namespace = etree.QName(tree.getroot()).namespace
    if namespace not in SCHEMAS:
        raise SchemaInvalid(
            [
                SchemaProblem(
                    tree.getroot().sourceline or 1,
                    tree.getroot().tag,
                    f"unknown document: expected one of the namespaces {', '.join(SCHEMAS)}",
                )
            ]
        )
    return schema(SCHEMAS[namespace])


def problems(tree: etree._ElementTree) -> list[SchemaProblem]:
    """What is wrong with a document against its schema (empty when valid)."""
    try:
        xsd = schema_for(tree)
    except SchemaInvalid as exc:
        return exc.problems
    if xsd.validate(tree):
        return []
    return [SchemaProblem(e.line, e.path or "", e.message) for e in xsd.error_log]


def validate(tree: etree._ElementTree) -> None:
    found = problems(tree)
    if found:
        raise SchemaInvalid(found)


# --- decoding validated elements into data (xmlschema) -------------------------------------


@cache
def schema_model(name: str):
    """The xmlschema model of one of our schemas, for decoding and for checking a value
    against a schema type before it is written. Built from the files in ``xsd/`` only: its
    imports are resolved inside that folder (``allow="sandbox"``), its own parser is defused
    (no DTD, no entities), and it never loads a schema a document names."""
    import xmlschema

    folder = str(xsd_path(""))
    return xmlschema.XMLSchema(
        str(xsd_path(name)), base_url=folder, allow="sandbox", defuse="always"
    )


def decode(element: etree._Element) -> dict:
    """The data of an element that came through ``parse_untrusted`` (a whole document's root,
    or an element inside one, such as the declaration a SOAP request carries), typed by its
    schema: decimals as ``Decimal``, booleans in every spelling the schema takes, integers as
    ``int``, tokens with their white space collapsed, dates as their text; keys are the
    elements' local names, attributes ``@name``, simple content ``$``.

    The element is validated first with lxml (the fast validator; SchemaInvalid naming line,
    path and rule): nothing of an element that fails its schema is decoded. xmlschema is
    then handed the tree itself, never text to parse: it reads no file and no URL
    (``allow="none"``) and ignores ``xsi:schemaLocation`` (location hints are off)."""
    import xmlschema

    namespace = etree.QName(element).namespace
    if namespace not in SCHEMAS:
        raise SchemaInvalid(
            [
                SchemaProblem(
                    element.sourceline or 1,
                    element.tag,
                    f"unknown document: expected one of the namespaces {', '.join(SCHEMAS)}",
                )
            ]
        )
    name = SCHEMAS[namespace]
    checker = schema(name)
    if not checker.validate(element):
        raise SchemaInvalid(
            [SchemaProblem(e.line, e.path or "", e.message) for e in checker.error_log]
        )
    resource = xmlschema.XMLResource(element, allow="none", defuse="always")
    return schema_model(name).decode(
        resource, validation="skip", strip_namespaces=True, use_location_hints=False
    )
