"""The command line on large portfolios, end to end, and where the time goes.

Generates 1,000 and 2,000 realistic idea files (`generate_ideas.py`) in a temporary
folder, then times, each as a fresh `python -m mlpm_kit` process:

- `mlpm score DIR1000 --draws 10000 --json`      (goal < 6 s)
- `mlpm score DIR2000 --json`                    (goal < 5 s)
- `mlpm compare DIR2000 --capacity-weeks W --json` for W = 50, 500, 2,000 (goal < 10 s each)

and, in this process, the same work split into reading the files (of which the YAML
parser, per file) and everything after reading.

    PYTHONPATH=. python benchmarks/cli_scale.py [--keep DIR] [--skip-draws] [--split-only]
        [--repeat N] [--skip-compare]

Each end-to-end line gives the wall time, the process's CPU time and the load average: the
machine is shared, so compare medians of several runs (--repeat) taken in one sitting.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate_ideas import idea_dict, ranges, write_folder  # noqa: E402

from mlpm_kit.idea.files import parse_yaml, read_yaml, read_yaml_text, validate_idea  # noqa: E402
from mlpm_kit.idea.folders import load_ideas  # noqa: E402
from mlpm_kit.model.decision import decisions  # noqa: E402
from mlpm_kit.model.scoring import score  # noqa: E402
from mlpm_kit.model.simulate import simulate  # noqa: E402
from mlpm_kit.portfolio import selection  # noqa: E402
from mlpm_kit.portfolio.selection import best_portfolio  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CAPACITIES = (50, 500, 2000)


def run_cli(*args: str, repeat: int = 1) -> str:
    """Run `mlpm ARGS` `repeat` times, each a fresh process: the wall time, its CPU time (user
    + system, over all its threads) and the load average before it, as one line: the median
    and the fastest run when repeated (the machine is shared: compare medians)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = []
    for _ in range(repeat):
        load = os.getloadavg()[0]
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mlpm_kit", *args],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - start
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append((wall, done.ru_utime - cpu.ru_utime + done.ru_stime - cpu.ru_stime, load))
    wall, cpu, load = (statistics.median(run[k] for run in runs) for k in range(3))
    if repeat == 1:
        return f"{wall:6.1f} s ({cpu:.1f} s CPU, load {load:.1f})"
    fastest = min(run[0] for run in runs)
    return (
        f"{wall:6.1f} s median of {repeat}, fastest {fastest:.1f} s ({cpu:.1f} s CPU, "
        f"load {min(r[2] for r in runs):.1f}-{max(r[2] for r in runs):.1f})"
    )


