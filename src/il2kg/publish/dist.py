"""Publish a build's files so that the output directory is always one complete build.

The output path (default `dist/`) is a symbolic link to a content-addressed sibling
directory. A build writes a new directory aside, then swaps the link with one atomic
rename: a reader, or a build killed at any point, sees the old build or the new one whole.
Staging directories of killed builds are removed by the next build of the same output.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()[:16]


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh directory beside `out` to build into, readable by everyone, removed if the
    build fails. Builds of one output take turns on an OS lock (released even when a build
    is killed), so staging directories found under the lock are from killed builds: removed."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        for stale in out.parent.glob(f".{out.name}-tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        path = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-", dir=out.parent))
        try:
            path.chmod(0o755)
            yield path
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise


def build_dir(out: Path, token: str) -> Path:
    """Where a complete build for `out` lives: a hidden sibling named by a token."""
    out = out.absolute()
    return out.parent / f".{out.name}-build-{token}"


def point(out: Path, target: Path) -> Path:
    """Make `out` a link to `target`, a complete build beside it, in one atomic rename."""
    out = out.absolute()
    if out.exists() and not out.is_symlink():
        raise FileExistsError(f"{out} exists and is not a link to an il2kg build; "
                              "move it away or choose another output")
    link = out.parent / f".{out.name}-link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    os.replace(link, out)
    _remove_old(out, keep=target)
    return target


def publish(files: dict[str, bytes], out: Path) -> Path:
    """Write files into a fresh directory beside `out`, then point `out` at it atomically."""
    target = build_dir(out, _digest(files))
    if not target.is_dir():
        with staging(out) as work:
            for name, content in files.items():
                (work / name).write_bytes(content)
            for path in work.iterdir():
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
            work.rename(target)
    return point(out, target)


def _remove_old(out: Path, keep: Path) -> None:
    """Delete earlier complete builds beside `out` (never another build's staging)."""
    for old in out.parent.glob(f".{out.name}-build-*"):
        if old != keep and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
