"""The mock Single Window's business side: receive a declaration once, check it, issue a
signed certificate or a coded rejection, and keep everything in SQLite so that a restart or a
crash between requests loses nothing and a repeated idempotency key never issues twice."""

import datetime
import hashlib
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from connectors.declaration import C, Declaration, from_xml
from connectors.single_window import second_level
from connectors.single_window.signing import SigningIdentity
from rcep_rules import Reference

K = "urn:rcep-origin:certificate:1"
R = "urn:rcep-origin:receipt:1"
J = "urn:rcep-origin:rejection:1"
D = "urn:rcep-origin:declaration:1"
FORMAT = "RCEP-CO-XML-1"
# a token's Created may be 5 minutes off either way (server.FRESHNESS), so a nonce can be
# replayed with a fresh-looking token for at most 10 minutes after it was seen: kept that long
NONCE_KEPT = datetime.timedelta(minutes=10)
PRUNE_EVERY = datetime.timedelta(minutes=1)
ISSUING_BODY = ("Mock Single Window (test customs)", "Loopback, test only", "CN")

SCHEMA = """
CREATE TABLE IF NOT EXISTS declarations (
    idempotency_key TEXT PRIMARY KEY,
    payload_sha256 TEXT NOT NULL,
    reference_number TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    declaration_xml BLOB NOT NULL,
    certificate_number TEXT UNIQUE,
    rejection_xml BLOB
);
CREATE TABLE IF NOT EXISTS certificates (
    certificate_number TEXT PRIMARY KEY,
    reference_number TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    signed_xml BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, seen_at TEXT NOT NULL);
"""


class IdempotencyConflict(ValueError):
    code = "IDEMPOTENCY_CONFLICT"


class NonceReplayed(ValueError):
    code = "NONCE_REPLAYED"


@dataclass(frozen=True)
class Record:
    idempotency_key: str
    reference_number: str
    status: str
    received_at: str
    updated_at: str
    certificate_number: str | None
    rejection_xml: bytes | None

    def receipt(self) -> etree._Element:
        root = etree.Element(f"{{{R}}}Receipt", nsmap={"r": R})
        for tag, value in (
            ("ReferenceNumber", self.reference_number),
            ("IdempotencyKey", self.idempotency_key),
            ("Status", self.status),
            ("ReceivedAt", self.received_at),
            ("UpdatedAt", self.updated_at),
            ("CertificateNumber", self.certificate_number),
        ):
            if value is not None:
                etree.SubElement(root, f"{{{R}}}{tag}").text = value
        return root


def now_utc() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def content_form(declaration: etree._Element) -> bytes:
    """What "the same content" of a declaration means (contract 1.2; single-window-1.xsd
    says so to clients): its exclusive canonical XML without comments (no namespace
    declarations dragged in from the envelope), after whitespace-only text between elements
    is removed (pretty-printed or not) and every namespace is given its usual prefix (d:, c:;
    others ns0, ns1, ... in order), so that any SOAP stack's serialisation of one declaration
    gives the same bytes. Text inside a leaf is data and is kept as it is."""
    prefixes = {D: "d", C: "c"}

    def copy(node, parent):
        new = etree.SubElement(parent, node.tag) if parent is not None else None
        if new is None:
            new = etree.Element(node.tag, nsmap={p: ns for ns, p in prefixes.items()})
        for name, value in node.attrib.items():
            new.set(name, value)
        children = [child for child in node if isinstance(child.tag, str)]  # no comments, PIs
        if children:
            if node.text and node.text.strip():
                new.text = node.text
            for child in children:
                made = copy(child, new)
                if child.tail and child.tail.strip():
                    made.tail = child.tail
        else:
            new.text = node.text
        return new

    return etree.tostring(
        copy(declaration, None), method="c14n", exclusive=True, with_comments=False
    )


