"""Source grades by their documented rule; the kernel's shutdown-interrupt line is dropped, nothing else;
`make lab` serves the project's font and passes ARGS."""
import logging
import subprocess

import pandas as pd
import pytest

from analysis.core import grades, paths
from analysis.reports import kernel


@pytest.mark.parametrize("text, url, expected", [
    ("World Bank WDI bulk CSV, indicator GB.XPD.RSDV.GD.ZS; stored in GitHub repo x/y", "https://github.com/x/y/blob/a/b.csv", "secondary"),
    ("NBS 2018 communique via Instrument Business Outlook",
     "https://wpe-dev.instrumentbusinessoutlook.com/article/china-141/", "secondary"),
    ("广州市科学技术局", "http://kjj.gz.gov.cn/xxgk/post_5837338.html", "official_bulletin"),
    ("网易财经 (reproducing the NBS/MOST/MOF bulletin)", "http://money.163.com/14/1023/x.html", "official_repost"),
    ("南方都市报 (南都科创)", "https://m.mp.oeeee.com/a/x.html", "newspaper"),
    ("Wallace (2016), 'Juking the Stats?', British Journal of Political Science 46(1)", "https://www.cambridge.org/x", "literature"),
    ("Wall Street Journal China Real Time: provinces' GDP targets", "http://blogs.wsj.com/x", "newspaper"),
    ("victorzhang.cn (unattributed repost)", "http://www.victorzhang.cn/page", "secondary"),
])
def test_grade_rule(text, url, expected):
    assert grades.grade(text, url) == expected


def test_publisher_addresses():
    assert grades.publisher_url("World Bank WDI bulk CSV, indicator GB.XPD.RSDV.GD.ZS 'R&D'", "https://github.com/x") == \
        "https://data.worldbank.org/indicator/GB.XPD.RSDV.GD.ZS"
    assert grades.publisher_url("广州市知识产权局 (reposted by kyip.com.cn; original gzipo.gov.cn/web/html/index/contents/9230.html)",
                                "http://kyip.com.cn/x") == "http://gzipo.gov.cn/web/html/index/contents/9230.html"
    assert grades.publisher_url("网易财经", "http://money.163.com/x") == ""


def test_every_cited_row_gets_a_grade():
    refs = grades.reference_grades(pd.read_csv(paths.REFERENCE / "growth_references.csv"))
    acts = grades.actual_grades(pd.read_csv(paths.PUBLISHED_ACTUALS))
    assert set(refs["grade"]) <= set(grades.GRADES) and set(acts["grade"]) <= set(grades.GRADES)
    assert (refs["grade"] == "secondary").any() and (acts["grade"] == "official_bulletin").any()


def test_kernel_filter_drops_only_the_shutdown_interrupt():
    f = kernel.QuietShutdown()
    rec = lambda msg: logging.LogRecord("IPKernelApp", logging.ERROR, __file__, 1, msg, None, None)  # noqa: E731
    assert not f.filter(rec("KeyboardInterrupt caught in kernel"))
    assert not f.filter(rec("KeyboardInterrupt caught in kernel."))
    assert f.filter(rec("Exception in message handler:"))


def test_kernel_spec_starts_through_the_filtering_launcher():
    from jupyter_client.kernelspec import KernelSpecManager
    kernel.ensure()
    argv = KernelSpecManager().get_kernel_spec(kernel.KERNEL_NAME).argv
    assert argv[1:4] == ["-m", "analysis.reports.kernel", "launch"] and "{connection_file}" in argv


def test_make_lab_serves_the_font_and_passes_args():
    dry = subprocess.run(["make", "-n", "lab", 'ARGS=--no-browser --port 9999'], cwd=paths.ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "--no-browser --port 9999" in dry and "--LabApp.custom_css=True" in dry and "JUPYTER_CONFIG_DIR=" in dry
    css = kernel.lab_settings()
    assert css.parent.name == "custom" and 'font-family: "Noto Sans SC"' in css.read_text(encoding="utf-8")
    assert (css.parent / "NotoSansSC-Regular.otf").stat().st_size > 1_000_000
