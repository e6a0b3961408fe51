"""Build notebooks/03_portfolio_comparison.ipynb (no outputs, stable cell ids). Run from the repo root."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    (
        "intro",
        "markdown",
        "# Portfolio comparison\n\nThe best set of ideas for the team's capacity, what each idea costs the others "
        "(opportunity cost), and what a RICE-ranked roadmap would have picked instead.",
    ),
    (
        "parameters",
        "code",
        '# Parameters: papermill replaces this cell.\nideas_path = "../examples/ideas"  # a folder of idea files, a .csv or an .xlsx\n'
        "capacity_weeks = 60\nbudget = None  # one-time budget, or None for no limit\ndraws = 0  # > 0: P(in best set) over up to 200 simulated draws\nseed = 0",
    ),
    (
        "compare",
        "code",
        "%matplotlib inline\nfrom mlpm_kit import best_portfolio, load_portfolio\n"
        "from mlpm_kit.portfolio_charts import capacity_curve_chart, opportunity_cost_chart, value_effort_chart\n"
        "from mlpm_kit.portfolio_table import comparison_frame, styled_ranking\n\n"
        "ideas = load_portfolio(ideas_path)\n"
        "selection = best_portfolio(ideas, capacity_weeks, budget=budget, draws=draws, seed=seed)\n"
        "styled_ranking(selection)",
    ),
    ("greedy-md", "markdown", "## The best set against greedy by RICE"),
    ("greedy", "code", "comparison_frame(selection)"),
    (
        "charts-md",
        "markdown",
        "## Value against effort, opportunity costs, and what more capacity buys",
    ),
    ("value-effort", "code", "value_effort_chart(selection)"),
    ("opportunity", "code", "opportunity_cost_chart(selection)"),
    ("capacity", "code", "capacity_curve_chart(selection)"),
]


def build() -> nbformat.NotebookNode:
    cells = []
    for cell_id, kind, source in CELLS:
        cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
        cell.id = cell_id
        if cell_id == "parameters":
            cell.metadata["tags"] = ["parameters"]
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


if __name__ == "__main__":
    path = Path("notebooks/03_portfolio_comparison.ipynb")
    nbformat.write(build(), path)
    print(path)
