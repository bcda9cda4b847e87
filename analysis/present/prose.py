"""The notebooks' prose: each narrative block (a heading and its explanation, Markdown) in Chinese and English, so
that a zh page reads Chinese from its title to its footnotes. The blocks stand in the notebooks as lang-zh / lang-en
Markdown cells (analysis/reports/narrative.py writes them from here; tests/test_notebooks.py checks they agree).
"""
from __future__ import annotations

from .labels import check_language

NARRATIVE: dict[str, tuple[str, str]] = {
    # ---- 01 targets overview
    "overview.title": ("""# 目标总览

本套件中的每一份政策文件：地区、日期、设定目标的指标及覆盖的年份，以及整理后的数据表本身
（`data/processed/observations.csv`），按下方参数筛选。

每个数字都由该文件的提取规则（`data/raw/specs/`）从原文读出，保留所在行号和原句；数值换算为统一单位
（1.14 万家 → 11,400 家），原文的数值和单位并列显示。""",
                       """# Targets overview

Every source document of the suite with its region and date, the indicators it sets targets for and
the years it covers, then the tidy frame itself (`data/processed/observations.csv`), filtered by the
parameters of this run.

Each number was read from its document by the document's extraction spec (`data/raw/specs/`) and
keeps the line and the exact sentence it came from; values are in a canonical unit (1.14 万家 →
11,400 firms), with the value and unit as published beside them."""),
    "overview.sources": ("""## 政策文件

每份登记的文件一行（`data/raw/sources.yml`）：地区、日期、标题，从中读出的指标数、实际值个数和目标值个数，
以及各自的年份。""",
                         """## Sources

One row per registered document (`data/raw/sources.yml`): its region, date and title (as published, in
Chinese), how many indicators, actual values and target values were read from it, and the years of each."""),
    "overview.coverage": ("""## 覆盖年份

每份文件一行：● 表示该年有实际值（通常是基期），◆ 表示目标年份。标记上方的数字是当年有数值的指标个数。""",
                          """## Years covered

One row per source: ● marks a year with actual values (usually the baseline), ◆ a target year. The
number above a mark counts the indicators with a value in that year."""),
    "overview.indicators": ("""## 指标及其年份

每份文件的每个指标一行：指标名称、统一单位，以及有实际值和有目标值的年份。""",
                            """## Indicators and their years

One row per source and indicator: the indicator's name, its canonical unit, and the years with an
actual value and with a target."""),
    "overview.frame": ("""## 整理后的数据表

每个公布的数字一行。“约束”说明目标的表述方式：等于；不低于（以上、不少于）；超过（超过、突破）；
左右（左右、近）；区间（1~2，数值为上限，下限列在旁边）。“原文名称”是文件在该句中对指标的称呼，
“行号”和“原文”指明数字在文件中的位置。""",
                       """## The tidy frame

One row per published number. `bound` says how a target is stated: exactly; at least (以上, 不少于);
more than (超过, 突破); about (左右, 近); a range (1~2: the value is its upper end, the lower end is beside
it). `name as published` is what the document calls the indicator in that sentence (Chinese); `line`
and `quote` locate the number in its document."""),
    # ---- 02 growth trajectories
    "indicator.title": ("""# 同一指标的各级规划

一个指标在所有规划文件中的数值：按层级（全国 → 省 → 市 → 区县）和文件日期排列的目标与实际值，
各文件目标隐含的年均增长（名次按名次变化计算，不按增长率），以及已有实际值的目标的完成情况。""",
                        """# One indicator across plans

One indicator in every plan that states it: the targets and actuals by level (nation → province → city →
district or county) and by the plan's date, the annual growth each plan's targets imply (a rank in places, never as
a growth rate), and the outcome of the targets whose actual is known."""),
    "indicator.targets": ("## 各文件的数值", "## Every plan's numbers"),
    "indicator.growth": ("## 隐含的年均增长", "## Implied annual growth"),
    "indicator.outcomes": ("## 完成情况（已知实际值）", "## Outcomes (where the actual is known)"),
    "growth.title": ("""# 增长路径

一份政策文件的每个指标：基期实际值（●）和目标，目标按其表述画出（◆ 等于，▲ 不低于，△ 超过，◇ 左右，
竖线为区间），穿过所述各点的规划路径，以及每一段隐含的年均增长及单位。

以增长率表述的目标（年均增长……%）没有自己的路径，列在增长表中。""",
                     """# Growth trajectories

For one source document: per indicator, the baseline actuals (●) and the targets, each drawn as the
bound it states (◆ exactly, ▲ at least, △ more than, ◇ about, a vertical bar for a range), the plan path
through the stated points, and the annual growth each step implies, with its unit.

A target stated as a growth rate (年均增长…%) has no path of its own; it is in the growth table."""),
    "growth.paths": ("""## 路径

有两个以上年份的指标每个一幅小图；纵轴为指标的统一单位，从零开始（不夸大增长），计数指标用整数刻度。
虚线是规划路径：穿过所述各点的逐段插值（总量和计数在每段内按固定复合增长，比重按固定百分点）；
斜线阴影是目标约束允许的范围（左右、区间；比重的“不低于”至 100%），只有下限的目标没有上端。
规划是一组有意设定的数字而不是样本，因此没有统计区间。只有四个以上实际值年份的路径才有拟合趋势
（总量和计数用指数，比重用线性，50% 以上另加逻辑斯蒂）及其 90% 预测区间（阴影）。超出顶部的区间在顶部截断。""",
                     """## Paths

One panel per indicator with two or more years; the y axis is in the indicator's canonical unit and
starts at zero (growth is not exaggerated), counts have whole-number ticks. The dashed line is the plan
path: the piecewise interpolation through the stated points (constant compound growth within each step
for levels and counts, constant percentage points for shares); hatching shows the range the targets'
bounds allow (about, range; a share's "at least" up to 100 %), an open floor has no top. A plan is a set
of deliberate numbers, not a sample, so it has no statistical band. Only a path with four or more actual
years gets a fitted trend (exponential for levels and counts, linear for shares, logistic as well from
50 %) with its 90 % prediction interval (shaded). An interval that runs off the top is cut there."""),
    "growth.single": ("""## 只有一个年份的指标

只在一个年份有数值的指标（例如只有一个目标、没有基期）画不出路径，在此列成一张表。""",
                      """## Indicators with a single year

An indicator with a value in one year only (a target without a baseline, say) has no path to draw;
these are listed in one table."""),
    "growth.implied": ("""## 隐含年均增长

相邻两点之间每段一行，另加首末两点一行。年均复合增长率：每年百分比（总量和计数）；每年百分点变化：比重。
当约束（不低于、左右、区间）使终点值不确定时，给出该约束允许的增长区间；“≥”表示只有下限。""",
                       """## Implied annual growth

One row per step between consecutive points and one for first → last. Compound annual growth: % per
year (levels and counts); percentage points per year: shares. Where a bound (at least, about, range)
leaves the end value open, the band of growth it allows is given; "≥" means a floor with no ceiling."""),
    "growth.fits": ("""## 规划路径与拟合趋势

规划路径首末两点的年均增长，以及拟合趋势（四个以上实际值）的年均增长及其 90% 区间和所依据的点数。
逻辑斯蒂模型的增长以“对数几率/年”表示：比重 p 的 ln(p/(100−p)) 每年的变化，不是百分比。""",
                    """## Plan paths and fitted trends

The plan path's first → last annual growth, and for fitted trends (four or more actuals) the annual
growth with its 90 % interval; with the number of points each rests on. The logistic model's growth is
in log-odds per year: the yearly change of ln(p/(100 − p)) for a share p, not a percentage."""),
    # ---- 03 plausibility flags
    "flags.title": ("""# 合理性标记

每个目标隐含的年均增长与参考速度对比：同级可比地区同一指标、同样年数的已实现增长（同行窗口），
同行窗口太少时用不长于该段的全国最快速度，以及有记录以来的最快速度（上限）。隐含增长高于同行窗口的
高分位数为“提示”，高于所有同行窗口为“警告”（同行太少时全国参考只给“提示”），超过上限为“严重”；
每个标记注明参照、窗口和倍数（见下方阈值表）。其他规则标记低于基期值的目标、超过 100% 的比重、
下降的存量，以及大于整体的部分。

阈值是数据（`data/raw/reference/thresholds.yml`，每个都基于 `growth_references.csv` 中有出处的一行）；
参数 `thresholds` 可在本次运行中覆盖任何阈值，生效的阈值列在标记之后。""",
                    """# Plausibility flags

The annual growth each target implies, set against realised paces: the same indicator in comparable
regions at the plan's level over windows of the same number of years (peer windows); with too few peers,
the fastest national window no longer than the step; and the fastest pace on record (a ceiling). A target
above a high percentile of its peer windows is *info*, above every peer window *warn* (a national
fallback gives *info* only), beyond the ceiling *alert*; each flag names its yardstick, window and margin
(thresholds in the table below). Other rules flag targets below their baseline, shares above 100 %,
stocks that fall, and parts that exceed their whole.

The thresholds are data (`data/raw/reference/thresholds.yml`, each resting on a cited row of
`growth_references.csv`); the parameter `thresholds` overrides any of them for this run, and the
thresholds in force are listed below the flags."""),
    "flags.counts": ("""## 标记数量

本页所含标记按严重程度计数。""", """## Number of flags

The flags of this page by severity."""),
    "flags.zones": ("""## 隐含增长与参考区

每个以目标结尾的区段一行。阴影区从该指标的“提示”“警告”“严重”阈值开始；点的颜色为其标记的严重程度
（任何严重程度，不论表格中 `min_severity` 显示哪些）。目标为“不低于/超过”时，点是增长的下限，▶ 表示
增长可以更高；只有两端都确定的区间才画成横线。横轴为对数刻度（零附近为线性）。""",
                    """## Implied growth against the reference zones

One row per step that ends in a target. The shaded zones start at the indicator's info, warn and alert
thresholds; a point is coloured by the severity of its flag (of any severity, whatever `min_severity`
shows in the table). Where the target is "at least"/"more than", the point is a floor and ▶ says the
growth may be higher; only a band with two definite ends is drawn as a line. Log-like axis (linear near zero)."""),
    "flags.table": ("""## 标记

最严重的在前。“数值”是隐含增长（或规则所判断的数字），“阈值”是判断的标准，“依据”是阈值的出处及其来源等级；
“理由”用一句话说明。“稳健性”为“临界”时，判断取决于取整或口径（超出阈值不足 `robust_min_margin_pct`，
或换一把相邻的尺子就不再被标记）。""",
                    """## Flags

Most severe first. `value` is the implied growth (or the figure the rule judged), `threshold` what it
was judged against, `reference` where that threshold comes from, with the grade of its source;
`reason` says it in one sentence. A *knife-edge* `robustness` means the judgement depends on rounding or
definitions (the threshold is cleared by less than `robust_min_margin_pct`, or a neighbouring yardstick would not
flag it)."""),
    "flags.coverage": ("""## 覆盖情况：哪些目标被判断，用什么参照

每份规划一行（多份规划时最后一行为合计）：以目标结尾的路段数，其中相邻两点的路段数；这些相邻两点各按哪一种参照
判断（同类地区、全国序列等，每种参照一列）；只与上限比较的路段单独计数，因为上限是有记录以来的最快速度，实际上
无法约束；未判断的路段数及原因。“可约束的判断占相邻两点（%）”是按上限以外的参照判断的相邻两点所占的百分比。没有标记不等于
合理：只有被判断过的目标才谈得上合理。""",
                       """## Coverage: which targets were judged, and against what

One row per plan (with several plans, a last row for all of them): its segments that end in a target, and of these
the steps; how many steps each yardstick judged (peers, the national series…, a column each); the steps judged
against the ceiling only, counted apart because a ceiling (the fastest pace on record) cannot bind in practice; the
steps not judged, and why. `judged by a yardstick that can bind` is the share of steps judged by a yardstick other
than the ceiling. No flag does not mean plausible: only a judged target can be called plausible."""),
    "flags.status": ("""下表列出每一个以目标结尾的路段及其状态：“已标记”（每个标记一行，附理由）；“已判断：合理”（按所列参照判断，
未被标记）；“只与上限比较”；“未判断”及原因。被标记但严重程度低于本页所显示级别的路段也会列出。""",
                     """The table lists every segment that ends in a target with its status: *flagged* (a row per flag, with
its reason), *judged plausible* (judged against the yardstick named, not flagged), *against the ceiling only*, or
*not judged* and why. A segment flagged below the severity this page shows is listed too."""),
    "flags.thresholds": ("""## 生效的阈值及依据

每个规则参数在本次运行中的数值（被参数 `thresholds` 改变时标明“已覆盖”）、单位和允许范围，
所依据的参考及选取理由（含义和理由为英文原文）。""",
                         """## Thresholds and references in force

Every rule parameter with its value in this run (`overridden` where the parameter `thresholds` changed
it), its unit and accepted range, the reference it rests on and why it was chosen."""),
    "flags.references": ("""## 参考来源

阈值所依据的参考数据：每行的出处、来源等级（官方公报 / 官方公报转载 / 新闻报道 / 二手汇编，规则见
`analysis/core/grades.py`），以及已知时发布者自己的网址。""",
                         """## References

The reference rows the thresholds rest on: where each was read, its source grade (official bulletin /
official repost / newspaper / secondary compilation; the rule is in `analysis/core/grades.py`) and, where
known, the publisher's own address."""),
    "flags.sensitivity": ("""## 敏感性：换一把尺子，哪些目标仍被标记

每一行是在至少一把合理尺子下会被标为“过快”的目标路段；各列表示换用该尺子时是否被标记：同类地区同长度窗口的
第 90、95、99 百分位数与最大值，全国同一序列不长于该路段的最快窗口，以及上限（天花板）。一行在各列都为“是”，
说明判断稳健；只在一两列为“是”，说明判断取决于尺子的选择（`docs/methods.md`）。""",
                          """## Sensitivity: which targets stay flagged under another yardstick

Each row is a target segment that at least one reasonable yardstick flags as too fast; each column says whether
it is flagged when that yardstick is used: the 90th, 95th and 99th percentiles and the maximum of comparable
regions' windows of the same length, the fastest national window of the same series no longer than the segment,
and the ceiling. A row flagged in every column is a robust judgement; one flagged in one or two depends on the
choice of yardstick (`docs/methods.md`)."""),
    # ---- 04 target versus actual (narrative only; the figures' words are analysis/present/progress_plots.py's)
    "progress.title": ("""# 目标与实际

一份政策文件的每个数字目标与实际完成情况对比。实际值有三个来源：注明页面和原文的公开统计
（`data/raw/actuals/`）、文件自身给出的数字（基期），以及研究者自己的文件（参数 `actuals_path`）。
判断规则见 `analysis/derive/progress.py` 和 `docs/methods.md`：有目标年份的实际值时判断“已实现/未实现”
（按目标的表述：不低于、超过、左右）；否则按已观察增长与所需增长之比判断进度。""",
                       """# Target versus actual

Each numeric target of one policy document set against what was actually achieved. Actuals come from
three places: published statistics with their page and a verbatim quote (`data/raw/actuals/`), the
figures the documents state themselves (baselines), and, optionally, a researcher's own file
(`actuals_path`). The rules are in `analysis/derive/progress.py` and `docs/methods.md`: with an actual for the
target year, achieved or missed (reading the target's qualifier: at least, more than, about); otherwise
progress from the ratio of observed to required growth."""),
    "progress.glance": ("## 概览\n\n各状态的目标个数，以及每个实际值占其目标的百分比（条形颜色为状态，100% 线即目标）。",
                        "## At a glance\n\nHow many targets fall in each status, and each judged actual as a percentage of its target "
                        "(the bar's colour is the status; the 100 % line is the target)."),
    "progress.status": ("## 状态表\n\n“目标”带有其表述（≥ 不低于，> 超过，≈ 左右）；“基期”是增长的起点；“实际值”是判断所用的数字"
                        "（* 为初步数）；“差距”是实际值减目标值。",
                        "## Status table\n\n`target` shows the qualifier (≥ at least, > more than, ≈ about); `base` is the figure "
                        "growth is measured from; `actual` is the figure that judged the target (* preliminary); "
                        "`gap` is actual − target."),
    "progress.paths": ("## 规划路径与实际路径\n\n每个指标：规划路径（基期 → 目标，虚线）和实际路径（实线）；灰色点线为上级地区的实际值。",
                       "## Target path against actual path\n\nPer indicator: the planned path (base → targets, dashed) and the "
                       "actual path (solid); the dotted grey line is the parent region's actual."),
    "progress.levels": ("## 区与市\n\n区和所属城市对同一指标都有目标和实际值时，二者的进展并列。",
                        "## District and city\n\nWhere a district and its city both have targets with actuals for the same "
                        "indicator, their progress side by side."),
    "progress.unassessed": ("## 无可用实际值的目标\n\n文件的其他目标及无法判断的原因（通常：该地区该指标没有公开的实际值）。",
                            "## Targets without a usable actual\n\nEvery other target of the document, with the reason it "
                            "could not be judged (usually: no published actual for the region and indicator)."),
    "progress.backtest": ("## 回测：标记与结果（所有文件合并）\n\n这是所有文件合并的表，不只是本文件：每个结果已知的目标"
                          "（已实现、逾期实现、未实现），按其路径上的合理性标记分组，“过快”与“过慢”分开，没有标记的目标分为"
                          "“已判断、无标记”和“未判断”。被标记的目标是否更常未实现？先读表下的说明。",
                          "## Backtest: flags against outcomes (every document pooled)\n\nThis table pools every document, "
                          "not only this one: every target whose outcome is known (achieved, achieved late, missed), by the "
                          "plausibility flags on the path leading to it, too fast and too slow apart, the unflagged split into "
                          "judged with no flag and never judged. Are flagged targets missed more often? Read the caveat first."),
    "progress.sources": ("## 实际值的来源\n\n上面使用的每个实际值和基期的出处及来源等级（官方公报 / 官方公报转载 / 新闻报道 / 二手汇编）。",
                         "## Where the actuals come from\n\nThe citation of every actual and base used above, with its source "
                         "grade (official bulletin / official repost / newspaper / secondary compilation)."),
    "progress.thresholds": ("## 生效的阈值\n\n判断状态所用的阈值及其出处（参数 `thresholds` 可按名称覆盖）。",
                            "## Thresholds in force\n\nThe thresholds behind the statuses, with their sources "
                            "(`thresholds` overrides them by name)."),
    # ---- how to read each page (the page header)
    "howto.01_targets_overview": (
        "先看“政策文件”表了解有哪些文件，再看“覆盖年份”图：● 为实际值年份，◆ 为目标年份。"
        "最后的数据表每行是一个原文数字，可按行号在原文中核对。",
        "Start with the table of sources, then the chart of years covered (● actual, ◆ target). "
        "The last table holds one published number per row; its line number finds it in the document."),
    "howto.02_growth_trajectories": (
        "每幅小图是一个指标：黑点是实际值，橙色标记是目标（形状表示“等于/不低于/超过/左右”），虚线是规划路径。"
        "只有一个年份的指标列在表中。增长表给出每段隐含的年均增长及单位。",
        "Each panel is one indicator: black dots are actuals, orange marks are targets (the shape says exactly / "
        "at least / more than / about), the dashed line is the plan path. Indicators with a single year are in a "
        "table. The growth table gives the annual growth each step implies, with its unit."),
    # the same, where a statistical trend is fitted (a path with four or more actual years): runner._header picks it
    "howto.02_growth_trajectories.fits": (
        "每幅小图是一个指标：黑点是实际值，橙色标记是目标（形状表示“等于/不低于/超过/左右”），虚线是规划路径，"
        "实线是按实际值拟合的趋势。只有一个年份的指标列在表中。增长表给出每段隐含的年均增长及单位。",
        "Each panel is one indicator: black dots are actuals, orange marks are targets (the shape says exactly / "
        "at least / more than / about), the dashed line is the plan path, the solid line the trend fitted to the "
        "actuals. Indicators with a single year are in a table. The growth table gives the annual growth each step "
        "implies, with its unit."),
    "howto.03_plausibility_flags": (
        "图中每行是一个目标区段，点越靠右隐含增长越快；落入彩色区表示超过参考阈值。"
        "标记表说明每个标记的理由和依据，阈值表列出判断所用的全部参数及其出处。",
        "Each row of the chart is a target step; the further right, the faster the implied growth; a point in a "
        "coloured zone exceeds a reference threshold. The flags table gives each flag's reason and reference; the "
        "threshold table lists every parameter used, with its source."),
    "howto.05_indicator_across_plans": (
        "图中每条线是一份规划文件，颜色表示层级（全国、省、市、区县），圆点为实际值，菱形为目标。"
        "下面三张表依次列出各文件的数值、各段隐含的年均增长，以及已知实际值的目标的完成情况。",
        "Each line of the chart is one plan, its colour the level (nation, province, city, district or county); dots "
        "are actuals, diamonds targets. The three tables below give every plan's numbers, the annual growth each step "
        "to a target implies, and the outcome of the targets whose actual is known."),
    "howto.04_target_vs_actual": (
        "先看状态计数和条形图（实际值占目标的百分比，100% 线即目标），再看状态表和路径图：虚线为计划路径，实线为实际路径。"
        "最后两张表列出未能判断的目标及实际值的来源和来源等级。",
        "Start with the status counts and the bar chart (actual as % of target; the 100 % line is the target), then "
        "the status table and the path charts: dashed is the plan, solid the actual path. The last tables list the "
        "targets that could not be judged and where each actual comes from, with its source grade."),
}


def narrative(key: str, language: str = "zh") -> str:
    """The Markdown of the narrative block `key` in `language`."""
    zh, en = NARRATIVE[key]
    return zh if check_language(language) == "zh" else en