class Service:
    def __init__(self, db_path: Path, reference: Reference | None = None) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.reference = reference or Reference.load(rule_files=())
        self.identity = SigningIdentity.load_or_create(self.db_path.parent)
        self._local = threading.local()
        # the service's clock (the token freshness check uses it too); tests move it
        self.clock = lambda: datetime.datetime.now(datetime.UTC)
        self._pruned_at = None
        with self._db() as db:
            db.executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "db", None)
        if connection is None:
            connection = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            self._local.db = connection
        return connection

    # --- operations ---------------------------------------------------------------------------

    def submit(
        self,
        declaration_xml: bytes,
        declaration: Declaration | None = None,
        nonce: str | None = None,
        legacy_xml: Callable[[], bytes] | None = None,
    ) -> Record:
        """Receive a schema-valid declaration (its bytes in ``content_form``). Idempotent by
        key: the same key with the same content form returns the same record.

        ``declaration`` is what the bytes say when the caller has already read them from the
        same validated element (the SOAP server does); otherwise they are parsed and validated
        here. ``nonce`` is the request's WS-Security nonce: it is remembered in the same
        transaction as a new declaration (one commit, one sync instead of two), or on its
        own when nothing new is written; NonceReplayed when it was seen before.
        ``legacy_xml`` gives, when asked, the form a service before contract 1.2 hashed (the
        element's inclusive c14n): a declaration stored then is still the same content.
        """
        if declaration is None:
            from connectors.xmlsafe import parse_untrusted

            declaration = from_xml(declaration_xml)
            declaration_xml = content_form(parse_untrusted(declaration_xml).getroot())
        digest = hashlib.sha256(declaration_xml).hexdigest()
        existing = self.find(key=declaration.idempotency_key)
        if existing is not None:
            self._remember_or_refuse(nonce)
            return self._same_payload(existing, digest, legacy_xml)
        reasons = second_level.check(declaration, self.reference)
        db = self._db()
        db.execute("BEGIN IMMEDIATE")  # one writer: two requests can never both issue
        try:
            existing = self.find(key=declaration.idempotency_key)
            if existing is None:
                if nonce is not None and not self.remember_nonce(nonce):
                    raise NonceReplayed("this nonce was used before: replay refused")
                self._write(declaration, declaration_xml, digest, reasons)
                db.execute("COMMIT")
            else:  # another request with this key got there first
                db.execute("ROLLBACK")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        if existing is not None:
            self._remember_or_refuse(nonce)
            return self._same_payload(existing, digest, legacy_xml)
        return self.find(key=declaration.idempotency_key)

    def _write(self, declaration, declaration_xml: bytes, digest: str, reasons) -> None:
        """The new declaration, and its certificate or rejection (inside the transaction)."""
        db = self._db()
        stamp = now_utc()
        reference = self._next("reference", f"SW-{stamp[:10].replace('-', '')}-", 6)
        number = signed = rejection = None
        if reasons:
            status, rejection = "REJECTED", _rejection(declaration, reference, stamp, reasons)
        else:
            number = self._certificate_number(declaration, stamp)
            signed = self.identity.sign(_certificate(declaration, number, reference, stamp))
            status = "ISSUED"
        db.execute(
            "INSERT INTO declarations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                declaration.idempotency_key,
                digest,
                reference,
                status,
                stamp,
                stamp,
                declaration_xml,
                number,
                rejection,
            ),
        )
        if signed is not None:
            db.execute(
                "INSERT INTO certificates VALUES (?, ?, ?, ?)",
                (number, reference, stamp, signed),
            )

    def find(self, key: str | None = None, reference: str | None = None) -> Record | None:
        column, value = ("idempotency_key", key) if key else ("reference_number", reference)
        row = (
            self._db()
            .execute(
                "SELECT idempotency_key, reference_number, status, received_at, updated_at, "
                f"certificate_number, rejection_xml FROM declarations WHERE {column} = ?",
                (value,),
            )
            .fetchone()
        )
        return Record(*row) if row else None

    def certificate(self, number: str) -> bytes | None:
        row = (
            self._db()
            .execute("SELECT signed_xml FROM certificates WHERE certificate_number = ?", (number,))
            .fetchone()
        )
        return bytes(row[0]) if row else None

    def remember_nonce(self, nonce: str) -> bool:
        """False when the nonce was seen before (a replayed request). Nonces older than
        NONCE_KEPT are forgotten (at most once a minute): a token that old is refused as
        stale anyway, so the table holds about ten minutes of requests, not all of them."""
        now = self.clock()
        db = self._db()
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = now
            cutoff = (now - NONCE_KEPT).isoformat(timespec="seconds")
            db.execute("DELETE FROM nonces WHERE seen_at < ?", (cutoff,))
        try:
            db.execute(
                "INSERT INTO nonces VALUES (?, ?)", (nonce, now.isoformat(timespec="seconds"))
            )
            return True
        except sqlite3.IntegrityError:
            return False

    def nonce_seen(self, nonce: str) -> bool:
        """True when the nonce is remembered already (a read; nothing is written)."""
        row = self._db().execute("SELECT 1 FROM nonces WHERE nonce = ?", (nonce,)).fetchone()
        return row is not None

    def _remember_or_refuse(self, nonce: str | None) -> None:
        if nonce is not None and not self.remember_nonce(nonce):
            raise NonceReplayed("this nonce was used before: replay refused")

    # --- helpers ------------------------------------------------------------------------------

    def _same_payload(self, record: Record, digest: str, legacy_xml=None) -> Record:
        stored = (
            self._db()
            .execute(
                "SELECT payload_sha256 FROM declarations WHERE idempotency_key = ?",
                (record.idempotency_key,),
            )
            .fetchone()[0]
        )
        if stored != digest and not (
            legacy_xml is not None and stored == hashlib.sha256(legacy_xml()).hexdigest()
        ):
            raise IdempotencyConflict(
                f"idempotency key {record.idempotency_key} was used for another declaration "
                f"({record.reference_number}); a new declaration needs a new key"
            )
        return record

    def _next(self, name: str, prefix: str, width: int) -> str:
        key = f"{name}:{prefix}"
        db = self._db()
        db.execute("INSERT OR IGNORE INTO counters VALUES (?, 0)", (key,))
        db.execute("UPDATE counters SET value = value + 1 WHERE name = ?", (key,))
        value = db.execute("SELECT value FROM counters WHERE name = ?", (key,)).fetchone()[0]
        return f"{prefix}{value:0{width}d}"

    def _certificate_number(self, declaration: Declaration, stamp: str) -> str:
        """R + two-digit year + the exporter's 10-character customs code + a 5-digit serial
        of that exporter and year: 18 characters, unique (documented in README)."""
        return self._next("certificate", f"R{stamp[2:4]}{declaration.exporter.customs_code}", 5)


