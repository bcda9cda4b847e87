"""The project's Jupyter kernel: `python -m analysis.kernel` registers it (what `make setup` runs).

The kernel spec `policy-targets` is written into the virtual environment (`.venv/share/jupyter/kernels/`),
so JupyterLab started by `make lab` and papermill started by `make reports` find it, both run the
notebooks with `.venv/bin/python`, and nothing is written outside the project.
"""
from __future__ import annotations

import sys
from pathlib import Path

KERNEL_NAME = "policy-targets"
DISPLAY_NAME = "Python (policy-targets)"
# the kernel process logs errors only: its start-up warnings (e.g. about TCP transport) would otherwise
# interleave with the one progress line per report of `make reports`; warnings raised by notebook code
# still show in the notebook
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]


def _spec_matches() -> bool:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return False
    return bool(spec.argv) and Path(spec.argv[0]) == Path(sys.executable) and all(a in spec.argv for a in KERNEL_ARGS)


def ensure() -> str:
    """Register the kernel for this interpreter's environment unless it already is; returns its name."""
    if not _spec_matches():
        import tempfile

        from ipykernel.kernelspec import write_kernel_spec
        from jupyter_client.kernelspec import KernelSpecManager

        with tempfile.TemporaryDirectory() as tmp:
            spec_dir = write_kernel_spec(Path(tmp) / KERNEL_NAME, overrides={"display_name": DISPLAY_NAME},
                                         extra_arguments=KERNEL_ARGS)
            KernelSpecManager().install_kernel_spec(spec_dir, KERNEL_NAME, prefix=sys.prefix)
    return KERNEL_NAME


if __name__ == "__main__":
    print(f"jupyter kernel {ensure()!r} → {sys.executable}")
