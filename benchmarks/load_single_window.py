"""Load test and latency benchmark of the Single Window round trip (not part of the tests).

Load: the mock Single Window in its own process (`rcep-origin mock-server`, with injected
faults), CLIENTS threads each with its own zeep client and ledger, SUBMISSIONS declarations
with distinct idempotency keys. Every submission must end issued exactly once: 0 lost, 0
duplicated (checked against the service's database and the ledgers).

Latency: one client, one declaration at a time, no faults: p50 and p99 of ``submit()`` (the
declaration checked, kept in the ledger, sent, re-verified by the service, signed, fetched
back and its signature verified) against a bare HTTP POST of the same SOAP payload to a
waitress server that only reads it.

    python benchmarks/load_single_window.py [--clients 32] [--submissions 10000]
        [--faults 0.10] [--latency-runs 300]
"""

import argparse
import dataclasses
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
    path = data_path("shipments", "hcmc_switchgear_and_phones.json")
    base = build(load_shipment_file(path), path.parent, Reference.load(rule_files=()))
    one = dataclasses.replace(base, items=base.items[:1])
    out = []
    for _ in range(count):
        key = str(uuid.uuid4())
        out.append((key, to_xml(dataclasses.replace(one, idempotency_key=key))))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load(args, workdir: Path) -> dict:
    process, endpoint = start_mock(workdir / "sw", args.faults)
    work = declarations(args.submissions)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        ledger = Ledger(workdir / f"ledger-{index}.sqlite3")
        client = SingleWindowClient(
            endpoint, USER, PASSWORD, ledger, retries=8, backoff=0.05, max_backoff=1.0
        )
        for _key, xml in work[index :: args.clients]:
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

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    process.terminate()
    process.wait(timeout=10)
    db = sqlite3.connect(workdir / "sw" / "single-window.sqlite3")
    issued = db.execute("SELECT count(*) FROM certificates").fetchone()[0]
    keys = db.execute(
        "SELECT count(DISTINCT idempotency_key) FROM declarations WHERE status = 'ISSUED'"
    ).fetchone()[0]
    ledger_issued = sum(
        sqlite3.connect(workdir / f"ledger-{i}.sqlite3")
        .execute("SELECT count(*) FROM declarations WHERE state = 'issued'")
        .fetchone()[0]
        for i in range(args.clients)
    )
    lost = args.submissions - ledger_issued
    return {
        "submissions": args.submissions,
        "clients": args.clients,
        "injected_faults": args.faults,
        "seconds": elapsed,
        "throughput_per_s": args.submissions / elapsed,
        "p50_ms": percentile(latencies, 50) * 1e3,
        "p99_ms": percentile(latencies, 99) * 1e3,
        "certificates_issued": issued,
        "lost": lost,
        "duplicated": issued - keys,
        "failures": failures[:5],
    }


def latency(args, workdir: Path) -> dict:
    from waitress.server import create_server

    process, endpoint = start_mock(workdir / "sw-latency", 0.0)
    client = SingleWindowClient(endpoint, USER, PASSWORD, Ledger(workdir / "ledger-lat.sqlite3"))
    work = declarations(args.latency_runs)
    client.submit(work[0][1])  # warm-up: WSDL parsed, signing certificate pinned
    times = []
    for _key, xml in work[1:]:
        start = time.perf_counter()
        client.submit(xml)
        times.append(time.perf_counter() - start)
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
    return {
        "runs": len(times),
        "p50_ms": p50,
        "p99_ms": percentile(times, 99) * 1e3,
        "bare_post_p50_ms": post50,
        "ratio_p50": p50 / post50,
        "payload_bytes": len(payload),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--faults", type=float, default=0.10)
    parser.add_argument("--latency-runs", type=int, default=300)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rcep-load-"))
    result = load(args, workdir)
    print(
        f"load: {result['submissions']} submissions, {result['clients']} clients, "
        f"{result['injected_faults']:.0%} injected faults, {result['seconds']:.1f} s: "
        f"{result['throughput_per_s']:.1f} submissions/s, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms; {result['certificates_issued']} certificates, "
        f"lost {result['lost']}, duplicated {result['duplicated']}"
    )
    for failure in result["failures"]:
        print(f"  failure: {failure}")
    lat = latency(args, workdir)
    print(
        f"latency (one client, no faults, {lat['runs']} runs): p50 {lat['p50_ms']:.1f} ms, "
        f"p99 {lat['p99_ms']:.1f} ms; bare HTTP POST of the same {lat['payload_bytes']:,}-byte "
        f"payload p50 {lat['bare_post_p50_ms']:.2f} ms; ratio {lat['ratio_p50']:.1f}"
    )
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
