"""The endpoint's settings: limits and public URL."""

from __future__ import annotations

from dataclasses import dataclass

from il2kg.evidence.forest import DRAW_SECONDS


@dataclass(frozen=True)
class Settings:
    """What an endpoint allows; the defaults suit a public endpoint."""

    timeout: float = 30.0
    max_body_bytes: int = 1_000_000
    max_result_bytes: int = 200_000_000
    endpoint_url: str | None = None
    read_timeout: float = 10.0  # for a request's head, and again for its body
    draw_timeout: float = DRAW_SECONDS  # for drawing a forest plot; past it the page has none
