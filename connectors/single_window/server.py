"""The mock Single Window as a WSGI application: SOAP 1.1 document/literal over HTTP.

Strict like a customs endpoint: a request over the size limit gets 413; malformed or hostile
XML, a body that fails the schema, or a missing or wrong WS-Security UsernameToken (PasswordText
or PasswordDigest with nonce and created; a replayed nonce is refused) gets a SOAP Client fault
that names the problem. Fault injection (latency, errors, lost responses) is off by default.
"""

import base64
import datetime
import hashlib
import logging
import random
import time
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs

from lxml import etree

from connectors.declaration import DeclarationError, read_validated
from connectors.single_window import SOAP_ENV, SW, WSSE, WSU
from connectors.single_window.service import (
    IdempotencyConflict,
    NonceReplayed,
    Service,
    content_form,
)
from connectors.single_window.signing import fingerprint
from connectors.summary_pdf import certificate_pdf
from connectors.xmlsafe import (
    SchemaInvalid,
    XMLUnreadable,
    parse_untrusted,
    schema,
    schema_model,
    xsd_path,
)

_logger = logging.getLogger(__name__)
MAX_BYTES = 2 * 1024 * 1024
PUBLISHED = (
    "single-window-1.xsd",
    "common-1.xsd",
    "declaration-1.xsd",
    "receipt-1.xsd",
    "rejection-1.xsd",
    "certificate-1.xsd",
)
DIGEST = "#PasswordDigest"
FRESHNESS = datetime.timedelta(minutes=5)
MIN_NONCE, MAX_NONCE = 8, 64  # bytes of a WS-Security nonce


@dataclass
class Faults:
    """Fault injection for tests and benchmarks: all off by default."""

    latency_ms: int = 0  # every request, or only the next ``slow_next`` ones when that is set
    slow_next: int = 0
    error_rate: float = 0.0  # 503 before the request is handled
    drop_rate: float = 0.0  # the request is handled, then the answer is lost (504)
    seed: int | None = None
    error_next: int = 0  # the next N requests get an error (deterministic, for tests)
    drop_next: int = 0  # the answers to the next N requests are lost
    error_status: str = "503 Service Unavailable"
    garbage_next: int = 0  # the next N answers are not XML (after the request is handled)
    hostile_next: int = 0  # the next N answers carry a DTD with an external entity

    def error(self) -> bool:
        if self.error_next > 0:
            self.error_next -= 1
            return True
        return bool(self.error_rate) and self.random.random() < self.error_rate

    def drop(self) -> bool:
        if self.drop_next > 0:
            self.drop_next -= 1
            return True
        return bool(self.drop_rate) and self.random.random() < self.drop_rate

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)
        self.slow_next_used = self.slow_next > 0


class Fault(Exception):
    def __init__(self, side: str, code: str, message: str, problems=()) -> None:
        super().__init__(message)
        self.side, self.code, self.problems = side, code, problems


