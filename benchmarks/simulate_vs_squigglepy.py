"""Time the kit's Monte Carlo against squigglepy on the same 12-input idea model.

Both sides evaluate DESIGN section 4 (adopters -> annual benefit -> npv -> economic value
-> expected value) for 1,000 ideas x 10,000 draws, with the same 12 uncertain inputs per
idea as 90% ranges (lognormal ranges, logit-normal shares). The kit samples all ideas at
once (`mlpm_kit.model.simulate`); squigglepy uses its fast path, arithmetic on distribution
objects, sampled with `sq.sample(model, n=10_000)` once per idea. Then one idea x 10,000
draws, the size a form updates live.

Note: squigglepy samples a distribution object afresh each time the model uses it (for
example `mvp_weeks` in effort, launch time and failure cost), so its draws ignore that
those are the same number; its medians still agree with the kit's.

    PYTHONPATH=. python benchmarks/simulate_vs_squigglepy.py [--ideas 1000] [--draws 10000]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import squigglepy as sq

from mlpm_kit.idea.files import validate_idea
from mlpm_kit.model.simulate import simulate

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


def ranges(n: int, seed: int = 7) -> list[dict[str, tuple[float, float]]]:
    """n ideas' 12 uncertain inputs as (low, high) 90% ranges, varied but plausible."""
    rng = np.random.default_rng(seed)

    def span(center, spread, size):
        c = center * rng.uniform(0.5, 2.0, size)
        return np.stack([c / spread, c * spread], axis=1)

    table = {
        "users": span(300, 1.6, n),
        "hours": span(1.5, 1.8, n),
        "hourly_cost": span(45, 1.2, n),
        "money_saved": span(20000, 2.0, n),
        "mvp_weeks": span(8, 1.3, n),
        "build_weeks": span(15, 1.3, n),
        "iteration_weeks": span(3, 1.4, n),
        "data_cost": span(20000, 1.7, n),
        "run_cost": span(20000, 1.4, n),
    }
    for name, lo in (("adoption", 0.4), ("captures", 0.1), ("confidence", 0.3)):
        low = rng.uniform(lo - 0.1, lo + 0.05, n)
        table[name] = np.stack([low, np.minimum(low + rng.uniform(0.1, 0.3, n), 0.97)], axis=1)
    return [{k: tuple(map(float, v[i])) for k, v in table.items()} for i in range(n)]


def idea_dict(i: int, r: dict[str, tuple[float, float]]) -> dict:
    def rng_(key):
        return {"low": r[key][0], "high": r[key][1]}

    return {
        "id": f"idea-{i}",
        "title": f"Idea {i}",
        "pain": {"frequency": 4, "severity": 3},
        "alternatives": [{"name": "manual", "captures": rng_("captures")}],
        "value": {
            "users": rng_("users"),
            "adoption": rng_("adoption"),
            "hours_saved_per_user_week": rng_("hours"),
            "hourly_cost": rng_("hourly_cost"),
            "money_saved_per_year": rng_("money_saved"),
        },
        "cost": {
            "team_size": 2,
            "team_week_cost": 4000,
            "mvp_weeks": rng_("mvp_weeks"),
            "build_weeks": rng_("build_weeks"),
            "iterations": 3,
            "iteration_weeks": rng_("iteration_weeks"),
            "data_cost": rng_("data_cost"),
            "run_cost_per_year": rng_("run_cost"),
        },
        "opportunity": {"value_per_engineer_week": 5000},
        "evidence": {"confidence": rng_("confidence")},
    }


def _logit(p):
    return math.log(p / (1 - p))


def _expit(y):
    return 1 / (1 + np.exp(-y))


def squiggle_model(r: dict[str, tuple[float, float]]):
    """The same model as arithmetic on squigglepy distributions; returns (npv, expected_value)."""

    def share(key):
        lo, hi = r[key]
        return sq.dist_fn(sq.norm(_logit(lo), _logit(hi)), fn=_expit)

    def ln(key):
        return sq.lognorm(*r[key])

    mvp, build = ln("mvp_weeks"), ln("build_weeks")
    adopters = ln("users") * share("adoption")
    gross = adopters * ln("hours") * 46 * ln("hourly_cost") + ln("money_saved")
    annual_benefit = gross * (1 - share("captures"))
    effort = mvp + build + 3 * ln("iteration_weeks")
    data_cost = ln("data_cost")
    one_time = effort * 4000 + data_cost
    launch_years = (mvp + build) / 2 / 52
    rho = math.log1p(0.10)
    annuity = sq.dist_max(
        (sq.dist_fn(-rho * launch_years, fn=np.exp) - math.exp(-rho * 3)) / rho, 0
    )
    npv = (annual_benefit - ln("run_cost")) * annuity - one_time
    economic_value = npv - effort * 5000
    failure_cost = mvp * (4000 + 5000) + data_cost
    confidence = share("confidence")
    return npv, confidence * economic_value - (1 - confidence) * failure_cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=10_000)
    args = parser.parse_args()
    table = ranges(args.ideas)
    ideas = [validate_idea(idea_dict(i, r), "benchmark.yaml") for i, r in enumerate(table)]

    simulate(ideas[:10], draws=1000, seed=0)  # warm-up: imports, thread pool, caches
    kit_runs = []
    for _ in range(3):  # the machine is shared: keep the median of 3 runs
        wall, cpu = time.perf_counter(), time.process_time()
        sim = simulate(ideas, draws=args.draws, seed=1)
        kit_runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        kit_median = float(np.median(sim.samples["npv"][0]))
        del sim
    kit_seconds, kit_cpu = sorted(kit_runs)[1]

    sq.set_seed(1)
    wall, cpu = time.perf_counter(), time.process_time()
    for r in table:
        _, expected_value = squiggle_model(r)
        sq.sample(expected_value, n=args.draws)
    sq_seconds, sq_cpu = time.perf_counter() - wall, time.process_time() - cpu
    sq_median = float(np.median(sq.sample(squiggle_model(table[0])[0], n=args.draws)))

    one = [ideas[0]]
    simulate(one, draws=args.draws, seed=0)
    runs = []
    for seed in range(20):
        start = time.perf_counter()
        simulate(one, draws=args.draws, seed=seed)
        runs.append(time.perf_counter() - start)

    print(f"{args.ideas:,} ideas x {args.draws:,} draws, 12 uncertain inputs per idea")
    print(
        f"  mlpm_kit.model.simulate : {kit_seconds:8.3f} s wall, {kit_cpu:6.2f} s CPU (median of 3 runs, threads)"
    )
    print(
        f"  squigglepy        : {sq_seconds:8.3f} s wall, {sq_cpu:6.2f} s CPU (arithmetic on distributions, sq.sample per idea)"
    )
    print(
        f"  ratio             : {sq_seconds / kit_seconds:8.1f}x faster wall, {sq_cpu / kit_cpu:.1f}x less CPU (goal: at least 5x)"
    )
    print(f"  median npv of idea 0: kit {kit_median:,.0f}, squigglepy {sq_median:,.0f}")
    print(
        f"1 idea x {args.draws:,} draws: median {1000 * float(np.median(runs)):.1f} ms over 20 runs (goal: under 20 ms)"
    )


if __name__ == "__main__":
    main()
