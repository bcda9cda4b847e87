"""Trajectories per indicator path → data/processed/trajectories.csv (long: one row per path, model and year).

Two kinds of rows, told apart by `model` and by `interval` (what `lower`/`upper` mean):

    plan          every path with points in at least two different years: the piecewise interpolation
                  through the stated points (targets, and the document's own actuals), geometric between two
                  positive values of a level, count or stock (constant compound growth within each step),
                  linear for shares (constant percentage points a year) and where a value is zero. A plan
                  is a set of deliberate numbers, not a sample, so it gets no statistical band: `lower` and
                  `upper` are the values its bounds allow (`interval` = "bounds"), interpolated the same way:
                  an exact target is [v, v], 以上/超过 a floor [v, open) ([v, 100] for a share; open = empty),
                  左右 v ± approx_band_pct, a range [low, high]. `annual_growth` is the plan's first → last
                  growth (%/yr for levels, pp/yr for shares); the growth of each step is in segments.csv.
    exponential,  statistical trends, only for paths with at least MIN_ACTUAL_POINTS actual years, fitted to
    linear,       the actuals alone (never to targets) by least squares: exponential for levels and counts
    logistic      (log scale; `linear` when a value is zero), linear for shares, logistic as well for shares
                  reaching `logistic_min_share`. `lower`/`upper` are the 90 % prediction interval of a single
                  year's value (`interval` = "prediction_90"), `growth_ci_*` the 90 % interval of the annual
                  growth; rows run from the first actual to the path's last year (a projection through the
                  target years). Shares, bands included, are kept within 0–100.

With fewer than MIN_ACTUAL_POINTS actual years there is no fit and no band: two or three points leave
one degree of freedom or none, and a band from them has no sampling meaning.

Two engines give the same numbers: `vectorised` (the default: closed-form least squares for all paths at
once with numpy) and `statsmodels` (OLS per path, the reference the tests and `make bench` compare with).
The plan rows are arithmetic, not estimation: both engines compute them with the same function.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import schema
from ..inputs.reference import load_thresholds, values
from .growth import PATH_MEASURES, _rate, bound_interval, path_points, words

LEVEL_MEASURES = ("level", "count_stock", "count_flow")
CONFIDENCE = 0.90
MIN_ACTUAL_POINTS = 4          # a statistical fit (and its band) needs at least this many actual years
SHARE_LIMITS = (0.0, 100.0)
COLUMNS = schema.columns("trajectories")
MODELS = ("plan", "exponential", "linear", "logistic")          # in this order per path in the output
FIT_MODELS = MODELS[1:]
PLAN, EXPONENTIAL, LINEAR, LOGISTIC = range(len(MODELS))        # the model codes the engine computes with
INTERVALS = {"plan": "bounds", "fit": f"prediction_{int(CONFIDENCE * 100)}"}
INTERVAL_WORDS = (INTERVALS["plan"], INTERVALS["fit"])                # `interval` codes: plan, fit
MODEL_NOTES = ("", "a zero value cannot be logged: straight-line fit")
PLAN_NOTES = {True: "piecewise geometric through the stated points (constant compound growth within each step)",
              False: "piecewise linear through the stated points"}
NOTES = (PLAN_NOTES[True], PLAN_NOTES[False]) + MODEL_NOTES     # `note` codes: plan notes, then the fits' notes
GROWTH_UNITS = schema.GROWTH_UNITS                              # `growth_unit` codes
SHARE = PATH_MEASURES.index("share")
LEVEL_CODES = [PATH_MEASURES.index(m) for m in LEVEL_MEASURES]
TEXT_COLUMNS = ["source_id", "region", "indicator_id", "indicator_zh", "measure", "unit"]


# ---------------------------------------------------------------- the plan path
def _t_quantile(df, q):
    """Student's t quantile (scipy.special.stdtrit), imported on first use: scipy costs ~0.1 s at import, and most
    runs of `make data` fit no trend with enough points to need it."""
    from scipy.special import stdtrit  # heavy: loaded only when a fit needs it

    return stdtrit(df, q)


def interpolate(y0, v0, y1, v1, year, geometric):
    """Value at `year` on the step (y0, v0) → (y1, v1), elementwise: v0·(v1/v0)^w where `geometric` (both values
    positive), else v0 + (v1 − v0)·w, with w = (year − y0)/(y1 − y0) (0 when y1 = y0). An infinite end (an open
    bound) gives inf, except exactly at the other end. (The power is taken only strictly inside a step.)"""
    y0, v0, y1, v1, year, geometric = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (y0, v0, y1, v1, year)),
                                                          np.asarray(geometric, dtype=bool))
    shape = v0.shape
    y0, v0, y1, v1, year, geometric = (np.ravel(a) for a in (y0, v0, y1, v1, year, geometric))
    return interpolate_each(y0, y1, year, geometric, (v0, v1))[0].reshape(shape)


def interpolate_each(y0, y1, year, geometric, *ends) -> list[np.ndarray]:
    """interpolate() of several pairs of end values (v0, v1) on the same steps (1-d arrays of equal length): the
    position within each step is found once."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = np.where(y1 > y0, (year - y0) / (y1 - y0), 0.0)
        at_start = w == 0
        inside = np.flatnonzero(~at_start & (w != 1))
        wi, gi = w[inside], geometric[inside]
        out = []
        for v0, v1 in ends:
            o = np.where(at_start, v0, v1)
            a, b = v0[inside], v1[inside]
            geo = gi & (a > 0) & (b > 0) & np.isfinite(a) & np.isfinite(b)
            step = a + (b - a) * wi
            step[geo] = a[geo] * np.power(b[geo] / a[geo], wi[geo])
            o[inside] = np.where(np.isinf(a) | np.isinf(b), np.inf, step)
            out.append(o)
    return out


