"""Portfolio selection speed: exact (milp) at 500 ideas, beside brute force (small n) and greedy.

Run from the repo root: `python benchmarks/portfolio.py`. Prints timings and the value
greedy-by-RICE leaves on the table. Goal: 500 ideas selected exactly in under 2 s.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlpm_kit.idea.files import validate_idea  # noqa: E402
from mlpm_kit.portfolio.knapsack import Problem, capacity_curve, greedy, opportunity_costs, solve  # noqa: E402
from mlpm_kit.portfolio.selection import best_portfolio  # noqa: E402


def random_problem(n: int, seed: int) -> tuple[Problem, np.ndarray]:
    """n ideas: values mostly positive with some losses, efforts 4-60 weeks, capacity a fifth of all effort."""
    rng = np.random.default_rng(seed)
    efforts = rng.uniform(4, 60, n).round(1)
    values = efforts * rng.lognormal(np.log(8000), 0.8, n) - rng.uniform(0, 150_000, n)
    costs = efforts * 4000 + rng.uniform(0, 50_000, n)
    rice = (
        values / efforts * rng.lognormal(0, 1.0, n)
    )  # RICE agrees with value per week only roughly
    return Problem.build(values, efforts, costs, capacity=efforts.sum() / 5), rice


def brute_force(p: Problem) -> float:
    masks = np.array(list(itertools.product([False, True], repeat=p.n)), dtype=bool)
    ok = (masks @ p.efforts <= p.capacity) & ~(masks & (p.values <= 0)).any(axis=1)
    return float(np.where(ok, masks @ p.values, -np.inf).max())


def timed(fn, *args, repeat: int = 3):
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, out


def random_ideas(n: int, seed: int):
    rng = np.random.default_rng(seed)
    ideas = []
    for i in range(n):
        low = rng.uniform(50, 2000)
        ideas.append(
            validate_idea(
                {
                    "id": f"idea-{i}",
                    "title": f"Idea {i}",
                    "pain": {
                        "frequency": int(rng.integers(1, 6)),
                        "severity": int(rng.integers(1, 6)),
                    },
                    "value": {
                        "users": f"{low:.0f} to {low * 2:.0f}",
                        "adoption": 0.5,
                        "hours_saved_per_user_week": 1,
                        "hourly_cost": 40,
                    },
                    "cost": {
                        "team_week_cost": 4000,
                        "mvp_weeks": f"{rng.uniform(3, 10):.1f} to {rng.uniform(10, 30):.1f}",
                    },
                    "evidence": {"confidence": round(float(rng.uniform(0.2, 0.9)), 2)},
                },
                "bench",
            )
        )
    return ideas


def main() -> None:
    print(
        "Exact selection on random portfolios (capacity only): branch and bound (b&b), and the same"
    )
    print(
        "problem through scipy milp (HiGHS, MIP gap 0; used when there is a budget or dependencies)."
    )
    print("Best of 3 runs; the machine is shared, so read the orders of magnitude.\n")
    print(
        f"{'n':>4} {'brute force':>12} {'b&b':>9} {'milp':>9} {'greedy':>9} {'all agree':>10} {'greedy leaves':>14}"
    )
    for n in range(10, 19, 2):
        p, rice = random_problem(n, seed=n)
        t_brute, v_brute = timed(brute_force, p, repeat=1)
        t_bb, (v_bb, _) = timed(solve, p)
        t_milp, (v_milp, _) = timed(solve, p, (), (), "milp")
        t_greedy, mask = timed(greedy, p, rice)
        gap = v_bb - p.values[mask].sum()
        agree = abs(v_brute - v_bb) < 1e-6 * abs(v_bb) and abs(v_milp - v_bb) < 1e-6 * abs(v_bb)
        print(
            f"{n:>4} {t_brute * 1e3:>10.1f}ms {t_bb * 1e3:>7.2f}ms {t_milp * 1e3:>7.1f}ms {t_greedy * 1e3:>7.2f}ms "
            f"{str(agree):>10} {gap / v_bb:>13.1%}"
        )

    n = 500
    p, rice = random_problem(n, seed=500)
    t_sel, (value, mask) = timed(solve, p)
    t_sel_milp, (value_milp, _) = timed(solve, p, (), (), "milp")
    t_greedy, gmask = timed(greedy, p, rice)
    t_costs, _ = timed(opportunity_costs, p, value, mask, repeat=1)
    sample = 25
    start = time.perf_counter()
    for i in range(sample):
        solve(p, force_out={i}, method="milp") if mask[i] else solve(p, force_in={i}, method="milp")
    t_costs_milp = (time.perf_counter() - start) / sample * n
    t_curve, _ = timed(capacity_curve, p, np.linspace(0, 2 * p.capacity, 41), repeat=1)
    g = p.values[gmask].sum()
    print(
        f"\n{n} ideas, capacity {p.capacity:.0f} engineer-weeks, {mask.sum()} chosen (goal: selection under 2 s):"
    )
    print(f"  selection, b&b:                               {t_sel:.3f} s")
    print(
        f"  selection, milp:                              {t_sel_milp:.3f} s  (same value: {abs(value - value_milp) < 1e-6 * value})"
    )
    print(f"  selection + all {n} opportunity costs, b&b:   {t_sel + t_costs:.2f} s")
    print(
        f"  selection + all {n} opportunity costs, milp:  ~{t_sel_milp + t_costs_milp:.0f} s (extrapolated from {sample} solves)"
    )
    print(f"  capacity curve (41 capacities), b&b:          {t_curve:.2f} s")
    print(
        f"  greedy by RICE:                               {t_greedy * 1e3:.1f} ms, value {g:,.0f} vs best {value:,.0f}: "
        f"leaves {value - g:,.0f} ({(value - g) / value:.1%}) on the table"
    )

    ideas = random_ideas(n, seed=7)
    t_all, sel = timed(best_portfolio, ideas, 1500.0, repeat=1)
    print(
        f"\nbest_portfolio(500 idea objects, capacity 1500 weeks): {t_all:.2f} s end to end (score, selection, "
        f"{n} opportunity costs, greedy, capacity curve); greedy leaves {sel.value_left_by_greedy:,.0f} "
        f"({sel.value_left_by_greedy / sel.total_expected_value:.1%})"
    )


if __name__ == "__main__":
    main()
