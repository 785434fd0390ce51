"""XML signatures of certificates (XML-DSig, enveloped, RSA-SHA256, exclusive c14n) with signxml.

The signing key and its self-signed certificate are made on first use and kept beside the
service's database; the certificate is published so that importers can pin it.

A signature check answers one question: is the document about to be read exactly the element
that was signed? Only a document whose root is the certificate, with exactly one ds:Signature
as the schema places it (the root's last child), one reference to the root itself (its Id, or
""), the enveloped-signature and exclusive c14n transforms and RSA-SHA256 / SHA-256 passes;
anything else (XML signature wrapping, a second signature, a moved or duplicated Id, other
algorithms) is refused with a code before or after signxml checks the cryptography.
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
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
    methods,
)
from signxml.verifier import SignatureConfiguration

K = "urn:rcep-origin:certificate:1"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
ENVELOPED = f"{DS}enveloped-signature"
# the only signature a certificate may carry: what the Single Window signs with
EXPECTED = SignatureConfiguration(
    location="./",  # a child of the root, and nowhere else
    expect_references=1,
    signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
)
# the attributes signxml resolves a reference URI "#x" with (it matches them by local name)
ID_NAMES = ("Id", "ID", "id")


class SignatureInvalid(ValueError):
    """The certificate's signature is missing, broken, or not made with the pinned key."""

    code = "SIGNATURE_INVALID"


class SignatureMissing(SignatureInvalid):
    """The document carries no signature at all."""

    code = "SIGNATURE_MISSING"


class SignatureWrapped(SignatureInvalid):
    """The signature does not cover exactly the document's root (XML signature wrapping):
    the root is not the certificate, the signature is not where the schema puts it, there is
    more than one, or its reference does not point at the root alone."""

    code = "SIGNATURE_WRAPPED"


class SignatureAlgorithm(SignatureInvalid):
    """A canonicalization, transform, digest or signature method other than the expected."""

    code = "SIGNATURE_ALGORITHM"


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
            c14n_algorithm=EXC_C14N,
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
    """The signed certificate, if the document is exactly the element that was signed and
    the signature holds with the pinned certificate; else raises a SignatureInvalid (its
    ``code`` says which check failed). Read only what this returns."""
    root = signed_root(signed_xml)
    _expected_algorithms(root[-1])
    try:
        pinned = _signxml_certificate(cert_pem.encode() if isinstance(cert_pem, str) else cert_pem)
        # the tree checked above, not the bytes: signxml digests what is read afterwards
        result = XMLVerifier().verify(root, x509_cert=pinned, expect_config=EXPECTED)
    except Exception as exc:  # signxml raises several types; all mean "not verified"
        raise SignatureInvalid(
            f"the signature does not verify: {type(exc).__name__}: {exc}"
        ) from None
    # what was digested must be the root itself, without its signature, and nothing else
    unsigned = etree.fromstring(etree.tostring(root))
    unsigned.remove(unsigned[-1])
    if (
        result.signed_xml is None
        or result.signed_xml.tag != f"{{{K}}}Certificate"
        or result.signed_data != etree.tostring(unsigned, method="c14n", exclusive=True)
    ):
        raise SignatureWrapped("what the signature covers is not the document's root")
    return result.signed_xml


def signed_root(signed_xml: bytes) -> etree._Element:
    """The root of a signed certificate, parsed safely, when the document has the shape
    ``verify`` accepts (the root is the certificate, valid against its schema, with one
    signature as its last child referring to the root alone); else raises. Neither the
    cryptography nor the algorithms are checked here: this is for reading a certificate that
    was verified when it was received (the ledger's, Odoo's attachment), so that even one
    kept before these checks existed (signed with c14n 1.1 then) is never read through a
    wrapper, and is still read when it is not one."""
    from connectors.xmlsafe import XMLUnreadable, parse_untrusted, problems

    try:
        # no DTD, no entities; comments and processing instructions removed: what is checked
        # here, what signxml digests and what is read afterwards are one and the same tree
        root = parse_untrusted(signed_xml).getroot()
    except XMLUnreadable as exc:
        raise SignatureInvalid(f"the certificate is not safe XML: {exc}") from None
    _the_signature(root)
    found = problems(etree.ElementTree(root))
    if found:
        raise SignatureWrapped(f"the signed document does not match certificate-1.xsd: {found[0]}")
    return root


