"""Run the mock Single Window inside this process, on a free loopback port (the demo and the
tests use it; `rcep-origin mock-server` runs it in the foreground)."""

import contextlib
import threading
from pathlib import Path

from connectors.single_window.guard import Limits, create_server
from connectors.single_window.server import Faults, SingleWindowApp
from connectors.single_window.service import Service

DEMO_USERS = {"exporter": "rcep-demo"}


@contextlib.contextmanager
def running(
    directory: Path,
    users: dict[str, str] | None = None,
    faults: Faults | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    limits: Limits | None = None,
    threads: int = 4,
):
    """Yield (endpoint URL, app); the server stops when the block ends (``app.server`` is the
    guarded waitress server, with the connection limits of ``limits``)."""
    app = SingleWindowApp(
        Service(Path(directory) / "single-window.sqlite3"), users or DEMO_USERS, faults=faults
    )
    server = create_server(app, host, port, limits, threads=threads, asyncore_loop_timeout=0.05)
    app.server = server
    stopping = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except (OSError, ValueError):  # sockets closed under the loop while stopping
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.effective_port}/single-window", app
    finally:
        stopping.set()
        server.task_dispatcher.shutdown()
        while server._map:  # the listener, open connections and the trigger
            for channel in list(server._map.values()):
                channel.close()
        thread.join(timeout=5)
