"""notebooks/05_calibration.ipynb runs end to end on a history and shows the reliability chart."""

import os

import nbformat
import pytest

from tests.conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "05_calibration.ipynb"


@pytest.mark.kernel
def test_notebook_executes_on_the_example_history(tmp_path, monkeypatch):
    import papermill

    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"history_path": str(ROOT / "examples" / "history")},
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") for o in outputs)
    assert "Calibration of 12 launched ideas" in text and "By estimator" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 1
    assert any("text/html" in o.get("data", {}) for o in outputs)  # the largest misses table
