"""The query page over HTTP: served under a policy confining it to this server, its assets
bundled in the package, the published prefixes, the bundled YASGUI's version and licence."""

from __future__ import annotations

import json
import re

import httpx

from il2kg.iris import prefixes
from il2kg.server.querypage import STATIC


def test_page_may_reach_only_this_server(endpoint: str) -> None:
    for path in ("/", "/sparql"):
        response = httpx.get(endpoint + path, headers={"Accept": "text/html"}, timeout=30)
        policy = dict(
            part.strip().split(" ", 1)
            for part in response.headers["content-security-policy"].split(";")
        )
        assert response.status_code == 200 and "yasgui.min.js" in response.text
        assert policy["default-src"] == policy["connect-src"] == "'self'"
        assert "http" not in response.headers["content-security-policy"]


def test_page_assets_are_bundled_and_served(endpoint: str) -> None:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert {"/static/yasgui/yasgui.min.js", "/static/yasgui/yasgui.min.css"} <= set(assets)
    for asset in assets:
        body = httpx.get(endpoint + asset, timeout=30).content
        assert body == (STATIC / asset.removeprefix("/static/")).read_bytes()
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)


def test_page_has_a_plain_fallback_without_javascript() -> None:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    fallback = page.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert '<form action="/sparql" method="get">' in fallback and 'name="query"' in fallback


def test_published_prefixes(endpoint: str) -> None:
    assert httpx.get(f"{endpoint}/prefixes", timeout=30).json() == prefixes()


def test_bundled_yasgui_records_its_version_and_licence() -> None:
    package = json.loads((STATIC / "yasgui" / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == "@zazuko/yasgui" and package["license"] == "MIT"
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"])
    assert "sourceMappingURL" not in (STATIC / "yasgui" / "yasgui.min.js").read_text("utf-8")
