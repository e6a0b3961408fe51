"""notebooks/04_ml_readiness.ipynb runs end to end with a parameter and is committed without outputs."""

import os
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "04_ml_readiness.ipynb"


@pytest.mark.kernel
def test_notebook_executes_with_a_parameter(tmp_path, monkeypatch):
    import papermill
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    idea = ROOT / "examples" / "ideas" / "cancer-cell-screen.yaml"
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"idea_path": str(idea)},
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = nbformat.read(out, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Metric to optimize   recall" in text
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(images) == 2
