"""Publish a build's files so that the output directory is always one complete build.

The output path (default `dist/`) is a symbolic link to a content-addressed sibling
directory. A build writes a new directory aside, then swaps the link with one atomic
rename: a reader, or a build killed at any point, sees the old build or the new one whole.
A whole publication (staging, swap, removal of old builds) holds the output's lock, so two
builds of one output never remove each other's directories; staging directories of killed
builds are removed by the next build of the same output. Names beside the output are
compared with the exact forms il2kg writes, never used as patterns.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


def _digest(directory: Path) -> str:
    """The content address of a directory's files: their names and SHA-256 digests."""
    h = hashlib.sha256()
    for path in sorted(directory.iterdir()):
        with path.open("rb") as handle:
            content = hashlib.file_digest(handle, "sha256").digest()
        h.update(path.name.encode() + b"\0" + content)
    return h.hexdigest()[:16]


@contextmanager
def locked(out: Path) -> Iterator[Path]:
    """Hold the lock of `out` (absolute, yielded) for a whole publication: staging, link swap
    and removal of old builds. Builds of one output take turns on an OS lock (released even
    when a build is killed), so staging directories found under it are from killed builds:
    removed. An output that exists and is not a link is refused before anything is written."""
    out = out.absolute()
    if out.exists() and not out.is_symlink():
        raise FileExistsError(
            f"{out} exists and is not a link to an il2kg build; "
            "move it away or choose another output"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        _remove(_siblings(out, "tmp", STAGING_TOKEN))
        yield out


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh directory beside `out` to build into, readable by everyone, removed if the
    build fails; only inside `locked(out)`."""
    out = out.absolute()
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
    """Make `out` a link to `target`, a complete build beside it, in one atomic rename, then
    remove the earlier builds; only inside `locked(out)`."""
    out = out.absolute()
    link = out.parent / f".{out.name}-link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    os.replace(link, out)
    _remove(_retire(out, p) for p in _siblings(out, "build", BUILD_TOKEN) if p != target)
    return target


def _retire(out: Path, build: Path) -> Path:
    """Rename an earlier build to a staging name before removing it: a build killed while
    removing it leaves a staging directory (removed by the next build), never a partial
    build directory that a later build of the same files would take as whole."""
    doomed = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-", dir=out.parent))
    os.replace(build, doomed)
    return doomed


def publish(files: dict[str, bytes], out: Path) -> Path:
    """Write files into a fresh directory beside `out`, then point `out` at it atomically.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "dist"
    >>> first = publish({"a.txt": b"one"}, out)
    >>> second = publish({"a.txt": b"two"}, out)
    >>> (out / "a.txt").read_bytes(), out.resolve() == second, first.exists()
    (b'two', True, False)
    >>> shutil.rmtree(out.parent)
    """

    def write(work: Path) -> None:
        for name, content in files.items():
            (work / name).write_bytes(content)

    return publish_written(write, out)


def publish_written(write: Callable[[Path], object], out: Path) -> Path:
    """Let `write` fill a fresh directory beside `out` (files are streamed there, never held
    whole), name it by its content, then point `out` at it atomically; an identical build
    already in place is kept."""
    with locked(out) as out:
        with staging(out) as work:
            write(work)
            for path in work.iterdir():
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
            target = build_dir(out, _digest(work))
            if target.is_dir():
                shutil.rmtree(work)
            else:
                work.rename(target)
        return point(out, target)


# What follows `.{out}-build-` and `.{out}-tmp-` in a name il2kg gave: a build's digest or
# store token, and tempfile.mkdtemp's suffix. Names are compared, never used as patterns.
BUILD_TOKEN = re.compile(r"[0-9a-f]{16}")
STAGING_TOKEN = re.compile(r"[a-z0-9_]{8}")


def _siblings(out: Path, kind: str, token: re.Pattern[str]) -> list[Path]:
    """The directories beside `out` named `.{out.name}-{kind}-{token}` (links are not)."""
    prefix = f".{out.name}-{kind}-"
    return [
        p
        for p in out.parent.iterdir()
        if p.name.startswith(prefix)
        and token.fullmatch(p.name[len(prefix) :])
        and p.is_dir()
        and not p.is_symlink()
    ]


def _remove(directories: Iterable[Path]) -> None:
    for directory in directories:
        shutil.rmtree(directory, ignore_errors=True)
