"""The mock Single Window under connection pressure, on loopback: idle connections, requests
trickled a byte at a time, many connections from one address and a full queue do not keep a
real exporter out. Smaller numbers than benchmarks/pressure_single_window.py; every loop is
bounded in count and time."""

import contextlib
import socket
import threading
import time
import uuid

import pytest
import requests

from connectors.declaration import build, load_shipment_file, to_xml
from connectors.ledger import Ledger
from connectors.single_window.client import SingleWindowClient
from connectors.single_window.embedded import running
from connectors.single_window.guard import Limits
from connectors.single_window.server import Faults
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
TIGHT = Limits(header_timeout=1.0, body_timeout=1.5, per_address=6, max_connections=40, queue=2)
REQUEST_START = b"POST /single-window HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"


@pytest.fixture(scope="module")
def declaration_xml():
    declaration = build(
        load_shipment_file(SHIPMENT), SHIPMENT.parent, Reference.load(rule_files=())
    )
    return to_xml(declaration)


def fresh_key(xml: bytes) -> bytes:
    old = xml.split(b"IdempotencyKey>", 1)[1].split(b"<", 1)[0]
    return xml.replace(old, str(uuid.uuid4()).encode())


def connect(endpoint: str, source: str) -> socket.socket:
    host, port = endpoint.split("//", 1)[1].split("/", 1)[0].split(":")
    return socket.create_connection((host, int(port)), timeout=5, source_address=(source, 0))


class Attack:
    """Idle connections and connections that send a request a byte every ``pace`` seconds,
    from several loopback addresses; a closed one is opened again, as an attacker would."""

    def __init__(self, endpoint, idle: int, trickle: int, per_address: int, pace: float = 0.2):
        self.endpoint, self.pace, self.per_address = endpoint, pace, per_address
        self.sockets: list[tuple[str, socket.socket | None, int]] = []
        for n in range(idle + trickle):
            kind = "idle" if n < idle else "trickle"
            self.sockets.append((kind, None, n))
        self.stop = threading.Event()
        self.opened, self.sent = 0, {}
        self.thread = threading.Thread(target=self.run, daemon=True)

    def source(self, n: int) -> str:
        return f"127.0.0.{2 + n // self.per_address}"

    def open(self, i: int) -> None:
        kind, sock, n = self.sockets[i]
        if sock is not None:
            sock.close()
        try:
            sock = connect(self.endpoint, self.source(n))
            sock.setblocking(False)
            self.opened += 1
        except OSError:
            sock = None
        self.sockets[i] = (kind, sock, n)
        self.sent[i] = 0

    def run(self) -> None:
        deadline = time.monotonic() + 30  # bounded whatever the test does
        for i in range(len(self.sockets)):
            self.open(i)
        while not self.stop.is_set() and time.monotonic() < deadline:
            for i, (kind, sock, _n) in enumerate(self.sockets):
                if sock is None:
                    self.open(i)
                    continue
                try:
                    if sock.recv(4096) == b"":
                        self.open(i)  # closed by the server: come back
                        continue
                except BlockingIOError:
                    pass
                except OSError:
                    self.open(i)
                    continue
                if kind == "trickle":
                    at = self.sent[i] % len(REQUEST_START)
                    try:
                        sock.send(REQUEST_START[at : at + 1])
                        self.sent[i] += 1
                    except OSError:
                        self.open(i)
            self.stop.wait(self.pace)

    def __enter__(self):
        self.thread.start()
        time.sleep(0.5)  # every connection open before the real client comes
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)
        for _kind, sock, _n in self.sockets:
            if sock is not None:
                sock.close()


@pytest.fixture
def guarded(tmp_path):
    with running(tmp_path / "sw", limits=TIGHT) as (endpoint, app):
        yield endpoint, app


def test_idle_and_trickling_connections_do_not_keep_an_exporter_out(
    guarded, tmp_path, declaration_xml
):
    endpoint, app = guarded
    # 60 idle and 20 trickling connections (twice the connection limit), 5 per address
    with Attack(endpoint, idle=60, trickle=20, per_address=5) as attack:
        sender = SingleWindowClient(
            endpoint,
            "exporter",
            "rcep-demo",
            Ledger(tmp_path / "ledger.sqlite3"),
            connect_timeout=2,
            operation_timeout=5,
            retries=0,  # a starved request would fail here, not be retried
        )
        for _ in range(3):
            assert sender.submit(fresh_key(declaration_xml)).entry.state == "issued"
        time.sleep(TIGHT.header_timeout + 0.6)  # long enough for the deadlines to bite
        assert sender.submit(fresh_key(declaration_xml)).entry.state == "issued"
        assert attack.opened > 80
    # the flood was pushed out to let the exporter in (the deadlines: the tests below)
    assert app.server.refused["evicted"] > 0


