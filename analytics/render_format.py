"""Russian number formats for every view of the metrics: "1 234 567 ₽", "42 %", "14 дн.", "март 2024".

Thousands are separated by a non-breaking space so Telegram never wraps a number; the sign of a negative
number is the typographic minus.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from analytics.rounding import pct_decimals, round_half_up

TextFn = Callable[..., str]  # (key, **values) -> text; Content.t or a test fake

NBSP = "\u00a0"
MINUS = "\u2212"
KNOWN_CURRENCIES = ("RUB", "USD", "EUR", "KZT", "BYN", "UAH", "CNY", "GBP")


def group(value: float, decimals: int = 0) -> str:
    """1234567.891 -> "1 234 568" (decimals=0) or "1 234 567,9" (decimals=1); halves round up (12,5 -> 13)."""
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = 0.0  # no "−0"
    sign = MINUS if rounded < 0 else ""
    whole, _, frac = f"{abs(rounded):,.{decimals}f}".partition(".")
    text = whole.replace(",", NBSP)
    return sign + text + ("," + frac if frac else "")


@dataclass(frozen=True, slots=True)
class Fmt:
    t: TextFn
    currency_code: str | None = None

    @property
    def currency(self) -> str:
        """The currency sign, or "" when the export does not say which currency it is in (no ₽ guessed)."""
        if not self.currency_code:
            return ""
        code = self.currency_code.upper()
        return self.t(f"analytics.currency.{code}") if code in KNOWN_CURRENCIES else code

    def money(self, value: float | None) -> str:
        if value is None or math.isnan(value):
            return self.unknown()
        sign = self.currency
        return f"{group(value)}{NBSP}{sign}" if sign else group(value)

    def axis(self, key: str) -> str:
        """A money axis label: "Выручка, ₽" with a known currency, "Выручка" without."""
        sign = self.currency
        return self.t(key, currency=sign) if sign else self.t(f"{key}_plain")

    def pct(self, share: float | None, signed: bool = False) -> str:
        """0.42 -> "42 %"; under 10 % one decimal is kept ("4,5 %") unless it is whole."""
        if share is None or math.isnan(share):
            return self.unknown()
        value = share * 100
        decimals = pct_decimals(value)
        text = group(value, decimals)
        if signed and round_half_up(value, decimals) > 0:
            text = "+" + text
        return f"{text}{NBSP}%"

    def points(self, share: float | None) -> str:
        """A difference of two shares in percentage points: 0.37 -> "37 п. п."."""
        if share is None or math.isnan(share):
            return self.unknown()
        value = share * 100
        return self.t("analytics.points", value=group(value, pct_decimals(value)))

    def count(self, value: float | None) -> str:
        return self.unknown() if value is None else group(value)

    def ratio(self, value: float) -> str:
        return group(value, 1)

    def days(self, value: float | None) -> str:
        if value is None:
            return self.unknown()
        return self.t("analytics.days", value=group(value, 0 if value >= 10 or value == round(value) else 1))

    def date(self, value: date | None) -> str:
        return self.unknown() if value is None else value.strftime("%d.%m.%Y")

    def month(self, label: str) -> str:
        """ "2024-03" -> "март 2024"."""
        year, _, month = label.partition("-")
        return self.t("analytics.month_label", month=self.t(f"analytics.months.m{month}"), year=year)

    def unknown(self) -> str:
        return self.t("analytics.unknown")

    def facts(self, facts: Mapping[str, Any]) -> dict[str, str]:
        """Signal facts for a text template, printed by their key suffix (see analytics.signals)."""
        out = {}
        for key, value in facts.items():
            if isinstance(value, str):
                out[key] = self.month(value) if key.endswith("month") else value
            elif key.endswith("_pct"):
                out[key] = self.pct(float(value))
            elif key.endswith("_money"):
                out[key] = self.money(float(value))
            elif key.endswith("_x"):
                out[key] = self.ratio(float(value))
            else:
                out[key] = self.count(float(value))
        return out
