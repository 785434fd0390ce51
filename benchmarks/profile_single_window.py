"""CPU per submission on both sides of the Single Window round trip (not part of the tests).

The mock Single Window runs in its own process (waitress, as `rcep-origin mock-server` runs it);
one client submits declarations one at a time, no faults. Measured per submission: the client's
CPU (``time.process_time`` around ``submit()``) and the server process's CPU (user + system
from /proc, so waitress and SQLite count too). With ``--profile`` both sides also run under
cProfile (which inflates the times; use the plain run for the numbers) and the top functions
are printed, the server's from its WSGI handler threads.

    python benchmarks/profile_single_window.py [--runs 300] [--profile] [--top 40]
"""

import argparse
import cProfile
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_single_window import PASSWORD, USER, declarations, free_port

from connectors.ledger import Ledger
from connectors.single_window.client import SingleWindowClient


def serve(port: int, directory: Path, profile_out: str | None) -> None:
    """The server side: the mock app under waitress, each request profiled when asked."""
    import waitress

    from connectors.single_window.embedded import DEMO_USERS
    from connectors.single_window.server import SingleWindowApp
    from connectors.single_window.service import Service

    app = SingleWindowApp(Service(directory / "single-window.sqlite3"), DEMO_USERS)
    profiler = cProfile.Profile(time.thread_time) if profile_out else None
    lock = threading.Lock()
    app_cpu = [0.0]  # CPU of the handler threads inside the WSGI app; the rest is waitress

    def measured(environ, start_response):
        with lock:  # one request at a time (the client is sequential)
            if profiler:
                profiler.enable()
            start = time.thread_time()
            try:
                return app(environ, start_response)
            finally:
                app_cpu[0] += time.thread_time() - start
                if profiler:
                    profiler.disable()

    def stop(*_):
        if profiler:
            profiler.dump_stats(profile_out)
        Path(f"{directory}/app-cpu").write_text(str(app_cpu[0]))
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(
        signal.SIGUSR1, lambda *_: Path(f"{directory}/app-cpu").write_text(str(app_cpu[0]))
    )
    waitress.serve(measured, host="127.0.0.1", port=port, threads=4)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def app_cpu(process) -> float:
    """The server's CPU inside the WSGI app so far (it writes the figure when signalled)."""
    out = Path(process.args[4]) / "app-cpu"
    out.unlink(missing_ok=True)
    process.send_signal(signal.SIGUSR1)
    for _ in range(100):
        if out.exists() and out.read_text():
            return float(out.read_text())
        time.sleep(0.01)
    raise SystemExit("the server did not report its CPU")


# Where the CPU goes, by the cumulative time of the functions that do each part (names from
# both the current code and the 1.0 one, so that a before/after runs the same table). A name
# is (file suffix, function name); nested functions of one name count once (the outer one).
CLIENT_PARTS = (
    (
        "declaration checked (safe parse, schema, read)",
        [("declaration.py", "from_xml"), ("reading.py", "from_xml"), ("client.py", "_checked")],
    ),
    ("zeep: request built (WS-Security header too)", [("bindings/soap.py", "_create")]),
    ("HTTP: requests, urllib3, http.client, socket", [("zeep/transports.py", "post")]),
    ("zeep: answer parsed", [("bindings/soap.py", "process_reply")]),
    ("answer read by the safe parser first", [("client.py", "_reread")]),
    ("signature verified (signxml, RSA-SHA256)", [("signing.py", "verify")]),
    ("  of which signxml's canonicalisation", [("signxml/processor.py", "_c14n")]),
    ("  of which the certificate's shape and schema", [("signing.py", "signed_root")]),
    ("certificate compared with the declaration", [("matching.py", "check")]),
    ("SQLite ledger", [("~", "<method 'execute' of 'sqlite3.Connection' objects>")]),
)
SERVER_PARTS = (
    ("safe XML parsing (1.0: the declaration twice)", [("xmlsafe.py", "parse_untrusted")]),
    ("schema validation of the request", [("server.py", "_validate")]),
    ("schema validation of the declaration again (1.0)", [("xmlsafe.py", "validate")]),
    ("declaration read (fields)", [("declaration.py", "_read_item")]),
    ("declaration decoded (xmlschema) and read", [("reading.py", "read_validated")]),
    ("WS-Security token check (1.0: with its nonce write)", [("server.py", "_authenticate")]),
    ("second-level engine re-run", [("second_level.py", "check")]),
    ("certificate built", [("service.py", "_certificate")]),
    ("XML-DSig signing (signxml, RSA-SHA256, c14n)", [("signing.py", "sign")]),
    ("SQLite, all statements", [("~", "<method 'execute' of 'sqlite3.Connection' objects>")]),
    ("  of which signxml's canonicalisation", [("signxml/processor.py", "_c14n")]),
)


