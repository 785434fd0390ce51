"""Run the mock Single Window inside this process, on a free loopback port (the demo and the
tests use it; `rcep-origin mock-server` runs it in the foreground)."""

import contextlib
import threading
from pathlib import Path

from waitress.server import create_server

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
):
    """Yield (endpoint URL, app); the server stops when the block ends."""
    app = SingleWindowApp(
        Service(Path(directory) / "single-window.sqlite3"), users or DEMO_USERS, faults=faults
    )
    server = create_server(app, host=host, port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.effective_port}/single-window", app
    finally:
        server.close()
        thread.join(timeout=5)
