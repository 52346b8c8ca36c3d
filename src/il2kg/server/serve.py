"""Run the endpoint: prepare the on-disk store, pick the engine, start uvicorn."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import uvicorn

from il2kg.publish.disk_store import build_store, scratch_store_dir
from il2kg.server.app import QueryEngine, create_app
from il2kg.server.cache import CACHE_BYTES
from il2kg.server.http_server import config, quiet_floods
from il2kg.server.pool import WorkerPool
from il2kg.server.remote import RemoteEngine
from il2kg.server.settings import Settings


def default_workers() -> int:
    """Query worker processes: one per CPU, at least 2 so one runaway query never blocks."""
    return max(2, min(8, os.cpu_count() or 2))


def default_worker_memory(workers: int) -> int:
    """Each worker's memory cap in bytes: half the machine's memory shared out, at least 1 GB."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(1 << 30, total // (2 * workers))


def check_port(host: str, port: int) -> None:
    """Fail now, before a store is built or a worker started, when the address cannot be
    listened on (binding as uvicorn does, then letting go)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise OSError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}; is another "
                "server running there? Choose another --port"
            ) from None


def has_store(store_dir: Path | None) -> bool:
    """True when `store_dir` already holds a store (a non-empty directory)."""
    return store_dir is not None and store_dir.is_dir() and any(store_dir.iterdir())


def prepare_store(
    stack: ExitStack,
    store_dir: Path | None,
    dist: Path,
    *,
    extra: Sequence[Path] = (),
    queries_dir: Path | None = None,
) -> Path:
    """An on-disk store to serve: `store_dir` if it holds one, else one built there or in a
    temporary directory removed on exit."""
    if store_dir is not None and has_store(store_dir):
        return store_dir
    if store_dir is None:  # removed on exit; left by a killed server, by the next one
        store_dir = stack.enter_context(scratch_store_dir())
    return build_store(store_dir, dist, extra=extra, queries_dir=queries_dir)


def engine_for(
    store: Path | None,
    endpoint: str | None,
    *,
    workers: int,
    timeout: float,
    cache: int = CACHE_BYTES,
    direct: bool = True,
) -> QueryEngine:
    """Worker processes over the local store (answers kept up to `cache` bytes; with `direct`
    the general ones answer connections themselves), or the remote endpoint if one is given
    (nothing kept: its data may change)."""
    if endpoint:
        return RemoteEngine(endpoint, timeout=timeout)
    assert store is not None, "a local engine needs a store"
    return WorkerPool(
        str(store),
        size=workers,
        timeout=timeout,
        memory=default_worker_memory(workers + 2),  # + the reserved one and its spare
        cache=cache,
        direct=direct,
    )


def serve(
    engine: QueryEngine, settings: Settings, *, host: str, port: int, access_log: bool = False
) -> None:
    """Serve until interrupted; a line per request only with `access_log` (it costs 20-40%
    of the requests per second of small queries)."""
    quiet_floods()
    uvicorn.Server(
        config(
            create_app(engine, settings),
            host=host,
            port=port,
            read_timeout=settings.read_timeout,
            access_log=access_log,
            engine_fds=engine.descriptors,
        )
    ).run()
