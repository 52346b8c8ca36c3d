"""Path traversal and odd IRIs on every route: nothing outside the static directory is served,
never a 500. Paths go out as raw bytes, so no client normalises them first."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import il2kg
from il2kg.server.app import STATIC

from .test_security_fuzz import FUZZ, assert_clean, http, raw

PACKAGE = Path(il2kg.__file__).parent
STATIC_FILES = {p.read_bytes() for p in STATIC.iterdir() if p.is_file()}
# Text from files that must never be served: system files and the endpoint's own source.
SECRETS = [
    b"root:x:0:0",
    b"def create_app",
    b"def check_services",
    b"[build-system]",
    b"import uvicorn",
    b"PRIVATE KEY",
]
ROUTES = [b"/resource/", b"/static/", b"/queries/", b"/sparql/", b"/.well-known/", b"/"]
TRAVERSALS = [
    b"../../../../../../etc/passwd",
    b"%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    b"..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    b"%2e%2e%2f%2e%2e%2fapp.py",
    b"../app.py",
    b"..%2fapp.py",
    b"..%5capp.py",
    b"..\\app.py",
    b"../../store.py",
    b"../../../../pyproject.toml",
    b"%252e%252e%252fapp.py",
    b"....//....//etc/passwd",
    b"/etc/passwd",
    b"//etc/passwd",
    b"%2fetc%2fpasswd",
    b"file:///etc/passwd",
    b"..;/app.py",
    b"app.js/../../app.py",
    b".%2e/.%2e/app.py",
    b"%c0%ae%c0%ae/app.py",
    b"static/../../server/app.py",
]
ODD = [
    b"%00",
    b"a%00b",
    b"\x00",
    b"x" * 10_000,
    b"x/" * 5_000,
    b"%ff%fe",
    b"\xc3\xa9t\xc3\xa9",
    b"%E2%80%AE",
    b"%F0%9F%92%A3",
    b"<script>",
    b"%3Cscript%3E",
    b"a%20b",
    b"a>b",
    b"{}|^`",
    b"%0d%0aSet-Cookie:%20x=1",
    b"?format=ttl",
    b"#frag",
    b";x=1",
    b".",
]


def check(status: int | None, answer: bytes, route: bytes) -> None:
    """No 500, no trace, no secret; under /static only the static files themselves."""
    assert_clean(status, answer)
    assert not any(secret in answer for secret in SECRETS), answer[:500]
    if route == b"/static/" and status == 200:
        body = answer.partition(b"\r\n\r\n")[2]
        assert body in STATIC_FILES
    assert b"\r\nSet-Cookie" not in answer.partition(b"\r\n\r\n")[0]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("tail", TRAVERSALS + ODD)
def test_traversal_and_odd_paths(endpoint: str, route: bytes, tail: bytes) -> None:
    for accept in (b"text/html", b"text/turtle"):
        status, answer = raw(endpoint, http(b"GET", route + tail, [(b"Accept", accept)]))
        check(status, answer, route)


def test_static_files_are_served(endpoint: str) -> None:
    """The check above is not vacuous: the static files themselves are served."""
    status, answer = raw(endpoint, http(b"GET", b"/static/app.js"))
    assert status == 200 and answer.partition(b"\r\n\r\n")[2] in STATIC_FILES


segment = st.one_of(
    st.sampled_from(
        [
            b"..",
            b".",
            b"%2e%2e",
            b"%2e",
            b"%2f",
            b"%5c",
            b"%00",
            b"etc",
            b"passwd",
            b"app.py",
            b"server",
            b"il2kg",
            b"",
            b"%252e",
            b"\xc0\xae",
            b"%c0%ae",
            b"~",
            b"static",
        ]
    ),
    st.binary(min_size=1, max_size=20).filter(lambda b: not any(c in b for c in b" \r\n?#")),
)


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    parts=st.lists(segment, max_size=12),
    accept=st.sampled_from([b"text/html", b"application/ld+json", b"*/*"]),
)
def test_random_paths(endpoint: str, route: bytes, parts: list[bytes], accept: bytes) -> None:
    status, answer = raw(endpoint, http(b"GET", route + b"/".join(parts), [(b"Accept", accept)]))
    check(status, answer, route)
