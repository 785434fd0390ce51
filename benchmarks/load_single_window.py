"""Load test and latency benchmark of the Single Window round trip (not part of the tests).

Load: the mock Single Window in its own process (`rcep-origin mock-server`, with injected
faults); CLIENTS clients spread evenly over PROCESSES client processes (default 4 x 8 = 32;
``--processes 1`` is one process with all of them as threads, the earlier shape), as
separate exporters would be, each client a thread with its own zeep client and ledger;
SUBMISSIONS declarations with idempotency keys drawn once in the parent, so distinct across
all processes. Every submission must end issued exactly once: 0 lost, 0 duplicated, and
every key issued once in one ledger with the certificate number the service holds for it
(checked against the service's database and all the ledgers). The clock starts when every
client process is up and stops when the last has reported; client CPU is the sum over them.

Latency: one client, one declaration at a time, no faults: p50 and p99 of ``submit()`` (the
declaration checked, kept in the ledger, sent, re-verified by the service, signed, the signed
certificate received with the receipt and its signature verified) against two baselines:

- bare POST, no work: ``requests.post`` of the same SOAP payload to a waitress server that
  only reads it (the cost of HTTP alone; the service's own work is in the ratio);
- bare POST, same work: ``requests.post`` of a complete SubmitDeclaration envelope (a fresh
  idempotency key and a fresh WS-Security digest token each time, the certificate asked
  for) to the same mock endpoint, which does all of its work (parse, schema, token and nonce,
  second-level check, signing, SQLite). The ratio to this one is the cost of our client
  stack (schema check, ledger, zeep, signature verification) over the least a client can do.

CPU per submission is reported for both sides of the load test (clients: process time, summed
over the client processes; server: user + system time from /proc), which is less disturbed
than wall time when other work shares the machine.

    python benchmarks/load_single_window.py [--clients 32] [--processes 4]
        [--submissions 10000] [--faults 0.10] [--latency-runs 300]
"""

import argparse
import base64
import dataclasses
import datetime
import hashlib
import multiprocessing
import os
import queue
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from connectors.declaration import build, load_shipment_file, to_xml
from connectors.ledger import Ledger
from connectors.single_window.client import SingleWindowClient
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

USER, PASSWORD = "exporter", "rcep-demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_mock(directory: Path, faults: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    half = f"{faults / 2:.4f}"  # half as errors before handling, half as lost answers
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connectors.cli",
            "mock-server",
            "--port",
            str(port),
            "--db",
            str(directory / "single-window.sqlite3"),
            "--error-rate",
            half,
            "--drop-rate",
            half,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}/single-window"
    for _ in range(100):
        try:
            requests.get(f"{endpoint}?wsdl", timeout=1)
            return process, endpoint
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the mock Single Window did not start")


def declarations(count: int) -> list[tuple[str, bytes]]:
    return declarations_for([str(uuid.uuid4()) for _ in range(count)])


def declarations_for(keys: list[str]) -> list[tuple[str, bytes]]:
    """One single-item declaration per idempotency key, built from the bundled sample."""
    path = data_path("shipments", "hcmc_switchgear_and_phones.json")
    base = build(load_shipment_file(path), path.parent, Reference.load(rule_files=()))
    one = dataclasses.replace(base, items=base.items[:1])
    return [(key, to_xml(dataclasses.replace(one, idempotency_key=key))) for key in keys]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"