def _rejection(declaration, reference: str, stamp: str, reasons) -> bytes:
    root = etree.Element(f"{{{J}}}Rejection", nsmap={"j": J})
    etree.SubElement(root, f"{{{J}}}ReferenceNumber").text = reference
    etree.SubElement(root, f"{{{J}}}IdempotencyKey").text = declaration.idempotency_key
    etree.SubElement(root, f"{{{J}}}RejectedAt").text = stamp
    for reason in reasons:
        node = etree.SubElement(root, f"{{{J}}}Reason")
        etree.SubElement(node, f"{{{J}}}Code").text = reason.code
        etree.SubElement(node, f"{{{J}}}FieldPath").text = reason.field_path[:512]
        etree.SubElement(node, f"{{{J}}}Message").text = reason.message[:512]
    return etree.tostring(root)


def _certificate(
    declaration: Declaration, number: str, reference: str, stamp: str
) -> etree._Element:
    """The certificate: Annex 3B data of the declaration, without the evidence."""
    from connectors.declaration import (
        common,
        write_address,
        write_item,
        write_transport_and_invoices,
    )

    root = etree.Element(f"{{{K}}}Certificate", nsmap={"k": K, "c": C}, Id="certificate")

    def k(tag: str, text: str | None = None):
        node = etree.SubElement(root, f"{{{K}}}{tag}")
        node.text = text
        return node

    k("CertificateNumber", number)
    k("ReferenceNumber", reference)
    k("IssuedAt", stamp)
    body = k("IssuingBody")
    for tag, value in zip(("Name", "Address", "Country"), ISSUING_BODY, strict=True):
        common(body, tag, value)
    k("Format", FORMAT)
    write_address(root, "Exporter", declaration.exporter, ns=K)
    if declaration.producer:
        write_address(root, "Producer", declaration.producer, ns=K)
    write_address(root, "Importer", declaration.importer, ns=K)
    write_transport_and_invoices(root, declaration, K)
    items = k("Items")
    for item in declaration.items:
        write_item(etree.SubElement(items, f"{{{K}}}Item"), item, evidence=False)
    return root