def test_a_busy_kept_alive_connection_is_never_cut_by_the_deadlines(guarded):
    # the deadlines count from a request's first byte, not from when the connection opened
    endpoint, app = guarded
    with requests.Session() as session:
        deadline = time.monotonic() + 2.5 * TIGHT.header_timeout
        answers = 0
        while time.monotonic() < deadline and answers < 200:
            assert session.get(f"{endpoint}?wsdl", timeout=5).status_code == 200
            answers += 1
            time.sleep(0.05)
    assert answers > 20
    assert not app.server.refused  # not closed as idle, no 408, no eviction
    for _ in range(100):  # and its count goes when it closes
        if not app.server.per_address:
            break
        time.sleep(0.02)
    assert not app.server.per_address


def test_a_request_trickled_a_byte_at_a_time_is_answered_408_and_closed(guarded):
    endpoint, app = guarded
    with contextlib.closing(connect(endpoint, "127.0.0.40")) as sock:
        sock.settimeout(0.2)
        answer = b""
        deadline = time.monotonic() + 5
        for i in range(100):  # one byte every 0.1 s: waitress alone would wait for ever
            if time.monotonic() > deadline:
                break
            try:
                sock.send(REQUEST_START[i % len(REQUEST_START) : i % len(REQUEST_START) + 1])
                answer += sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
    assert b"headers were not received within 1 s" in answer
    assert app.server.refused["header_timeout"] == 1


def test_a_body_sent_too_slowly_is_answered_408(guarded):
    endpoint, app = guarded
    with contextlib.closing(connect(endpoint, "127.0.0.41")) as sock:
        sock.sendall(REQUEST_START + b"Content-Length: 1000\r\n\r\n<soap:")
        sock.settimeout(4)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408") and b"body was not received within 1.5 s" in answer
    assert app.server.refused["body_timeout"] == 1


def test_too_many_connections_from_one_address_are_refused_but_others_get_in(guarded):
    endpoint, app = guarded
    held = [connect(endpoint, "127.0.0.50") for _ in range(TIGHT.per_address)]
    try:
        with contextlib.closing(connect(endpoint, "127.0.0.50")) as extra:
            extra.settimeout(3)
            answer = extra.recv(4096)
        assert answer.startswith(b"HTTP/1.1 429 Too Many Requests")
        assert b"at most 6 connections from one address" in answer
        assert requests.get(f"{endpoint}?wsdl", timeout=5).status_code == 200  # 127.0.0.1
    finally:
        for sock in held:
            sock.close()
    assert app.server.refused["per_address"] == 1


def test_a_full_queue_answers_503_at_once_without_running_the_request(tmp_path):
    faults = Faults(latency_ms=1500, slow_next=1)
    with running(tmp_path / "sw", limits=TIGHT, faults=faults, threads=1) as (endpoint, app):
        answers = {}

        def call(name, method="post"):
            sender = getattr(requests, method)
            kwargs = {"data": b"<x/>", "headers": {"Content-Type": "text/xml"}}
            answers[name] = sender(
                endpoint if method == "post" else f"{endpoint}?wsdl",
                timeout=10,
                **(kwargs if method == "post" else {}),
            )

        first = threading.Thread(target=call, args=("slow",))
        first.start()
        deadline = time.monotonic() + 5
        while faults.slow_next and time.monotonic() < deadline:  # in the one worker now
            time.sleep(0.01)
        waiting = [threading.Thread(target=call, args=(f"q{i}", "get")) for i in range(2)]
        for thread in waiting:
            thread.start()
        while len(app.server.task_dispatcher.queue) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        refused = requests.get(f"{endpoint}?wsdl", timeout=1)  # at once, not after 1.5 s
        for thread in (first, *waiting):
            thread.join(timeout=10)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    assert "retry with the same idempotency key" in refused.text
    assert answers["slow"].status_code == 500  # the slow one was served (a SOAP fault)
    assert [answers[f"q{i}"].status_code for i in range(2)] == [200, 200]
    assert app.server.refused["queue"] == 1


@pytest.mark.parametrize(
    "content_type", ["application/soap+xml", "application/x-www-form-urlencoded", None]
)
def test_a_post_that_is_not_text_xml_gets_415_and_is_not_read(guarded, content_type):
    endpoint, app = guarded
    headers = {"Content-Type": content_type} if content_type else {}
    answer = requests.post(endpoint, data=b"<not-read/>", headers=headers, timeout=5)
    assert answer.status_code == 415 and "Content-Type: text/xml" in answer.text
    assert app.service._db().execute("SELECT count(*) FROM nonces").fetchone()[0] == 0
