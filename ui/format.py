"""How numbers read in the app: currency from the setting, percentages, whole days, and "n/a"."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

from kpi_core.coaching import percent_decimals
from kpi_core.magic import Wording, whole_days, with_marks

NA = "n/a"
#: Number inputs (printf, as the browser's sprintf.js reads it; an input must stay a plain number,
#: so no digit grouping): the shortest form for weeks and thresholds (48, 12.5, 65; never 48.00),
#: whole units for money (6400000, never 6400000.00).
INPUT_SHORTEST = "%g"
INPUT_MONEY = "%.0f"


@dataclass(frozen=True)
class Currency:
    """A currency as the user reads it: symbol, where it goes, and the separators of its numbers."""

    code: str
    symbol: str
    thousands: str
    decimal: str
    space: bool = False
    #: Short scale for compact amounts, largest first: ``$5.6M``, ``Rp 5,6 jt``.
    scale: tuple[tuple[float, str], ...] = ((1e12, "T"), (1e9, "B"), (1e6, "M"))
    scale_space: bool = False


CURRENCIES: dict[str, Currency] = {
    "USD": Currency("USD", "$", ",", "."),
    "EUR": Currency("EUR", "€", ".", ","),
    # "miliar" and "triliun" spelled out: Indonesian's short "M" (miliar, a billion) reads as a
    # million in English, and a slider in an English browser writes a million "24M".
    "IDR": Currency(
        "IDR", "Rp", ".", ",", space=True, scale=((1e12, "triliun"), (1e9, "miliar"), (1e6, "jt")), scale_space=True
    ),
}
DEFAULT_CURRENCY = "USD"


def currency(code: str | None) -> Currency:
    """The currency with this code, or the default one."""
    return CURRENCIES.get(code or DEFAULT_CURRENCY, CURRENCIES[DEFAULT_CURRENCY])


def _defined(value: float | int | None) -> bool:
    return value is not None and not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def number(value: float | int | None, cur: Currency, decimals: int = 0) -> str:
    """``12500 -> "12,500"`` (or ``"12.500"``); trailing decimal zeros dropped; ``None`` -> n/a."""
    if not _defined(value):
        return NA
    assert value is not None
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return with_marks(text, cur.thousands, cur.decimal)


def money(value: float | int | None, cur: Currency) -> str:
    """``$12,500``, ``€12.500``, ``Rp 1.500.000``: whole units; ``None`` -> n/a."""
    if not _defined(value):
        return NA
    assert value is not None
    sign = "-" if value < 0 and round(abs(value)) != 0 else ""
    body = number(abs(value), cur)
    return f"{sign}{cur.symbol}{' ' if cur.space else ''}{body}"


def wording(cur: Currency) -> Wording:
    """The Magic Number's sentences written as the rest of the app: ``Rp 6.400.000``, ``42,78``."""
    return Wording(thousands=cur.thousands, decimal=cur.decimal, money=partial(money, cur=cur))


def compact_money(value: float | int | None, cur: Currency) -> str:
    """A headline amount that fits a metric: ``$5.6M``, ``€12,3M``, ``Rp 5,6 jt``; below a million as :func:`money`.

    An amount that rounds up to the next unit is written in it: 999,960,000 is ``$1B``, never ``$1,000M``.
    """
    if not _defined(value):
        return NA
    assert value is not None
    for index, (size, suffix) in enumerate(cur.scale):
        if abs(value) >= size:
            # Rounded to one decimal (as number() writes it) up to the next unit's size: that unit.
            if index and float(f"{abs(value) / size:.1f}") * size >= cur.scale[index - 1][0]:
                size, suffix = cur.scale[index - 1]
            sign = "-" if value < 0 else ""
            sep = " " if cur.scale_space else ""
            return f"{sign}{cur.symbol}{' ' if cur.space else ''}{number(abs(value) / size, cur, 1)}{sep}{suffix}"
    return money(value, cur)


def compact_kpi(name: str, value: float | int | None, cur: Currency) -> str:
    """A KPI for a headline metric: amounts compact (:func:`compact_money`), everything else as :func:`kpi`."""
    if KIND.get(name) == "money":
        return compact_money(value, cur)
    return kpi(name, value, cur)


