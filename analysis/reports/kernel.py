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
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

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
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(argv)
    for logger in (app.log, logging.getLogger()):
        for handler in logger.handlers:
            handler.addFilter(QuietShutdown())
        logger.addFilter(QuietShutdown())
    app.start()


def _argv() -> list[str]:
    return [sys.executable, *LAUNCH, "-f", "{connection_file}", *KERNEL_ARGS]


def _spec_matches() -> bool:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return False
    return spec.argv == _argv()


def ensure() -> str:
    """Register the kernel for this interpreter's environment unless it already is; returns its name."""
    if not _spec_matches():
        import tempfile

        from ipykernel.kernelspec import write_kernel_spec
        from jupyter_client.kernelspec import KernelSpecManager

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
    import shutil

    from ..core.fileio import write_text_atomic
    from ..present.html_page import lab_css
    from ..present.plots import font_path

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
