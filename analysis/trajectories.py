"""Fitted trajectories per indicator path → data/processed/trajectories.csv (long: one row per year).

Per path (source × indicator) with points in at least two different years:
    exponential   levels, flows and stocks: least squares of log(value) on year; annual growth
                  (exp(slope) - 1) * 100 %/yr. A path with a zero value cannot be logged and is fitted
                  `linear` instead (growth in units per year), with a note.
    linear        shares: least squares of value on year; growth = slope in pp/yr.
    logistic      shares whose highest point reaches `logistic_min_share` (default 50 %): least squares of
                  logit(value / 100) on year (ceiling 100 %); growth = slope in logit/yr.
Every year from the path's first to its last point gets a row with the fitted value; with three or more
points also the 90 % confidence band of the fitted mean (`lower`, `upper`) and the 90 % interval of the
annual growth. The fitted value at a target year is the trend's projection for it (used by progress).

Two engines give the same numbers: `vectorised` (the default: closed-form least squares for all paths
at once with numpy) and `statsmodels` (OLS per path, the reference the tests and `make bench` compare with).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from .growth import path_points
from .reference import load_thresholds, values

LEVEL_MEASURES = ("level", "count_stock", "count_flow")
CONFIDENCE = 0.90
COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "measure", "unit", "model", "year", "observed",
           "fitted", "lower", "upper", "annual_growth", "growth_unit", "growth_ci_low", "growth_ci_high",
           "n_points", "note"]
GROWTH_UNIT = {"exponential": "%/yr", "logistic": "logit/yr"}


def _model_table(pts: pd.DataFrame, logistic_min_share: float) -> pd.DataFrame:
    """One row per (path point, model): the point's group, model name and the transformed y."""
    measure = pts["measure"].to_numpy(dtype=object)
    value = pts["value"].to_numpy(dtype=float)
    group = pts["group"].to_numpy()
    ngroups = int(group.max()) + 1 if len(group) else 0
    gmin = np.full(ngroups, np.inf)
    gmax = np.full(ngroups, -np.inf)
    np.minimum.at(gmin, group, value)
    np.maximum.at(gmax, group, value)
    pmin, pmax = gmin[group], gmax[group]
    is_level = np.isin(measure, LEVEL_MEASURES)
    is_share = measure == "share"
    parts = []
    exp_ok = is_level & (pmin > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        parts.append((np.flatnonzero(exp_ok), "exponential", np.log(value[exp_ok]), ""))
        lin = is_share | (is_level & ~exp_ok)
        parts.append((np.flatnonzero(lin), "linear", value[lin],
                      np.where(is_level[lin], "a zero value cannot be logged: straight-line fit", "")))
        logi = is_share & (pmax >= logistic_min_share) & (pmin > 0) & (pmax < 100)
        p = value[logi] / 100.0
        parts.append((np.flatnonzero(logi), "logistic", np.log(p / (1 - p)), ""))
    rows = np.concatenate([p[0] for p in parts])
    model = np.concatenate([np.full(len(p[0]), p[1], dtype=object) for p in parts])
    y = np.concatenate([p[2] for p in parts])
    note = np.concatenate([np.broadcast_to(np.asarray(p[3], dtype=object), len(p[0])) for p in parts])
    return pd.DataFrame({"row": rows, "model": model, "y": y, "note": note})


def _fit_groups(gid: np.ndarray, x: np.ndarray, y: np.ndarray, ng: int) -> dict:
    """Closed-form simple least squares for every group at once (x is centred per group first)."""
    n = np.bincount(gid, minlength=ng).astype(float)
    xbar = np.bincount(gid, x, ng) / n
    ybar = np.bincount(gid, y, ng) / n
    dx = x - xbar[gid]
    dy = y - ybar[gid]
    sxx = np.bincount(gid, dx * dx, ng)
    sxy = np.bincount(gid, dx * dy, ng)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = sxy / sxx
        resid = dy - slope[gid] * dx
        ssr = np.bincount(gid, resid * resid, ng)
        df = n - 2
        s2 = np.where(df > 0, ssr / np.maximum(df, 1), np.nan)
        se_slope = np.sqrt(s2 / sxx)
        t = np.where(df > 0, stdtrit(np.maximum(df, 1), 0.5 + CONFIDENCE / 2), np.nan)
    return {"n": n, "xbar": xbar, "ybar": ybar, "sxx": sxx, "slope": slope, "s2": s2, "se_slope": se_slope, "t": t}


def _expand_years(first: np.ndarray, last: np.ndarray):
    """(index of the fit, year) for every year first..last of every fit, without a Python loop."""
    length = (last - first + 1).astype(np.int64)
    fit_idx = np.repeat(np.arange(len(first)), length)
    start = np.cumsum(length) - length
    offset = np.arange(length.sum()) - np.repeat(start, length)
    return fit_idx, first[fit_idx] + offset


def _back(model: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fitted values back on the value scale (NaN, not inf, where a wide band overflows)."""
    out = np.array(y, dtype=float, copy=True)
    with np.errstate(over="ignore", invalid="ignore"):
        e = model == "exponential"
        out[e] = np.exp(out[e])
        g = model == "logistic"
        out[g] = 100.0 / (1.0 + np.exp(-out[g]))
    return np.where(np.isfinite(out), out, np.nan)


def _growth(model: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Annual growth from a slope: (e^slope - 1) * 100 %/yr for exponential fits (NaN, not inf, when it overflows)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(model == "exponential", np.expm1(slope) * 100.0, slope)
    return np.where(np.isfinite(out), out, np.nan)


def _growth_unit(model: np.ndarray, measure: np.ndarray) -> np.ndarray:
    return np.select([model == "exponential", model == "logistic", measure == "share"],
                     ["%/yr", "logit/yr", "pp/yr"], default="per yr").astype(object)


def _observed(pts: pd.DataFrame) -> pd.Series:
    """The value published for each (group, year): the target when a year has both an actual and a target."""
    last = pts.drop_duplicates(["group", "year"], keep="last")
    return pd.Series(last["value"].to_numpy(), index=pd.MultiIndex.from_arrays([last["group"], last["year"]]))


def fit(obs: pd.DataFrame, thresholds: pd.DataFrame | None = None, engine: str = "vectorised",
        points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Fitted trajectories in long format (COLUMNS); `engine` is "vectorised" or "statsmodels".
    `points`: analysis.growth.path_points(obs), when the caller has it already."""
    th = values(thresholds if thresholds is not None else load_thresholds())
    pts = points if points is not None else path_points(obs)
    pts = pts.assign(n_years=pts.groupby("group")["year"].transform("nunique"))
    pts = pts[pts["n_years"] >= 2].reset_index(drop=True)
    if engine == "vectorised":
        return _fit_vectorised(pts, th["logistic_min_share"])
    if engine == "statsmodels":
        return _fit_statsmodels(pts, th["logistic_min_share"])
    raise ValueError(f"engine {engine!r}: expected 'vectorised' or 'statsmodels'")


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def _fit_vectorised(pts: pd.DataFrame, logistic_min_share: float) -> pd.DataFrame:
    if pts.empty:
        return _empty()
    mt = _model_table(pts, logistic_min_share)
    group = pts["group"].to_numpy()[mt["row"].to_numpy()]
    model_code = pd.factorize(mt["model"])[0]
    fkey = group.astype(np.int64) * 3 + model_code
    fit_keys, gid = np.unique(fkey, return_inverse=True)
    ng = len(fit_keys)
    year = pts["year"].to_numpy(dtype=float)[mt["row"].to_numpy()]
    y = mt["y"].to_numpy(dtype=float)
    f = _fit_groups(gid, year, y, ng)
    # per fit: its first point row (identity columns), model, first and last year
    first_row = np.full(ng, len(mt), dtype=np.int64)
    np.minimum.at(first_row, gid, np.arange(len(mt)))
    y_first = np.full(ng, np.inf)
    y_last = np.full(ng, -np.inf)
    np.minimum.at(y_first, gid, year)
    np.maximum.at(y_last, gid, year)
    fmodel = mt["model"].to_numpy(dtype=object)[first_row]
    fnote = mt["note"].to_numpy(dtype=object)[first_row]
    prow = mt["row"].to_numpy()[first_row]
    fmeasure = pts["measure"].to_numpy(dtype=object)[prow]
    fgroup = pts["group"].to_numpy()[prow]
    three = f["n"] >= 3
    growth = _growth(fmodel, f["slope"])
    ci_lo = np.where(three, _growth(fmodel, f["slope"] - f["t"] * f["se_slope"]), np.nan)
    ci_hi = np.where(three, _growth(fmodel, f["slope"] + f["t"] * f["se_slope"]), np.nan)

    fi, yr = _expand_years(y_first.astype(np.int64), y_last.astype(np.int64))
    x0 = yr - f["xbar"][fi]
    yhat = f["ybar"][fi] + f["slope"][fi] * x0
    se = np.sqrt(f["s2"][fi] * (1.0 / f["n"][fi] + x0 * x0 / f["sxx"][fi]))
    half = f["t"][fi] * se
    m = fmodel[fi]
    band = three[fi]
    lower = np.where(band, _back(m, yhat - half), np.nan)
    upper = np.where(band, _back(m, yhat + half), np.nan)
    # the published value at each output row: scatter every point to (its fit's first row + year offset);
    # where a year has an actual and a target, the target (later in `pts` order) wins
    base = np.cumsum(y_last - y_first + 1) - (y_last - y_first + 1)
    pos = (base[gid] + (year - y_first[gid])).astype(np.int64)
    value = pts["value"].to_numpy(dtype=float)[mt["row"].to_numpy()]
    rev_pos, rev_first = np.unique(pos[::-1], return_index=True)
    observed = np.full(len(fi), np.nan)
    observed[rev_pos] = value[::-1][rev_first]
    out = pts[["source_id", "region", "indicator_id", "indicator_zh", "measure", "unit"]].iloc[prow[fi]].reset_index(drop=True)
    out["model"] = m
    out["year"] = yr
    out["observed"] = observed
    out["fitted"] = _back(m, yhat)
    out["lower"] = lower
    out["upper"] = upper
    out["annual_growth"] = growth[fi]
    out["growth_unit"] = _growth_unit(fmodel, fmeasure)[fi]
    out["growth_ci_low"] = ci_lo[fi]
    out["growth_ci_high"] = ci_hi[fi]
    out["n_points"] = f["n"][fi].astype(np.int64)
    out["note"] = fnote[fi]
    order = np.lexsort((yr, model_code[first_row][fi], fgroup[fi]))
    return out.iloc[order].reset_index(drop=True)[COLUMNS]


def _fit_statsmodels(pts: pd.DataFrame, logistic_min_share: float) -> pd.DataFrame:
    """The reference engine: statsmodels OLS, one path and model at a time (slow; for tests and the benchmark)."""
    import statsmodels.api as sm

    if pts.empty:
        return _empty()
    mt = _model_table(pts, logistic_min_share)
    mt["group"] = pts["group"].to_numpy()[mt["row"].to_numpy()]
    mt["year"] = pts["year"].to_numpy()[mt["row"].to_numpy()]
    model_rank = {"exponential": 0, "linear": 1, "logistic": 2}
    observed = _observed(pts)
    frames = []
    for (g, model), part in mt.groupby(["group", "model"], sort=False):
        first = pts.iloc[int(part["row"].iloc[0])]
        x = part["year"].to_numpy(dtype=float)
        res = sm.OLS(part["y"].to_numpy(dtype=float), sm.add_constant(x, has_constant="add")).fit()
        years = np.arange(int(x.min()), int(x.max()) + 1)
        n = len(x)
        if n >= 3:
            pred = res.get_prediction(sm.add_constant(years.astype(float), has_constant="add")).summary_frame(alpha=1 - CONFIDENCE)
            lo, hi = pred["mean_ci_lower"].to_numpy(), pred["mean_ci_upper"].to_numpy()
            ci = res.conf_int(alpha=1 - CONFIDENCE)[1]
        else:
            lo = hi = np.full(len(years), np.nan)
            ci = (np.nan, np.nan)
        mm = np.full(len(years), model, dtype=object)
        yhat = res.params[0] + res.params[1] * years
        slope = res.params[1]
        frames.append(pd.DataFrame({
            "source_id": first["source_id"], "region": first["region"], "indicator_id": first["indicator_id"],
            "indicator_zh": first["indicator_zh"], "measure": first["measure"], "unit": first["unit"],
            "model": model, "year": years,
            "observed": [observed.get((g, yy), np.nan) for yy in years],
            "fitted": _back(mm, yhat), "lower": _back(mm, lo) if n >= 3 else lo,
            "upper": _back(mm, hi) if n >= 3 else hi,
            "annual_growth": _growth(np.array([model], dtype=object), np.array([slope]))[0],
            "growth_unit": _growth_unit(np.array([model], dtype=object), np.array([first["measure"]], dtype=object))[0],
            "growth_ci_low": _growth(np.array([model], dtype=object), np.array([ci[0]]))[0],
            "growth_ci_high": _growth(np.array([model], dtype=object), np.array([ci[1]]))[0],
            "n_points": n, "note": part["note"].iloc[0], "_g": g, "_m": model_rank[model],
        }))
    out = pd.concat(frames, ignore_index=True).sort_values(["_g", "_m", "year"], kind="stable")
    return out.drop(columns=["_g", "_m"]).reset_index(drop=True)[COLUMNS]
