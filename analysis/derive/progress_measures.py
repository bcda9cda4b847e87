"""The measures of target versus actual (analysis.derive.progress), each a pure function of numbers, and `Target`,
one target as the status steps (analysis.derive.progress_status) judge it. Formulas and anchors: docs/methods.md,
"Target versus actual (progress)".

Growth is compound (%/yr) for levels and counts and in percentage points a year for shares. Current status index
(ESCAP): (actual − base)/(target − base), at most 1. Anticipated value (ESCAP's anticipated progress): the observed
base → latest pace carried to the target year. Preliminary actuals (note: PRELIMINARY, 预计, 初步) are labelled
(`actual_preliminary`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .growth import annual_rate
from .progress_notes import part
from .sentences import Words

SHARE_LIMIT = 100.0          # a share's natural maximum (%)
COUNT_MEASURES = ("count_stock", "count_flow")     # published as whole numbers: no rounding to tie within
PRELIMINARY_MARKERS = ("PRELIMINARY", "preliminary", "预计", "初步")
WAN_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万|萬|亿|億)")   # a count written in 万 or 亿 (its rounding)
EPS = 1e-9


def missing(x) -> bool:
    """None or NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def growth(start: float, end: float, years: float, measure: str) -> float:
    """Annual growth base → end: percentage points a year for a share, compound %/yr otherwise (NaN where
    undefined: no time, or a non-positive level)."""
    if years <= 0:
        return math.nan
    if measure == "share":
        return (end - start) / years
    if start <= 0 or end <= 0:
        return math.nan
    return float(annual_rate(start, end, years, "cagr"))


def growth_unit(measure: str) -> str:
    return "pp/yr" if measure == "share" else "%/yr"


def growth_ratio(observed: float, required: float, direction: int) -> float:
    """Open SDG / Statistics Canada: R = d · observed / |required| (NaN without a required growth)."""
    if missing(observed) or missing(required) or abs(required) <= EPS:
        return math.nan
    return direction * observed / abs(required)


def limit_factor(base: float, limit: float, exponent: float) -> float:
    """Scaling factor C = 1 − (base/limit)^a for 0 ≤ base ≤ limit (1 far from the ceiling, 0 at it)."""
    if missing(base):
        return math.nan
    return 1.0 - (min(max(base, 0.0), limit) / limit) ** exponent


def ratio_status(ratio: float, p: dict) -> str | None:
    if missing(ratio):
        return None
    if ratio >= p["ratio_on_track"]:
        return "on_track"
    if ratio >= p["ratio_acceleration_needed"]:
        return "acceleration_needed"
    if ratio >= p["ratio_limited_progress"]:
        return "limited_progress"
    return "deterioration"


def trend_status(observed_cagr: float, direction: int, factor: float, p: dict) -> str | None:
    """Status of a compound growth rate without a required rate (Open SDG's trend thresholds × limit factor)."""
    if missing(observed_cagr):
        return None
    g = direction * observed_cagr
    c = 1.0 if missing(factor) else factor
    if g < 0:
        return "deterioration"
    if g >= p["trend_on_track_cagr"] * c:
        return "on_track"
    if g >= p["trend_acceleration_cagr"] * c:
        return "acceleration_needed"
    return "limited_progress"


def meets(actual: float, target: float, bound: str, direction: int, tolerance_pct: float,
          value_low: float | None = None) -> bool:
    """Whether an actual meets a target with the given bound: `ge` actual ≥ target, `gt` actual > target,
    `eq` actual ≥ target (≤ for a target below its base), `approx` within tolerance_pct below it, `range` at
    least the lower end."""
    scale = max(abs(target), 1.0)
    if bound == "gt":
        return actual > target + EPS * scale
    if bound == "ge":
        return actual >= target - EPS * scale
    if bound == "range":
        return actual >= (target if missing(value_low) else value_low) - EPS * scale
    if bound == "approx":
        tol = tolerance_pct / 100.0 * abs(target)
        return actual >= target - tol - EPS * scale if direction > 0 else actual <= target + tol + EPS * scale
    return actual >= target - EPS * scale if direction > 0 else actual <= target + EPS * scale


def rounding_half_unit(value: float, measure: str, quote=None) -> float:
    """Half a unit of the last published digit (0.5 for 49, 0.005 for 3.12). A count is exact unless its quote
    gives it in 万 or 亿 ("超过1.2万家": half of 0.1 万 = 500; "1.23万": 50). Otherwise the digits are those of
    the number as read (a trailing zero, 2.10, is not seen: the band is then wider)."""
    if measure in COUNT_MEASURES:
        return _count_half_unit(value, quote)
    text = f"{value:.10g}"
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return 0.5 * 10.0 ** (-decimals)


