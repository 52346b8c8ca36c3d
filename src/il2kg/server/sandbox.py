"""The query workers' sandbox: the kernel refuses them every socket but a Unix one.

pyoxigraph evaluates SERVICE by connecting to the endpoint it names, and a check of the
query text can be fooled by a query the engine parses differently. So each worker installs
a seccomp filter before it opens the store: `socket` and `socketpair` for any address family
but AF_UNIX fail with EACCES (no TCP, UDP or DNS lookup, no raw or netlink socket), and
io_uring, which can create sockets without those calls, does not exist for it. The filter
covers every thread, is inherited by anything the worker starts and cannot be lifted. The
worker still talks to the server over the Unix socket it was started with.
"""

from __future__ import annotations

import errno
import socket

DENIED = errno.EACCES
IO_URING = ("io_uring_setup", "io_uring_enter", "io_uring_register")


class SandboxError(RuntimeError):
    """The sandbox could not be installed: this process must not run queries."""


def confine() -> None:
    """Install the filter in this process (all its threads), then prove that it holds."""
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError) as exc:  # RuntimeError: libseccomp.so.2 not found
        raise SandboxError(f"libseccomp cannot be loaded ({exc}); install the Debian package "
                           "libseccomp2 (or your system's libseccomp)") from exc
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)
        only_unix = seccomp.Arg(0, seccomp.NE, socket.AF_UNIX)
        for call in ("socket", "socketpair"):
            rules.add_rule(seccomp.ERRNO(DENIED), call, only_unix)
        for call in IO_URING:
            rules.add_rule(seccomp.ERRNO(errno.ENOSYS), call)
        rules.load()
    except OSError as exc:
        raise SandboxError(f"the kernel refused the seccomp filter ({exc})") from exc
    check()


def check() -> None:
    """Raise SandboxError unless internet sockets are refused to this process."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
        except OSError as exc:
            if exc.errno == DENIED:
                continue
            raise SandboxError(f"opening a {family.name} socket failed with {exc}, not with "
                               "the sandbox's refusal") from exc
        raise SandboxError(f"a {family.name} socket could still be opened")
