"""The query workers' sandbox: the kernel refuses them every new socket and every connect.

pyoxigraph evaluates SERVICE by resolving and connecting to the endpoint it names, and a check
of the query text can be fooled by a query the engine parses differently. So each worker
installs a seccomp filter before it opens the store: `socket`, `socketpair` and `connect` fail
with EACCES for every address family, Unix sockets included (glibc's `getaddrinfo` asks nscd,
systemd-resolved or avahi over a Unix socket, which would carry the name it looks up out of the
worker), and io_uring, which can create sockets without those calls, does not exist for it. The
filter covers every thread, is inherited by anything the worker starts and cannot be lifted.
The worker keeps the sockets it already has: the one it was started with, and those handed to
it over that socket (SCM_RIGHTS) or accepted on an inherited listening socket, none of which
needs a new socket or a connect.
"""

from __future__ import annotations

import errno
import socket

DENIED = errno.EACCES
NO_NEW_SOCKETS = ("socket", "socketpair", "connect")
IO_URING = ("io_uring_setup", "io_uring_enter", "io_uring_register")
FAMILIES = (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX)


class SandboxError(RuntimeError):
    """The sandbox could not be installed: this process must not run queries."""


def confine() -> None:
    """Install the filter in this process (all its threads), then prove that it holds."""
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError) as exc:  # RuntimeError: libseccomp.so.2 not found
        raise SandboxError(
            f"libseccomp cannot be loaded ({exc}); install the Debian package "
            "libseccomp2 (or your system's libseccomp)"
        ) from exc
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)
        for call in NO_NEW_SOCKETS:
            rules.add_rule(seccomp.ERRNO(DENIED), call)
        for call in IO_URING:
            rules.add_rule(seccomp.ERRNO(errno.ENOSYS), call)
        rules.load()
    except OSError as exc:
        raise SandboxError(f"the kernel refused the seccomp filter ({exc})") from exc
    check()


def check() -> None:
    """Raise SandboxError unless this process is refused a socket of every family."""
    for family in FAMILIES:
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
        except OSError as exc:
            if exc.errno == DENIED:
                continue
            raise SandboxError(
                f"opening a {family.name} socket failed with {exc}, not with the sandbox's refusal"
            ) from exc
        raise SandboxError(f"a {family.name} socket could still be opened")