def _count_half_unit(value: float, quote) -> float:
    """Half a unit of a count's last digit as its quote writes it in 万 or 亿; 0 when it is written out in full."""
    if not isinstance(quote, str):
        return 0.0
    for digits, unit in WAN_NUMBER.findall(quote):
        scale = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}[unit]
        if abs(float(digits) * scale - value) <= EPS * max(value, 1.0):
            decimals = len(digits.split(".")[1]) if "." in digits else 0
            return 0.5 * 10.0 ** (-decimals) * scale
    return 0.0


def interpolate(y0: int, v0: float, y1: int, v1: float, year: int, measure: str) -> tuple[float, Words]:
    """The value at `year` between two actuals and how (a note part): linear for shares, geometric for levels and counts (linear
    where a value is not positive)."""
    w = (year - y0) / (y1 - y0)
    if measure != "share" and v0 > 0 and v1 > 0:
        return v0 * (v1 / v0) ** w, part("geometric", year=y0, value=v0, later_year=y1, later_value=v1)
    return v0 + (v1 - v0) * w, part("linear", year=y0, value=v0, later_year=y1, later_value=v1)


def current_status_index(actual: float, base: float, target: float) -> float:
    """ESCAP's current status: progress made base → actual against the progress needed base → target, at most 1
    (the target reached); negative when the indicator moved away from the target. NaN when target = base."""
    if missing(base) or abs(target - base) <= EPS * max(abs(base), 1.0):
        return math.nan
    return min((actual - base) / (target - base), 1.0)


def anticipated(actual: float, actual_year: int, observed: float, measure: str, year: int) -> float:
    """The observed pace carried from the latest actual to `year`: + pp/yr for shares (kept in 0–100), × (1 + %/yr)
    for levels (ESCAP's anticipated progress, extrapolating the observed actuals)."""
    if missing(observed):
        return math.nan
    if measure == "share":
        return min(max(actual + observed * (year - actual_year), 0.0), SHARE_LIMIT)
    return actual * (1.0 + observed / 100.0) ** (year - actual_year)


def anticipated_gap(anticipated_value: float, base: float, target: float, direction: int) -> float:
    """ESCAP: the gap the anticipated value leaves to the target, as a share of the progress required base →
    target; 0 when the target is expected to be met."""
    if missing(anticipated_value) or missing(base) or abs(target - base) <= EPS * max(abs(base), 1.0):
        return math.nan
    return max(0.0, direction * (target - anticipated_value)) / abs(target - base)


def is_preliminary(note) -> bool:
    text = "" if missing(note) else str(note)
    return any(m in text for m in PRELIMINARY_MARKERS)


def plan_base_year(doc_year: int, own_actual_years) -> int:
    """The plan's base year: its latest own actual before its own year (its stated baseline), else the year before."""
    years = [int(y) for y in own_actual_years if int(y) < doc_year]
    return max(years) if years else doc_year - 1


# ---------------------------------------------------------------- one target as it is judged
@dataclass
class Target:
    """One target and what its judgement needs (the threshold is a range's lower end)."""
    row: object
    year: int
    value: float
    low: float | None
    threshold: float
    bound: str
    measure: str
    direction: int = 1

    def met(self, value: float, p: dict) -> bool:
        return meets(value, self.value, self.bound, self.direction, p["approx_tolerance_pct"], self.low)

    def met_by(self, actual, p: dict) -> bool:
        """Whether an actual (a row with value and bound) meets the target, its own bound honoured: an actual
        published as "more than a" says the value exceeds a, so it meets a target of "more than a" (or less)."""
        value = float(actual["value"])
        if actual["bound"] == "gt" and self.direction > 0 and self.bound != "approx":
            return value >= self.threshold - EPS * max(abs(self.threshold), 1.0)
        return self.met(value, p)

    def tie(self, actual, p: dict) -> bool:
        """Whether the actual ties with the target within its own published rounding (h, `rounding_half_unit`):
        met as published, but a value it may round from (a − h) would not meet it; or missed as published, but
        a + h would. A lower bound ("more than a") has no doubt below a."""
        value, h = float(actual["value"]), rounding_half_unit(float(actual["value"]), self.measure, actual.get("quote"))
        if h <= 0:
            return False
        if self.met_by(actual, p):
            return actual["bound"] != "gt" and not self.met(value - self.direction * h, p)
        return self.met(value + self.direction * h, p)

