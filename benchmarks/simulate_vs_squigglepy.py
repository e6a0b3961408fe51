"""Time the kit's Monte Carlo against squigglepy's fastest path on the same 12-input model.

Both sides evaluate DESIGN section 4 (adopters -> annual benefit -> npv -> economic value
-> expected value) for 1,000 ideas x 10,000 draws, with the same 12 uncertain inputs per
idea as 90% ranges (`generate_ideas.py`: lognormal ranges, logit-normal shares), and
report the same outputs: mean and p10 / p50 / p90 of npv, and P(npv < 0).

- kit, the peer's outputs: `simulate(information=False, percentiles_of=("npv",))` +
  `summary()`: npv's mean and percentiles and P(loss), as the peer (the kit's summary
  also has every output's mean: six means where the peer takes one).
- kit, its full summary: `simulate(information=False)` + `summary()`, which also selects
  p10 / p50 / p90 of five more outputs (expected value, economic value, annual benefit,
  effort, one-time cost) than the peer: more work, printed beside it.
- value of information: what the kit's EVPPI adds, `simulate()` + `evpi()` (EVPPI of
  every input of every idea by least squares on the draws, in the same pass, plus the
  kill criteria refined on the exact conditional mean) minus the plain simulation,
  against a straightforward numpy implementation of the same EVPPI (`np.linalg.lstsq`
  per idea and input on the same samples, the mean over the same draws), values compared.
- the goal's figure: `simulate()` + `summary()` + `evpi()`, as `mlpm score --draws` runs them.
- squigglepy, array path: each input sampled once per idea (`sq.to(lo, hi) @ n`, shares
  as `sq.norm` on the logit scale), the model computed with numpy on those arrays, the
  summaries with numpy.
- `--slow-path` also times `sq.sample(model, n)` on a model object (squigglepy's per-model
  path, which the README used to quote): labelled as such, not the fair comparison.

Every phase prints its wall and CPU time. The machine is shared and its speed drifts, so
the kit and squigglepy run in the same process, in alternating rounds (kit with the peer's
outputs, squigglepy, kit with its full summary; `--rounds`, default 3); each figure is its
median over the rounds, and each ratio the median of the rounds' ratios.

    PYTHONPATH=. python benchmarks/simulate_vs_squigglepy.py [--ideas 1000] [--draws 10000]
    PYTHONPATH=. python benchmarks/simulate_vs_squigglepy.py --memory 5000   # peak RSS only
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate_ideas import CONSTANTS, idea_dict, ranges  # noqa: E402

from mlpm_kit.idea.files import validate_idea  # noqa: E402
from mlpm_kit.model.simulate import SUMMARY_OUTPUTS, simulate  # noqa: E402


class Clock:
    """Wall and CPU seconds of a block: `with Clock() as c: ...; c.wall, c.cpu`."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def median_run(fn, runs: int = 3):
    """(median wall, its CPU, last result) over `runs` runs."""
    times, out = [], None
    for _ in range(runs):
        with Clock() as c:
            out = fn()
        times.append((c.wall, c.cpu))
    wall, cpu = sorted(times)[len(times) // 2]
    return wall, cpu, out


# --- squigglepy, array path -------------------------------------------------------------


def _logit(p):
    return math.log(p / (1 - p))


def squiggle_arrays(table, draws: int, sq) -> dict[str, np.ndarray]:
    """Per idea: sample each input once with squigglepy, the model with numpy; summaries."""
    c = CONSTANTS
    rho = math.log1p(c["discount_rate"])
    out = {k: np.empty(len(table)) for k in ("mean", "p10", "p50", "p90", "p_loss")}
    for i, r in enumerate(table):

        def ln(key, r=r):
            return sq.to(*r[key]) @ draws  # lognormal with this 90% interval

        def share(key, r=r):  # logit-normal inside (0, 1); a range touching 0 or 1: clipped normal
            lo, hi = r[key]
            if lo > 0 and hi < 1:
                return 1 / (1 + np.exp(-(sq.norm(_logit(lo), _logit(hi)) @ draws)))
            return np.clip(sq.norm(lo, hi) @ draws, 0, 1)

        mvp, build = ln("mvp_weeks"), ln("build_weeks")
        adopters = ln("users") * share("adoption")
        gross = adopters * ln("hours") * c["weeks_per_year"] * ln("hourly_cost")
        gross += ln("money_saved")
        annual_benefit = gross * (1 - share("captures"))
        effort = mvp + build + c["iterations"] * ln("iteration_weeks")
        data_cost = ln("data_cost")
        one_time = effort * c["team_week_cost"] + data_cost
        launch = (mvp + build) / c["team_size"] / 52
        span = np.maximum(c["horizon_years"] - launch, 0)
        annuity = np.exp(-rho * launch) * -np.expm1(-rho * span) / rho
        npv = (annual_benefit - ln("run_cost")) * annuity - one_time
        confidence = share("confidence")
        economic = npv - effort * c["value_per_engineer_week"]
        failure = mvp * (c["team_week_cost"] + c["value_per_engineer_week"]) + data_cost
        _ = confidence * economic - (1 - confidence) * failure  # expected value, as the kit
        out["mean"][i] = npv.mean()
        out["p10"][i], out["p50"][i], out["p90"][i] = np.percentile(npv, [10, 50, 90])
        out["p_loss"][i] = (npv < 0).mean()
    return out


def squiggle_slow_path(table, draws: int, sq) -> None:
    """squigglepy's per-model path: arithmetic on distribution objects, `sq.sample` per idea."""
    c = CONSTANTS
    rho = math.log1p(c["discount_rate"])
    for r in table:

        def share(key, r=r):
            lo, hi = r[key]
            if not 0 < lo < hi < 1:
                return sq.dist_fn(sq.norm(lo, hi), fn=lambda y: np.clip(y, 0, 1))
            return sq.dist_fn(sq.norm(_logit(lo), _logit(hi)), fn=lambda y: 1 / (1 + np.exp(-y)))

        def ln(key, r=r):
            return sq.lognorm(*r[key])

        mvp, build = ln("mvp_weeks"), ln("build_weeks")
        gross = ln("users") * share("adoption") * ln("hours") * 46 * ln("hourly_cost")
        annual_benefit = (gross + ln("money_saved")) * (1 - share("captures"))
        effort = mvp + build + 3 * ln("iteration_weeks")
        launch = (mvp + build) / 2 / 52
        annuity = sq.dist_max((sq.dist_fn(-rho * launch, fn=np.exp) - math.exp(-rho * 3)) / rho, 0)
        npv = (annual_benefit - ln("run_cost")) * annuity - (effort * 4000 + ln("data_cost"))
        sq.sample(npv, n=draws)


# --- EVPPI reference ---------------------------------------------------------------------


def evppi_reference(sim) -> dict[tuple[str, str], float]:
    """EVPPI of every (idea, uncertain input), the straightforward way: for each one, least
    squares of the payoff on [1, u, q] (`model.regression`) with `np.linalg.lstsq` on its
    samples, then the mean over the same draws of max(0, m) - max(0, mean of m)."""
    from mlpm_kit.idea.estimates import KIND_LOGITNORMAL, KIND_LOGNORMAL

    payoff = np.asarray(sim.samples["expected_value"], dtype=np.float64)
    out = {}
    for i, inp in enumerate(sim.inputs):
        for path, est in inp.uncertain().items():
            x = np.asarray(sim.samples[path][i], dtype=np.float64)
            kind, mu, sigma = est.params()
            scale = {KIND_LOGNORMAL: np.log, KIND_LOGITNORMAL: lambda v: np.log(v / (1 - v))}
            z = (scale.get(kind, lambda v: v)(x) - mu) / sigma
            u = (x - est.median) / np.abs(x - est.median).max()
            basis = np.column_stack([np.ones_like(x), u, z**2 - 1])
            m = basis @ np.linalg.lstsq(basis, payoff[i], rcond=None)[0]
            out[(inp.idea_id, path)] = float(np.maximum(m, 0).mean() - max(m.mean(), 0))
    return out


# --- runs --------------------------------------------------------------------------------


def peak_memory(ideas_n: int, draws: int) -> float:
    """Peak resident memory (MB) of a fresh process running simulate + summary."""
    done = subprocess.run(
        [sys.executable, __file__, "--memory", str(ideas_n), "--draws", str(draws)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.split()[-1])


def memory_only(n: int, draws: int) -> None:
    ideas = [validate_idea(idea_dict(i, r), "benchmark.yaml") for i, r in enumerate(ranges(n))]
    sim = simulate(ideas, draws=draws, seed=1)
    sim.summary()
    # VmHWM: this process's peak resident memory (ru_maxrss can carry the parent's over exec).
    status = Path("/proc/self/status")
    if status.exists():
        hwm = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
        print(int(hwm.split()[1]) / 1024)
    else:
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating kit / peer rounds")
    parser.add_argument("--slow-path", action="store_true", help="also time sq.sample(model)")
    parser.add_argument("--memory", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        memory_only(args.memory, args.draws)
        return
    import squigglepy as sq

    n, draws = args.ideas, args.draws
    table = ranges(n)
    ideas = [validate_idea(idea_dict(i, r), "benchmark.yaml") for i, r in enumerate(table)]
    simulate(ideas[:10], draws=1000, seed=0).evpi()  # warm-up

    def kit_plain(percentiles_of=SUMMARY_OUTPUTS):
        sim = simulate(ideas, draws=draws, seed=1, information=False, percentiles_of=percentiles_of)
        return sim, sim.summary()

    def kit_full():
        sim = simulate(ideas, draws=draws, seed=1)
        return sim, sim.summary(), sim.evpi()

    sq.set_seed(1)
    rounds = []
    for _ in range(args.rounds):  # alternate, so every side sees the same machine
        with Clock() as same_round:
            kit_plain(("npv",))
        with Clock() as peer_round:
            peer_out = squiggle_arrays(table, draws, sq)
        with Clock() as all_round:
            kit_plain()
        rounds.append((same_round, peer_round, all_round))

    def medians(k: int) -> tuple[float, float]:  # wall and CPU of the rounds' k-th phase
        return tuple(
            statistics.median_high([getattr(r[k], t) for r in rounds]) for t in ("wall", "cpu")
        )

    (same_wall, same_cpu), (peer_wall, peer_cpu), (kit_wall, kit_cpu) = map(medians, range(3))
    same_ratio = statistics.median_high([p.wall / k.wall for k, p, _ in rounds])
    same_cpu_ratio = statistics.median_high([p.cpu / k.cpu for k, p, _ in rounds])
    ratio = statistics.median_high([p.wall / k.wall for _, p, k in rounds])
    cpu_ratio = statistics.median_high([p.cpu / k.cpu for _, p, k in rounds])
    sim, summary = kit_plain()
    with Clock() as just_summary:
        sim._summary = None
        sim.summary()
    del sim
    full_wall, full_cpu, (sim, _, evpi_rows) = median_run(kit_full)
    sim.samples["value.users"]  # the reference reads every input's samples: not timed
    with Clock() as ref_evpi:
        reference = evppi_reference(sim)
    kit_values = {(r.id, r.input): r.evppi for r in evpi_rows.itertuples()}
    totals = sim.evpi_total()
    gaps = [
        abs(min(v, totals[k[0]]) - kit_values[k]) / max(totals[k[0]], 1.0)
        for k, v in reference.items()
    ]
    kills = int((evpi_rows["kill_direction"] != "").sum())
    del sim

    one = [ideas[0]]
    simulate(one, draws=draws, seed=0)
    single = []
    for seed in range(20):
        with Clock() as c:
            simulate(one, draws=draws, seed=seed).summary()
        single.append(c.wall)

    agree = np.abs(summary["npv_p50"].to_numpy() - peer_out["p50"]) / np.abs(peer_out["p50"])
    print(f"{n:,} ideas x {draws:,} draws, 12 uncertain inputs per idea")
    print("phase                                        wall s   CPU s")
    print(f"kit  simulate + summary, the peer's outputs {same_wall:8.3f} {same_cpu:7.2f}")
    print(f"kit  simulate + summary, its full summary   {kit_wall:8.3f} {kit_cpu:7.2f}")
    print(f"     of which summary() alone              {just_summary.wall:8.3f}")
    print(f"squigglepy array path + numpy summaries   {peer_wall:8.3f} {peer_cpu:7.2f}")
    print(f"(medians of {args.rounds} alternating rounds)")
    each = ", ".join(f"{p.wall / k.wall:.1f}x" for k, p, _ in rounds)
    print(
        f"ratio, the same outputs (npv mean / p10 / p50 / p90, P(loss)): kit {same_ratio:.1f}x "
        f"faster wall (rounds: {each}), {same_cpu_ratio:.1f}x less CPU than squigglepy's "
        "array path (goal >= 5x)"
    )
    each = ", ".join(f"{p.wall / k.wall:.1f}x" for _, p, k in rounds)
    print(
        f"ratio, the kit's full summary (percentiles of 6 outputs): {ratio:.1f}x faster wall "
        f"(rounds: {each}), {cpu_ratio:.1f}x less CPU"
    )
    print(
        f"npv p50, kit vs squigglepy (different random numbers): median relative gap "
        f"{float(np.median(agree)):.3%}; p_loss mean kit {summary['p_loss'].mean():.4f}, "
        f"squigglepy {peer_out['p_loss'].mean():.4f}"
    )
    print(
        f"1 idea x {draws:,} draws + summary: median {1000 * float(np.median(single)):.1f} ms (goal < 20 ms)"
    )
    extra_wall, extra_cpu = full_wall - kit_wall, full_cpu - kit_cpu
    print(
        f"kit  EVPPI of {len(evpi_rows):,} inputs + {kills:,} kill criteria (added to the pass) "
        f"{extra_wall:8.3f} {extra_cpu:7.2f}"
    )
    print(
        f"numpy reference EVPPI (lstsq per idea and input) {ref_evpi.wall:8.3f} {ref_evpi.cpu:7.2f}"
    )
    print(
        f"ratio EVPPI: kit {ref_evpi.wall / max(extra_wall, 1e-3):.1f}x faster wall, "
        f"{ref_evpi.cpu / max(extra_cpu, 1e-3):.1f}x less CPU (and it finds the kill criteria); "
        f"largest gap to the reference {max(gaps, default=0):.2e} of the idea's EVPI"
    )
    print(
        f"kit simulate + summary + evpi (median of 3): {full_wall:.2f} s wall, "
        f"{full_cpu:.2f} s CPU (goal < 3 s wall)"
    )
    if args.slow_path:
        sq.set_seed(1)
        with Clock() as slow:
            squiggle_slow_path(table, draws, sq)
        print(
            f"squigglepy SLOW PATH sq.sample(model) per idea (not the fair comparison): "
            f"{slow.wall:.2f} s wall, {slow.cpu:.2f} s CPU"
        )
    for size in (n, 5 * n):
        print(f"peak memory, {size:,} ideas x {draws:,} draws: {peak_memory(size, draws):,.0f} MB")


if __name__ == "__main__":
    main()
