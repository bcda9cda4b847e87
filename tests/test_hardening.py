"""Issue 13: every bad input is one clear error (file, field, what was expected) and a non-zero exit, never a
traceback; outputs stay consistent across a full disk and kill -9; one lock for everything that writes.

Each case states the bad input, the exit status, the message's file and field, and that data/processed/ (or
reports/) is unchanged or consistent afterwards."""
import errno
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import _commands as commands
import nbformat
import pytest

from analysis.core import fileio, lock, paths
from analysis.core.errors import InputError, run_cli
from analysis.inputs import actuals, actuals_csv
from analysis.reports import cli, config, index, makerules, runner

PROCESSED_NAMES = sorted(p.name for p in paths.PROCESSED.glob("*.csv"))


# ------------------------------------------------------------------------------------------------ helpers
@pytest.fixture
def project(tmp_path):
    """A copy of the package and the data (the lock, data/processed/ and reports/ of the copy are its own)."""
    root = tmp_path / "project"
    shutil.copytree(paths.ROOT / "analysis", root / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(paths.ROOT / "data", root / "data")
    return root


def python(root: Path, *args, code: str | None = None, env=None):
    """`python ARGS` (or `python -c CODE ARGS`) in `root` with PYTHONPATH=root: its exit status, stdout, stderr."""
    return commands.run([*(["-c", code] if code else []), *args], cwd=root, timeout=300,
                        env={"PYTHONPATH": str(root), "PATH": os.environ["PATH"], "LOCK_WAIT": "30", **(env or {})})


def processed(root: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted((root / "data/processed").iterdir())}


def assert_one_clear_error(result, *needles, status=1):
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# ------------------------------------------------------------------------------------------------ raw data
def _sources(root):
    return root / "data/raw/sources.yml"


def _register_gbk_document(root):
    doc = root / "data/raw/documents/nanming-2017.txt"
    old = paths.ROOT / "data/raw/documents/nanming-2017.txt"
    doc.write_bytes(old.read_text(encoding="utf-8").encode("gb18030"))
    import hashlib
    edit(_sources(root), hashlib.sha256(old.read_bytes()).hexdigest(), hashlib.sha256(doc.read_bytes()).hexdigest())


RAW_CASES = {
    "sources.yml is a list of ints": (
        lambda r: _sources(r).write_text("- 1\n- 2\n", encoding="utf-8"),
        ["sources.yml: entry 1 is 1; expected a mapping"]),
    "sources.yml in GBK": (
        lambda r: _sources(r).write_bytes(_sources(r).read_text(encoding="utf-8").encode("gbk")),
        ["sources.yml: line", "is not UTF-8"]),
    "sources.yml with a key twice": (
        lambda r: edit(_sources(r), "  script: simplified\n", "  script: simplified\n  script: traditional\n"),
        ["sources.yml: line", "key 'script' appears twice"]),
    "date: sometime": (
        lambda r: edit(_sources(r), 'date: "2015-09-25"', "date: sometime"),
        ["sources.yml: entry 'panyu-2015' field 'date' is 'sometime'; expected a date"]),
    "a document without a registry entry": (
        lambda r: (r / "data/raw/documents/extra-2020.txt").write_text("到2020年达到5家。\n", encoding="utf-8"),
        ["extra-2020.txt: a document that", "does not register", "id: extra-2020", "sha256: "]),
    "a spec for an unregistered source": (
        lambda r: (r / "data/raw/specs/ghost-2020.yml").write_text("source: ghost-2020\n", encoding="utf-8"),
        ["ghost-2020.yml: a spec for 'ghost-2020'", "expected an entry `- id: ghost-2020`"]),
    "a table without anchor": (
        lambda r: edit(r / "data/raw/specs/panyu-2015.yml", "anchor:", "anchr:"),
        ["panyu-2015.yml: tables[1]: field 'anchor' is required"]),
    "ignore rule lines: [99999]": (
        lambda r: edit(r / "data/raw/specs/guangzhou-2019.yml", "lines: [53]", "lines: [99999]"),
        ["guangzhou-2019.yml: ignore[", "field 'lines': line 99999 is outside guangzhou-2019.txt"]),
    'year: "twenty"': (
        lambda r: edit(r / "data/raw/specs/nanming-2017.yml", "observations:\n",
                       'observations:\n  - {indicator: rd_intensity, quote: "x", year: "twenty"}\n'),
        ["nanming-2017.yml: observations[1] (rd_intensity) field 'year' is 'twenty'; expected a year"]),
    "a spec with a key twice": (
        lambda r: edit(r / "data/raw/specs/panyu-2015.yml", "source: panyu-2015\n", "source: panyu-2015\nsource: panyu-2015\n"),
        ["panyu-2015.yml: line", "key 'source' appears twice"]),
    "ragged indicators.csv": (
        lambda r: edit(r / "data/raw/indicators.csv", "\n", "\nx,一,one,level,亿元,,,,firms,surplus\n"),
        ["indicators.csv: line 2: 10 field(s), but the header has 9"]),
    "empty indicators.csv": (
        lambda r: (r / "data/raw/indicators.csv").write_text("", encoding="utf-8"),
        ["indicators.csv: the file is empty"]),
    "GBK indicators.csv": (
        lambda r: (r / "data/raw/indicators.csv").write_bytes(
            (r / "data/raw/indicators.csv").read_text(encoding="utf-8").encode("gb18030")),
        ["indicators.csv: line 2: byte", "is not UTF-8"]),
    "an empty indicator_id": (
        lambda r: edit(r / "data/raw/indicators.csv", "\n", "\n,研发,R&D,level,亿元,,研发,R&D,rd_input\n"),
        ["indicators.csv: line 2 field 'indicator_id' is empty"]),
    "min: zero in thresholds.yml": (
        lambda r: edit(r / "data/raw/reference/thresholds.yml", "min: 0", "min: zero"),
        ["thresholds.yml: parameter", "key 'min' is 'zero', not a number"]),
    "a 400-digit number in thresholds.yml": (
        lambda r: edit(r / "data/raw/reference/thresholds.yml", "max: ", "max: " + "9" * 400 + " #"),
        ["thresholds.yml: parameter", "key 'max' = 99999", "is not a finite number"]),
    "ragged regions.csv": (
        lambda r: edit(r / "data/raw/reference/regions.csv", "\n", "\n番禺区,Panyu\n"),
        ["regions.csv: line 2: 2 field(s), but the header has 5"]),
    "a registered GBK document": (
        _register_gbk_document,
        ["nanming-2017.txt: line", "is not UTF-8", "document 'nanming-2017'"]),
    "published actuals with a formula": (
        lambda r: edit(r / "data/raw/actuals/published_actuals.csv", ",http://www.opticsky.cn", ",=cmd|calc!A0 http://www.opticsky.cn"),
        ["published_actuals.csv: line 2, column 'source': text starting with '='"]),
}


@pytest.mark.parametrize("case", RAW_CASES)
def test_bad_raw_data_stops_make_data_with_one_message_and_keeps_processed(project, case):
    mutate, needles = RAW_CASES[case]
    before = processed(project)
    mutate(project)
    result = python(project, "-m", "analysis.build")
    assert_one_clear_error(result, "make data: error:", *needles)
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr     # one message (perhaps wrapped)
    assert processed(project) == before


# ------------------------------------------------------------------------------------------------ actuals
HEADER = "region,indicator,unit,year,value,source\n"
GOOD = "番禺区,rd_intensity,%,2019,2.9,http://example.org/bulletin\n"


def actuals_error(tmp_path, text: str | bytes) -> str:
    path = tmp_path / "mine.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(InputError) as info:
        actuals.load(path, this_year=2024)
    assert str(path) in str(info.value)
    return str(info.value)


@pytest.mark.parametrize("column", ["indicator_id", "line", "file", "origin", "citation", "source_id"])
def test_reserved_column_is_refused_not_used(tmp_path, column):
    msg = actuals_error(tmp_path, HEADER.strip() + f",{column}\n" + GOOD.strip() + ",99999\n")
    assert f"line 1, column '{column}': '{column}' is a column the checker fills itself" in msg


def test_a_line_column_with_a_conflicting_duplicate_is_refused(tmp_path):
    text = HEADER.strip() + ",line\n" + GOOD.strip() + ",7\n" + GOOD.replace("2.9", "3.1").strip() + ",8\n"
    assert "column 'line'" in actuals_error(tmp_path, text)


@pytest.mark.parametrize("value,needle", [
    ("1" * 400, "(400 characters) is too large; expected a number below 1e+15"),
    ("1" * 16, "(16 characters) is too large"),
])
def test_huge_values(tmp_path, value, needle):
    msg = actuals_error(tmp_path, HEADER + f"广州市,high_tech_enterprises,家,2019,{value},x\n")
    assert f"line 2, column 'value': {value[:20]}" in msg and needle in msg


@pytest.mark.parametrize("year", ["1800", "0000", "1948"])
def test_years_before_1949(tmp_path, year):
    msg = actuals_error(tmp_path, HEADER + f"广州市,rd_intensity,%,{year},2.9,x\n")
    assert f"line 2, column 'year': {int(year)} is before 1949" in msg


def test_nul_byte(tmp_path):
    msg = actuals_error(tmp_path, (HEADER + GOOD.replace("bulletin", "bull\0etin")).encode())
    assert "line 2: a NUL byte" in msg


def test_conflicting_bounds_for_one_key(tmp_path):
    msg = actuals_error(tmp_path, HEADER.strip() + ",bound\n" + GOOD.strip() + ",eq\n" + GOOD.strip() + ",gt\n")
    assert "line 3, column 'bound': 番禺区 rd_intensity 2019 is given twice with different bounds: 'eq' (line 2) and 'gt'" in msg


def test_growth_rate_below_minus_100(tmp_path):
    msg = actuals_error(tmp_path, HEADER + "广州市,patent_applications_growth,%,2019,-500,x\n")
    assert "line 2, column 'value': growth rate -500 % is below −100 %" in msg


@pytest.mark.parametrize("cell", ['"=HYPERLINK(""http://evil"")"', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
                                  "@SUM(A1:A9)", "  =1+1", '"\t=1+1"'])
def test_spreadsheet_formulas_are_refused(tmp_path, cell):
    msg = actuals_error(tmp_path, HEADER.strip() + ",note\n" + GOOD.strip() + f",{cell}\n")
    assert "line 2, column 'note': text starting with" in msg and "CSV injection" in msg


def test_numbers_and_ordinary_text_are_not_formulas(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(HEADER.strip() + ",note\n" + GOOD.strip() + ",revised by -0.5 = 2.4\n"
                    + "广州市,rd_intensity,%,2018,2.6,x,-3\n", encoding="utf-8")
    df = actuals.load(path, this_year=2024)
    assert list(df["note"]) == ["revised by -0.5 = 2.4", "-3"]


def test_a_directory_as_the_actuals_file(tmp_path):
    with pytest.raises(InputError, match="is a directory; expected a CSV file of actuals"):
        actuals.load(tmp_path)


def test_unbalanced_quote(tmp_path):
    assert 'line 2: a double quote opens a value that never closes' in actuals_error(tmp_path, HEADER + GOOD.replace("http", '"http'))


def test_many_bad_lines_are_counted_not_all_listed(tmp_path):
    msg = actuals_error(tmp_path, HEADER + "广州市,rd_intensity,%,2019,abc,x\n" * 500)
    assert msg.count("\n  line ") == actuals_csv.MAX_LISTED and "… and 480 more" in msg and "500 problems" in msg


@pytest.mark.parametrize("target", ["dir", "missing", "gbk"])
def test_actuals_command_line_gives_one_message_and_status_1(tmp_path, target):
    path = {"dir": tmp_path, "missing": tmp_path / "nope.csv", "gbk": tmp_path / "gbk.csv"}[target]
    if target == "gbk":
        path.write_bytes((HEADER + GOOD.replace("bulletin", "公报")).encode("gbk"))
    result = python(paths.ROOT, "-m", "analysis.actuals", str(path))
    assert_one_clear_error(result, "python -m analysis.actuals: error:", str(path))
    assert len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------------ publishing
def _stale(root: Path) -> dict:
    """Make every processed CSV of the copy differ from what the build writes; returns the stale set."""
    for name in PROCESSED_NAMES:
        (root / "data/processed" / name).write_text(f"stale {name}\n", encoding="utf-8")
    return processed(root)


@pytest.fixture(scope="session")
def computed_frames(tmp_path_factory, made) -> Path:
    """What `make data` computes from the committed raw data (`made`, tests/conftest.py), pickled by file name (once
    per worker), so that a faulted build can skip straight to publishing: the faults under test are in the publishing."""
    target = tmp_path_factory.mktemp("frames") / "frames.pickle"
    target.write_bytes(pickle.dumps({p.name: f for p, f in made.items()}))
    return target


def _fault(kind: str, at: int, frames: Path) -> str:
    """Python code: run the build (`main`: the lock, the repair of an earlier run, publishing) with the computed
    `frames` (the checks of the reference tables skipped too: they come before computing, and the committed ones
    pass) and a fault at the `at`-th call of os.replace (kill -9 before it) or of os.fsync (a full disk); kind
    "none": no fault (the next run after one)."""
    return textwrap.dedent(f"""
        import errno, os, pathlib, pickle, signal, sys
        from analysis.core import paths
        from analysis.pipeline import build
        named = pickle.loads(pathlib.Path({str(frames)!r}).read_bytes())
        frames = {{paths.PROCESSED / name: frame for name, frame in named.items()}}
        build.check_all = lambda *args: None
        build.build_observations = lambda strict=False: (frames[paths.OBSERVATIONS], [])
        build.derived_frames = lambda obs: frames
        calls = {{"n": 0}}
        def counting(real, kill):
            def wrapper(*a, **k):
                calls["n"] += 1
                if calls["n"] == {at}:
                    if kill:
                        os.kill(os.getpid(), signal.SIGKILL)
                    raise OSError(errno.ENOSPC, "No space left on device", str(a[0]) if a else None)
                return real(*a, **k)
            return wrapper
        if "{kind}" == "kill":
            os.replace = counting(os.replace, True)
        elif "{kind}" == "kill-unlink":
            pathlib.Path.unlink = counting(pathlib.Path.unlink, True)
        elif "{kind}" == "enospc":
            os.fsync = counting(os.fsync, False)
        sys.exit(build.main())
    """)


# each replace step of `make data` (the journal, then each processed file) and the removal of the journal
KILL_STEPS = [("kill", k) for k in range(1, len(PROCESSED_NAMES) + 2)] + [("kill-unlink", 1)]


@pytest.mark.parametrize("kind, at", KILL_STEPS, ids=[f"{kind}-{at}" for kind, at in KILL_STEPS])
@pytest.mark.slow
def test_processed_files_are_published_as_a_set_across_kill_9(project, kind, at, computed_frames):
    """Kill -9 before a replace step of `make data` or at the removal of the journal: readers refuse a
    half-published set, the next run finishes it, nothing is left over."""
    expected = processed(paths.ROOT)             # the committed set (what the build writes)
    stale = _stale(project)
    result = python(project, code=_fault(kind, at, computed_frames))
    assert result.returncode == -signal.SIGKILL, (kind, at, result.stderr)
    journal = project / "data/processed" / fileio.PENDING
    csvs = {n: (project / "data/processed" / n).read_bytes() for n in PROCESSED_NAMES}
    pending = journal.exists()
    if pending:                              # the new set is decided: readers refuse the mix until it is finished
        with pytest.raises(InputError, match="an update of these files is under way or was interrupted"):
            fileio.check_published(project / "data/processed")
    else:                                    # killed before the journal: the old set is intact
        assert csvs == {n: stale[n] for n in PROCESSED_NAMES}, (kind, at)
    # the next run: the same main (lock, repair, publishing) with the frames already computed (what the build
    # computes from the raw data is checked by the tests of the committed files; the fault is in the publishing)
    again = python(project, code=_fault("none", 0, computed_frames))
    assert again.returncode == 0, again.stderr
    if pending:
        assert "make data: finished the interrupted update" in again.stderr, again.stderr    # the repair did it
    after = processed(project)
    assert {n: after[n] for n in PROCESSED_NAMES} == {n: expected[n] for n in PROCESSED_NAMES}, (kind, at)
    left = sorted(set(after) - set(PROCESSED_NAMES) - {fileio.MANIFEST})
    assert not left, f"left over after {kind} {at}: {left}"


@pytest.mark.parametrize("at", [1, 3, 6])
def test_disk_full_in_make_data_keeps_the_old_set(project, at, computed_frames):
    stale = _stale(project)
    result = python(project, code=_fault("enospc", at, computed_frames))
    assert_one_clear_error(result, "make data: error:", "No space left on device", "kept unchanged", status=74)
    assert processed(project) == stale          # nothing replaced, no temporary file left


def test_leftover_temporary_files_are_deleted_by_the_next_run(project, computed_frames):
    leftover = project / "data/processed" / ".observations.csv.abc123.tmp"
    leftover.write_text("half", encoding="utf-8")
    result = python(project, code=_fault("none", 0, computed_frames))       # main: the lock, the repair, publishing
    assert result.returncode == 0 and "deleted the leftover temporary file" in result.stderr
    assert not leftover.exists()


# ------------------------------------------------------------------------------------------------ the lock
def test_lock_says_whom_it_waits_for_and_gives_up_with_75(tmp_path):
    path = tmp_path / "lock"
    held = lock.acquire("make reports", 0, path)
    said = []
    try:
        with pytest.raises(lock.LockTimeout) as info:
            lock.acquire("make data", 0.5, path, say=said.append)
    finally:
        held.release()
    assert said and said[0].startswith("make data: waiting for") and "held by make reports (pid" in said[0]
    assert "is held by make reports" in str(info.value) and info.value.exit_status == 75
    lock.acquire("make data", 0, path).release()       # free again


def test_lock_fallback_without_flock(tmp_path, monkeypatch):
    monkeypatch.setattr(lock, "fcntl", None)
    path = tmp_path / "lock"
    held = lock.acquire("first", 0, path)
    with pytest.raises(lock.LockTimeout, match="held by first"):
        lock.acquire("second", 0, path)
    held.release()
    # a holder killed with -9 leaves its O_EXCL file: a dead pid is taken over
    (tmp_path / "lock.excl").write_text(json.dumps({"name": "dead", "pid": 2**22 + 12345}), encoding="utf-8")
    lock.acquire("third", 1, path).release()


@pytest.mark.parametrize("command", [["make", "--no-print-directory", "data"], ["make", "--no-print-directory", "clean"],
                                     [sys.executable, "-m", "analysis.reports", "index"]])
def test_every_writer_waits_for_the_one_lock(command):
    held = lock.acquire("a test", 120)         # a test on another pytest-xdist worker may hold it for a moment
    try:
        result = subprocess.run(command, cwd=paths.ROOT, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "LOCK_WAIT": "0", lock.ENV: "", "MAKEFLAGS": ""})
    finally:
        held.release()
    assert result.returncode == 75 or "Error 75" in result.stderr, (result.returncode, result.stderr)
    assert ".policy-targets.lock is held by a test" in result.stderr


@pytest.mark.parametrize("held_by_parent", [False, True])
def test_a_sub_make_under_the_lock_keeps_the_job_slots_of_make_j2(project, held_by_parent):
    """`make -j2 reports` runs its sub-make through `python -m analysis.core.lock`: the sub-make must get make's
    jobserver (else it warns and runs one job at a time). Two jobs that each wait for the other to start pass only
    when they run at once."""
    wait_for = 'touch {me}.started; for i in $$(seq 300); do [ -e {other}.started ] && exit 0; sleep 0.1; done; ' \
               'echo "{me} ran alone"; exit 1'
    (project / "sub.mk").write_text(f"both: a b\na:\n\t@{wait_for.format(me='a', other='b')}\n"
                                    f"b:\n\t@{wait_for.format(me='b', other='a')}\n", encoding="utf-8")
    (project / "Makefile").write_text(f"all:\n\t@{sys.executable} -m analysis.core.lock --wait 60 -- "
                                      "$(MAKE) --no-print-directory -f sub.mk both\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", lock.ENV)}
    env["PYTHONPATH"] = str(project)
    if held_by_parent:
        env[lock.ENV] = str(os.getpid())
    result = subprocess.run(["make", "--no-print-directory", "-j2"], cwd=project, capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "jobserver unavailable" not in result.stderr


def test_jobserver_fds_are_read_from_makeflags_and_only_when_open():
    r, w = os.pipe()
    try:
        assert lock.jobserver_fds(f" -j2 --jobserver-auth={r},{w}") == (r, w)
        assert lock.jobserver_fds(f" -j --jobserver-fds={r},{w}") == (r, w)
    finally:
        os.close(r)
        os.close(w)
    assert lock.jobserver_fds(f" -j2 --jobserver-auth={r},{w}") == ()      # closed: make did not pass them
    assert lock.jobserver_fds(" -j2 --jobserver-auth=fifo:/tmp/GMfifo1") == ()
    assert lock.jobserver_fds("") == ()


def test_make_clean_keeps_the_lock():
    dry = subprocess.run(["make", "-n", "clean"], cwd=paths.ROOT, capture_output=True, text=True).stdout
    assert "rm -rf" in dry and "analysis.core.lock" in dry and ".policy-targets.lock" not in dry
    assert lock.LOCK.parent == paths.ROOT


# ------------------------------------------------------------------------------------------------ reports.yml
GROWTH = "notebooks/02_growth_trajectories.ipynb"


def config_problems(tmp_path, text: str, notebooks=paths.NOTEBOOKS) -> list[str]:
    cfg = tmp_path / "reports.yml"
    cfg.write_text(text, encoding="utf-8")
    return index.run_problems(cfg, notebooks, build=tmp_path)[1]


@pytest.mark.parametrize("entry,needle", [
    ("{name: a, notebook: /etc/passwd}", "/etc/passwd lies outside notebooks/"),
    ("{name: a, notebook: ../README.md}", "../README.md lies outside notebooks/"),
    ("{name: a, notebook: notebooks/../README.md}", "lies outside notebooks/"),
    ("{name: overview.failed, notebook: %s}" % GROWTH, "field 'name' 'overview.failed' must match"),
    ("{name: %s, notebook: %s}" % ("a" * 300, GROWTH), "at most 100 characters"),
    ("{name: index, notebook: %s}" % GROWTH, "name 'index' is reserved"),
    ("{name: a, notebook: %s, parameters: {indicators: []}}" % GROWTH, "an empty list"),
    ("{name: a, notebook: %s, parameters: {source_id: nanming-2017, indicators: [patent_grants]}}" % GROWTH,
     "source 'nanming-2017' has no observations of ['patent_grants']"),
    ("{name: 'a-{source_id}', notebook: %s, sources: [panyu-2015, nowhere-2020]}" % GROWTH,
     "unknown source id(s) ['nowhere-2020']"),
    ("{name: a, notebook: %s, sources: all}" % GROWTH, "must contain {source_id} once"),
    ("{name: 'a-{source_id}', notebook: %s, sources: all, parameters: {source_id: panyu-2015}}" % GROWTH,
     "either `sources` or the parameter `source_id`"),
    ("{name: a, notebook: %s, timeout: %s}" % (GROWTH, "9" * 400), "field 'timeout'"),
])
def test_bad_report_entries(tmp_path, entry, needle):
    problems = config_problems(tmp_path, f"reports:\n  - {entry}\n")
    assert len(problems) == 1 and needle in problems[0], problems
    assert str(tmp_path / "reports.yml") in problems[0]


def test_a_duplicate_key_in_reports_yml(tmp_path):
    problems = config_problems(tmp_path, f"reports:\n  - name: a\n    notebook: {GROWTH}\n    name: b\n")
    assert problems and "line 4" in problems[0] and "key 'name' appears twice" in problems[0]


def test_readme_named_as_a_notebook(tmp_path):
    (tmp_path / "README.md").write_text("# not a notebook\n", encoding="utf-8")
    (tmp_path / "broken.ipynb").write_text("# not a notebook\n", encoding="utf-8")
    problems = config_problems(tmp_path, f"reports:\n  - {{name: a, notebook: {tmp_path}/README.md}}\n"
                                         f"  - {{name: b, notebook: {tmp_path}/broken.ipynb}}\n", notebooks=tmp_path)
    assert "README.md is not a notebook; expected a .ipynb file" in problems[0]
    assert "broken.ipynb: not a readable Jupyter notebook" in problems[1]


@pytest.mark.parametrize("name", ["my file.csv", "x$(shell touch pwned).csv", "a;b.csv"])
def test_file_names_make_would_read_are_refused_and_never_written_into_rules(tmp_path, name):
    bad = tmp_path / name
    bad.write_text(HEADER + GOOD, encoding="utf-8")
    problems = config_problems(tmp_path, "reports:\n  - name: p\n    notebook: notebooks/04_target_vs_actual.ipynb\n"
                                         f"    parameters: {{source_id: panyu-2015, actuals_path: '{bad}'}}\n")
    assert len(problems) == 1 and "that make would read" in problems[0]
    r = config.Report(name="p", notebook=paths.NOTEBOOKS / "04_target_vs_actual.ipynb",
                       parameters={"actuals_path": str(bad)})
    with pytest.raises(InputError, match="cannot be written into a make rule"):
        makerules.write_makefile([r], tmp_path / "r.mk", build=tmp_path)
    assert not (tmp_path / "pwned").exists()


def test_sources_all_gives_one_run_per_registered_source(tmp_path):
    cfg = tmp_path / "reports.yml"
    cfg.write_text(f"reports:\n  - {{name: 'g-{{source_id}}', notebook: {GROWTH}, sources: all, "
                   "parameters: {language: en}}\n", encoding="utf-8")
    runs = config.load_config(cfg)
    from analysis.inputs.registry import load_sources
    assert [r.name for r in runs] == [f"g-{sid}" for sid in load_sources()]
    assert all(r.parameters == {"source_id": r.name[2:], "language": "en"} for r in runs)


def test_sources_with_progress_gives_one_run_per_source_with_progress_rows(tmp_path, monkeypatch):
    """`sources: with_progress`: the sources with rows in progress.csv, in registry order, with no list to keep."""
    cfg = tmp_path / "reports.yml"
    cfg.write_text(f"reports:\n  - {{name: 'p-{{source_id}}', notebook: {GROWTH}, sources: with_progress}}\n",
                   encoding="utf-8")
    from analysis.inputs.registry import load_sources
    registered = list(load_sources())
    monkeypatch.setattr(config, "_sources_with_progress", lambda: {registered[-1], registered[0]})
    assert [r.name for r in config.load_config(cfg)] == [f"p-{registered[0]}", f"p-{registered[-1]}"]
    cfg.write_text(f"reports:\n  - {{name: 'p-{{source_id}}', notebook: {GROWTH}, sources: with_progres}}\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match="field 'sources' is 'with_progres'; expected `all`, `with_progress`"):
        config.load_config(cfg)


def test_the_project_config_has_one_entry_per_notebook_family():
    """reports.yml uses `sources` instead of copies per source; the runs it stands for are unchanged."""
    text = (paths.ROOT / "reports.yml").read_text(encoding="utf-8")
    assert text.count("growth-{source_id}") == 1 and "growth-panyu-2015" not in text
    names = [r.name for r in config.load_config()]
    from analysis.inputs.registry import load_sources
    assert [n for n in names if n.startswith("growth-")] == [f"growth-{sid}" for sid in load_sources()]


def test_invalid_entries_become_a_failing_make_rule_and_an_index_line(tmp_path):
    runs = [config.Report(name="g1", notebook=paths.NOTEBOOKS / "02_growth_trajectories.ipynb",
                           parameters={"source_id": "panyu-2015"})]
    makerules.write_makefile(runs, tmp_path / "r.mk", build=tmp_path, problems=["reports.yml: report 'x': bad"])
    text = (tmp_path / "r.mk").read_text()
    assert "reports-locked: reports-invalid" in text and "exit 1" in text
    out = tmp_path / "out"
    index.write_index(runs, out, problems=["reports.yml: report 'x': <bad>"])
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "last run failed" in page and "report &#39;x&#39;: &lt;bad&gt;" in page


def test_check_lists_every_problem_and_exits_2(tmp_path, capsys):
    cfg = tmp_path / "reports.yml"
    cfg.write_text(f"reports:\n  - {{name: a, notebook: ../x.ipynb}}\n  - {{name: b, notebook: {GROWTH}, "
                   "parameters: {colour: red}}\n  - {name: c, notebook: %s}\n" % GROWTH, encoding="utf-8")
    assert cli.main(["--config", str(cfg), "check"]) == 2
    err = capsys.readouterr().err
    assert "report 'a'" in err and "report 'b'" in err and "2 problem(s); 1 valid report(s)" in err


# ------------------------------------------------------------------------------------------------ entry points
def test_run_cli_turns_a_bug_into_one_line_and_status_70(capsys):
    def broken():
        raise TypeError("unsupported operand")
    assert run_cli("prog", broken) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "prog: internal error: TypeError: unsupported operand" in err


def test_run_cli_disk_full(capsys):
    def full():
        raise OSError(errno.EFBIG, "File too large", "data/processed/flags.csv")
    assert run_cli("make data", full) == 74
    assert "data/processed/flags.csv: cannot write (File too large); the files already there are kept" in capsys.readouterr().err


def test_reports_command_line_unknown_report():
    result = python(paths.ROOT, "-m", "analysis.reports", "run", "no-such-report", env={lock.ENV: str(os.getpid())})
    assert_one_clear_error(result, "no report named ['no-such-report']")


# ------------------------------------------------------------------------------------------------ the runner
def _tiny(path: Path, fail: bool = False) -> Path:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "policy-targets", "display_name": "x",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell('language = "zh"'), nbformat.v4.new_code_cell('print("page", language)')]
    if fail:
        nb.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("asked to fail")'))
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, str(path))
    return path


