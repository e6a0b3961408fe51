"""notebooks/03_portfolio_comparison.ipynb runs end to end with overridden parameters; committed without outputs."""

import os
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

from tests.portfolio_fixtures import GOOD_ROWS, ROW_HEADER

NOTEBOOK = ROOT / "notebooks" / "03_portfolio_comparison.ipynb"


@pytest.mark.kernel
def test_notebook_executes_with_parameters(tmp_path, monkeypatch):
    import papermill
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    sheet = tmp_path / "portfolio.csv"
    sheet.write_text(ROW_HEADER + GOOD_ROWS, encoding="utf-8")
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={
            "ideas_path": str(sheet),
            "capacity_weeks": 20,
            "budget": 100000,
            "draws": 0,
            "seed": 1,
        },
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Best set for 20 engineer-weeks" in html and "greedy by RICE" in html
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 3