def _expand_years(first: np.ndarray, last: np.ndarray):
    """(index of the path, year) for every year first..last of every path, without a Python loop."""
    length = (last - first + 1).astype(np.int64)
    idx = np.repeat(np.arange(len(first)), length)
    start = np.cumsum(length) - length
    offset = np.arange(length.sum()) - np.repeat(start, length)
    return idx, first[idx] + offset


def plan_rows(pts: pd.DataFrame, approx_band_pct: float) -> dict:
    """The plan path of every path with two or more years (module docstring), as column arrays (words as codes
    into MODELS, GROWTH_UNITS, NOTES) plus `_row` (the observation row of the path's first point, for the text
    columns) and `_group`. One point per year: the target where a year has an actual and a target (pts are sorted
    so)."""
    g, year = pts["group"].to_numpy(), pts["year"].to_numpy(dtype=np.int64)
    one = np.r_[(g[1:] != g[:-1]) | (year[1:] != year[:-1]), True] if len(g) else np.zeros(0, dtype=bool)
    n_years = np.bincount(g[one], minlength=int(g.max()) + 1 if len(g) else 0)
    k = np.flatnonzero(one & (n_years[g] >= 2))
    g, year = g[k], year[k]
    value = pts["value"].to_numpy(dtype=float)[k]
    measure = pts["measure"].cat.codes.to_numpy()[k]
    lo, hi = bound_interval(value, pts["value_low"].to_numpy(dtype=float)[k], pts["bound"].array.take(k),
                            pts["measure"].array.take(k), approx_band_pct)
    is_first = np.r_[True, g[1:] != g[:-1]] if len(g) else np.zeros(0, dtype=bool)
    first = np.flatnonzero(is_first)
    last = np.r_[first[1:] - 1, len(g) - 1] if len(first) else first
    pi, yr = _expand_years(year[first], year[last])
    # the last point at or before each row's year: every point marked at its own row, then carried forward
    n_rows = year[last] - year[first] + 1
    path_of = np.cumsum(is_first) - 1
    prev = np.full(len(yr), -1, dtype=np.int64)
    prev[(np.cumsum(n_rows) - n_rows)[path_of] + year - year[first][path_of]] = np.arange(len(g))
    prev = np.maximum.accumulate(prev) if len(prev) else prev
    at_point = yr == year[prev]
    is_level = np.isin(measure, LEVEL_CODES)
    fitted, lower, upper = value[prev], lo[prev], hi[prev]            # a year with a point: the point itself
    observed = np.where(at_point, fitted, np.nan)
    between = np.flatnonzero(~at_point)                                # other years: on the step to the next point
    if len(between):
        p = prev[between]
        q = np.minimum(p + 1, len(g) - 1)
        fitted[between], lower[between], upper[between] = interpolate_each(
            year[p].astype(float), year[q].astype(float), yr[between].astype(float), is_level[p],
            (value[p], value[q]), (lo[p], lo[q]), (hi[p], hi[q]))
    share = measure[prev] == SHARE
    for arr in (fitted, lower, upper):
        arr[share] = np.clip(arr[share], *SHARE_LIMITS)
    upper[~np.isfinite(upper)] = np.nan
    # first → last growth of the plan: %/yr for positive levels, pp/yr for shares, units per year otherwise
    f_share, f_level = measure[first] == SHARE, is_level[first]
    unit = np.select([f_share, f_level & (value[first] > 0)], [1, 0], default=2)      # GROWTH_UNITS
    growth = _rate(value[first], value[last], (year[last] - year[first]).astype(float), unit == 0, True)   # 0: cagr
    row = pts["row"].to_numpy()[k]
    return {"_row": row[first][pi], "_group": g[first][pi], "model": np.full(len(yr), PLAN, dtype=np.int8),
            "year": yr, "observed": observed, "fitted": fitted, "lower": lower, "upper": upper,
            "annual_growth": growth[pi], "growth_unit": unit[pi], "growth_ci_low": np.full(len(yr), np.nan),
            "growth_ci_high": np.full(len(yr), np.nan), "n_points": (last - first + 1)[pi].astype(np.int64),
            "note": np.where(f_level, 0, 1)[pi]}