def breakdown(stats: pstats.Stats, parts, total_function, runs: int) -> None:
    """Print each part per submission. Parts can overlap a little (SQLite inside the 1.0
    token check, say); the figures are for comparing shares and before with after."""

    def cumulative(suffix: str, name: str) -> float:
        values = [
            value[3]
            for (path, _line, function), value in stats.stats.items()
            if path.endswith(suffix) and function.startswith(name)
        ]
        return max(values, default=0.0)

    total = cumulative(*total_function)
    print(f"  {'total, profiled thread CPU':52} {total / runs * 1e3:7.3f} ms")
    for label, functions in parts:
        value = sum(cumulative(*function) for function in functions)
        print(f"  {label:52} {value / runs * 1e3:7.3f} ms {value / total:6.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--serve", nargs=3, metavar=("PORT", "DIR", "PROFILE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        port, directory, out = args.serve
        serve(int(port), Path(directory), out if out != "-" else None)
        return 0

    import requests

    workdir = Path(tempfile.mkdtemp(prefix="rcep-profile-"))
    port = free_port()
    server_prof = str(workdir / "server.prof") if args.profile else "-"
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), str(workdir / "sw"), server_prof]
    )
    endpoint = f"http://127.0.0.1:{port}/single-window"
    for _ in range(100):
        try:
            requests.get(f"{endpoint}?wsdl", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    client = SingleWindowClient(endpoint, USER, PASSWORD, Ledger(workdir / "ledger.sqlite3"))
    work = declarations(args.runs + 5)
    for _key, xml in work[:5]:  # warm-up: WSDL parsed, certificate pinned, caches filled
        client.submit(xml)
    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    app_before = app_cpu(process)
    server_before, client_before, wall_before = (
        cpu_seconds(process.pid),
        time.process_time(),
        time.perf_counter(),
    )
    for _key, xml in work[5:]:
        if profiler:
            profiler.enable()
        outcome = client.submit(xml)
        if profiler:
            profiler.disable()
        assert outcome.entry.state == "issued", outcome
    wall = time.perf_counter() - wall_before
    client_cpu = time.process_time() - client_before
    time.sleep(0.2)
    server_cpu = cpu_seconds(process.pid) - server_before
    app = app_cpu(process) - app_before
    process.terminate()
    process.wait(timeout=10)
    n = args.runs
    print(
        f"{n} submissions, one client{' (under cProfile)' if profiler else ''}: "
        f"client CPU {client_cpu / n * 1e3:.2f} ms, server CPU {server_cpu / n * 1e3:.2f} ms "
        f"(of which the WSGI app {app / n * 1e3:.2f} ms, waitress and the rest "
        f"{(server_cpu - app) / n * 1e3:.2f} ms), "
        f"wall {wall / n * 1e3:.2f} ms per submission"
    )
    if profiler:
        print("\nclient, per submission (under cProfile; compare shares, not absolutes):")
        breakdown(pstats.Stats(profiler), CLIENT_PARTS, ("client.py", "submit"), n)
        print("server WSGI app, per submission:")
        breakdown(pstats.Stats(server_prof), SERVER_PARTS, ("server.py", "__call__"), n)
        for name, stats in (
            ("client", pstats.Stats(profiler)),
            ("server (WSGI app)", pstats.Stats(server_prof)),
        ):
            print(f"\n=== {name}: cumulative, per submission ===")
            stats.sort_stats("cumulative").print_stats(args.top)
            print(f"\n=== {name}: own time ===")
            stats.sort_stats("tottime").print_stats(args.top // 2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
