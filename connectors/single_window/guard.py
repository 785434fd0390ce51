"""Connection limits of the mock Single Window, as a customs endpoint would set them.

waitress alone keeps a connection as long as it sends a byte now and then (its
``channel_timeout`` counts from the last byte), stops accepting anyone once ``connection_limit``
connections are open, and has no cap per client address: 98 idle connections, or 150 sending
one byte a second, starve every real request. The server here is waitress's own, with its HTTP
parser, task queue and WSGI handling unchanged, and four rules added where waitress accepts and
sweeps its connections:

- a request must be complete in time: its headers within ``header_timeout`` seconds of the
  connection (or of the previous answer on a kept-alive connection), its body within
  ``body_timeout`` seconds of its headers, however slowly the bytes keep coming; an idle
  connection is closed, a half-sent request is answered 408 and closed;
- at most ``per_address`` connections from one client address; the next one is answered 429
  and closed at once;
- at most ``max_connections`` connections in all; past it, the connection that has waited
  longest without a complete request is closed to admit the new one (a connection whose request
  is being served is never closed), so that a flood of idle connections cannot keep a real
  client out: its complete request arrives long before the flood's connections time out;
- at most ``queue`` complete requests waiting for a worker; past it a request is answered 503
  with Retry-After, without running the application (clients retry 503 with the same key).
"""

import collections
import resource
import time
from dataclasses import dataclass

from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

SWEEP_SECONDS = 0.25


@dataclass(frozen=True)
class Limits:
    header_timeout: float = 5.0
    body_timeout: float = 10.0
    per_address: int = 64
    max_connections: int = 1024
    queue: int = 64
    backlog: int = 1024
    send_timeout: int = 30  # an answer nobody reads (waitress's channel_timeout)


def _answer(status: str, text: str, extra: str = "") -> bytes:
    body = text.encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
        f"{extra}Connection: close\r\n\r\n"
    ).encode() + body


class GuardedChannel(HTTPChannel):
    """A connection that knows since when it has been waiting for a complete request."""

    counted = False

    def __init__(self, server, sock, addr, adj, map=None):
        super().__init__(server, sock, addr, adj, map=map)
        self.started_at = self.headers_at = None  # of the request being received
        server.per_address[self.address] += 1
        self.counted = True

    def received(self, data):
        # the clocks of the request being received: its first byte, then its last header
        if data and self.request is None:
            self.started_at, self.headers_at = time.time(), None
        result = super().received(data)
        request = self.request
        if request is None:
            self.started_at = self.headers_at = None
        elif request.headers_finished and self.headers_at is None:
            self.headers_at = time.time()
        return result

    @property
    def waiting_since(self) -> float:
        """Since when this connection has been waiting for a complete request: the first
        byte of the one being received, else the last activity (the end of the previous
        answer, or the connection itself)."""
        return self.started_at if self.started_at is not None else self.last_activity

    @property
    def address(self) -> str:
        return self.addr[0] if isinstance(self.addr, tuple) else str(self.addr)

    @property
    def busy(self) -> bool:
        """A request is queued or being served, or an answer is still going out."""
        return bool(self.requests) or bool(self.total_outbufs_len) or self.close_when_flushed

    def del_channel(self, map=None):
        if self.counted:
            self.counted = False
            left = self.server.per_address[self.address] - 1
            if left > 0:
                self.server.per_address[self.address] = left
            else:
                self.server.per_address.pop(self.address, None)
        super().del_channel(map)

    def refuse(self, answer: bytes) -> None:
        """Answer at once and close when sent (main loop or a worker; the caller holds no
        outbuf lock)."""
        with self.outbuf_lock:
            self.outbufs[-1].append(answer)
            self.current_outbuf_count += len(answer)
            self.total_outbufs_len += len(answer)
        for request in self.requests:
            request.close()
        self.requests = []
        self.request = None
        self.close_when_flushed = True
        self.server.pull_trigger()