def percent(fraction: float | None, cur: Currency) -> str:
    """``0.4762 -> "47.6 %"``: at most one decimal, trailing zero dropped; ``None`` -> n/a."""
    if not _defined(fraction):
        return NA
    assert fraction is not None
    return f"{number(fraction * 100, cur, 1)} %"


def percent_against(fraction: float | None, threshold: float, cur: Currency) -> str:
    """As :func:`percent`, with the decimals a value below ``threshold`` needs to read below it
    (:func:`kpi_core.coaching.percent_decimals`): a barometer of 99.96 % beside the coaching for a
    barometer below 100 % read "100 %"."""
    if not _defined(fraction):
        return NA
    assert fraction is not None
    return f"{number(fraction * 100, cur, percent_decimals(fraction, threshold))} %"


def signed_percent(fraction: float | None, cur: Currency) -> str:
    """``0.12 -> "+12 %"``, ``-0.4 -> "-40 %"``: a deviation from the peer average."""
    if not _defined(fraction):
        return NA
    assert fraction is not None
    text = percent(fraction, cur)
    return text if text.startswith("-") or fraction == 0 else f"+{text}"


def days(value: float | None, cur: Currency | None = None) -> str:
    """Whole days: ``41.6 -> "42 days"``, ``102.5 -> "103 days"`` (half up, as the Excel export
    shows it: :func:`kpi_core.magic.whole_days`); ``None`` -> n/a."""
    if not _defined(value):
        return NA
    assert value is not None
    n = whole_days(value)
    return f"{n} day" if n == 1 else f"{n} days"


def appointments(value: float | None, cur: Currency) -> str:
    """Appointments per week with at most two decimals: ``4.1667 -> "4.17"``."""
    return number(value, cur, 2)


#: The KPI names the user reads (spec words), in table order.
KPI_LABELS: dict[str, str] = {
    "appointments": "Appointments",
    "advanced": "Next steps",
    "won": "Won",
    "p1": "Appointment-to-next-step ratio",
    "p2": "Close ratio",
    "revenue": "Revenue",
    "avg_sale": "Average revenue per sale",
    "cycle_days_mean": "Sales cycle (mean days)",
    "cycle_days_median": "Sales cycle (median days)",
    "weeks": "Weeks",
    "weekly_appointments": "Weekly appointments",
}

#: Why a KPI can read n/a: shown as help next to it.
NA_HELP: dict[str, str] = {
    "advanced": "n/a when the file has no next-step information (a weekly log without a next-steps column).",
    "won": "n/a when the file has no wins column.",
    "p1": "Next steps / appointments; n/a when there are no appointments or no next-step information.",
    "p2": "Won / next steps; n/a when no opportunity passed the first gate.",
    "revenue": "Sum of amounts of won opportunities; n/a when the file has no amount column.",
    "avg_sale": "Revenue / won; n/a when nothing was won or the file has no amounts.",
    "cycle_days_mean": "Close date minus first appointment over won opportunities; n/a without won opportunities that have both dates.",
    "cycle_days_median": "Median of close date minus first appointment over won opportunities; n/a without them.",
    "weekly_appointments": "Appointments / weeks of the window.",
}

KIND: dict[str, str] = {
    "appointments": "count",
    "advanced": "count",
    "won": "count",
    "p1": "percent",
    "p2": "percent",
    "revenue": "money",
    "avg_sale": "money",
    "cycle_days_mean": "days",
    "cycle_days_median": "days",
    "weeks": "decimal",
    # Two decimals, as the Magic Number and Weekly activity pages write them (fmt.appointments):
    # the Team overview and Peer comparison wrote 4.2 for the 4.17 a week read there.
    "weekly_appointments": "appointments",
}


def kpi(name: str, value: float | int | None, cur: Currency) -> str:
    """A KPI value formatted by its kind (count, percent, money, days, appointments a week)."""
    kind = KIND.get(name, "decimal")
    if kind == "appointments":
        return appointments(value, cur)
    if kind == "percent":
        return percent(value, cur)
    if kind == "money":
        return money(value, cur)
    if kind == "days":
        return days(value)
    if kind == "count":
        return number(value, cur, 2)
    return number(value, cur, 1)
