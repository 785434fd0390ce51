"""What an administrator is shown of a signing certificate before pinning it: subject, validity
and SHA-256 fingerprint (the certificate itself is PEM, not XML)."""

import datetime

from cryptography import x509

from connectors.single_window.signing import fingerprint


class NotACertificate(ValueError):
    """The text is not a PEM X.509 certificate."""

    code = "NOT_A_CERTIFICATE"


def certificate_facts(cert_pem: bytes) -> dict:
    """Subject, validity (aware UTC datetimes) and fingerprint of a PEM certificate."""
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise NotACertificate(f"not a PEM certificate: {exc}") from None
    return {
        "subject": cert.subject.rfc4514_string(),
        "not_before": _utc(cert, "not_valid_before"),
        "not_after": _utc(cert, "not_valid_after"),
        "fingerprint": fingerprint(cert_pem),
    }


def _utc(cert: x509.Certificate, name: str) -> datetime.datetime:
    # cryptography 42 added the aware *_utc properties and deprecated the naive ones; Odoo 18
    # runs with 3.4.8, which has only the naive (UTC) ones
    aware = getattr(cert, f"{name}_utc", None)
    if aware is not None:
        return aware
    return getattr(cert, name).replace(tzinfo=datetime.UTC)
