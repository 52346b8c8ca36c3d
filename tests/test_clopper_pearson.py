"""il2kg's own Clopper-Pearson bounds equal scipy's `betaincinv` rounded as il2kg rounds.

scipy is a test dependency only: importing it took ~0.6-1 s of every `il2kg validate`.
"""

from __future__ import annotations

import itertools

import pytest
from scipy.special import betaincinv

from il2kg.graph.derive import beta_cdf, clopper_pearson, to_percent

LEVELS = (0.8, 0.9, 0.95, 0.99)
# 0.95 is the level il2kg publishes; the whole grid at the other levels in the full suite
GRID_LEVELS = [pytest.param(v, marks=[] if v == 0.95 else pytest.mark.slow) for v in LEVELS]


def scipy_interval(count: int, total: int, level: float) -> tuple[object, object]:
    """The interval as derive.py computed it with scipy (before it had its own)."""
    tail = (1 - level) / 2
    lower = betaincinv(count, total - count + 1, tail) if count > 0 else 0.0
    upper = betaincinv(count + 1, total - count, 1 - tail) if count < total else 1.0
    return to_percent(float(lower)), to_percent(float(upper))


def _large() -> list[tuple[int, int]]:
    """Counts spread over totals from 100 to 10^9."""
    pairs = []
    for total in (100, 137, 250, 999, 1_000, 4_321, 10_000, 65_537, 10**6, 123_456_789, 10**9):
        for count in {0, 1, 2, 3, 7, total // 100, total // 7, total // 3, total // 2, total - 1}:
            pairs.append((count, total))
    return pairs


@pytest.mark.parametrize("level", GRID_LEVELS)
def test_every_count_up_to_a_total_of_120_gives_scipys_interval(level: float) -> None:
    clopper_pearson.cache_clear()
    for total in range(1, 121):
        for count in range(total + 1):
            assert clopper_pearson(count, total, level) == scipy_interval(count, total, level), (
                count,
                total,
            )


@pytest.mark.parametrize("level", LEVELS)
def test_large_totals_give_scipys_interval(level: float) -> None:
    for count, total in _large():
        assert clopper_pearson(count, total, level) == scipy_interval(count, total, level), (
            count,
            total,
        )


def test_the_incomplete_beta_function_agrees_with_scipys() -> None:
    """Not only the rounded bounds: I_x(a, b) itself, to 1e-9 relative (lgamma differences)."""
    from scipy.special import betainc

    for a, b in itertools.product((1, 2, 5, 30, 400, 10**5), repeat=2):
        for x in (0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, a / (a + b)):
            assert beta_cdf(a, b, x) == pytest.approx(float(betainc(a, b, x)), rel=1e-9, abs=1e-15)
