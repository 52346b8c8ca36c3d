"""Derived statistics: effective counts, rates and exact binomial confidence intervals.

Everything here is computed from reported numbers and is published as derived, never in
place of a reported figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from il2kg.records.model import Outcome
from il2kg.records.outcome_kinds import OUTCOME_KINDS

CLOPPER_PEARSON = "Clopper-Pearson exact binomial interval"


@dataclass(frozen=True)
class Derived:
    """The derived figures of one outcome; a field is None where it cannot be derived."""

    count: int | None = None
    count_from: tuple[str, ...] = ()
    denominator: int | None = None
    denominator_from: str | None = None
    percent: Decimal | None = None
    ci_lower: Decimal | None = None
    ci_upper: Decimal | None = None

    def is_empty(self) -> bool:
        """True when nothing could be derived."""
        return self.count is None and self.denominator is None and self.percent is None


def to_percent(proportion: float) -> Decimal:
    """A proportion as a percentage rounded half up to two decimals (monotone in proportion)."""
    return Decimal(str(proportion * 100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    fraction, m = d, 0
    while True:
        m += 1
        for step in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + step * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + step / c
            c = c if abs(c) > tiny else tiny
            fraction *= d * c
        if abs(d * c - 1) < 1e-15:
            return fraction


def beta_cdf(a: int, b: int, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b): P(Binomial(a + b - 1, x) >= a)."""
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(log_front + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def beta_quantile_percent(a: int, b: int, y: float) -> Decimal:
    """The x with I_x(a, b) = y, in percent rounded half up to 0.01 (as `to_percent` rounds).

    I_x grows with x, so the rounded quantile is the largest c (in hundredths of a percent)
    whose rounding boundary, c - 0.5 hundredths, I_x still keeps at or below y: a bisection
    over the 10,001 possible values, 14 evaluations of I_x.
    """
    low, high = 0, 10_000  # I_x at low's boundary <= y (vacuous for 0); high's is unknown
    while low < high:
        middle = (low + high + 1) // 2
        if beta_cdf(a, b, (middle - 0.5) / 10_000) <= y:
            low = middle
        else:
            high = middle - 1
    return Decimal(f"{low // 100}.{low % 100:02d}")


@lru_cache(maxsize=65536)
def clopper_pearson(count: int, total: int, level: float = 0.95) -> tuple[Decimal, Decimal]:
    """Exact two-sided binomial confidence interval for count/total, in percent (0.01).

    The bounds are quantiles of beta distributions (the binomial tail as an incomplete beta
    function), so the cost does not grow with the number of patients. They equal scipy's
    `betaincinv` rounded by `to_percent` (tests/test_clopper_pearson.py, a wide grid).

    >>> clopper_pearson(3, 10)
    (Decimal('6.67'), Decimal('65.25'))
    """
    if total <= 0 or not 0 <= count <= total:
        raise ValueError(f"need 0 <= count <= total and total > 0; got {count}/{total}")
    tail = (1 - level) / 2
    lower = beta_quantile_percent(count, total - count + 1, tail) if count > 0 else to_percent(0)
    upper = (
        beta_quantile_percent(count + 1, total - count, 1 - tail)
        if count < total
        else to_percent(1)
    )
    return lower, upper


def rate_percent(count: int, total: int) -> Decimal:
    """count/total in percent, rounded half up to two decimals, computed exactly.

    >>> rate_percent(1, 3)
    Decimal('33.33')
    """
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def agrees(percent: Decimal, count: int, total: int) -> bool:
    """True when a reported percent is count/total rounded half up to 0 to 3 decimals (the
    rule of the `PercentMatchesCounts` shape)."""
    exact = Decimal(count) * 100 / Decimal(total)
    return any(
        exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == percent
        for places in range(4)
    )


def derive_outcomes(outcomes: list[Outcome], *, intervals: bool = True) -> dict[str, Derived]:
    """Derived figures for every outcome that has any, keyed by outcome id; without
    `intervals`, no Clopper-Pearson interval (what costs) is computed."""
    by_id = {o.id: o for o in outcomes}
    counts: dict[str, int] = {}
    derived: dict[str, Derived] = {}

    def count_of(outcome_id: str) -> int | None:
        outcome = by_id[outcome_id]
        if outcome.count is not None:
            return outcome.count
        if outcome_id in counts:
            return counts[outcome_id]
        parts = [p for c in outcome.components if (p := count_of(c)) is not None]
        distinct = len(set(outcome.components)) == len(outcome.components)  # never count twice
        if outcome.components and distinct and len(parts) == len(outcome.components):
            counts[outcome_id] = sum(parts)
            return counts[outcome_id]
        return None

    for outcome in outcomes:
        if OUTCOME_KINDS[outcome.kind].timed:
            continue
        count = count_of(outcome.id)
        derived_count = count if outcome.count is None else None
        denominator = outcome.denominator
        derived_denominator = None
        if denominator is None and outcome.among is not None:
            derived_denominator = count_of(outcome.among)
            denominator = derived_denominator
        result = Derived(
            count=derived_count,
            count_from=tuple(outcome.components) if derived_count is not None else (),
            denominator=derived_denominator,
            denominator_from=outcome.among if derived_denominator is not None else None,
        )
        if count is not None and denominator and count <= denominator:
            result = replace(result, percent=rate_percent(count, denominator))
            if intervals:
                lower, upper = clopper_pearson(count, denominator)
                result = replace(result, ci_lower=lower, ci_upper=upper)
        if not result.is_empty():
            derived[outcome.id] = result
    return derived
