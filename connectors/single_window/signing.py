"""XML signatures of certificates (XML-DSig, enveloped, RSA-SHA256) with signxml.

The signing key and its self-signed certificate are made on first use and kept beside the
service's database; the certificate is published so that importers can pin it.
"""

import datetime
import hashlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.metadata import version
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier, methods


class SignatureInvalid(ValueError):
    """The certificate's signature is missing, broken, or not made with the pinned key."""

    code = "SIGNATURE_INVALID"


@dataclass(frozen=True)
class SigningIdentity:
    key_pem: bytes
    cert_pem: bytes

    @cached_property
    def _key(self):
        # loaded once: parsing and checking an RSA key costs tens of milliseconds
        return serialization.load_pem_private_key(self.key_pem, password=None)

    @cached_property
    def _cert_chain(self) -> list:
        # parsed once: signxml re-parses (and re-wraps) a PEM string on every signature
        return [_signxml_certificate(self.cert_pem)]

    @classmethod
    def load_or_create(cls, directory: Path, name: str = "Mock Single Window") -> "SigningIdentity":
        key_path = directory / "signing-key.pem"
        cert_path = directory / "signing-certificate.pem"
        if key_path.exists() and cert_path.exists():
            return cls(key_path.read_bytes(), cert_path.read_bytes())
        directory.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{name} certificate signing"),
            ]
        )
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        key_path.write_bytes(key_pem)
        key_path.chmod(0o600)
        cert_path.write_bytes(cert_pem)
        return cls(key_pem, cert_pem)

    def sign(self, root: etree._Element) -> bytes:
        signer = XMLSigner(
            method=methods.enveloped,
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
        )
        signed = signer.sign(root, key=self._key, cert=self._cert_chain)
        return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


@lru_cache(maxsize=16)
def _load_certificate(cert_pem: bytes) -> x509.Certificate:
    """A PEM certificate parsed once (a pinned or own certificate is used again and again)."""
    return x509.load_pem_x509_certificate(cert_pem)


_SIGNXML_MAJOR = int(version("signxml").split(".")[0])


@lru_cache(maxsize=16)
def _signxml_certificate(cert_pem: bytes):
    """A PEM certificate parsed once, as the installed signxml takes it: a cryptography
    certificate from signxml 4 on, a pyOpenSSL X509 before (signxml 3.2 is what fits Odoo
    18's cryptography 3.4.8)."""
    if _SIGNXML_MAJOR >= 4:
        return _load_certificate(cert_pem)
    from OpenSSL import crypto

    return crypto.load_certificate(crypto.FILETYPE_PEM, cert_pem)


@lru_cache(maxsize=16)
def fingerprint(cert_pem: bytes) -> str:
    """SHA-256 fingerprint of a certificate, as colon-separated hex."""
    der = _load_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def verify(signed_xml: bytes, cert_pem: bytes) -> etree._Element:
    """The signed element if the signature holds with the pinned certificate; else raises."""
    from connectors.xmlsafe import XMLUnreadable, parse_untrusted

    try:
        parse_untrusted(signed_xml)  # refuse DTDs and entities before signxml sees it
        pinned = _signxml_certificate(cert_pem.encode() if isinstance(cert_pem, str) else cert_pem)
        result = XMLVerifier().verify(signed_xml, x509_cert=pinned)
    except XMLUnreadable as exc:
        raise SignatureInvalid(f"the certificate is not safe XML: {exc}") from None
    except Exception as exc:  # signxml raises several types; all mean "not verified"
        raise SignatureInvalid(
            f"the signature does not verify: {type(exc).__name__}: {exc}"
        ) from None
    return result.signed_xml
