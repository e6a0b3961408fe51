"""Time one workshop edit: a field's new text -> validated -> results panel redrawn (-> file saved).

Runs the real app (`mlpm_kit.workshop.form.WorkshopForm`) in-process on a temporary copy of an
example idea and sets a widget value, exactly what the browser does through the kernel.
Prints the median and 95th percentile of the results update alone and of the whole edit
including the atomic save. The bar (DESIGN section 9): well under 100 ms.

    python benchmarks/form_update.py [--draws 2000] [--edits 60]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlpm_kit.workshop.form import WorkshopForm  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=60)
    parser.add_argument("--idea", default=str(ROOT / "examples" / "ideas" / "ticket-triage.yaml"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # The idea and its interview notes, laid out as in examples/ (notes paths are relative).
        source = Path(args.idea).resolve()
        notes = source.parent.parent / "interviews"
        if notes.is_dir():
            shutil.copytree(notes, Path(tmp) / "interviews")
        (Path(tmp) / "ideas").mkdir()
        idea = Path(tmp) / "ideas" / source.name
        shutil.copy(source, idea)
        if (source.parent / "mlpm.yaml").is_file():  # the folder's shared numbers
            shutil.copy(source.parent / "mlpm.yaml", idea.parent)
        app = WorkshopForm(idea, draws=args.draws, seed=0)
        box = app.field("value.users")
        redrawn: list[float] = []
        app.results.observe(lambda _change: redrawn.append(time.perf_counter()), names="value")
        results_ms, edit_ms = [], []
        for i in range(args.edits + 5):
            redrawn.clear()
            start = time.perf_counter()
            box.value = f"{200 + i} to {400 + i}"  # the observer validates, redraws and saves
            total = time.perf_counter() - start
            assert "Saved at" in app.status.value and redrawn, app.status.value
            assert "Cannot compute" not in app.results.value, app.results.value
            if i >= 5:  # warm-up edits are not counted
                results_ms.append(1000 * (redrawn[0] - start))
                edit_ms.append(1000 * total)
    method = "simulation and the decision" if args.draws > 0 else "point score"
    print(
        f"workshop edit on {Path(args.idea).name}, {args.edits} edits, draws={args.draws}, results by {method}"
    )
    print(
        f"  edit -> results panel updated: median {statistics.median(results_ms):.1f} ms, p95 {percentile(results_ms, 0.95):.1f} ms"
    )
    print(
        f"  whole edit incl. save: median {statistics.median(edit_ms):.1f} ms, p95 {percentile(edit_ms, 0.95):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
