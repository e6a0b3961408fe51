"""`mlpm report` against the naive chain of three commands, on the same idea, in one run.

1. One report: `mlpm report IDEA` beside `papermill` (CLI) -> `jupyter nbconvert --to html
   --no-input` -> `weasyprint` (CLI), each step a cold command as a person would type it.
   Goal: mlpm report in at most 0.7x the chain's time.
2. A batch: `mlpm report examples/ideas` (parallel workers, one reused kernel each) against
   `mlpm report IDEA` run once per idea, one after another. Goal: at least 1.6x faster.

Both sides run with the same draws and seed. Run from the repository root:
    python benchmarks/report_vs_cli_chain.py [--draws N] [--repeat R] [--ideas K]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IDEAS = ROOT / "examples" / "ideas"
NOTEBOOK = ROOT / "notebooks" / "01_idea_scorecard.ipynb"
BIN = Path(sys.executable).parent
ENV = dict(
    os.environ,
    PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
)


def run(cmd: list[str], cwd: Path = ROOT) -> float:
    """Seconds taken by `cmd`; a failing command stops the benchmark with its stderr."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark step failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return elapsed


def mlpm(*args: str) -> list[str]:
    return [sys.executable, "-m", "mlpm_kit", *args]


def chain(idea: Path, out: Path, draws: int, seed: int) -> float:
    executed, html, pdf = (
        out / f"{idea.stem}.ipynb",
        out / f"{idea.stem}.html",
        out / f"{idea.stem}.pdf",
    )
    total = run(
        [
            str(BIN / "papermill"),
            str(NOTEBOOK),
            str(executed),
            "-k",
            "python3",
            "--no-progress-bar",
            "-p",
            "idea_path",
            str(idea),
            "-p",
            "draws",
            str(draws),
            "-p",
            "seed",
            str(seed),
            "-p",
            "interactive",
            "False",
        ],
        cwd=NOTEBOOK.parent,
    )
    total += run(
        [
            str(BIN / "jupyter"),
            "nbconvert",
            "--to",
            "html",
            "--no-input",
            str(executed),
            "--output",
            html.name,
        ]
    )
    total += run([str(BIN / "weasyprint"), str(html), str(pdf)])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each side for the one-report timing"
    )
    parser.add_argument(
        "--ideas", type=int, default=0, help="ideas in the batch (default: all examples)"
    )
    args = parser.parse_args()
    idea = IDEAS / "ticket-triage.yaml"
    ideas = sorted(p for p in IDEAS.glob("*.yaml") if p.name != "mlpm.yaml")[: args.ideas or None]
    common = ["--draws", str(args.draws), "--seed", str(args.seed)]
    print(f"{os.cpu_count()} cores; {args.draws} draws, seed {args.seed}\n")
    with tempfile.TemporaryDirectory(prefix="mlpm-bench-") as tmp:
        tmp = Path(tmp)
        for name in ("kit", "chain", "batch", "serial"):
            (tmp / name).mkdir()
        kit_runs, chain_runs = [], []
        for _ in range(args.repeat):  # interleaved, so a busy moment on a shared machine hits both
            kit_runs.append(run(mlpm("report", str(idea), "-o", str(tmp / "kit"), *common)))
            chain_runs.append(chain(idea, tmp / "chain", args.draws, args.seed))
        kit_s, chain_s = statistics.median(kit_runs), statistics.median(chain_runs)
        print(f"one report ({idea.name}), median of {args.repeat} runs each")
        print(f"  mlpm report                                   {kit_s:6.2f} s")
        print(f"  papermill + nbconvert --no-input + weasyprint  {chain_s:6.2f} s")
        print(f"  ratio mlpm/chain: {kit_s / chain_s:.2f}x (goal <= 0.7x)\n")

        serial_s = sum(
            run(mlpm("report", str(p), "-o", str(tmp / "serial"), *common)) for p in ideas
        )
        folder = tmp / "ideas"
        folder.mkdir()
        shutil.copytree(
            IDEAS.parent / "interviews", tmp / "interviews"
        )  # notes linked from the ideas
        for p in ideas:
            (folder / p.name).write_bytes(p.read_bytes())
        batch_s = run(mlpm("report", str(folder), "-o", str(tmp / "batch"), *common))
        written = len(list((tmp / "batch").glob("*.pdf")))
        print(f"batch of {len(ideas)} example ideas ({written} PDFs)")
        print(f"  mlpm report FOLDER (parallel)                 {batch_s:6.2f} s")
        print(f"  mlpm report IDEA, one after another           {serial_s:6.2f} s")
        print(f"  speed-up: {serial_s / batch_s:.2f}x (goal >= 1.6x)")


if __name__ == "__main__":
    main()
