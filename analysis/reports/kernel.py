"""The project's Jupyter kernel: `python -m analysis.reports.kernel` registers it (what `make setup` runs).

The kernel spec `policy-targets` is written into the virtual environment (`.venv/share/jupyter/kernels/`),
so JupyterLab started by `make lab` and papermill started by `make reports` find it, both run the
notebooks with `.venv/bin/python`, and nothing is written outside the project.

The kernel starts through `python -m analysis.reports.kernel launch …` (ipykernel with one log filter): jupyter_client
interrupts every kernel before shutting it down, and ipykernel logs "KeyboardInterrupt caught in kernel" at
ERROR level when that interrupt arrives; on a successful run that line is noise, so it is dropped. Every other
message of the kernel process (errors only, KERNEL_ARGS) still shows.

`python -m analysis.reports.kernel --lab-settings` writes what `make lab` needs so that Chinese renders in JupyterLab
without system fonts: `.venv/etc/jupyter/custom/custom.css` with Noto Sans SC beside it (the lab's fonts set to
it; JupyterLab serves both under /custom/ with `--LabApp.custom_css=True` and JUPYTER_CONFIG_DIR=.venv/etc/jupyter,
so the lab's own settings live in the virtual environment too).

`KeptKernel` is one kernel that runs several notebooks in turn (what each worker of `make reports` does, batch.py):
the kernel's start and the notebooks' imports (~2 s of CPU) are paid once per worker instead of once per report.
Before each notebook, `prepare` puts the kernel back to the state it started in (RESET); tests/test_reports.py
checks that a notebook run after another in a kept kernel shows the same outputs as in a fresh kernel.
"""
from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from ..core.fileio import write_text_atomic
from ..present.html_page import font_path, lab_css

KERNEL_NAME = "policy-targets"
DISPLAY_NAME = "Python (policy-targets)"
# the kernel process logs errors only: its start-up warnings (e.g. about TCP transport) would otherwise
# interleave with the one progress line per report of `make reports`; warnings raised by notebook code
# still show in the notebook
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
LAUNCH = ["-m", "analysis.reports.kernel", "launch"]
SHUTDOWN_NOISE = "KeyboardInterrupt caught in kernel"
LAB_CONFIG = Path(sys.prefix) / "etc" / "jupyter"          # JUPYTER_CONFIG_DIR of `make lab`


class QuietShutdown(logging.Filter):
    """Drops the kernel's log line about the interrupt jupyter_client sends before every shutdown."""

    def filter(self, record: logging.LogRecord) -> bool:
        return SHUTDOWN_NOISE not in record.getMessage()


def launch(argv: list[str]) -> None:
    """Start ipykernel (argv as ipykernel_launcher takes it) with QuietShutdown on its log handlers."""
    from ipykernel.kernelapp import IPKernelApp  # heavy (jupyter): loaded only when a kernel is started

    app = IPKernelApp.instance()
    app.initialize(argv)
    for logger in (app.log, logging.getLogger()):
        for handler in logger.handlers:
            handler.addFilter(QuietShutdown())
        logger.addFilter(QuietShutdown())
    app.start()


# Run silently in a kept kernel before each notebook. The first run (no snapshot yet) records how the kernel
# started; every run then restores it: the user's variables (IPython's reset, which also restarts the execution
# count at 1), open figures and matplotlib's rcParams, pandas' options, the warning filters (and which warnings
# were already shown once), sys.path and the working directory.
RESET = """
def _policy_targets_reset(cwd):
    import builtins, os, sys, warnings
    ip = get_ipython()
    snap = getattr(builtins, "_policy_targets_snapshot", None)
    if snap is None:
        import matplotlib, matplotlib.pyplot
        # load the backend now (as a notebook's first figure would): the inline backend then makes matplotlib
        # interactive, which the snapshot must include
        matplotlib.pyplot.switch_backend(matplotlib.get_backend())
        snap = builtins._policy_targets_snapshot = {
            "rc": dict(matplotlib.rcParams), "warnings": list(warnings.filters), "path": list(sys.path)}
    ip.reset(new_session=True)          # the user's names (this function's too)
    import matplotlib, matplotlib.pyplot    # loaded by the snapshot
    matplotlib.pyplot.close("all")
    dict.update(matplotlib.rcParams, snap["rc"])
    if "pandas" in sys.modules:
        import pandas
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandas.reset_option("all")
    warnings.filters[:] = snap["warnings"]
    with warnings.catch_warnings():     # leaving it marks the filters changed: "shown once" is forgotten
        pass
    sys.path[:] = snap["path"]
    os.chdir(cwd)
_policy_targets_reset(%r)
"""