@pytest.mark.slow
def test_disk_full_while_writing_a_report_keeps_the_last_good_one(tmp_path, monkeypatch, kept_kernel):
    nb = _tiny(tmp_path / "tiny.ipynb")
    out = tmp_path / "out"
    r = config.Report(name="tiny", notebook=nb, parameters={"language": "zh"}, timeout=60)
    runner.run(r, out, kept=kept_kernel)
    f = config.files("tiny", out)
    before = {k: f[k].read_bytes() for k in ("html", "ipynb", "meta")}
    real = fileio.write_temporary

    def full(path, text):
        if Path(path).suffix == ".html":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, text)
    monkeypatch.setattr(fileio, "write_temporary", full)
    with pytest.raises(OSError):
        runner.run(config.Report(name="tiny", notebook=nb, parameters={"language": "en"}, timeout=60), out,
                   kept=kept_kernel)
    assert {k: f[k].read_bytes() for k in ("html", "ipynb", "meta")} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.slow(seconds=12)
def test_kill_9_at_each_replace_step_of_a_report_run(tmp_path, kept_kernel):
    """A run killed before each of its replace steps leaves either the old report or a page that the index
    flags (its record names another page); the next run repairs it and the page matches its record.
    The killed runs skip the notebook's execution (they copy an executed notebook of the same run): the faults
    under test are in the replacing, after it. The runs in this process run in the worker's kept kernel (as make
    reports' do)."""
    root = tmp_path
    nb = _tiny(root / "tiny.ipynb")
    out = root / "out"

    def run(language: str, where: Path) -> dict:
        return runner.run(config.Report(name="tiny", notebook=nb, parameters={"language": language}, timeout=60),
                          where, kept=kept_kernel)

    run("en", root / "executed")            # the notebook the killed runs' execution gives (language en)
    code = textwrap.dedent(f"""
        import os, shutil, signal, sys
        from pathlib import Path
        import papermill
        from analysis.reports import cli, config, index, makerules, runner
        papermill.execute_notebook = lambda notebook, output, **kwargs: shutil.copyfile(
            {str(config.files("tiny", root / "executed")["ipynb"])!r}, output)
        n = {{"calls": 0}}
        real = os.replace
        def replace(a, b):
            n["calls"] += 1
            if n["calls"] == int(sys.argv[1]):
                os.kill(os.getpid(), signal.SIGKILL)
            return real(a, b)
        os.replace = replace
        runner.run(config.Report(name="tiny", notebook=Path({str(nb)!r}), parameters={{"language": sys.argv[2]}},
                    timeout=60), Path({str(out)!r}))
    """)
    env = {"PYTHONPATH": str(paths.ROOT), "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    run("zh", out)
    f = config.files("tiny", out)
    for step in (1, 2, 3):                    # the executed notebook, the record, the page
        good = f["html"].read_bytes()
        result = commands.run(["-c", code, str(step), "en"], cwd=root, env=env, timeout=300)
        assert result.returncode == -signal.SIGKILL, result.stderr
        row = index.index_rows([config.Report(name="tiny", notebook=nb, parameters={"language": "en"})], out)[0]
        meta = json.loads(f["meta"].read_text())
        if f["html"].read_bytes() == good and meta.get("parameters", {}).get("language") == "en":
            assert row["failed"] and "interrupted" in row["failed"]["error"]      # the index says so
        else:
            assert index._page_matches_record(f["html"], meta)
        run("zh", out)
        assert index._page_matches_record(f["html"], json.loads(f["meta"].read_text()))
        assert "page zh" in f["html"].read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------ lock: unsafe cases
def test_a_lock_that_is_a_symlink_is_refused_and_its_target_kept(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    path = tmp_path / "lock"
    path.symlink_to(victim)
    with pytest.raises(lock.LockError, match="make data: .*lock is a symbolic link"):
        lock.acquire("make data", 0, path)
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_a_lock_that_is_a_fifo_is_refused(tmp_path):
    path = tmp_path / "lock"
    os.mkfifo(path)
    with pytest.raises(lock.LockError, match="not a regular file"):
        lock.acquire("make data", 0, path)


def test_an_environment_pid_that_is_not_an_ancestor_does_not_skip_the_lock(monkeypatch):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        monkeypatch.setenv(lock.ENV, str(sleeper.pid))        # alive, but a sibling, not a parent
        assert not lock.held_by_parent()
        monkeypatch.setenv(lock.ENV, str(os.getppid()))        # our parent: it may hold the lock for us
        assert lock.held_by_parent()
        monkeypatch.setenv(lock.ENV, "1")                      # init: never
        assert not lock.held_by_parent()
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize("value", ["abc", "", "-5", "nan", "inf"])
def test_a_bad_lock_wait_is_named(value, capsys, monkeypatch):
    monkeypatch.setenv("LOCK_WAIT", value)
    monkeypatch.delenv(lock.ENV, raising=False)
    assert lock.main(["--name", "make clean", "--", "true"]) == 2
    err = capsys.readouterr().err
    assert f"make clean: LOCK_WAIT={value!r}: expected a number of seconds" in err
    with pytest.raises(lock.LockError, match="LOCK_WAIT"):
        with lock.hold("make data"):
            pass


def test_lock_wait_seconds_reads_numbers():
    assert lock.wait_seconds("60") == 60.0
    assert lock.wait_seconds(" 0.5 ") == 0.5
    assert lock.wait_seconds(7200) == 7200.0


# ------------------------------------------------------------------------------------------------ make spec: unsafe cases
@pytest.mark.parametrize("source", ["x; touch {canary}", "$(shell touch {canary})", "`touch {canary}`",
                                    "panyu-2015 --out {canary}"])
def test_make_spec_takes_source_as_text(tmp_path, source):
    canary = tmp_path / "canary"
    result = subprocess.run(["make", "--no-print-directory", "spec", f"SOURCE={source.format(canary=canary)}"],
                            cwd=paths.ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "MAKEFLAGS": ""})
    assert result.returncode != 0
    assert "sources.yml: no source" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not canary.exists()


@pytest.mark.parametrize("force, needle", [("0", "exists; not overwritten"), ("", "exists; not overwritten"),
                                           ("maybe", "FORCE='maybe': expected FORCE=1")])
def test_make_spec_never_overwrites_without_force_1(force, needle):
    spec = paths.SPECS / "panyu-2015.yml"
    before = spec.read_bytes()
    result = subprocess.run(["make", "--no-print-directory", "spec", "SOURCE=panyu-2015", f"FORCE={force}"],
                            cwd=paths.ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "MAKEFLAGS": ""})
    assert result.returncode != 0 and needle in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert spec.read_bytes() == before


@pytest.mark.parametrize("err", [errno.EROFS, errno.ENOSPC, errno.EACCES])
def test_draft_spec_that_cannot_be_written_is_one_clear_error(tmp_path, monkeypatch, capsys, err):
    from analysis.ingest import draft_spec

    out = tmp_path / "specs" / "panyu-2015.yml"

    def refuse(path, text):
        raise OSError(err, os.strerror(err), str(path))

    monkeypatch.setattr(draft_spec, "write_text_atomic", refuse)
    monkeypatch.delenv(lock.ENV, raising=False)
    status = run_cli("make spec", draft_spec.main, ["panyu-2015", "--out", str(out)])
    message = capsys.readouterr().err
    assert status == 74 and f"make spec: error: {out}: " in message and "Traceback" not in message, message
    assert not out.exists()
