"""Rounding as people expect it: halves go away from zero (12.5 % -> 13 %, not Python's banker's 12 %).

Floats carry noise (0.145 * 100 == 14.499999999999998): a value is first cut to 9 decimals, which no figure
here needs, and only then rounded half up, so what reads as 14.5 rounds as 14.5.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NOISE_DECIMALS = 9
PCT_DECIMALS_UNDER = 10.0  # percentages under 10 keep one decimal ("4,5 %"), larger ones are whole


def round_half_up(value: float, decimals: int = 0) -> float:
    if not math.isfinite(value):
        return value
    exact = Decimal(repr(round(float(value), NOISE_DECIMALS)))  # float(): numpy scalars repr as "np.float64(…)"
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def pct_decimals(percent: float) -> int:
    """Decimals a percentage is shown with: one under 10 % unless it rounds to a whole number, else none."""
    if abs(percent) >= PCT_DECIMALS_UNDER:
        return 0
    one = round_half_up(percent, 1)
    return 0 if one == round_half_up(percent) or abs(one) >= PCT_DECIMALS_UNDER else 1


def shown_percent(share: float) -> float:
    """A share (0.125) as the percentage the reader sees (13.0): the figure every grade is judged on, so a
    label never contradicts its number."""
    percent = share * 100
    return round_half_up(percent, pct_decimals(percent))