class KeptKernel:
    """The project's kernel kept for several notebooks in turn (see the module docstring)."""

    def __init__(self, kernel_name: str = KERNEL_NAME):
        self.kernel_name = kernel_name
        self.km = None
        self._kc = None                 # this class's own client (shell channel only), for the resets

    def prepare(self, cwd: str | Path, timeout: float = 120):
        """The kernel manager, reset for a notebook run in `cwd` (started first when needed): give it to papermill."""
        from jupyter_client.manager import run_sync  # heavy (jupyter): loaded only when a kernel is started

        if self.km is None:
            self.km = _manager_class()(kernel_name=self.kernel_name)
            run_sync(self.km.start_kernel)(cwd=str(cwd))
            ready = self.km.blocking_client()
            ready.start_channels()
            try:
                ready.wait_for_ready(timeout=timeout)
            finally:
                ready.stop_channels()
            self._kc = self.km.blocking_client()          # the shell channel only: no output piles up unread
            self._kc.start_channels(iopub=False, stdin=False, hb=False, control=False)
        self._release_clients()
        msg_id = self._kc.execute(RESET % str(cwd), silent=True, store_history=False)
        while True:                 # the reply comes when the reset has run (other replies: an earlier client's)
            reply = self._kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kept kernel could not be reset: {reply['content'].get('evalue', '')}")
        return self.km

    def _release_clients(self) -> None:
        while self.km is not None and self.km.clients:
            self.km.clients.pop().stop_channels()

    def shutdown(self) -> None:
        """Stop the kernel (after a failed run, so that the next one starts afresh, and at the end)."""
        from jupyter_client.manager import run_sync  # heavy (jupyter): loaded only when a kernel is started

        if self.km is not None:
            self._release_clients()
            if self._kc is not None:
                self._kc.stop_channels()
                self._kc = None
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            finally:
                self.km = None


def _manager_class():
    """jupyter_client's kernel manager that remembers the clients opened on it (nbclient opens one per notebook
    and leaves it open on a kernel it did not start), so that KeptKernel can close them after each run."""
    from jupyter_client.manager import AsyncKernelManager  # heavy (jupyter): loaded only when a kernel is started

    class KeptKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.clients = []

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.clients.append(kc)
            return kc

    return KeptKernelManager


def _argv() -> list[str]:
    return [sys.executable, *LAUNCH, "-f", "{connection_file}", *KERNEL_ARGS]


def _spec_matches() -> bool:
    # heavy (jupyter): loaded only when the kernel's spec is checked
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return False
    return spec.argv == _argv()


def ensure() -> str:
    """Register the kernel for this interpreter's environment unless it already is; returns its name."""
    if not _spec_matches():

        from ipykernel.kernelspec import write_kernel_spec  # heavy (jupyter): loaded only when a kernel is started
        from jupyter_client.kernelspec import KernelSpecManager  # heavy (jupyter): loaded only when a kernel is started

        with tempfile.TemporaryDirectory() as tmp:
            spec_dir = write_kernel_spec(Path(tmp) / KERNEL_NAME, overrides={"display_name": DISPLAY_NAME})
            spec_file = Path(spec_dir) / "kernel.json"
            spec = json.loads(spec_file.read_text(encoding="utf-8"))
            spec["argv"] = _argv()
            spec_file.write_text(json.dumps(spec, indent=1), encoding="utf-8")
            KernelSpecManager().install_kernel_spec(spec_dir, KERNEL_NAME, prefix=sys.prefix)
    return KERNEL_NAME


def lab_settings() -> Path:
    """Write custom.css and the font beside it for JupyterLab (see the module docstring); returns the css path."""


    custom = LAB_CONFIG / "custom"
    custom.mkdir(parents=True, exist_ok=True)
    font = custom / font_path().name
    if not font.exists() or font.stat().st_size != font_path().stat().st_size:
        shutil.copyfile(font_path(), font)
    css = custom / "custom.css"
    text = lab_css(font.name)
    if not css.exists() or css.read_text(encoding="utf-8") != text:
        write_text_atomic(css, text)
    return css


if __name__ == "__main__":
    if sys.argv[1:2] == ["launch"]:
        launch(sys.argv[2:])
    elif sys.argv[1:2] == ["--lab-settings"]:
        print(f"JupyterLab custom CSS with {DISPLAY_NAME}'s font → {lab_settings()}")
    else:
        print(f"jupyter kernel {ensure()!r} → {sys.executable}")
