"""Round trips to PostgreSQL, counted on the wire: a TCP proxy between Django and the
database that counts how often the client waits for the server.

A round trip is a burst of client→server bytes followed by the client waiting for the
server's answer. The proxy counts one each time the client sends after the last traffic
on that connection went server→client (or is the connection's first): statements sent
together in one burst (several statements in one query string, or psycopg's pipeline mode)
count once; a statement sent after the answer to the previous one counts again. Django's
query log cannot see this: it misses the connection's health check and the BEGIN psycopg
sends on its own, and logs a pipelined burst as several queries.

`through_proxy(connection)` points a Django connection at the proxy (close it, change
HOST/PORT, reconnect on the next query) and back afterwards; `count_request` runs one
request the way a WSGI server with persistent connections does (Django's request signals
included, which django.test.Client leaves out), so the health check Django runs with
CONN_HEALTH_CHECKS is counted. The first request on a new connection also pays for the
connection's start-up; measure a second one, on the open connection, as gunicorn's
workers do (`RoundTripCounter.count_request` is given a warmed-up connection by the
caller).

Used by the claims benchmark (benchmarks/claims_queries.py) and its PostgreSQL test
(tests/benchmarks/test_round_trips.py). Loopback, plain TCP, one process.
"""

import contextlib
import selectors
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

CLIENT, SERVER = "client", "server"
CHUNK = 65536


# The untyped messages a client may send before its start-up message.
SSL_REQUEST, GSSENC_REQUEST = 80877103, 80877104


@dataclass
class _Pair:
    """One proxied connection: the client's socket, the server's, the last direction,
    and the client's bytes not yet read as whole messages."""

    client: socket.socket
    server: socket.socket
    last: str | None = None
    pending: bytes = b""
    started: bool = False  # the start-up message has gone by; every message is typed now

    def client_messages(self, data: bytes) -> list[str]:
        """What the client's complete messages in `data` (and before it) say: the SQL of a
        query or parse, the protocol message's letter otherwise."""
        self.pending += data
        said = []
        while True:
            if not self.started:
                if len(self.pending) < 8:
                    break
                length, code = struct.unpack("!ii", self.pending[:8])
                if len(self.pending) < length:
                    break
                self.pending = self.pending[length:]
                if code not in (SSL_REQUEST, GSSENC_REQUEST):
                    self.started = True
                said.append("(start-up)")
                continue
            if len(self.pending) < 5:
                break
            kind, length = self.pending[:1], struct.unpack("!i", self.pending[1:5])[0]
            if len(self.pending) < 1 + length:
                break
            body, self.pending = self.pending[5 : 1 + length], self.pending[1 + length :]
            said.append(_describe(kind, body))
        return said


def _describe(kind: bytes, body: bytes) -> str:
    if kind == b"Q":  # simple query: the SQL
        return body.rstrip(b"\0").decode(errors="replace")
    if kind == b"P":  # parse: statement name, then the SQL
        return body.split(b"\0", 2)[1].decode(errors="replace")
    return kind.decode(errors="replace")


@dataclass
class RoundTrip:
    """One round trip: the client's messages in the burst that opened it."""

    messages: list[str] = field(default_factory=list)

    @property
    def statements(self) -> list[str]:
        """The SQL sent (the protocol's Bind/Execute/Sync letters left out)."""
        return [m for m in self.messages if len(m) > 1]

    def __str__(self) -> str:
        return " | ".join(" ".join(s.split())[:90] for s in self.statements) or "(no SQL)"


class RoundTripProxy:
    """A thread forwarding 127.0.0.1:<port> to the database, counting round trips."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._round_trips: list[RoundTrip] = []
        self._pairs: list[_Pair] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="round-trip-proxy", daemon=True)

    @property
    def round_trips(self) -> int:
        with self._lock:
            return len(self._round_trips)

    def since(self, count: int) -> list[RoundTrip]:
        """The round trips after the first `count`, with what opened each."""
        with self._lock:
            return list(self._round_trips[count:])

    def __enter__(self) -> "RoundTripProxy":
        self._selector.register(self.listener, selectors.EVENT_READ, None)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        for pair in self._pairs:
            pair.client.close()
            pair.server.close()
        self.listener.close()
        self._selector.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=0.05):
                if key.data is None:
                    self._accept()
                else:
                    self._forward(*key.data)

    def _accept(self) -> None:
        client, _ = self.listener.accept()
        server = socket.create_connection(self.target)
        for sock in (client, server):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pair = _Pair(client, server)
        self._pairs.append(pair)
        self._selector.register(client, selectors.EVENT_READ, (pair, CLIENT))
        self._selector.register(server, selectors.EVENT_READ, (pair, SERVER))

    def _forward(self, pair: _Pair, source: str) -> None:
        reading, writing = (
            (pair.client, pair.server) if source == CLIENT else (pair.server, pair.client)
        )
        try:
            data = reading.recv(CHUNK)
        except OSError:
            data = b""
        if not data:  # one side closed: close both
            self._drop(pair)
            return
        with self._lock:
            # Counted before forwarding: by the time the client has its answer, the count
            # for the question is in.
            if source == CLIENT:
                if pair.last != CLIENT:
                    self._round_trips.append(RoundTrip())
                self._round_trips[-1].messages += pair.client_messages(data)
            pair.last = source
        writing.sendall(data)

    def _drop(self, pair: _Pair) -> None:
        for sock in (pair.client, pair.server):
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(sock)
            sock.close()
        self._pairs.remove(pair)


@contextlib.contextmanager
def through_proxy(connection) -> Iterator[RoundTripProxy]:
    """Django's `connection` goes through a counting proxy inside the block, and back to
    the database directly afterwards (a new connection each way)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("round trips are counted on PostgreSQL's wire protocol")
    settings = connection.settings_dict
    host, port = settings["HOST"], settings["PORT"]
    if not host or host.startswith("/"):
        raise RuntimeError("the database must be reached over TCP (HOST) to count round trips")
    connection.close()
    with RoundTripProxy(host, int(port or 5432)) as proxy:
        settings["HOST"], settings["PORT"] = "127.0.0.1", str(proxy.port)
        try:
            yield proxy
        finally:
            connection.close()
            settings["HOST"], settings["PORT"] = host, port


def count_request(
    proxy: RoundTripProxy, send: Callable[[], object]
) -> tuple[object, list[RoundTrip]]:
    """What `send()` answers and the round trips it took, run as a WSGI server runs a
    request: Django's request_started and request_finished handlers close a connection
    that is broken or too old and arm the health check for the next query; the test
    client leaves them out, so they run here."""
    from django.db import close_old_connections

    close_old_connections()  # request_started
    before = proxy.round_trips
    try:
        answer = send()
    finally:
        close_old_connections()  # request_finished
    return answer, proxy.since(before)
