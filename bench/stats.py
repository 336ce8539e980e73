"""Summaries of samples: medians and percentiles, rounded for people to read."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], pct: float, digits: int = 3) -> float | None:
    """The `pct`th percentile by linear interpolation between closest ranks (as numpy's default);
    None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return round(value, digits)


def median(values: Sequence[float], digits: int = 3) -> float | None:
    return round(statistics.median(values), digits) if values else None
