"""The exporter's connection to the Single Window, with zeep.

Safe parsing settings (no DTD, no entities, no external references), connect and operation
timeouts, TLS verification on by default, WS-Security UsernameToken. Every declaration is in
the ledger before it is sent; transient failures (connection errors, timeouts, HTTP 5xx, SOAP
Server faults) are retried with exponential backoff and jitter and always the same idempotency
key, and after an unknown outcome the status is asked before anything is sent again. Business
rejections and Client faults are never retried. A certificate counts as issued only when its
XML signature verifies with the pinned signing certificate and it is this declaration's: its
numbers are the receipt's and its content is the declaration sent (matching.py); a receipt
for another idempotency key is refused too. Every answer is read through the one safe parser
(connectors/xmlsafe.py) before zeep reads it.
"""

import base64
import contextlib
import copy
import json
import os
import random
import ssl
import threading
import time
from dataclasses import dataclass

import requests
import urllib3
import zeep
from lxml import etree
from zeep import exceptions as zeep_errors
from zeep import xsd
from zeep.exceptions import Fault, TransportError
from zeep.exceptions import XMLSyntaxError as ZeepXMLSyntaxError
from zeep.transports import Transport
from zeep.wsse import utils as zeep_wsse_utils
from zeep.wsse.username import UsernameToken

from connectors.declaration import Declaration, read_validated
from connectors.ledger import Entry, Ledger
from connectors.single_window import SOAP_ENV, SW, matching
from connectors.single_window.signing import SignatureInvalid, fingerprint, verify
from connectors.xmlsafe import XMLUnreadable, parse_untrusted, validate, xsd_path

BINDING = f"{{{SW}}}SingleWindowBinding"
# what zeep raises for a DTD, entities or external references (zeep 4.2 has the first two)
FORBIDDEN = tuple(
    getattr(zeep_errors, name)
    for name in ("DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden")
    if hasattr(zeep_errors, name)
)


# a published signing certificate is a few kilobytes; an answer past this is not one
MAX_CERTIFICATE_BYTES = 1024 * 1024


