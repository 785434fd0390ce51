"""The mock Single Window under connection pressure (not part of the tests).

The mock runs in its own process (`rcep-origin mock-server`, default limits). An attacker
process keeps IDLE connections that send nothing and TRICKLE connections that send a request
one byte a second open against it, from loopback addresses 127.0.1.0 and up (PER_ADDRESS
connections each, below the per-address cap by default, so that the deadlines and the
eviction do the work, not the cap); a connection the server closes is opened again at once,
as an attacker would. Meanwhile one exporter submits declarations one at a time with the
project's client from 127.0.0.1, each on a new connection (the whole round trip: schema check,
ledger, SOAP, the service's second-level check and signature, the certificate's signature
verified).

Reported: the submissions' latency with no pressure (the least this work costs, measured in
the same run), then under pressure (p50, p99, max; target max <= 1 s) and how many attack
connections were open (sampled each second by the attacker).

    python benchmarks/pressure_single_window.py [--idle 500] [--trickle 100]
        [--per-address 5] [--submissions 50] [--seconds-before 8]
"""

import argparse
import multiprocessing
import resource
import selectors
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_single_window import PASSWORD, USER, declarations, percentile, start_mock

from connectors.ledger import Ledger
from connectors.single_window.client import SingleWindowClient, SingleWindowError

REQUEST = (
    b"POST /single-window HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
    b"Content-Length: 100000\r\n\r\n" + b"<" * 1000
)


def more_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def attacker(host, port, idle, trickle, per_address, seconds, ready, status) -> None:
    """Keep ``idle`` + ``trickle`` connections open for ``seconds`` (bounded), reopening any
    the server closes; ``status`` gets (open now, opened in all, answers seen) each second."""
    more_files(idle + trickle + 256)
    total = idle + trickle
    selector = selectors.DefaultSelector()
    sockets: dict[int, socket.socket | None] = dict.fromkeys(range(total))
    sent = dict.fromkeys(range(total), 0)
    opened = answered = 0

    def source(n: int) -> str:
        a = n // per_address
        return f"127.0.{1 + a // 250}.{a % 250 + 1}"

    def reopen(n: int) -> None:
        nonlocal opened
        old = sockets[n]
        if old is not None:
            selector.unregister(old)
            old.close()
        sockets[n] = None
        try:
            sock = socket.create_connection((host, port), timeout=2, source_address=(source(n), 0))
        except OSError:
            return
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, n)
        sockets[n], sent[n] = sock, 0
        opened += 1

    for n in range(total):
        reopen(n)
    ready.set()
    deadline = time.monotonic() + seconds
    next_byte = next_report = time.monotonic()
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.05):
            n = key.data
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if data:
                answered += 1
            reopen(n)  # answered (408, 429, 503) or closed: come back at once
        for n in range(total):
            if sockets[n] is None:
                reopen(n)
        now = time.monotonic()
        if now >= next_byte:  # each trickling connection sends one byte a second
            next_byte = now + 1
            for n in range(idle, total):
                sock = sockets[n]
                if sock is None:
                    continue
                try:
                    sock.send(REQUEST[sent[n] % len(REQUEST) : sent[n] % len(REQUEST) + 1])
                    sent[n] += 1
                except OSError:
                    reopen(n)
        if now >= next_report:
            next_report = now + 1
            status.put((sum(s is not None for s in sockets.values()), opened, answered))
    for sock in sockets.values():
        if sock is not None:
            sock.close()


FAILED: list[str] = []


def submit_all(client, work, fresh: bool = True) -> list[float]:
    """Each submission's time, each on a new connection unless ``fresh`` is false (a kept-alive
    connection opened before the attack is no test); a failed one (a starved request times
    out) counts its time and is listed in FAILED."""
    times = []
    for _key, xml in work:
        if fresh:
            client.session.close()  # the pooled connection goes; the next call opens one
        start = time.perf_counter()
        try:
            state = client.submit(xml).entry.state
        except SingleWindowError as error:
            state = str(error)[:120]
        times.append(time.perf_counter() - start)
        if state != "issued":
            FAILED.append(state)
    return times


def summary(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (
        f"p50 {statistics.median(ms):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
        f"max {max(ms):.1f} ms ({len(ms)} submissions)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--trickle", type=int, default=100)
    parser.add_argument("--per-address", type=int, default=5)
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=10.0, help="the client's, per call")
    parser.add_argument(
        "--seconds-before", type=float, default=8.0, help="pressure before the first submission"
    )
    args = parser.parse_args()
    more_files(4096)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        process, endpoint = start_mock(workdir, 0.0)
        try:
            host, port = "127.0.0.1", int(endpoint.split(":")[2].split("/")[0])
            client = SingleWindowClient(
                endpoint,
                USER,
                PASSWORD,
                Ledger(workdir / "ledger.sqlite3"),
                retries=0,
                operation_timeout=args.timeout,
            )
            work = declarations(2 * args.submissions + 5)
            submit_all(
                client, work[:5], fresh=False
            )  # warm-up: WSDL, pinned certificate, connection
            quiet = submit_all(client, work[5 : 5 + args.submissions])

            ready, status = multiprocessing.Event(), multiprocessing.Queue()
            seconds = args.seconds_before + 60
            attack = multiprocessing.Process(
                target=attacker,
                args=(
                    host,
                    port,
                    args.idle,
                    args.trickle,
                    args.per_address,
                    seconds,
                    ready,
                    status,
                ),
                daemon=True,
            )
            attack.start()
            ready.wait(60)
            time.sleep(args.seconds_before)  # past the header deadline: the steady state
            open_at, pressed = [], []
            for item in work[5 + args.submissions :]:
                while not status.empty():
                    last = status.get_nowait()
                    open_at.append(last[0])
                pressed += submit_all(client, [item])
                time.sleep(0.05)
            attack.terminate()
            attack.join(10)
            last = None
            while not status.empty():
                last = status.get_nowait()
                open_at.append(last[0])
        finally:
            process.terminate()
            process.wait(10)
    print(
        f"pressure: {args.idle} idle + {args.trickle} trickling (1 byte/s) connections, "
        f"{args.per_address} per loopback address, kept open (reopened when closed)"
    )
    print(f"  no pressure (same run):  {summary(quiet)}")
    print(f"  under pressure:          {summary(pressed)}")
    if open_at:
        print(
            f"  attack connections open (sampled each second): min {min(open_at)}, "
            f"median {statistics.median(open_at):.0f}, max {max(open_at)}"
            + (f"; opened in all {last[1]}, answered {last[2]}" if last else "")
        )
    worst = max(pressed)
    if FAILED:
        print(f"  failed: {len(FAILED)}, e.g. {FAILED[0]}")
    met = worst <= 1.0 and not FAILED
    print(f"  target max <= 1 s: {'met' if met else 'NOT met'} ({worst * 1000:.0f} ms)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
