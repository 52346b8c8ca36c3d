"""The HTTP server: uvicorn on uvloop and httptools, with what a public endpoint needs besides.

- A connection whose request head has not fully arrived within `read_timeout` seconds of
  connecting (or of its previous response) is closed: idle and slow-header (slowloris)
  clients cannot hold connections; uvicorn's own keep-alive timer only runs between requests.
- A request head larger than 64 KiB gets 431 and the connection is closed (uvicorn's
  httptools protocol would keep collecting it).
- Each response is written with one system call: uvicorn writes the head and the body
  separately, which costs a second `send` (and a second wake-up of the client) per answer.
- Connections are capped below the process's file-descriptor limit (raised to its hard
  limit), less what the query engine may need (two generations of query workers): past the
  cap a newcomer gets a 503 and is closed at once, while the connections
  already open keep being served, so running out of descriptors never stops the server
  from accepting, opening a worker or answering its clients.
- A warning or error repeated in a burst (a flood of bad requests, refused connections) is
  logged once per interval with a count of what was left out.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from il2kg.server.dispatch import Dispatch

MAX_HEAD = 64 * 1024
RESERVED_FDS = 64  # for store and static files, the log; the query engine's come on top
LOG_INTERVAL = 10.0
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: 44\r\n\r\n"
    b"too many connections open; try again later\n"
)
TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; "
    b"charset=utf-8\r\nconnection: close\r\ncontent-length: 36\r\n\r\n"
    b"request head larger than 65536 bytes"
)


class CoalescingTransport:
    """A transport whose writes in one event-loop step go out together in one `write`."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        """Queue data; the first write of a step schedules the flush."""
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def flush(self) -> None:
        """Write what is queued now."""
        if self._pending and not self._transport.is_closing():
            self._transport.write(b"".join(self._pending))
        self._pending.clear()

    def close(self) -> None:
        """Send what is queued, then close."""
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class ServerConfig(uvicorn.Config):
    """uvicorn's configuration plus the head deadline, the connection cap and the workers that
    answer connections themselves (`dispatch`), if any."""

    def __init__(
        self,
        app: Any,
        *,
        head_timeout: float,
        max_connections: int,
        direct: Dispatch | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(app, **kwargs)
        self.head_timeout, self.max_connections = head_timeout, max_connections
        self.direct = direct


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for request heads, coalesced writes and
    a cap on open connections (those workers hold included). A new connection goes to a
    worker if one takes it (`dispatch`); one a worker gives back comes with the bytes it read
    (`lead`), served first, and goes to a worker again between requests."""

    config: ServerConfig

    def __init__(self, *args: Any, lead: bytes | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timer: asyncio.TimerHandle | None = None
        self.head_bytes = 0
        self.refused = False
        self.lead = lead
        self.begun = self.answered = 0  # requests begun and answered on this connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        direct = self.config.direct
        held = 0 if direct is None else direct.count  # a connection given back is not
        if len(self.connections) + held >= self.config.max_connections:
            self.refused = True
            self.logger.warning("%d connections open: refusing new ones", len(self.connections))
            transport.write(BUSY)
            transport.close()
            return
        if direct is not None and self.lead is None:
            direct.serving = direct.serving or self._sibling
            if direct.take(transport):
                self.refused = True  # the worker's now; this descriptor is let go
                transport.abort()
                return
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
        self._arm()
        if self.lead:
            self.data_received(self.lead)

    def _sibling(self, lead: bytes) -> HttpProtocol:
        """This protocol for a connection a worker gave back."""
        return HttpProtocol(
            config=self.config, server_state=self.server_state, app_state=self.app_state, lead=lead
        )

    def _arm(self) -> None:
        self._disarm()
        self.head_bytes = 0
        self.head_timer = self.loop.call_later(self.config.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _too_slow(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        """Feed the parser; refuse a head that is still incomplete past MAX_HEAD bytes, even
        when it came with more in one read (the parser is fed up to the limit first)."""
        if self.head_timer is None:  # a body, or a refused connection
            super().data_received(data)
            return
        room = MAX_HEAD - self.head_bytes
        self.head_bytes += min(len(data), room)
        super().data_received(data[:room])
        if self.head_timer is not None and len(data) > room:
            self._disarm()
            self.transport.write(TOO_LARGE)
            self.transport.close()
        elif len(data) > room and not self.transport.is_closing():
            super().data_received(data[room:])

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_message_begin(self) -> None:
        self.begun += 1  # (llhttp calls this at a request's first byte)
        super().on_message_begin()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.answered += 1
        if not self.transport.is_closing() and not self._to_worker():
            self._arm()

    def _to_worker(self) -> bool:
        """Hand the connection to a worker between requests (its answer all written and
        nothing of a next request read): True if one took it."""
        direct, transport = self.config.direct, self.transport
        if direct is None or self.pipeline or self.begun != self.answered:
            return False
        assert isinstance(transport, CoalescingTransport)
        transport.flush()
        if transport.get_write_buffer_size() or not direct.take(transport):
            return False
        self.refused = True  # the worker's now; this descriptor is let go
        self.connections.discard(self)
        self._disarm()
        self._unset_keepalive_if_required()
        transport.abort()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if self.refused:
            return
        self._disarm()
        super().connection_lost(exc)


class RateLimit(logging.Filter):
    """Let the same message through once per `interval` seconds, noting how many were dropped."""

    def __init__(self, interval: float = LOG_INTERVAL) -> None:
        super().__init__()
        self.interval = interval
        self.seen: dict[tuple[str, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """True when the record should be logged."""
        if record.levelno < logging.WARNING:
            return True
        key, now = (record.name, record.msg), time.monotonic()
        last, dropped = self.seen.get(key, (0.0, 0))
        if now - last < self.interval:
            self.seen[key] = (last, dropped + 1)
            return False
        self.seen[key] = (now, 0)
        if dropped:
            record.msg = f"{record.msg} (and {dropped} more like it in {self.interval:g} s)"
        return True


def connection_limit(engine: int = 0) -> int:
    """The most connections to accept at once: the descriptor limit, raised to its hard
    limit, less a reserve and the `engine`'s descriptors (query workers, their sockets)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return max(8, soft - RESERVED_FDS - engine)


def quiet_floods() -> None:
    """Rate-limit the server's and the event loop's repeated warnings."""
    limiter = RateLimit()
    for name in ("uvicorn.error", "asyncio", "il2kg.server"):
        logging.getLogger(name).addFilter(limiter)


def config(
    app: Any,
    *,
    host: str,
    port: int,
    read_timeout: float,
    access_log: bool = False,
    log_level: str = "info",
    engine_fds: int = 0,
) -> ServerConfig:
    """The uvicorn configuration every il2kg server uses (the tests' too); `engine_fds`
    descriptors are kept for the query engine."""
    return ServerConfig(
        app,
        direct=getattr(app, "direct", None),
        host=host,
        port=port,
        http=HttpProtocol,
        loop="uvloop",
        log_level=log_level,
        access_log=access_log,
        head_timeout=read_timeout,
        max_connections=connection_limit(engine_fds),
    )