def seconds(fn):
    """(wall seconds, result); the CPU seconds of the last call are in `seconds.cpu`."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    seconds.cpu = time.process_time() - cpu
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="generate into this folder and keep it")
    parser.add_argument("--split-only", action="store_true", help="skip the end-to-end runs")
    parser.add_argument(
        "--skip-draws",
        action="store_true",
        help="skip the runs with draws (score --draws, simulate + evpi): reading, point score "
        "and compare only",
    )
    parser.add_argument(
        "--skip-reading",
        action="store_true",
        help="build the same ideas in memory instead of reading the files (the work after reading)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="run each end-to-end command this many times"
    )
    parser.add_argument("--skip-compare", action="store_true", help="no end-to-end compare runs")
    args = parser.parse_args()
    base = Path(args.keep or tempfile.mkdtemp(prefix="mlpm-scale-"))
    small, large = base / "ideas-1000", base / "ideas-2000"
    for folder, n in ((small, 1000), (large, 2000)):
        if not folder.exists():
            write_folder(folder, n)

    print(f"load average: {os.getloadavg()[0]:.2f} (2-core machine shared with others)")
    if not args.split_only:
        end_to_end(small, large, args.skip_draws, args.repeat, not args.skip_compare)
    split(small, large, args.skip_reading, args.skip_draws)


def end_to_end(
    small: Path, large: Path, skip_draws: bool = False, repeat: int = 1, compare: bool = True
) -> None:
    print("end to end (a fresh process each):")
    if not skip_draws:
        t = run_cli("score", str(small), "--draws", "10000", "--json", repeat=repeat)
        print(f"  mlpm score 1,000 ideas --draws 10000 --json : {t}   goal < 6 s")
    t = run_cli("score", str(large), "--json", repeat=repeat)
    print(f"  mlpm score 2,000 ideas --json               : {t}   goal < 5 s")
    for cap in CAPACITIES if compare else ():
        t = run_cli("compare", str(large), "--capacity-weeks", str(cap), "--json", repeat=repeat)
        print(f"  mlpm compare 2,000 ideas, {cap:>5,} weeks      : {t}   goal < 10 s")


def read_files(small: Path, large: Path):
    """The ideas of both folders, timing one file's read / parse / validate and each folder."""
    files = sorted(large.glob("*.yaml"))[:200]
    t_read, texts = seconds(lambda: [read_yaml_text(f) for f in files])
    t_parse, data = seconds(lambda: [read_yaml(x, "f") for x in texts])
    t_rt, _ = seconds(lambda: [parse_yaml(x, "f") for x in texts[:50]])
    t_valid, _ = seconds(lambda: [validate_idea(d, "f", "x") for d in data])
    per = 1e3 / len(files)
    print(
        f"  one file: read {t_read * per:.2f} ms, YAML {t_parse * per:.2f} ms (the round-trip "
        f"parser kept for saving: {t_rt * 1e3 / 50:.1f} ms), validate {t_valid * per:.2f} ms "
        f"(YAML is {t_parse / (t_read + t_parse + t_valid):.0%})"
    )
    t_load1, (ideas1, _) = seconds(lambda: load_ideas([small]))
    t_load2, (ideas2, _) = seconds(lambda: load_ideas([large]))
    print(
        f"  reading 1,000 files: {t_load1:.1f} s; 2,000 files: {t_load2:.1f} s wall "
        "(worker processes when cores are idle)"
    )
    return ideas1, ideas2


def split(small: Path, large: Path, skip_reading: bool = False, skip_draws: bool = False) -> None:
    print("split (in this process):")
    if skip_reading:
        ideas2 = [validate_idea(idea_dict(i, r), "b.yaml") for i, r in enumerate(ranges(2000))]
        ideas1 = ideas2[:1000]
    else:
        ideas1, ideas2 = read_files(small, large)

    def with_draws():
        sim = simulate(ideas1, draws=10_000, seed=0)
        return sim.summary(), sim.evpi(), sim.evpi_total(), sim.sensitivity()

    if not skip_draws:
        t = seconds(with_draws)[0]
        print(
            f"  after reading, 1,000 ideas: simulate + summary + evpi + tornado {t:.2f} s "
            f"({seconds.cpu:.2f} s CPU)"
        )
    t = seconds(lambda: score(ideas2))[0]
    print(f"  after reading, 2,000 ideas: point score {t:.2f} s ({seconds.cpu:.2f} s CPU)")
    t = seconds(lambda: decisions(ideas2))[0]
    print(
        f"  after reading, 2,000 ideas: every idea's decision (2,000 draws, value of information, "
        f"kill criteria) {t:.2f} s ({seconds.cpu:.2f} s CPU); score and compare make them"
    )
    # The selection on its own: the decisions (timed above) are left out here.
    with mock.patch.object(selection, "decisions", _no_decisions):
        for cap in CAPACITIES:
            t, sel = seconds(lambda cap=cap: best_portfolio(ideas2, cap))
            step = sel.opportunity_cost_step
            how = "exact" if not step else f"efforts rounded to {step:g} wk"
            print(
                f"  after reading, 2,000 ideas: best portfolio at {cap:>5,} weeks {t:.2f} s "
                f"({seconds.cpu:.2f} s CPU; {len(sel.selected)} chosen; opportunity costs "
                f"{how}; without the decisions)"
            )


def _no_decisions(ideas, seed=0, **options):
    return None, [SimpleNamespace(decision="") for _ in ideas]


if __name__ == "__main__":
    main()
