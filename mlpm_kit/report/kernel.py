"""The Jupyter kernel that runs report notebooks: started once, warmed, reused.

`ReportKernel` launches a python3 kernel whose `mlpm_kit` is this repository's (PYTHONPATH
and cwd set), on IPC sockets in a private folder, and runs notebooks in it with papermill.
The kernel imports what the notebooks need as it starts (`WARMUP_LINES`), while the caller
loads papermill, nbconvert and WeasyPrint; each later notebook skips the kernel start and the
imports. `report.py` uses one per report, or one per worker process for a folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mlpm_kit.resources import IMPORT_ROOT, kit_path

NOTEBOOKS = kit_path("notebooks")
KERNEL_NAME = "python3"
EXECUTION_TIMEOUT_SECONDS = 300
FIRST_TRY_TIMEOUT_SECONDS = 120
START_TIMEOUT_SECONDS = 60
# Run by a new kernel as it starts (IPython exec_lines), before it serves any notebook: the
# imports of notebooks 01 and 03, loaded while this process loads papermill, nbconvert and
# WeasyPrint instead of after them. A line that fails (a module not installed) is skipped.
WARMUP_LINES = (
    "import IPython.display, matplotlib.pyplot, mlpm_kit.report.scorecard",
    "import mlpm_kit.model.simulate, mlpm_kit.report.charts",
)


def skip_slow_optional_imports() -> None:
    """Called before papermill or nbconvert is first imported.

    jsonschema (under nbformat) imports rfc3987_syntax when it is installed, for an "iri"
    string format that no notebook schema uses; building its grammar takes about 1.5 s per
    process. Marking it absent keeps that out of every report.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def kernel_env() -> dict[str, str]:
    """The kernel's environment: this repository's `mlpm_kit` first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(IMPORT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    return env


class ReportKernel:
    """One Jupyter kernel, started once and reused by papermill for many notebooks.

    Reuse saves the kernel start and the imports of pandas, matplotlib and the kit for every
    notebook after the first. After a failed notebook the kernel is replaced.
    """

    def __init__(self) -> None:
        self.km: Any = None
        self._sockets: str | None = None

    def start(self) -> ReportKernel:
        """Launch the kernel process; it boots while the caller does other work."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        # IPC sockets in a private folder: kernels started at the same moment by parallel
        # workers cannot pick the same TCP port (a client talking to another worker's kernel
        # waits for a reply that never comes).
        self._sockets = tempfile.mkdtemp(prefix="mlpm-kernel-")
        self.km = AsyncKernelManager(
            kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(self._sockets, "k")
        )
        # The kernel's own log is noise for a report; results and errors come back as
        # messages, which papermill turns into ToolErrors here.
        run_sync(self.km.start_kernel)(
            cwd=str(NOTEBOOKS),
            env=kernel_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            extra_arguments=[f"--IPKernelApp.exec_lines={line}" for line in WARMUP_LINES],
        )
        return self

    def execute(self, notebook: Path, parameters: dict[str, Any], output: Path) -> Any:
        """Run `notebook` with `parameters`, saving the executed copy to `output`."""
        skip_slow_optional_imports()
        import papermill

        # A kernel that stops answering (seen rarely with reused kernels) gets one second
        # chance on a fresh kernel, after a shorter first wait: a report cell takes seconds.
        for attempt, timeout in enumerate((FIRST_TRY_TIMEOUT_SECONDS, EXECUTION_TIMEOUT_SECONDS)):
            if self.km is None or not self.km.has_kernel:
                self.start()
            try:
                return papermill.execute_notebook(
                    str(notebook),
                    str(output),
                    parameters=parameters,
                    kernel_name=KERNEL_NAME,
                    km=self.km,
                    cwd=str(NOTEBOOKS),
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                    start_timeout=START_TIMEOUT_SECONDS,
                    execution_timeout=timeout,
                )
            except BaseException as exc:
                self.close()
                if attempt or not _unresponsive(exc):
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.km is not None and self.km.has_kernel:
            from jupyter_core.utils import run_sync

            run_sync(self.km.shutdown_kernel)(now=True)
        self.km = None
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None

    def __enter__(self) -> ReportKernel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _unresponsive(exc: BaseException) -> bool:
    """A kernel that timed out, died, or never answered (jupyter_client says so in a RuntimeError)."""
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, TimeoutError | DeadKernelError):
        return True
    return isinstance(exc, RuntimeError) and "didn't respond" in str(exc)
