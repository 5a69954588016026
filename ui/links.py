"""Shareable Magic Number links: the page's inputs in the URL query string, and back."""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import urlencode

PAGE_PATH = "magic_number"
#: Query parameter -> (session key of the value, lowest, highest). Ratios are percent (60 = 60 %).
NUMERIC_PARAMS: dict[str, tuple[str, float, float]] = {
    "goal": ("mn_goal", 0.0, 1e15),
    "weeks": ("mn_weeks", 0.1, 520.0),
    "avg_sale": ("mn_avg_sale", 0.0, 1e13),
    "p1": ("mn_p1", 0.0, 100.0),
    "p2": ("mn_p2", 0.0, 100.0),
    "appts": ("mn_appts", 0.0, 10000.0),
}
#: The rep's mean sales cycle in days (for the sales-cycle lag), carried with the inputs: lowest, highest.
CYCLE_BOUNDS = (0.0, 36500.0)
#: ``cur``: the currency code of the manager's setting; ``team`` and ``placeholder``: comma lists
#: of the inputs that are the team's, or a placeholder, because the rep has no value of their own.
TEXT_PARAMS = ("rep", "solve", "cur", "team", "placeholder")
ALL_PARAMS = ("rep", *NUMERIC_PARAMS, "cycle", "solve", "cur", "team", "placeholder")


def number_text(value: float) -> str:
    """A value as it goes in a URL: no trailing ``.0``, at most four decimals."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def parse(params: Mapping[str, str]) -> dict[str, float | str]:
    """The usable parameters of a link; unreadable or out-of-range numbers are dropped."""
    out: dict[str, float | str] = {}
    bounds = {name: (low, high) for name, (_, low, high) in NUMERIC_PARAMS.items()}
    bounds["cycle"] = CYCLE_BOUNDS
    for name, (low, high) in bounds.items():
        raw = params.get(name)
        if raw is None:
            continue
        try:
            value = float(str(raw).replace(",", ""))
        except ValueError:
            continue
        if math.isfinite(value) and low <= value <= high:
            out[name] = value
    for name in TEXT_PARAMS:
        raw = params.get(name)
        if raw:
            out[name] = str(raw)[:200]
    return out


def query(values: Mapping[str, float | str | None]) -> dict[str, str]:
    """The query parameters for ``values`` (keys of :data:`ALL_PARAMS`), in a stable order."""
    out: dict[str, str] = {}
    for name in ALL_PARAMS:
        value = values.get(name)
        if value is None or value == "":
            continue
        out[name] = value if isinstance(value, str) else number_text(float(value))
    return out


def app_url(page_url: str | None, page_path: str) -> str:
    """The app's own address from one of its pages' (``https://host/base/peers`` with ``"peers"``
    -> ``https://host/base``): where the links a manager sends must point; ``""`` when unknown."""
    if not page_url:
        return ""
    url = page_url.rstrip("/")
    suffix = f"/{page_path}"
    return url[: -len(suffix)] if url.endswith(suffix) else url


def magic_link(base_url: str, values: Mapping[str, float | str | None]) -> str:
    """``<base>/magic_number?rep=...&goal=...``; relative when no base URL is set."""
    base = base_url.strip().rstrip("/")
    path = f"{base}/{PAGE_PATH}" if base else PAGE_PATH
    return f"{path}?{urlencode(query(values))}"
