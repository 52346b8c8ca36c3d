"""A project's files read safely and outputs written safely.

Reading: a file is read only if it resolves (links followed) inside the project's directory,
is opened without following a link in its last component and is a regular file; an error
names the path as given, never what it points to or holds. Writing: an output is written to
a temporary file beside it and renamed over it, so a failed write (a full disk) leaves the
previous file as it was.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path


class OutsideProject(OSError):
    """A path that resolves outside the directory it must stay in (a link pointing out)."""


def inside(path: Path, root: Path) -> Path:
    """`path` resolved, when it lies in `root`; `OutsideProject` naming `path` (its filename)
    otherwise, never where it leads.

    >>> inside(Path("/project/seeds/a.yaml"), Path("/project"))
    PosixPath('/project/seeds/a.yaml')
    >>> inside(Path("/project/../etc/passwd"), Path("/project"))
    Traceback (most recent call last):
    ...
    il2kg.files.OutsideProject: [Errno 1] not read: it resolves outside /project ...
    """
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise OutsideProject(
            errno.EPERM,
            f"not read: it resolves outside {root} (a link out of "
            "the project?); only files inside the project are read",
            str(path),
        )
    return resolved


def read_inside(path: Path, root: Path, limit: int) -> bytes:
    """The bytes of a regular file inside `root` of at most `limit` bytes; OSError otherwise.

    The resolved file is opened without following a link and without blocking (a FIFO would
    wait for a writer), then checked by its descriptor: what is checked is what is read.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
    descriptor = os.open(inside(path, root), flags)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError("expected a regular file; found a device, FIFO, socket or directory")
        raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise OSError(f"file is larger than {limit} bytes")
    return raw


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file beside it, synced, then renamed over
    it: `path` holds its previous content or all of `data`, never part of it."""
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}-", suffix=".tmp", dir=path.absolute().parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
