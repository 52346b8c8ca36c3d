"""An on-disk pyoxigraph store of a build, written all or nothing, even when interrupted."""

from __future__ import annotations

import os
import shutil
import traceback
import uuid
from collections.abc import Sequence
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
