"""An on-disk pyoxigraph store of a build, written all or nothing, even when interrupted."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
import traceback
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from pyoxigraph import Store

from il2kg.publish.dist import build_dir, locked, point, staging
from il2kg.publish.store import fill


def build_store(
    path: Path, dist: Path, *, extra: Sequence[Path] = (), queries_dir: Path | None = None
) -> Path:
    """Write an on-disk store at `path` (which must not exist yet or be empty), all or
    nothing: it is built in a directory beside `path` and renamed into place when complete."""
    if path.exists() and any(path.iterdir()):
        raise FileExistsError(f"{path} is not empty; give a new directory for the store")
    path.parent.mkdir(parents=True, exist_ok=True)
    # The directory is made inside the try, so an interrupt delivered at any moment (a signal
    # mask holds only this thread's share) finds the code that removes it.
    work = path.parent / f".{path.name}-{uuid.uuid4().hex[:8]}"
    store = None
    try:
        work.mkdir()
        store = fill(Store(str(work)), dist, extra=extra, queries_dir=queries_dir)
        store.flush()
        store.optimize()
        store = None
        os.replace(work, path)
    except BaseException as exc:  # an interrupt too: close the half-built store, remove it
        store = None
        traceback.clear_frames(exc.__traceback__)
        shutil.rmtree(work, ignore_errors=True)
        raise
    return path


def publish_store(out: Path, dist: Path, *, queries_dir: Path | None = None) -> Path:
    """Build an on-disk store beside `out`, then point `out` at it atomically."""
    target = build_dir(out, uuid.uuid4().hex[:16])
    with locked(out) as out:
        with staging(out) as work:
            # Built inside the staging directory (its own temporary directory too), so what a
            # killed build leaves is one staging directory, which the next build removes.
            build_store(work / "store", dist, queries_dir=queries_dir)
            (work / "store").rename(target)
            work.rmdir()
        return point(out, target)


SCRATCH = re.compile(r"il2kg-store-[0-9a-f]{16}")  # compared, never used as a pattern of paths


@contextmanager
def scratch_store_dir(parent: Path | None = None) -> Iterator[Path]:
    """A new directory in `parent` (default: the system's temporary directory) for a server's
    own store, removed on exit. Its lock file is taken before the directory exists and held
    while it does, so the directories of servers killed before they could remove theirs
    (their locks free) are found and removed here first."""
    parent = parent or Path(tempfile.gettempdir())
    _remove_abandoned(parent)
    name = f"il2kg-store-{uuid.uuid4().hex[:16]}"
    lock = os.open(parent / f"{name}.lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = parent / name
        try:
            path.mkdir(mode=0o700)
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)
    finally:
        (parent / f"{name}.lock").unlink(missing_ok=True)
        os.close(lock)


def _remove_abandoned(parent: Path) -> None:
    """Remove this user's scratch store directories whose lock no live server holds."""
    for lock_path in parent.iterdir():
        name = lock_path.name.removesuffix(".lock")
        if lock_path.name == name or not SCRATCH.fullmatch(name):
            continue
        try:
            fd = os.open(lock_path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            with suppress(BlockingIOError):  # held: its server is alive
                if os.fstat(fd).st_uid == os.getuid():
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    shutil.rmtree(parent / name, ignore_errors=True)
                    lock_path.unlink(missing_ok=True)
        finally:
            os.close(fd)