def bare_envelope(declaration_xml: bytes) -> bytes:
    """The least a client can send: SubmitDeclaration with a fresh PasswordDigest token
    (new nonce, created now) and the 1.1 header asking for the certificate, by string
    formatting; no schema check, no ledger, no zeep, no verification."""
    nonce = os.urandom(16)
    created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(
        hashlib.sha1(nonce + created.encode() + PASSWORD.encode()).digest()
    ).decode()
    declaration = declaration_xml.split(b"?>", 1)[-1]
    return (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>'
        + (
            f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
            f"<wsse:Username>{USER}</wsse:Username>"
            f'<wsse:Password Type="{TOKEN_PROFILE}#PasswordDigest">{digest}</wsse:Password>'
            f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
            f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"
            '<s:ReturnSignedCertificate xmlns:s="urn:rcep-origin:single-window:1">true'
            "</s:ReturnSignedCertificate></soap:Header><soap:Body>"
            '<s:SubmitDeclaration xmlns:s="urn:rcep-origin:single-window:1">'
        ).encode()
        + declaration
        + b"</s:SubmitDeclaration></soap:Body></soap:Envelope>"
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def shape(clients: int, processes: int) -> list[list[int]]:
    """Client indexes per process, spread evenly (32 over 4: 8 each; 33 over 4: 9, 8, 8, 8)."""
    processes = max(1, min(processes, clients))
    return [list(range(clients))[p::processes] for p in range(processes)]


def client_process(endpoint, workdir, clients, work, ready, go, results) -> None:
    """One exporter's machine: its own process, its own zeep clients and ledgers, one thread
    per client. ``work`` maps each of its client indexes to (key, declaration) pairs; the
    keys were drawn once by the parent, so they are distinct across all processes. Reports
    (latencies, failures, CPU seconds) on ``results`` once all its threads are done."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        ledger = Ledger(Path(workdir) / f"ledger-{index}.sqlite3")
        client = SingleWindowClient(
            endpoint, USER, PASSWORD, ledger, retries=8, backoff=0.05, max_backoff=1.0
        )
        for _key, xml in work[index]:
            start = time.perf_counter()
            try:
                outcome = client.submit(xml)
                ok = outcome.entry.state == "issued"
            except Exception as exc:  # counted and reported: a lost certificate fails the run
                ok, outcome = False, exc
            with lock:
                latencies.append(time.perf_counter() - start)
                if not ok:
                    failures.append(str(outcome)[:200])

    ready.set()
    go.wait()
    cpu = time.process_time()
    threads = [threading.Thread(target=worker, args=(i,)) for i in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((latencies, failures, time.process_time() - cpu))


def account(keys: list[str], server_db: Path, ledgers: list[Path]) -> dict:
    """0 lost, 0 duplicated, from the service's database and every client's ledger.

    ``lost`` and ``duplicated`` are the totals as before (keys submitted minus declarations
    issued in the ledgers; certificates in the service minus distinct keys it issued). On top,
    every key is followed: it must be issued exactly once in exactly one ledger, be ISSUED in
    the service, and the certificate number in the ledger must be the one the service holds
    for that key, with a certificate row behind it. Any key that is not is listed in
    ``mismatched``; a ledger file that is missing counts all its keys as lost."""
    db = sqlite3.connect(server_db)
    issued = db.execute("SELECT count(*) FROM certificates").fetchone()[0]
    server_keys = db.execute(
        "SELECT count(DISTINCT idempotency_key) FROM declarations WHERE status = 'ISSUED'"
    ).fetchone()[0]
    service = dict(
        db.execute(
            "SELECT d.idempotency_key, d.certificate_number FROM declarations d "
            "JOIN certificates c ON c.certificate_number = d.certificate_number "
            "WHERE d.status = 'ISSUED'"
        )
    )
    db.close()
    in_ledgers: dict[str, list[str]] = {}
    for path in ledgers:
        if not path.exists():  # a client process that died before its first submission
            continue
        ledger = sqlite3.connect(path)
        for key, number in ledger.execute(
            "SELECT idempotency_key, certificate_number FROM declarations WHERE state = 'issued'"
        ):
            in_ledgers.setdefault(key, []).append(number)
        ledger.close()
    ledger_issued = sum(len(numbers) for numbers in in_ledgers.values())
    mismatched = []
    for key in keys:
        numbers = in_ledgers.pop(key, [])
        if len(numbers) != 1 or numbers[0] is None or service.get(key) != numbers[0]:
            mismatched.append(f"{key}: ledgers {numbers}, service {service.get(key)}")
    mismatched += [
        f"{key}: not submitted, in ledgers {numbers}" for key, numbers in in_ledgers.items()
    ]
    return {
        "certificates_issued": issued,
        "lost": len(keys) - ledger_issued,
        "duplicated": issued - server_keys,
        "mismatched": mismatched,
    }


def load(args, workdir: Path) -> dict:
    process, endpoint = start_mock(workdir / "sw", args.faults)
    work = declarations(args.submissions)
    groups = shape(args.clients, args.processes)
    context = multiprocessing.get_context("spawn")
    ready = [context.Event() for _ in groups]
    go, results = context.Event(), context.Queue()
    children = [
        context.Process(
            target=client_process,
            args=(
                endpoint,
                str(workdir),
                group,
                {i: work[i :: args.clients] for i in group},
                event,
                go,
                results,
            ),
        )
        for group, event in zip(groups, ready, strict=True)
    ]
    try:
        for child in children:
            child.start()
        for event, child in zip(ready, children, strict=True):
            while not event.wait(1):  # started, modules imported, work received
                if not child.is_alive():
                    raise SystemExit(f"a client process died on start ({child.exitcode})")
        start = time.perf_counter()
        server_cpu = cpu_seconds(process.pid)
        go.set()
        latencies: list[float] = []
        failures: list[str] = []
        client_cpu = 0.0
        reported = 0
        while reported < len(children):
            try:
                lat, fail, cpu = results.get(timeout=1)
            except queue.Empty:
                if any(child.exitcode not in (None, 0) for child in children):
                    failures.append("a client process died before reporting")
                    break
                continue
            reported += 1
            latencies += lat
            failures += fail
            client_cpu += cpu
        elapsed = time.perf_counter() - start
        server_cpu = cpu_seconds(process.pid) - server_cpu
        for child in children:
            child.join()
            if child.exitcode != 0:
                failures.append(f"a client process ended with exit code {child.exitcode}")
    finally:  # neither the mock nor a client process outlives the benchmark
        for child in children:
            if child.is_alive():
                child.kill()
        process.terminate()
        process.wait(timeout=10)
    counts = account(
        [key for key, _xml in work],
        workdir / "sw" / "single-window.sqlite3",
        [workdir / f"ledger-{i}.sqlite3" for i in range(args.clients)],
    )
    return {
        "submissions": args.submissions,
        "clients": args.clients,
        "shape": f"{len(groups)} process{'es' if len(groups) > 1 else ''} x "
        f"{'/'.join(str(n) for n in sorted({len(g) for g in groups}, reverse=True))} threads",
        "injected_faults": args.faults,
        "seconds": elapsed,
        "throughput_per_s": args.submissions / elapsed,
        "p50_ms": percentile(latencies, 50) * 1e3,
        "p99_ms": percentile(latencies, 99) * 1e3,
        **counts,
        "failures": failures[:5],
        "client_cpu_ms": client_cpu / args.submissions * 1e3,
        "server_cpu_ms": server_cpu / args.submissions * 1e3,
    }


def latency(args, workdir: Path) -> dict:
    from waitress.server import create_server

    process, endpoint = start_mock(workdir / "sw-latency", 0.0)
    try:
        client = SingleWindowClient(
            endpoint, USER, PASSWORD, Ledger(workdir / "ledger-lat.sqlite3")
        )
        work = declarations(args.latency_runs)
        client.submit(work[0][1])  # warm-up: WSDL parsed, signing certificate pinned
        # the same endpoint, the same work on its side, the least work on ours; one of each in
        # turn, so that both see the same machine
        session = requests.Session()
        times, full = [], []
        for (_key, xml), (_other, bare_xml) in zip(
            work[1:], declarations(len(work) - 1), strict=True
        ):
            start = time.perf_counter()
            client.submit(xml)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            answer = session.post(
                endpoint,
                data=bare_envelope(bare_xml),
                headers={
                    "Content-Type": "text/xml; charset=utf-8",
                    "SOAPAction": '"urn:rcep-origin:single-window:1#SubmitDeclaration"',
                },
                timeout=30,
            )
            full.append(time.perf_counter() - start)
            if answer.status_code != 200 or b"ISSUED" not in answer.content:
                raise SystemExit(f"the bare submission was not issued: {answer.text[:300]}")
    finally:  # the mock never outlives the benchmark, even when a check fails
        process.terminate()
        process.wait(timeout=10)

    def bare(environ, start_response):
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    server = create_server(bare, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}/"
    session = requests.Session()
    payload = work[-1][1]
    session.post(url, data=payload, timeout=10)
    posts = []
    for _ in range(len(times)):
        start = time.perf_counter()
        session.post(url, data=payload, headers={"Content-Type": "text/xml"}, timeout=10)
        posts.append(time.perf_counter() - start)
    p50, post50 = statistics.median(times) * 1e3, statistics.median(posts) * 1e3
    full50 = statistics.median(full) * 1e3
    return {
        "runs": len(times),
        "p50_ms": p50,
        "p99_ms": percentile(times, 99) * 1e3,
        "bare_post_p50_ms": post50,
        "ratio_p50": p50 / post50,
        "payload_bytes": len(payload),
        "bare_submit_p50_ms": full50,
        "bare_submit_p99_ms": percentile(full, 99) * 1e3,
        "ratio_to_bare_submit_p50": p50 / full50,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--processes",
        type=int,
        default=4,
        help="client processes, the clients spread evenly over them (1: all in one process)",
    )
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--faults", type=float, default=0.10)
    parser.add_argument("--latency-runs", type=int, default=300)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rcep-load-"))
    result = load(args, workdir)
    print(
        f"load: {result['submissions']} submissions, {result['clients']} clients "
        f"({result['shape']}), "
        f"{result['injected_faults']:.0%} injected faults, {result['seconds']:.1f} s: "
        f"{result['throughput_per_s']:.1f} submissions/s, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms; {result['certificates_issued']} certificates, "
        f"lost {result['lost']}, duplicated {result['duplicated']}; CPU per submission: "
        f"client {result['client_cpu_ms']:.2f} ms, server {result['server_cpu_ms']:.2f} ms"
    )
    for failure in result["failures"]:
        print(f"  failure: {failure}")
    if result["mismatched"]:
        print(f"  {len(result['mismatched'])} keys not issued exactly once, e.g.:")
        for line in result["mismatched"][:5]:
            print(f"    {line}")
    lat = latency(args, workdir)
    print(
        f"latency (one client, no faults, {lat['runs']} runs): p50 {lat['p50_ms']:.1f} ms, "
        f"p99 {lat['p99_ms']:.1f} ms; bare HTTP POST of the same {lat['payload_bytes']:,}-byte "
        f"payload p50 {lat['bare_post_p50_ms']:.2f} ms; ratio {lat['ratio_p50']:.1f}"
    )
    print(
        f"  ratio to a bare POST to a server that only reads it (HTTP alone): "
        f"{lat['ratio_p50']:.1f} (submit p50 {lat['p50_ms']:.1f} ms / "
        f"{lat['bare_post_p50_ms']:.2f} ms)"
    )
    print(
        f"  ratio to a bare requests.post of a complete submission (fresh key and token) to the "
        f"same mock endpoint, which does all its work (our client stack's overhead): "
        f"{lat['ratio_to_bare_submit_p50']:.2f} (submit p50 {lat['p50_ms']:.1f} ms / "
        f"{lat['bare_submit_p50_ms']:.1f} ms; bare p99 {lat['bare_submit_p99_ms']:.1f} ms)"
    )
    ok = result["lost"] == 0 and result["duplicated"] == 0 and not result["mismatched"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