# ---------------------------------------------------------------- statistical fits of the actuals
def _actual_points(pts: pd.DataFrame) -> pd.DataFrame:
    """The actual points of paths with at least MIN_ACTUAL_POINTS actual years (one per year), with `path_last`,
    the last year of the whole path (fits are projected to it)."""
    group, year = pts["group"].to_numpy(), pts["year"].to_numpy()
    last_year = year[np.r_[group[1:] != group[:-1], True]] if len(group) else year      # by group code: pts are sorted
    a = np.flatnonzero(pts["actual"].to_numpy())
    g, y = group[a], year[a]
    first_of_year = np.r_[True, (g[1:] != g[:-1]) | (y[1:] != y[:-1])] if len(g) else np.zeros(0, dtype=bool)
    a, g = a[first_of_year], g[first_of_year]
    a = a[np.bincount(g, minlength=len(last_year))[g] >= MIN_ACTUAL_POINTS]
    act = pts.iloc[a].reset_index(drop=True)
    act["path_last"] = last_year[group[a]]
    return act


def _model_table(pts: pd.DataFrame, logistic_min_share: float) -> pd.DataFrame:
    """One row per (actual point, model): the point's row in `pts`, the model (categorical, FIT_MODELS), the
    transformed y and the fit's note (categorical, MODEL_NOTES)."""
    measure = pts["measure"]
    value = pts["value"].to_numpy(dtype=float)
    group = pts["group"].to_numpy()
    ngroups = int(group.max()) + 1 if len(group) else 0
    gmin = np.full(ngroups, np.inf)
    gmax = np.full(ngroups, -np.inf)
    np.minimum.at(gmin, group, value)
    np.maximum.at(gmax, group, value)
    pmin, pmax = gmin[group], gmax[group]
    is_level = measure.isin(LEVEL_MEASURES).to_numpy()
    is_share = (measure == "share").to_numpy()
    parts = []                                   # (rows, model code, y, note code)
    exp_ok = is_level & (pmin > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        parts.append((np.flatnonzero(exp_ok), 0, np.log(value[exp_ok]), 0))
        lin = is_share | (is_level & ~exp_ok)
        parts.append((np.flatnonzero(lin), 1, value[lin], is_level[lin].astype(np.int8)))
        logi = is_share & (pmax >= logistic_min_share) & (pmin > 0) & (pmax < 100)
        p = value[logi] / 100.0
        parts.append((np.flatnonzero(logi), 2, np.log(p / (1 - p)), 0))
    n = [len(p[0]) for p in parts]
    model = np.repeat(np.array([p[1] for p in parts], dtype=np.int8), n)
    note = np.concatenate([np.broadcast_to(np.asarray(p[3], dtype=np.int8), k) for p, k in zip(parts, n)])
    return pd.DataFrame({"row": np.concatenate([p[0] for p in parts]),
                         "model": pd.Categorical.from_codes(model, categories=FIT_MODELS),
                         "y": np.concatenate([p[2] for p in parts]),
                         "note": pd.Categorical.from_codes(note, categories=MODEL_NOTES)}, copy=False)


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
        s2 = ssr / df
        se_slope = np.sqrt(s2 / sxx)
        t = _t_quantile(df, 0.5 + CONFIDENCE / 2)
    return {"n": n, "xbar": xbar, "ybar": ybar, "sxx": sxx, "slope": slope, "s2": s2, "se_slope": se_slope, "t": t}


def _back(model: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fitted values back on the value scale (NaN, not inf, where a wide band overflows); `model`: codes (MODELS)."""
    out = np.array(y, dtype=float, copy=True)
    with np.errstate(over="ignore", invalid="ignore"):
        e = model == EXPONENTIAL
        out[e] = np.exp(out[e])
        g = model == LOGISTIC
        out[g] = 100.0 / (1.0 + np.exp(-out[g]))
    return np.where(np.isfinite(out), out, np.nan)


def _growth(model: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Annual growth from a slope: (e^slope - 1) * 100 %/yr for exponential fits (NaN, not inf, when it overflows)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(model == EXPONENTIAL, np.expm1(slope) * 100.0, slope)
    return np.where(np.isfinite(out), out, np.nan)


def _growth_unit(model: np.ndarray, measure: np.ndarray) -> np.ndarray:
    """Codes into GROWTH_UNITS from model codes and measure codes (PATH_MEASURES)."""
    return np.select([model == EXPONENTIAL, model == LOGISTIC, measure == SHARE], [0, 3, 1], default=2)


def _clip_shares(measure: np.ndarray, *arrays: np.ndarray) -> None:
    share = measure == SHARE
    for arr in arrays:
        arr[share] = np.clip(arr[share], *SHARE_LIMITS)


def _fits_vectorised(act: pd.DataFrame, logistic_min_share: float) -> dict | None:
    if act.empty:
        return None
    mt = _model_table(act, logistic_min_share)
    mrow = mt["row"].to_numpy()
    model_code = mt["model"].cat.codes.to_numpy()
    fit_keys, gid = np.unique(act["group"].to_numpy()[mrow].astype(np.int64) * len(FIT_MODELS) + model_code,
                              return_inverse=True)
    ng = len(fit_keys)
    year = act["year"].to_numpy(dtype=float)[mrow]
    f = _fit_groups(gid, year, mt["y"].to_numpy(dtype=float), ng)
    first_row = np.full(ng, len(mt), dtype=np.int64)
    np.minimum.at(first_row, gid, np.arange(len(mt)))
    y_first = np.full(ng, np.inf)
    np.minimum.at(y_first, gid, year)
    y_last = act["path_last"].to_numpy(dtype=float)[mrow][first_row]
    fmodel = model_code[first_row] + EXPONENTIAL                           # FIT_MODELS → MODELS codes
    fnote = mt["note"].cat.codes.to_numpy()[first_row] + 2                 # MODEL_NOTES → NOTES codes
    prow = mrow[first_row]
    fmeasure = act["measure"].cat.codes.to_numpy()[prow]
    growth = _growth(fmodel, f["slope"])
    ci_lo = _growth(fmodel, f["slope"] - f["t"] * f["se_slope"])
    ci_hi = _growth(fmodel, f["slope"] + f["t"] * f["se_slope"])
    fi, yr = _expand_years(y_first.astype(np.int64), y_last.astype(np.int64))
    x0 = yr - f["xbar"][fi]
    yhat = f["ybar"][fi] + f["slope"][fi] * x0
    half = f["t"][fi] * np.sqrt(f["s2"][fi] * (1.0 + 1.0 / f["n"][fi] + x0 * x0 / f["sxx"][fi]))
    m = fmodel[fi]
    fitted, lower, upper = _back(m, yhat), _back(m, yhat - half), _back(m, yhat + half)
    _clip_shares(fmeasure[fi], fitted, lower, upper)
    observed = _observed_at(act, act["group"].to_numpy()[prow][fi], yr)
    return {"_row": act["row"].to_numpy()[prow][fi], "_group": act["group"].to_numpy()[prow][fi], "model": m, "year": yr,
            "observed": observed, "fitted": fitted, "lower": lower, "upper": upper, "annual_growth": growth[fi],
            "growth_unit": _growth_unit(fmodel, fmeasure)[fi], "growth_ci_low": ci_lo[fi], "growth_ci_high": ci_hi[fi],
            "n_points": f["n"][fi].astype(np.int64), "note": fnote[fi]}


def _observed_at(act: pd.DataFrame, group: np.ndarray, year: np.ndarray) -> np.ndarray:
    """The actual published for (group, year) of each output row of a fit (NaN where there is none)."""
    idx = pd.MultiIndex.from_arrays([act["group"].to_numpy(), act["year"].to_numpy()])
    pos = idx.get_indexer(pd.MultiIndex.from_arrays([group, year]))
    return np.where(pos >= 0, act["value"].to_numpy(dtype=float)[np.maximum(pos, 0)], np.nan)


def _fits_statsmodels(act: pd.DataFrame, logistic_min_share: float) -> dict | None:
    """The reference engine: statsmodels OLS and its prediction intervals, one path and model at a time."""
    import statsmodels.api as sm  # heavy: loaded only when a fit needs it

    if act.empty:
        return None
    mt = _model_table(act, logistic_min_share)
    mt["group"] = act["group"].to_numpy()[mt["row"].to_numpy()]
    mt["year"] = act["year"].to_numpy()[mt["row"].to_numpy()]
    cols: dict[str, list] = {k: [] for k in ("_row", "_group", "model", "year", "observed", "fitted", "lower", "upper",
                                             "annual_growth", "growth_unit", "growth_ci_low", "growth_ci_high",
                                             "n_points", "note")}
    for (g, model), part in mt.sort_values(["group", "model"], kind="stable").groupby(["group", "model"], sort=False,
                                                                                      observed=True):
        first = act.iloc[int(part["row"].iloc[0])]
        x = part["year"].to_numpy(dtype=float)
        res = sm.OLS(part["y"].to_numpy(dtype=float), sm.add_constant(x, has_constant="add")).fit()
        years = np.arange(int(x.min()), int(first["path_last"]) + 1)
        pred = res.get_prediction(sm.add_constant(years.astype(float), has_constant="add")).summary_frame(alpha=1 - CONFIDENCE)
        code = MODELS.index(model)
        mm = np.full(len(years), code)
        fitted, lower, upper = (_back(mm, pred[c].to_numpy()) for c in ("mean", "obs_ci_lower", "obs_ci_upper"))
        measure = PATH_MEASURES.index(first["measure"])
        _clip_shares(np.full(len(years), measure), fitted, lower, upper)
        ci = res.conf_int(alpha=1 - CONFIDENCE)[1]
        one = np.array([code])
        cols["_row"] += [int(first["row"])] * len(years)
        cols["_group"] += [g] * len(years)
        cols["model"] += [code] * len(years)
        cols["year"] += years.tolist()
        cols["observed"] += _observed_at(act, np.full(len(years), g), years).tolist()
        cols["fitted"] += fitted.tolist()
        cols["lower"] += lower.tolist()
        cols["upper"] += upper.tolist()
        cols["annual_growth"] += [float(_growth(one, np.array([res.params[1]]))[0])] * len(years)
        cols["growth_unit"] += [int(_growth_unit(one, np.array([measure]))[0])] * len(years)
        cols["growth_ci_low"] += [float(_growth(one, np.array([ci[0]]))[0])] * len(years)
        cols["growth_ci_high"] += [float(_growth(one, np.array([ci[1]]))[0])] * len(years)
        cols["n_points"] += [len(x)] * len(years)
        cols["note"] += [NOTES.index(part["note"].iloc[0], 2)] * len(years)
    return {k: np.asarray(v) for k, v in cols.items()}


# ---------------------------------------------------------------- assembly
def fit(obs: pd.DataFrame, thresholds: pd.DataFrame | None = None, engine: str = "vectorised",
        points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Trajectories in long format (COLUMNS); `engine` is "vectorised" or "statsmodels".
    `points`: analysis.derive.growth.path_points(obs), when the caller has it already."""
    if engine not in ("vectorised", "statsmodels"):
        raise ValueError(f"engine {engine!r}: expected 'vectorised' or 'statsmodels'")
    th = values(thresholds if thresholds is not None else load_thresholds())
    pts = points if points is not None else path_points(obs)
    if pts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    plan = plan_rows(pts, th["approx_band_pct"])
    act = _actual_points(pts)
    fits = (_fits_vectorised if engine == "vectorised" else _fits_statsmodels)(act, th["logistic_min_share"])
    cols = plan                                           # plan rows alone come in order already
    if fits is not None and len(fits["year"]):            # with fits: every path's plan, then its fits, by year
        for k in cols:                                    # (column by column: a national panel's are 1 M rows)
            cols[k] = np.concatenate([cols[k], fits[k]])
        year = cols["year"].astype(np.int64)
        y0, span = (year.min(), year.max() - year.min() + 1) if len(year) else (0, 1)
        key = (cols["_group"].astype(np.int64) * len(MODELS) + cols["model"]) * span + year - y0
        if len(key) and (key[1:] < key[:-1]).any():
            order = np.argsort(key, kind="stable")
            for k in cols:
                cols[k] = cols[k][order]
    obs_row = cols.pop("_row").astype(np.int64, copy=False)
    out = {c: obs[c].array.take(obs_row) for c in TEXT_COLUMNS}
    out.update({"model": words(MODELS, cols["model"]), "interval": words(INTERVAL_WORDS, cols["model"] != PLAN),
                "growth_unit": words(GROWTH_UNITS, cols["growth_unit"]), "note": words(NOTES, cols["note"]),
                "year": cols["year"].astype(np.int64, copy=False), "n_points": cols["n_points"].astype(np.int64, copy=False)})
    out.update({c: cols[c].astype(float, copy=False) for c in ("observed", "fitted", "lower", "upper", "annual_growth",
                                                               "growth_ci_low", "growth_ci_high")})
    return pd.DataFrame(out, columns=COLUMNS, copy=False)


def plan_path(trajectories: pd.DataFrame, source_id: str, indicator_id: str) -> pd.Series:
    """The plan path of one source and indicator, {year: value} (empty when the path has one year only)."""
    t = trajectories[(trajectories["source_id"] == source_id) & (trajectories["indicator_id"] == indicator_id)
                     & (trajectories["model"] == "plan")]
    return t.set_index("year")["fitted"].astype(float)