class SingleWindowError(Exception):
    """A failure with a code and a message; ``transient`` ones may be retried."""

    def __init__(
        self,
        code: str,
        message: str,
        transient: bool = False,
        http_status: int | None = None,
        timed_out: bool = False,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.transient = code, message, transient
        self.http_status = http_status  # the Single Window's HTTP answer, where it matters
        self.timed_out = timed_out  # UNREACHABLE because it did not answer within the timeouts


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    certificate_xml: bytes | None = None
    rejection: list[dict] | None = None


class SingleWindowClient:
    def __init__(
        self,
        endpoint: str,
        username: str,
        password: str,
        ledger: Ledger,
        *,
        digest: bool = True,
        connect_timeout: float = 5.0,
        operation_timeout: float = 30.0,
        verify_tls: bool = True,
        signing_cert_pem: bytes | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        sleep=time.sleep,
    ) -> None:
        self.endpoint, self.ledger = endpoint, ledger
        self.retries, self.backoff, self.max_backoff, self.sleep = (
            retries,
            backoff,
            max_backoff,
            sleep,
        )
        self.session = _session(endpoint, verify_tls)
        transport = _SafeTransport(
            session=self.session, timeout=connect_timeout, operation_timeout=operation_timeout
        )
        settings = zeep.Settings(
            strict=True,
            xml_huge_tree=False,
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        self._raw = _RawDeclaration()
        client = zeep.Client(
            str(xsd_path("single-window-1.wsdl")),
            transport=transport,
            settings=settings,
            wsse=_UsernameToken(username, password, use_digest=digest),
            plugins=[self._raw],
        )
        # the answers' timestamps (c:ZonedDateTime) are kept as the service wrote them; nothing
        # here computes with them. zeep's reading into datetime cannot hold every value the
        # schema allows (24:00:00, years past 9999 or before 1): on those it logged a traceback
        # for each answer and dropped the value. This client's own schema object only.
        client.get_type("{urn:rcep-origin:common:1}ZonedDateTime").pythonvalue = str
        self.service = client.create_service(BINDING, endpoint)
        self._timeouts = (connect_timeout, operation_timeout)
        if signing_cert_pem:
            ledger.pin(endpoint, signing_cert_pem)

    # --- the signing certificate ----------------------------------------------------------------

    def signing_certificate(self) -> bytes:
        """The pinned certificate of this endpoint; fetched and pinned on first use."""
        pinned = self.ledger.pinned(self.endpoint)
        if pinned is None:
            pinned = self.fetch_signing_certificate()
            self.ledger.pin(self.endpoint, pinned)
        return pinned

    def fetch_signing_certificate(self) -> bytes:
        """The signing certificate the endpoint publishes now (PEM), read and not pinned: the
        one HTTP fetch of it. A SingleWindowError when there is none to use: an answer other
        than 200, or one that is not a PEM certificate, is NO_SIGNING_CERTIFICATE (with the
        answer's ``http_status``); a PEM certificate that cannot be read is
        SIGNING_CERTIFICATE_UNREADABLE; no answer is classified as for any request
        (UNREACHABLE, TLS_UNTRUSTED)."""
        url = f"{self.endpoint}/signing-certificate.pem"
        try:
            with self.session.get(url, timeout=self._timeouts, stream=True) as answer:
                status, body = answer.status_code, b""
                for chunk in answer.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > MAX_CERTIFICATE_BYTES:  # not read to the end: no PEM is this
                        break
        except requests.RequestException as exc:
            raise _classify(exc) from None
        if status != 200:
            raise SingleWindowError(
                "NO_SIGNING_CERTIFICATE",
                f"{self.endpoint} published no signing certificate (HTTP {status})",
                http_status=status,
            )
        if len(body) > MAX_CERTIFICATE_BYTES or b"-----BEGIN CERTIFICATE-----" not in body:
            raise SingleWindowError(
                "NO_SIGNING_CERTIFICATE",
                f"{self.endpoint} published no signing certificate (HTTP 200, but the answer "
                "is not a PEM certificate)",
                http_status=status,
            )
        try:
            fingerprint(body)  # parses it
        except ValueError:
            raise SingleWindowError(
                "SIGNING_CERTIFICATE_UNREADABLE",
                f"{self.endpoint} published a signing certificate that cannot be read",
                http_status=status,
            ) from None
        return body

    def registered_certificate(self, number: str) -> bytes:
        """The signed certificate XML the Single Window holds under ``number``, its exact
        bytes (for checking a certificate someone sent); failures as SingleWindowError."""
        try:
            return self.service.GetCertificate(CertificateNumber=number).SignedCertificate
        except Exception as exc:
            raise _classify(exc) from None

    # --- operations ----------------------------------------------------------------------------

    def submit(self, declaration_xml: bytes, sent_before: bool = False) -> Outcome:
        """Send a declaration (schema-checked first; nothing invalid leaves) and settle it.
        ``sent_before``: it left once from a store other than this ledger (an Odoo record) and
        its answer was never seen: the status is asked first, as for the ledger's own."""
        tree, declaration = _checked(declaration_xml)
        key = declaration.idempotency_key
        # kept before it is sent (and, when it goes at once, its first attempt counted)
        entry, counted = self.ledger.record_for_sending(key, declaration_xml, self.endpoint)
        if entry.state in ("issued", "rejected"):
            return self._stored(entry)
        unknown = sent_before or entry.state == "submitted"  # sent before, answer never seen
        for attempt in range(self.retries + 1):
            try:
                if unknown:
                    status = self.status(key)
                    if status is not None:
                        return self._settle(declaration, status)
                if not counted:
                    self.ledger.count_attempt(key)
                counted, unknown = False, True
                with self._raw.sending(tree.getroot()):  # the tree checked is the one sent
                    response = _once_more_if_stale(
                        lambda: self.service.SubmitDeclaration(
                            Declaration=xsd.SkipValue, _soapheaders=[_return_certificate()]
                        )
                    )
                return self._settle(declaration, response)
            except SingleWindowError as error:
                if not error.transient:
                    self.ledger.update(key, state="error", last_error=str(error))
                    raise
                last = error
            except Exception as exc:
                error = _classify(exc)
                if not error.transient:
                    self.ledger.update(key, state="error", last_error=str(error))
                    raise error from None
                last = error
            self.ledger.update(key, state="submitted", last_error=str(last))
            if attempt < self.retries:
                delay = min(self.max_backoff, self.backoff * 2**attempt)
                self.sleep(delay * random.uniform(0.5, 1.5))
        raise SingleWindowError(
            last.code,
            f"{last.message} (after {self.retries + 1} attempts; "
            "the declaration stays in the ledger and is retried with the "
            "same key)",
            transient=True,
            http_status=last.http_status,
            timed_out=last.timed_out,
        )

    def status(self, key: str):
        """The Single Window's answer for a key, or None when it never received it."""
        try:
            return self.service.GetStatus(IdempotencyKey=key, _soapheaders=[_return_certificate()])
        except Fault as fault:
            if _fault_code(fault) == "NOT_FOUND":
                return None
            raise _classify(fault) from None

    def resume(self) -> list[Outcome]:
        """Settle every declaration of this endpoint whose outcome is not known yet."""
        outcomes = []
        for entry in self.ledger.entries():
            if entry.endpoint == self.endpoint and entry.state in ("to_submit", "submitted"):
                outcomes.append(self.submit(self.ledger.declaration(entry.idempotency_key)))
        return outcomes

    # --- settling -----------------------------------------------------------------------------

    def _settle(self, declaration: Declaration, response) -> Outcome:
        key = declaration.idempotency_key
        receipt, rejection = response.Receipt, response.Rejection
        if receipt.IdempotencyKey != key and receipt.Status != "ISSUED":  # ISSUED: see below
            raise SingleWindowError(
                "RECEIPT_MISMATCH",
                f"the answer is the receipt of declaration {receipt.IdempotencyKey}, not of "
                f"{key}; nothing in it was kept",
            )
        fields = {"reference_number": receipt.ReferenceNumber, "last_error": None}
        if receipt.Status == "REJECTED":
            reasons = [
                {"code": r.Code, "field_path": r.FieldPath, "message": r.Message}
                for r in (rejection.Reason if rejection is not None else [])
            ]
            entry = self.ledger.update(
                key, state="rejected", rejection=json.dumps(reasons), **fields
            )
            return Outcome(entry, rejection=reasons)
        if receipt.Status != "ISSUED":
            return Outcome(self.ledger.update(key, state="submitted", **fields))
        number = receipt.CertificateNumber
        # a 1.1 service sends the certificate with the receipt (we ask it to); a 1.0 service
        # does not, and then it is fetched (its PDF is made on demand, never here)
        signed = getattr(response, "SignedCertificate", None)
        if signed is None:
            signed = self.service.GetCertificate(CertificateNumber=number).SignedCertificate
        pem = self.signing_certificate()
        refused = None
        try:
            root = verify(signed, pem)  # what was signed, and only that, is read below
        except SignatureInvalid as exc:  # wrapped, missing, other algorithms, not verified
            refused = exc
        valid = refused is None
        ns = {"k": "urn:rcep-origin:certificate:1"}
        if valid:
            try:  # genuinely signed; but for this declaration, under this receipt?
                matching.check(root, declaration, receipt)
            except matching.CertificateMismatch as exc:
                raise SingleWindowError(exc.code, str(exc)) from None  # kept as an error only
            fields |= {
                "state": "issued",
                "issued_at": root.findtext("k:IssuedAt", namespaces=ns),
                "certificate_format": root.findtext("k:Format", namespaces=ns),
            }
        else:
            fields |= {
                "state": "error",
                "last_error": f"{refused.code}: the certificate's signature does not verify "
                f"with the pinned signing certificate ({refused})",
            }
        entry = self.ledger.settle(key, number, signed, valid, fingerprint(pem), **fields)
        if not valid:
            raise SingleWindowError(
                refused.code,
                f"certificate {number} does not verify with the pinned signing certificate "
                f"({refused}); it is not accepted",
            )
        return Outcome(entry, certificate_xml=signed)

    def _stored(self, entry: Entry) -> Outcome:
        if entry.state == "issued":
            stored = self.ledger.certificate(entry.certificate_number)
            return Outcome(entry, certificate_xml=stored[0] if stored else None)
        return Outcome(entry, rejection=json.loads(entry.rejection or "[]"))


def _checked(declaration_xml: bytes) -> tuple[etree._ElementTree, Declaration]:
    """The declaration parsed safely, checked against its schema and read: what is checked,
    what is read and what is sent are one tree."""
    tree = parse_untrusted(declaration_xml)
    validate(tree)
    return tree, read_validated(tree.getroot())


class _SafeTransport(Transport):
    """zeep's transport, with every answer read through the one safe parser before zeep reads
    it: comments and processing instructions are dropped (zeep would read the text before
    one as the whole value). An answer that parser refuses is left as it came, for zeep's
    equally strict settings to refuse in its own terms (a DTD or entities: HOSTILE_RESPONSE;
    not XML: the HTTP status, or MALFORMED_RESPONSE)."""

    def post_xml(self, address, envelope, headers):
        response = super().post_xml(address, envelope, headers)
        response._content = _reread(response.content)
        return response


def _reread(content: bytes) -> bytes:
    """An answer as the safe parser reads it (unchanged when it refuses it)."""
    try:
        tree = parse_untrusted(content)
    except XMLUnreadable:
        return content
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


class _RawDeclaration(zeep.Plugin):
    """Puts the declaration into SubmitDeclaration exactly as it was checked and kept.

    Since contract 1.2 the operation names its content, d:Declaration, so zeep would build
    it from Python values; the declaration is sent as the very tree that was parsed safely and
    validated instead (zeep renders the element empty, told to skip it, and this fills in a
    copy before WS-Security is added). One slot per thread, in case one client is shared by
    threads.
    """

    def __init__(self) -> None:
        self._slot = threading.local()

    @contextlib.contextmanager
    def sending(self, declaration: etree._Element):
        self._slot.declaration = declaration
        try:
            yield
        finally:
            self._slot.declaration = None

    def egress(self, envelope, http_headers, operation, binding_options):
        declaration = getattr(self._slot, "declaration", None)
        if declaration is not None and operation.name == "SubmitDeclaration":
            submit = envelope.find(f"{{{SOAP_ENV}}}Body/{{{SW}}}SubmitDeclaration")
            submit.append(copy.deepcopy(declaration))
        return envelope, http_headers


class _UsernameToken(UsernameToken):
    """zeep's token; for PasswordText it adds a Nonce and Created as well, which the service
    requires for both kinds (without them a captured token could be replayed)."""

    def _create_password_text(self):
        nonce = base64.b64encode(os.urandom(16)).decode()
        created = zeep_wsse_utils.get_timestamp(None, self.zulu_timestamp)
        return [
            *super()._create_password_text(),
            zeep_wsse_utils.WSSE.Nonce(
                nonce, EncodingType=f"{self.soap_message_secutity_ns}#Base64Binary"
            ),
            zeep_wsse_utils.WSU.Created(created),
        ]


def _return_certificate() -> etree._Element:
    """The 1.1 request header asking for the signed certificate with an ISSUED receipt."""
    option = etree.Element(f"{{{SW}}}ReturnSignedCertificate", nsmap={"s": SW})
    option.text = "true"
    return option


def _session(endpoint: str, verify_tls: bool) -> requests.Session:
    """A session with the environment's settings for this endpoint read once, here.

    requests reads the proxy variables (walking the whole environment, twice), the CA bundle
    variables and ~/.netrc again on every request; that was a tenth of the client's CPU per
    submission. The same settings, taken once for the one endpoint this client talks to, give
    the same requests; a change of the environment after the client is made is not seen.
    """
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(endpoint))
    # as requests does it: a CA bundle named in the environment is used when verifying (and
    # verification turned off stays off, as requests keeps an explicit verify=False)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.verify = (bundle or True) if verify_tls else False
    session.auth = requests.utils.get_netrc_auth(endpoint)
    session.trust_env = False
    return session


def _fault_code(fault: Fault) -> str:
    detail = fault.detail  # Code in FaultDetail since 1.2, directly in the detail before
    code = detail.findtext(f".//{{{SW}}}Code") if detail is not None else None
    return code or (fault.message or "").split(":", 1)[0]


def _once_more_if_stale(send):
    """Send; when a kept-alive connection the Single Window closed just as the request went
    out fails before any answer (reset, aborted), send once more at once, on a new connection.
    Safe: the idempotency key makes a second copy the same submission (the server answers
    it from its record). Any other failure, or a second one, is the caller's."""
    try:
        return send()
    except requests.exceptions.ConnectionError as exc:
        if not _stale_connection(exc):
            raise
    return send()


def _stale_connection(exc: BaseException) -> bool:
    """Whether a connection error is a kept-alive connection closed under the request (the
    reset or abort that urllib3 wraps in its ProtocolError), not a server that is down."""
    seen, todo = set(), [exc]
    while todo:
        error = todo.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, ConnectionRefusedError):
            return False
        if isinstance(error, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
            return True
        todo += [a for a in getattr(error, "args", ()) if isinstance(a, BaseException)]
        todo += [e for e in (error.__cause__, error.__context__) if e is not None]
    return False


def _timed_out(exc: BaseException) -> bool:
    """Whether a request ran out of time: requests' Timeout, or an answer whose body stopped
    coming (requests wraps urllib3's ReadTimeoutError in a ConnectionError as it reads it)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        # (not urllib3's TimeoutError: a refused connection, NewConnectionError, is one too)
        if isinstance(exc, requests.Timeout | urllib3.exceptions.ReadTimeoutError):
            return True
        wrapped = [arg for arg in exc.args if isinstance(arg, BaseException)]
        exc = wrapped[0] if wrapped else exc.__cause__ or exc.__context__
    return False


def _classify(exc: Exception) -> SingleWindowError:
    if isinstance(exc, SingleWindowError):
        return exc
    if isinstance(exc, Fault):
        transient = (exc.code or "").endswith("Server")
        code = _fault_code(exc)
        message = (exc.message or "SOAP fault").removeprefix(f"{code}: ")
        return SingleWindowError(code, message, transient)
    if isinstance(exc, TransportError):
        status = exc.status_code or 0
        if status == 200:  # zeep could not read the answer: the outcome is unknown
            return SingleWindowError(
                "MALFORMED_RESPONSE", "the answer was not a readable SOAP message", transient=True
            )
        return SingleWindowError(
            f"HTTP_{status}",
            f"the Single Window answered HTTP {status}",
            # 408: the server gave up waiting for a request (a slow link, or a kept-alive
            # connection it closed as the request went out): sending again may succeed
            transient=status >= 500 or status in (408, 429),
        )
    if isinstance(exc, requests.exceptions.SSLError) and _untrusted(exc):
        # not transient: the same certificate will fail the same way on every retry
        return SingleWindowError(
            "TLS_UNTRUSTED",
            f"the Single Window's TLS certificate is not trusted ({_plain(exc)}). If it is "
            "issued by a private CA, set REQUESTS_CA_BUNDLE to that CA's certificate (a PEM "
            "file) and submit again; the declaration stays in the ledger",
        )
    if isinstance(exc, requests.RequestException):
        return SingleWindowError(
            "UNREACHABLE", _plain(exc), transient=True, timed_out=_timed_out(exc)
        )
    if isinstance(exc, FORBIDDEN):
        # the outcome is unknown, and a server answering like this is not to be trusted
        return SingleWindowError(
            "HOSTILE_RESPONSE", "the answer carried a DTD or entities; it was refused unread"
        )
    if isinstance(exc, etree.XMLSyntaxError | ZeepXMLSyntaxError):
        return SingleWindowError(
            "MALFORMED_RESPONSE", "the answer was not well-formed XML", transient=True
        )
    return SingleWindowError("UNEXPECTED", f"{type(exc).__name__}: {exc}")


def _untrusted(exc: BaseException) -> bool:
    """A certificate verification failure somewhere in the chain of causes (requests wraps
    urllib3's, which wraps ssl's SSLCertVerificationError)."""
    seen = set()
    stack = [exc]
    while stack:
        error = stack.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, ssl.SSLCertVerificationError):
            return True
        stack += [error.__cause__, error.__context__, getattr(error, "reason", None)]
        stack += [arg for arg in error.args if isinstance(arg, BaseException)]
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _plain(exc: Exception) -> str:
    """A connection error in one line, without URLs' credentials (there are none in ours)."""
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