class GuardedServer(TcpWSGIServer):
    channel_class = GuardedChannel

    def __init__(self, application, limits: Limits | None = None, **kw):
        self.limits = limits or Limits()
        self.per_address = collections.Counter()
        self.refused = collections.Counter()  # why connections or requests were refused
        self.next_sweep = 0.0
        _enough_files(self.limits.max_connections)
        kw.setdefault("backlog", self.limits.backlog)
        kw.setdefault("channel_timeout", self.limits.send_timeout)
        kw["connection_limit"] = self.limits.max_connections + 16  # ours applies first
        kw["asyncore_use_poll"] = True  # select() cannot watch descriptors past 1024
        super().__init__(application, **kw)

    # --- accepting --------------------------------------------------------------------------

    def handle_accept(self):
        try:
            accepted = self.accept()
        except OSError:
            return
        if accepted is None:
            return
        conn, addr = accepted
        address = addr[0] if isinstance(addr, tuple) else str(addr)
        if self.per_address[address] >= self.limits.per_address:
            self._turn_away(
                conn,
                "per_address",
                _answer(
                    "429 Too Many Requests",
                    f"at most {self.limits.per_address} connections from one address\n",
                    "Retry-After: 1\r\n",
                ),
            )
            return
        if len(self.active_channels) >= self.limits.max_connections and not self._evict():
            self._turn_away(
                conn,
                "max_connections",
                _answer("503 Service Unavailable", "too many connections\n", "Retry-After: 1\r\n"),
            )
            return
        try:
            self.set_socket_options(conn)
        except OSError:
            conn.close()
            return
        self.channel_class(self, conn, self.fix_addr(addr), self.adj, map=self._map)

    def _turn_away(self, conn, reason: str, answer: bytes) -> None:
        self.refused[reason] += 1
        try:
            conn.setblocking(False)
            conn.send(answer)
        except OSError:
            pass
        finally:
            conn.close()

    def _evict(self) -> bool:
        """Close the connection waiting longest without a complete request; False if every
        connection has a request in hand."""
        waiting = [c for c in self.active_channels.values() if not c.busy]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: c.waiting_since)
        self.refused["evicted"] += 1
        oldest.handle_close()
        return True

    # --- the queue --------------------------------------------------------------------------

    def add_task(self, task):
        if len(self.task_dispatcher.queue) >= self.limits.queue:
            self.refused["queue"] += 1
            task.refuse(
                _answer(
                    "503 Service Unavailable",
                    "the Single Window is busy; retry with the same idempotency key\n",
                    "Retry-After: 1\r\n",
                )
            )
            return
        super().add_task(task)

    # --- deadlines --------------------------------------------------------------------------

    def readable(self):
        now = time.time()
        if now >= self.next_sweep:
            self.next_sweep = now + SWEEP_SECONDS
            self.sweep(now)
        return super().readable()

    def sweep(self, now: float) -> None:
        limits = self.limits
        for channel in list(self.active_channels.values()):
            if channel.will_close or channel.close_when_flushed or channel.busy:
                continue
            request = channel.request
            if request is None:  # idle: nothing sent since the connection or the last answer
                if now - channel.last_activity > limits.header_timeout:
                    self.refused["idle"] += 1
                    channel.will_close = True
                continue
            if channel.headers_at is None:
                if now - channel.waiting_since <= limits.header_timeout:
                    continue
                self.refused["header_timeout"] += 1
                what = f"the request headers were not received within {limits.header_timeout:g} s"
            else:
                if now - channel.headers_at <= limits.body_timeout:
                    continue
                self.refused["body_timeout"] += 1
                what = f"the request body was not received within {limits.body_timeout:g} s"
            with channel.requests_lock:
                channel.refuse(_answer("408 Request Timeout", what + "\n"))


def _enough_files(connections: int) -> None:
    """Raise this process's soft limit of open files to fit the connections (up to the hard
    limit): a server that runs out of descriptors cannot even accept to refuse."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        top = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if top > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (top, hard))


def create_server(app, host: str = "127.0.0.1", port: int = 0, limits=None, **kw):
    """A guarded waitress server for ``app``, listening (not yet running)."""
    kw.setdefault("threads", 4)
    kw.setdefault("ident", "rcep-mock-single-window")
    return GuardedServer(app, limits, host=host, port=port, **kw)