def _the_signature(root: etree._Element) -> etree._Element:
    """The one ds:Signature of a certificate, where the schema puts it, referring to the root."""
    if root.tag != f"{{{K}}}Certificate":
        raise SignatureWrapped(
            f"the document's root is {etree.QName(root).localname} "
            f"({etree.QName(root).namespace}), not a certificate; nothing else is read"
        )
    signatures = list(root.iter(f"{{{DS}}}Signature"))
    if not signatures:
        raise SignatureMissing("the certificate carries no XML signature")
    if len(signatures) > 1:
        raise SignatureWrapped(
            f"the document carries {len(signatures)} signatures; a certificate has exactly one"
        )
    signature = signatures[0]
    if signature.getparent() is not root or root[-1] is not signature:
        raise SignatureWrapped("the signature is not the certificate's last child")
    parts = [child.tag.removeprefix(f"{{{DS}}}") for child in signature]
    if parts not in (["SignedInfo", "SignatureValue"], ["SignedInfo", "SignatureValue", "KeyInfo"]):
        raise SignatureWrapped(
            f"the signature holds {', '.join(parts)}; a certificate's signature holds "
            "SignedInfo, SignatureValue and KeyInfo only (no ds:Object)"
        )
    references = signature.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    if len(references) != 1:
        raise SignatureWrapped(
            f"the signature has {len(references)} references; it must have one, to the root"
        )
    uri = references[0].get("URI")
    own = root.get("Id")
    if uri is None or (uri != "" and (own is None or uri != f"#{own}")):
        raise SignatureWrapped(
            f"the signature refers to {uri!r}, not to the certificate it is in "
            f"({'#' + own if own else 'which has no Id'})"
        )
    if uri:
        same = [
            node
            for node in root.iter(etree.Element)
            if any(etree.QName(a).localname in ID_NAMES and v == own for a, v in node.items())
        ]
        if same != [root]:
            raise SignatureWrapped(
                f"the Id {own!r} is carried by {len(same)} elements; only the root may carry it"
            )
    return signature


def _expected_algorithms(signature: etree._Element) -> None:
    """Exclusive c14n, RSA-SHA256, SHA-256, and the enveloped-signature and exclusive c14n
    transforms only (none with parameters: no XPath, no inclusive namespace list)."""

    def algorithm(path: str) -> str | None:
        node = signature.find(path)
        if node is None or len(node):
            return None
        return node.get("Algorithm")

    info = f"{{{DS}}}SignedInfo"
    reference = f"{info}/{{{DS}}}Reference"
    seen = {
        "canonicalization": algorithm(f"{info}/{{{DS}}}CanonicalizationMethod"),
        "signature method": algorithm(f"{info}/{{{DS}}}SignatureMethod"),
        "digest method": algorithm(f"{reference}/{{{DS}}}DigestMethod"),
    }
    wanted = {
        "canonicalization": EXC_C14N.value,
        "signature method": SignatureMethod.RSA_SHA256.value,
        "digest method": DigestAlgorithm.SHA256.value,
    }
    for what, value in seen.items():
        if value != wanted[what]:
            raise SignatureAlgorithm(f"the {what} is {value!r}; only {wanted[what]} is accepted")
    transforms = signature.findall(f"{reference}/{{{DS}}}Transforms/{{{DS}}}Transform")
    given = [t.get("Algorithm") if not len(t) else "(with parameters)" for t in transforms]
    if given != [ENVELOPED, EXC_C14N.value]:
        raise SignatureAlgorithm(
            f"the transforms are {given}; only enveloped-signature then exclusive c14n are accepted"
        )
