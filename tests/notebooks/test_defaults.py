"""Every notebook runs with its default parameters from any folder: a path parameter left at
None means the bundled example (mlpm_kit.resources.example), so nothing depends on the cwd.

The kernel test is the README's command, `papermill notebooks/0X_....ipynb out.ipynb`, run
from the repository root."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_no_notebook_source_holds_a_relative_path(path):
    sources = "".join(c.source for c in nbformat.read(path, as_version=4).cells)
    assert "../" not in sources and "examples/" not in sources


@pytest.mark.kernel
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_notebook_runs_with_its_defaults_from_the_repository_root(path, tmp_path):
    out = tmp_path / "out.ipynb"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(path.relative_to(ROOT)),
            str(out),
            "--no-progress-bar",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    outputs = [
        o
        for c in nbformat.read(out, as_version=4).cells
        if c.cell_type == "code"
        for o in c.outputs
    ]
    assert outputs and not any(o.output_type == "error" for o in outputs)
