"""Coaching thresholds the user can change: set on the Magic Number page, used wherever coaching shows."""

from __future__ import annotations

import streamlit as st

from kpi_core.coaching import CoachingThresholds

from . import state
from .format import INPUT_SHORTEST

DEFAULTS = CoachingThresholds()
#: Session key of each threshold's widget (percent) -> the CoachingThresholds field it sets.
KEYS = {"coach_p1_pct": "p1", "coach_p2_pct": "p2", "coach_barometer_pct": "activity_barometer"}
LABELS = {
    "p1": "Appointment-to-next-step ratio below (%)",
    "p2": "Close ratio below (%)",
    "activity_barometer": "Activity barometer below (%)",
}


def _value(key: str) -> float:
    """A threshold in percent: the widget's value, else the one kept from another page, else the default."""
    for v in (st.session_state.get(key), state.kept(key)):
        if v is not None:
            return float(v)
    return float(getattr(DEFAULTS, KEYS[key])) * 100


def coaching_thresholds() -> CoachingThresholds:
    """The coaching thresholds in force (fractions), from the settings or the spec's defaults."""
    return CoachingThresholds(**{field: _value(key) / 100 for key, field in KEYS.items()})


def render_coaching() -> CoachingThresholds:
    """The coaching threshold inputs, in an expander; returns the thresholds they set."""
    for key in KEYS:
        state.keep(key)
    with st.expander("Coaching thresholds"):
        st.caption("Coaching appears for each KPI below its threshold; the funnels draw these as dashed rules.")
        cols = st.columns(3)
        for col, (key, field) in zip(cols, KEYS.items(), strict=True):
            # A value kept from an earlier visit is already in session_state.
            col.number_input(
                LABELS[field],
                min_value=0.0,
                max_value=1000.0 if field == "activity_barometer" else 100.0,
                step=5.0,
                format=INPUT_SHORTEST,
                key=key,
                **state.initial(key, value=_value(key)),
            )
    state.remember(*KEYS)
    return coaching_thresholds()
