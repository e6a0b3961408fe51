"""Generate a folder of realistic idea files for the scale benchmarks.

Each idea has 12 uncertain inputs written as 90% ranges ("120 to 250"), comments like a
person's, one alternative, and constants for the rest, varied but plausible. The same
`ranges(n, seed)` feed `simulate_vs_squigglepy.py`, so the files and the in-memory ideas
are the same portfolio.

    PYTHONPATH=. python benchmarks/generate_ideas.py [DIR (out/ideas-1000)] [--ideas 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

# The 12 inputs given as ranges, with the constants of the model below.
UNCERTAIN = (
    "users",
    "adoption",
    "hours",
    "hourly_cost",
    "money_saved",
    "captures",
    "mvp_weeks",
    "build_weeks",
    "iteration_weeks",
    "data_cost",
    "run_cost",
    "confidence",
)
CONSTANTS = {
    "team_size": 2,
    "team_week_cost": 4000,
    "iterations": 3,
    "weeks_per_year": 46,
    "horizon_years": 3,
    "discount_rate": 0.10,
    "value_per_engineer_week": 5000,
}


def ranges(n: int, seed: int = 7) -> list[dict[str, tuple[float, float]]]:
    """n ideas' 12 uncertain inputs as (low, high) 90% ranges, rounded as a person writes them."""
    rng = np.random.default_rng(seed)

    def span(center, spread, digits):
        c = center * rng.uniform(0.5, 2.0, n)
        return np.stack([c / spread, c * spread], axis=1).round(digits)

    table = {
        "users": span(300, 1.6, 0),
        "hours": span(1.5, 1.8, 1),
        "hourly_cost": span(45, 1.2, 0),
        "money_saved": span(20000, 2.0, -2),
        "mvp_weeks": span(8, 1.3, 1),
        "build_weeks": span(15, 1.3, 1),
        "iteration_weeks": span(3, 1.4, 1),
        "data_cost": span(20000, 1.7, -2),
        "run_cost": span(20000, 1.4, -2),
    }
    for name, lo in (("adoption", 0.4), ("captures", 0.1), ("confidence", 0.3)):
        low = rng.uniform(lo - 0.1, lo + 0.05, n).round(2)
        table[name] = np.stack([low, np.minimum(low + rng.uniform(0.1, 0.3, n), 0.97).round(2)], 1)
    return [{k: tuple(map(float, v[i])) for k, v in table.items()} for i in range(n)]


def idea_dict(i: int, r: dict[str, tuple[float, float]]) -> dict:
    """The idea as the data of an idea file (what `validate_idea` takes)."""

    def rng_(key):
        return {"low": r[key][0], "high": r[key][1]}

    c = CONSTANTS
    return {
        "id": f"idea-{i:05d}",
        "title": f"Idea {i}",
        "pain": {"frequency": 1 + i % 5, "severity": 1 + (i // 5) % 5},
        "alternatives": [{"name": "manual", "captures": rng_("captures")}],
        "value": {
            "users": rng_("users"),
            "adoption": rng_("adoption"),
            "hours_saved_per_user_week": rng_("hours"),
            "hourly_cost": rng_("hourly_cost"),
            "weeks_per_year": c["weeks_per_year"],
            "money_saved_per_year": rng_("money_saved"),
        },
        "cost": {
            "team_size": c["team_size"],
            "team_week_cost": c["team_week_cost"],
            "mvp_weeks": rng_("mvp_weeks"),
            "build_weeks": rng_("build_weeks"),
            "iterations": c["iterations"],
            "iteration_weeks": rng_("iteration_weeks"),
            "data_cost": rng_("data_cost"),
            "run_cost_per_year": rng_("run_cost"),
        },
        "timeline": {"horizon_years": c["horizon_years"], "discount_rate": c["discount_rate"]},
        "opportunity": {"value_per_engineer_week": c["value_per_engineer_week"]},
        "evidence": {"confidence": rng_("confidence")},
    }


def _g(x: float) -> str:
    return f"{x:g}"


def idea_yaml(i: int, r: dict[str, tuple[float, float]]) -> str:
    """The text of a realistic idea file: ranges as "low to high", with comments."""

    def rg(key):
        return f"{_g(r[key][0])} to {_g(r[key][1])}"

    c = CONSTANTS
    return f"""# Generated for the scale benchmarks: idea {i} of a large portfolio.
id: idea-{i:05d}
title: Idea {i} for the operations team
owner: Benchmark
status: discovery
tags: [benchmark, ops]

problem:
  what: People copy numbers between two systems by hand every week.
  why: It is slow and errors reach customers.
  who: Operations staff

pain:
  frequency: {1 + i % 5}                    # how often it happens
  severity: {1 + (i // 5) % 5}                     # how much it hurts
  actively_seeking: {"true" if i % 3 else "false"}

alternatives:
  - name: manual
    kind: manual
    captures: {rg("captures")}          # share of the job done today

value:
  users: {rg("users")}               # accounts that have the problem
  adoption: {rg("adoption")}
  hours_saved_per_user_week: {rg("hours")}
  hourly_cost: {rg("hourly_cost")}
  weeks_per_year: {c["weeks_per_year"]}
  money_saved_per_year: {rg("money_saved")}
  revenue_per_year: 0

cost:
  team_size: {c["team_size"]}
  team_week_cost: {c["team_week_cost"]}
  mvp_weeks: {rg("mvp_weeks")}       # engineer-weeks
  build_weeks: {rg("build_weeks")}
  iterations: {c["iterations"]}
  iteration_weeks: {rg("iteration_weeks")}
  data_cost: {rg("data_cost")}
  run_cost_per_year: {rg("run_cost")}

timeline:
  horizon_years: {c["horizon_years"]}
  discount_rate: {c["discount_rate"]}

opportunity:
  value_per_engineer_week: {c["value_per_engineer_week"]}

evidence:
  confidence: {rg("confidence")}
"""


def write_folder(folder: str | Path, n: int, seed: int = 7) -> Path:
    """Write n idea files into `folder` (created); return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for i, r in enumerate(ranges(n, seed)):
        (folder / f"idea-{i:05d}.yaml").write_text(idea_yaml(i, r), encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="out/ideas-1000")
    parser.add_argument("--ideas", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_folder(args.folder, args.ideas, args.seed)
    print(f"wrote {args.ideas:,} idea files to {args.folder}")


if __name__ == "__main__":
    main()
