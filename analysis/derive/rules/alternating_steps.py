"""alternating_steps: a plan's path of targets that goes up, down and up again (or down, up, down): its yearly
targets change direction at least `alternation_min_reversals` times, a question for the reader (a misprint, a
change of definition, or a path the plan means)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..growth import run_codes
from ..sentences import Words, with_unit
from .base import EPS, Plan, Rule, flag_frame, records

PATH = ["source_id", "region", "indicator_id"]


def directions(values: list[float]) -> list[int]:
    """+1 (up) or -1 (down) for each change between consecutive values; unchanged values have no direction."""
    return [int(np.sign(b - a)) for a, b in zip(values, values[1:]) if abs(b - a) > EPS]


def reversals(values: list[float]) -> int:
    """How many times a sequence of values changes direction (10, 8, 12, 9: down, up, down, two)."""
    d = directions(values)
    return sum(a != b for a, b in zip(d, d[1:]))


def target_paths(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per path of targets in `obs` (at least three, every year once): the targets in year order as
    `years` and `values`, and their reversals."""
    t = obs[obs["kind"] == "target"].sort_values("year", kind="stable")
    rows = []
    for path, g in t.groupby(PATH, sort=True):
        if len(g) >= 3 and g["year"].is_unique:
            rows.append({**dict(zip(PATH, path)), "indicator_zh": g["indicator_zh"].iloc[0], "unit": g["unit"].iloc[0],
                         "start_year": int(g["year"].iloc[0]),
                         "end_year": int(g["year"].iloc[-1]), "years": g["year"].tolist(),
                         "values": g["value"].astype(float).tolist(), "reversals": reversals(g["value"].tolist())})
    return pd.DataFrame(rows, columns=[*PATH, "indicator_zh", "unit", "start_year", "end_year", "years", "values",
                                       "reversals"])


def reason(r) -> Words:
    path = " → ".join(f"{with_unit(v, r.unit)} ({y})" for y, v in zip(r.years, r.values))
    path_zh = " → ".join(f"{with_unit(v, r.unit)}（{y} 年）" for y, v in zip(r.years, r.values))
    return Words(f"逐年目标升降交替：{path_zh}，方向改变 {r.reversals} 次；请读者判断是笔误、口径变化，还是规划确有此意。",
                 f"The yearly targets go up and down: {path}, changing direction {r.reversals} times; a question for "
                 "the reader: a misprint, a change of definition, or the path the plan means.")


def judge(plan: Plan, inp) -> pd.DataFrame:
    return _flags(target_paths(plan.obs), inp.values["alternation_min_reversals"])


def find(inp) -> pd.DataFrame:
    """judge over every plan at once: the reversals of every path counted with pandas, the few paths that reach
    the limit then read as judge reads them."""
    rows = np.flatnonzero(inp.obs["kind"].to_numpy() == "target")
    # one number a path, from its words' codes (run_codes: a path's rows come together, each run hashed once)
    codes = pd.DataFrame({c: run_codes(inp.obs[c].to_numpy()[rows])[0] for c in PATH})
    path = codes.groupby(PATH, sort=False).ngroup().to_numpy()
    t = pd.DataFrame({"path": path, "year": inp.obs["year"].to_numpy()[rows], "value": inp.obs["value"].to_numpy()[rows]})
    t = t.sort_values(["path", "year"], kind="stable")
    same = t["path"].shift() == t["path"]
    step = np.where(same, t["value"].astype(float).diff(), np.nan)
    moves = t.assign(d=np.sign(step))[np.abs(step) > EPS]              # the changes of direction's candidates
    turned = (moves["path"].shift() == moves["path"]) & (moves["d"].shift() != moves["d"])
    count = turned.groupby(moves["path"]).sum()
    limit = inp.values["alternation_min_reversals"]
    return _flags(target_paths(inp.obs.iloc[rows[np.isin(path, count.index[count >= limit])]]), limit)


def _flags(paths: pd.DataFrame, limit) -> pd.DataFrame:
    fired = paths[paths["reversals"] >= limit].reset_index(drop=True)
    return flag_frame(fired, RULE.name, "info", RULE.direction, "reversals", fired["reversals"].astype(float), limit,
                      "alternation_min_reversals", "internal: the document's own figures",
                      [reason(r) for r in records(fired)])


RULE = Rule(
    name="alternating_steps", direction="inconsistent", severities=("info",), parameters=("alternation_min_reversals",),
    label=Words("目标升降交替", "targets alternate up and down"),
    fires_when=Words("同一指标的逐年目标方向改变至少 alternation_min_reversals 次",
                     "a path of yearly targets changes direction (up, down, up) at least alternation_min_reversals times"),
    reason=reason, judge=judge, find=find, section="Internal consistency",
    metrics={"reversals": Words("方向改变次数", "changes of direction")})