class SingleWindowApp:
    def __init__(
        self,
        service: Service,
        users: dict[str, str],
        path: str = "/single-window",
        faults: Faults | None = None,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.service, self.users, self.path = service, users, path.rstrip("/")
        self.faults, self.max_bytes = faults or Faults(), max_bytes
        # the declaration's xmlschema model is built once per process (some 0.3 s): here, at
        # start, rather than inside the first submission's answer time
        schema_model("declaration-1.xsd")

    # --- HTTP -------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if path.rstrip("/") == self.path and method == "GET" and "wsdl" in map(str.lower, query):
            return self._send(start_response, "200 OK", self._wsdl(environ), "text/xml")
        if path.startswith(f"{self.path}/xsd/") and method == "GET":
            name = path.rsplit("/", 1)[1]
            if name in PUBLISHED:
                return self._send(start_response, "200 OK", xsd_path(name).read_bytes(), "text/xml")
        if path == f"{self.path}/signing-certificate.pem" and method == "GET":
            return self._send(
                start_response, "200 OK", self.service.identity.cert_pem, "application/x-pem-file"
            )
        if path.rstrip("/") == self.path and method == "POST":
            return self._post(environ, start_response)
        return self._send(start_response, "404 Not Found", b"not found\n", "text/plain")

    def _post(self, environ, start_response):
        faults = self.faults
        if faults.latency_ms and (faults.slow_next > 0 or not faults.slow_next_used):
            if faults.slow_next > 0:
                faults.slow_next -= 1
                faults.slow_next_used = True
            time.sleep(faults.latency_ms / 1000)
        if faults.error():
            return self._send(start_response, faults.error_status, b"busy\n", "text/plain")
        media_type = (environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()
        if media_type != "text/xml":  # SOAP 1.1 (SOAP 1.2 would be application/soap+xml)
            return self._send(
                start_response,
                "415 Unsupported Media Type",
                b"SOAP 1.1 requests are sent as Content-Type: text/xml\n",
                "text/plain",
            )
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_bytes:
            return self._send(
                start_response,
                "413 Payload Too Large",
                f"requests are limited to {self.max_bytes} bytes\n".encode(),
                "text/plain",
            )
        body = environ["wsgi.input"].read(
            min(length, self.max_bytes + 1) if length else self.max_bytes + 1
        )
        if len(body) > self.max_bytes:
            return self._send(start_response, "413 Payload Too Large", b"too large\n", "text/plain")
        try:
            answer = self.handle(body)
            status = "200 OK"
        except Fault as fault:
            answer, status = _fault(fault), "500 Internal Server Error"
        except Exception:  # a fault of ours, still said in SOAP with a code, never a traceback
            _logger.exception("the mock Single Window failed on a request")
            failed = Fault(
                "Server",
                "INTERNAL_ERROR",
                "the Single Window failed while handling this request; ask the status "
                "before sending it again",
            )
            answer, status = _fault(failed), "500 Internal Server Error"
        if faults.drop():
            return self._send(start_response, "504 Gateway Timeout", b"", "text/plain")
        if faults.garbage_next > 0:
            faults.garbage_next -= 1
            answer = answer[: len(answer) // 2]  # a truncated answer: not well-formed
        elif faults.hostile_next > 0:
            faults.hostile_next -= 1
            answer = (
                b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM '
                b'"file:///etc/passwd">]>'
                + answer.split(b"?>", 1)[1].replace(b"<soap:Body>", b"<soap:Body>&x;", 1)
            )
        return self._send(start_response, status, answer, "text/xml; charset=utf-8")

    @staticmethod
    def _send(start_response, status: str, body: bytes, content_type: str):
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    def _wsdl(self, environ) -> bytes:
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        base = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{self.path}"
        text = xsd_path("single-window-1.wsdl").read_text()
        text = text.replace(
            'schemaLocation="single-window-1.xsd"',
            f'schemaLocation="{escape(base)}/xsd/single-window-1.xsd"',
        )
        return text.replace("http://127.0.0.1:8070/single-window", escape(base)).encode()

    # --- SOAP -------------------------------------------------------------------------------

    def handle(self, body: bytes) -> bytes:
        try:
            envelope = parse_untrusted(body).getroot()
        except XMLUnreadable as exc:
            raise Fault("Client", "XML_UNREADABLE", str(exc)) from None
        if (
            etree.QName(envelope).namespace != SOAP_ENV
            or etree.QName(envelope).localname != "Envelope"
        ):
            raise Fault("Client", "NOT_SOAP", "the request is not a SOAP 1.1 envelope")
        header = envelope.find(f"{{{SOAP_ENV}}}Header")
        nonce = self._authenticate(header)
        try:
            soap_body = envelope.find(f"{{{SOAP_ENV}}}Body")
            request = soap_body[0] if soap_body is not None and len(soap_body) else None
            if request is None or etree.QName(request).namespace != SW:
                raise Fault("Client", "UNKNOWN_OPERATION", "the SOAP body holds no known operation")
            operation = etree.QName(request).localname
            self._validate(request)
            with_certificate = self._wants_certificate(header)
            if operation == "SubmitDeclaration":
                # a new declaration's nonce is kept in the same transaction as the declaration
                answer, nonce = self._submit(request, nonce, with_certificate), None
                return answer
            self._remember(nonce)
            nonce = None
            if operation == "GetStatus":
                return self._status(request, with_certificate)
            if operation == "GetCertificate":
                return self._certificate(request)
            raise Fault("Client", "UNKNOWN_OPERATION", f"unknown operation {operation}")
        finally:
            if nonce is not None:  # refused or failed after authentication: still remembered
                self.service.remember_nonce(nonce)

    def _wants_certificate(self, header) -> bool:
        """The 1.1 ReturnSignedCertificate header (optional; validated when given)."""
        option = header.find(f"{{{SW}}}ReturnSignedCertificate")  # authenticated: header given
        if option is None:
            return False
        self._validate(option)
        return option.text.strip() in ("true", "1")

    def _remember(self, nonce: str | None) -> None:
        if nonce is not None and not self.service.remember_nonce(nonce):
            raise Fault("Client", "NONCE_REPLAYED", "this nonce was used before: replay refused")

    def _validate(self, request) -> None:
        xsd = schema("single-window-1.xsd")
        # the element in place: lxml validates a subtree as its own document, without a copy
        if not xsd.validate(request):
            problems = [(e.line, e.path, e.message) for e in xsd.error_log]
            raise Fault(
                "Client",
                "SCHEMA_INVALID",
                f"the request does not match the schema: {problems[0][2]}",
                problems,
            )

    def _authenticate(self, header) -> str | None:
        """The token checked; its nonce (user:nonce), not yet seen, for the caller to remember
        (once the operation is known: a submission keeps it in its own transaction)."""
        token = (
            None if header is None else header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        )
        if token is None:
            raise Fault(
                "Client", "AUTHENTICATION_REQUIRED", "a WS-Security UsernameToken is required"
            )
        user = (token.findtext(f"{{{WSSE}}}Username") or "").strip()
        password = token.find(f"{{{WSSE}}}Password")
        nonce = token.findtext(f"{{{WSSE}}}Nonce")
        created = token.findtext(f"{{{WSU}}}Created")
        expected = self.users.get(user)
        if password is None or expected is None:
            raise Fault("Client", "AUTHENTICATION_FAILED", "unknown user or wrong password")
        # both kinds of password need a nonce and a created time: without them a captured
        # PasswordText token could be replayed for ever (the WSDL's policy says so)
        if not nonce or not created:
            raise Fault(
                "Client",
                "AUTHENTICATION_FAILED",
                "a UsernameToken needs a Nonce and a Created time (PasswordText too)",
            )
        try:
            raw_nonce = base64.b64decode(nonce, validate=True)
        except ValueError:
            raise Fault("Client", "AUTHENTICATION_FAILED", "the nonce is not base64") from None
        if not MIN_NONCE <= len(raw_nonce) <= MAX_NONCE:
            raise Fault(
                "Client",
                "AUTHENTICATION_FAILED",
                f"the nonce must be {MIN_NONCE} to {MAX_NONCE} random bytes",
            )
        if (password.get("Type") or "").endswith(DIGEST):
            digest = base64.b64encode(
                hashlib.sha1(raw_nonce + created.encode() + expected.encode()).digest()
            ).decode()
            if digest != (password.text or "").strip():
                raise Fault("Client", "AUTHENTICATION_FAILED", "unknown user or wrong password")
        elif (password.text or "") != expected:
            raise Fault("Client", "AUTHENTICATION_FAILED", "unknown user or wrong password")
        try:
            when = datetime.datetime.fromisoformat(created.strip().replace("Z", "+00:00"))
        except ValueError:
            raise Fault("Client", "AUTHENTICATION_FAILED", "created is not a time") from None
        now = self.service.clock()
        if when.tzinfo is None or abs(now - when) > FRESHNESS:
            raise Fault("Client", "AUTHENTICATION_FAILED", "the token is stale or not zoned")
        # kept by its bytes: another base64 spelling of the same nonce is the same nonce
        seen = f"{user}:{base64.b64encode(raw_nonce).decode()}"
        if self.service.nonce_seen(seen):
            raise Fault("Client", "NONCE_REPLAYED", "this nonce was used before: replay refused")
        return seen

    def _submit(self, request, nonce: str | None, with_certificate: bool = False) -> bytes:
        element = request[0]
        data = content_form(element)  # what "the same content" means (1.2)
        try:
            # validated just now with the request (a strict d:Declaration): read, not re-parsed
            declaration = read_validated(element)
            record = self.service.submit(
                data,
                declaration,
                nonce=nonce,
                legacy_xml=lambda: etree.tostring(element, method="c14n"),
            )
        except NonceReplayed as exc:
            raise Fault("Client", exc.code, str(exc)) from None
        except IdempotencyConflict as exc:
            raise Fault("Client", exc.code, str(exc)) from None
        except SchemaInvalid as exc:
            raise Fault("Client", "SCHEMA_INVALID", str(exc)) from None
        except DeclarationError as exc:  # schema-valid, but not a declaration's value
            problem = (exc.line, exc.path, str(exc))
            raise Fault("Client", exc.code, str(exc), [problem]) from None
        return self._outcome("SubmitDeclarationResponse", record, with_certificate)

    def _status(self, request, with_certificate: bool = False) -> bytes:
        reference = request.findtext(f"{{{SW}}}ReferenceNumber")
        key = request.findtext(f"{{{SW}}}IdempotencyKey")
        record = self.service.find(key=key) if key else self.service.find(reference=reference)
        if record is None:
            raise Fault("Client", "NOT_FOUND", "no declaration with this reference or key")
        return self._outcome("GetStatusResponse", record, with_certificate)

    def _certificate(self, request) -> bytes:
        number = request.findtext(f"{{{SW}}}CertificateNumber")
        signed = self.service.certificate(number)
        if signed is None:
            raise Fault("Client", "NOT_FOUND", f"no certificate {number}")
        response = etree.Element(f"{{{SW}}}GetCertificateResponse", nsmap={"s": SW})
        etree.SubElement(response, f"{{{SW}}}CertificateNumber").text = number
        etree.SubElement(response, f"{{{SW}}}SignedCertificate").text = base64.b64encode(
            signed
        ).decode()
        if (request.findtext(f"{{{SW}}}WithPdf") or "").strip() in ("true", "1"):
            pdf = certificate_pdf(signed, fingerprint(self.service.identity.cert_pem))
            etree.SubElement(response, f"{{{SW}}}Pdf").text = base64.b64encode(pdf).decode()
        return _envelope(response)

    def _outcome(self, name: str, record, with_certificate: bool = False) -> bytes:
        response = etree.Element(f"{{{SW}}}{name}", nsmap={"s": SW})
        response.append(record.receipt())
        if record.rejection_xml:
            response.append(etree.fromstring(record.rejection_xml))
        if with_certificate and record.status == "ISSUED" and record.certificate_number:
            signed = self.service.certificate(record.certificate_number)
            etree.SubElement(response, f"{{{SW}}}SignedCertificate").text = base64.b64encode(
                signed
            ).decode()
        return _envelope(response)


def _envelope(content) -> bytes:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(content)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _fault(fault: Fault) -> bytes:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "s": SW})
    node = etree.SubElement(
        etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault"
    )
    etree.SubElement(node, "faultcode").text = f"soap:{fault.side}"
    etree.SubElement(node, "faultstring").text = f"{fault.code}: {fault}"
    # since 1.2 in FaultDetail, the fault message's one part (single-window-1.xsd)
    detail = etree.SubElement(etree.SubElement(node, "detail"), f"{{{SW}}}FaultDetail")
    etree.SubElement(detail, f"{{{SW}}}Code").text = fault.code
    for line, path, message in fault.problems:
        problem = etree.SubElement(detail, f"{{{SW}}}Problem")
        problem.set("line", str(line))
        problem.set("path", path or "")
        problem.text = message
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def serve(app: SingleWindowApp, host: str = "127.0.0.1", port: int = 8070, limits=None) -> None:
    """Serve in the foreground, with the connection limits of ``guard`` (Ctrl-C stops)."""
    from connectors.single_window.guard import create_server

    server = create_server(app, host, port, limits)
    try:
        server.run()
    finally:
        server.task_dispatcher.shutdown()
