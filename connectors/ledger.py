"""The exporter's own record of declarations and certificates: an embedded SQLite store.

A declaration is written here before it is sent (persist before send), with its idempotency
key, so that a crash or a lost answer never loses it and a retry sends the same key; returned
certificates are kept with their signature status. Credentials are never stored here.
"""

import datetime
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS declarations (
    idempotency_key TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    state TEXT NOT NULL,              -- to_submit, submitted, issued, rejected, error
    declaration_xml BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    reference_number TEXT,
    certificate_number TEXT,
    issued_at TEXT,
    certificate_format TEXT,
    rejection TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS certificates (
    certificate_number TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL,
    signed_xml BLOB NOT NULL,
    pdf BLOB,
    signature_valid INTEGER NOT NULL,
    signing_fingerprint TEXT,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pinned_certificates (endpoint TEXT PRIMARY KEY, pem BLOB NOT NULL);
"""

FIELDS = (
    "idempotency_key",
    "endpoint",
    "state",
    "attempts",
    "reference_number",
    "certificate_number",
    "issued_at",
    "certificate_format",
    "rejection",
    "last_error",
    "created_at",
    "updated_at",
)


class LedgerConflict(ValueError):
    code = "LEDGER_CONFLICT"


@dataclass(frozen=True)
class Entry:
    idempotency_key: str
    endpoint: str
    state: str
    attempts: int
    reference_number: str | None
    certificate_number: str | None
    issued_at: str | None
    certificate_format: str | None
    rejection: str | None
    last_error: str | None
    created_at: str
    updated_at: str

    def as_dict(self) -> dict:
        return {f: getattr(self, f) for f in FIELDS}


def default_path() -> Path:
    if os.environ.get("RCEP_ORIGIN_LEDGER"):
        return Path(os.environ["RCEP_ORIGIN_LEDGER"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "rcep-origin" / "ledger.sqlite3"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


class Ledger:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or default_path())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def record(self, key: str, declaration_xml: bytes, endpoint: str) -> Entry:
        """Keep a declaration before it is sent; the same key must mean the same document."""
        now = _now()
        self.db.execute(
            "INSERT OR IGNORE INTO declarations (idempotency_key, endpoint, state, "
            "declaration_xml, created_at, updated_at) VALUES (?, ?, 'to_submit', ?, ?, ?)",
            (key, endpoint, declaration_xml, now, now),
        )
        stored = self.db.execute(
            "SELECT declaration_xml FROM declarations WHERE idempotency_key = ?", (key,)
        ).fetchone()[0]
        if bytes(stored) != declaration_xml:
            raise LedgerConflict(
                f"the ledger already holds another declaration under key {key}; give the new "
                "declaration its own idempotency key"
            )
        return self.entry(key)

    def record_for_sending(
        self, key: str, declaration_xml: bytes, endpoint: str
    ) -> tuple[Entry, bool]:
        """record(), and count_attempt() when the declaration is to be sent at once (it was
        never sent, or its last attempt failed for sure), in one transaction: kept and marked
        "submitted" before anything leaves, with one commit (one sync) instead of two.
        Returns the entry as it was before the count, and whether the attempt was counted."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            entry = self.record(key, declaration_xml, endpoint)
            counted = entry.state in ("to_submit", "error")
            if counted:
                self.count_attempt(key)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return entry, counted

    def update(self, key: str, **fields) -> Entry:
        fields["updated_at"] = _now()
        columns = ", ".join(f"{name} = ?" for name in fields)
        self.db.execute(
            f"UPDATE declarations SET {columns} WHERE idempotency_key = ?", (*fields.values(), key)
        )
        return self.entry(key)

    def count_attempt(self, key: str) -> None:
        self.db.execute(
            "UPDATE declarations SET attempts = attempts + 1, state = 'submitted', "
            "updated_at = ? WHERE idempotency_key = ?",
            (_now(), key),
        )

    def entry(self, key: str) -> Entry | None:
        row = self.db.execute(
            f"SELECT {', '.join(FIELDS)} FROM declarations WHERE idempotency_key = ?", (key,)
        ).fetchone()
        return Entry(*row) if row else None

    def declaration(self, key: str) -> bytes:
        return bytes(
            self.db.execute(
                "SELECT declaration_xml FROM declarations WHERE idempotency_key = ?", (key,)
            ).fetchone()[0]
        )

    def entries(self) -> list[Entry]:
        rows = self.db.execute(
            f"SELECT {', '.join(FIELDS)} FROM declarations ORDER BY created_at, idempotency_key"
        ).fetchall()
        return [Entry(*row) for row in rows]

    def store_certificate(
        self,
        number: str,
        key: str,
        signed_xml: bytes,
        pdf: bytes | None,
        valid: bool,
        fingerprint: str | None,
    ) -> None:
        # a kept certificate whose signature verified is never replaced by one that does not
        # (a forged or broken answer that carries its number)
        self.db.execute(
            "INSERT INTO certificates VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (certificate_number) DO UPDATE SET "
            "idempotency_key = excluded.idempotency_key, signed_xml = excluded.signed_xml, "
            "pdf = excluded.pdf, signature_valid = excluded.signature_valid, "
            "signing_fingerprint = excluded.signing_fingerprint, "
            "received_at = excluded.received_at "
            "WHERE excluded.signature_valid = 1 OR certificates.signature_valid = 0",
            (number, key, signed_xml, pdf, int(valid), fingerprint, _now()),
        )

    def settle(
        self,
        key: str,
        number: str,
        signed_xml: bytes,
        valid: bool,
        fingerprint: str | None,
        **fields,
    ) -> Entry:
        """Keep a returned certificate and the declaration's new state in one transaction."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.store_certificate(number, key, signed_xml, None, valid, fingerprint)
            self.update(key, certificate_number=number, **fields)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return self.entry(key)

    def certificate(self, number: str) -> tuple[bytes, bytes | None, bool, str | None] | None:
        row = self.db.execute(
            "SELECT signed_xml, pdf, signature_valid, signing_fingerprint "
            "FROM certificates WHERE certificate_number = ?",
            (number,),
        ).fetchone()
        if row is None:
            return None
        return bytes(row[0]), bytes(row[1]) if row[1] is not None else None, bool(row[2]), row[3]

    def pinned(self, endpoint: str) -> bytes | None:
        row = self.db.execute(
            "SELECT pem FROM pinned_certificates WHERE endpoint = ?", (endpoint,)
        ).fetchone()
        return bytes(row[0]) if row else None

    def pin(self, endpoint: str, pem: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO pinned_certificates VALUES (?, ?)", (endpoint, pem))
