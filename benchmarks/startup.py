"""Time how fast the `mlpm` command starts, beside Python itself and an `import pandas`.

Each command runs as a user runs it, in a new process, `--runs` times; the table shows the
median wall time, its ratio to `python -c pass` and to `python -c "import pandas"` (the floor
of any command that prints a table of numbers), and the median CPU time (user + system of the
process): start-up is one thread, so on a busy shared machine the CPU time is what the wall
time would be on an idle one. The bars (DESIGN section 12, on an idle 2-core machine):
`mlpm --help` under 0.5 s, a one-idea `mlpm score` (text or --json) under 1.5 s.

    python benchmarks/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IDEA = ROOT / "examples" / "ideas" / "ticket-triage.yaml"
MLPM = [sys.executable, "-m", "mlpm_kit"]
# (what is timed, the command, the goal in seconds or None for a reference)
COMMANDS = (
    ("python -c pass", [sys.executable, "-c", "pass"], None),
    ('python -c "import pandas"', [sys.executable, "-c", "import pandas"], None),
    ("mlpm --help", [*MLPM, "--help"], 0.5),
    ("mlpm score one-idea.yaml", [*MLPM, "score", str(IDEA)], 1.5),
    ("mlpm score one-idea.yaml --json", [*MLPM, "score", str(IDEA), "--json"], 1.5),
)


def child_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_seconds(command: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall and CPU seconds of `command`."""
    wall, cpu = [], []
    for _ in range(runs + 1):  # the first run warms the disk cache and is not counted
        start, start_cpu = time.perf_counter(), child_cpu_seconds()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
        wall.append(time.perf_counter() - start)
        cpu.append(child_cpu_seconds() - start_cpu)
    return statistics.median(wall[1:]), statistics.median(cpu[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    # This checkout's kit, whatever is installed.
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    medians = {name: median_seconds(cmd, args.runs, env) for name, cmd, _ in COMMANDS}
    python, pandas = medians["python -c pass"][0], medians['python -c "import pandas"'][0]
    load = os.getloadavg()[0]
    print(f"Start-up, median of {args.runs} runs ({os.cpu_count()} cores, load {load:.1f}):\n")
    print(f"{'command':34} {'wall s':>7} {'x python':>9} {'x pandas':>9} {'cpu s':>7}  goal")
    for name, _, goal in COMMANDS:
        wall, cpu = medians[name]
        verdict = ""
        if goal is not None:
            met = wall < goal
            verdict = f"< {goal} s: {'met' if met else 'missed'}"
            if not met and cpu < goal:
                verdict += " (a busy machine: the CPU time meets it)"
        print(
            f"{name:34} {wall:7.3f} {wall / python:9.1f} {wall / pandas:9.2f} {cpu:7.3f}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
