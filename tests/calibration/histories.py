"""Histories generated with a known truth: ranges `spread` times too narrow, biases known."""

from __future__ import annotations

import numpy as np

from mlpm_kit.idea.estimates import Estimate, from_normal_scale
from mlpm_kit.idea.schema import Idea

# Fields of a generated idea: (section, name, typical median, share?)
FIELDS = (
    ("value", "users", 300.0, False),
    ("value", "adoption", 0.6, True),
    ("value", "hours_saved_per_user_week", 2.0, False),
    ("cost", "mvp_weeks", 8.0, False),
    ("cost", "build_weeks", 16.0, False),
)


def history(
    n_ideas: int,
    spread: float = 1.0,
    bias: dict[str, float] | None = None,
    seed: int = 0,
    estimators: tuple[str, ...] = ("Dana", "Lee"),
) -> list[Idea]:
    """Ideas whose actuals follow: y = mu + log(bias) + spread * sigma * e on each range's scale.

    Stated ranges have random medians and widths (a factor of 1.5 to 4 between low and
    high); `bias` multiplies the true median of a field (e.g. {"cost.mvp_weeks": 1.4}).
    """
    rng = np.random.default_rng(seed)
    bias = bias or {}
    ideas = []
    for i in range(n_ideas):
        data = {
            "id": f"launched-{i}",
            "title": f"Launched idea {i}",
            "owner": estimators[i % len(estimators)],
            "pain": {"frequency": 3, "severity": 3},
            "value": {"hourly_cost": 40},
            "cost": {"team_week_cost": 4000},
            "outcome": {"launched": "2025-01-01", "measured": "2025-07-01", "actual": {}},
        }
        for section, name, typical, is_share in FIELDS:
            path = f"{section}.{name}"
            if is_share:
                median = rng.uniform(0.3, 0.7)
                logit = np.log(median / (1 - median))
                half = rng.uniform(0.4, 1.0)
                est = Estimate(
                    float(from_normal_scale(logit - half, 3)),
                    float(from_normal_scale(logit + half, 3)),
                    True,
                )
            else:
                median = typical * rng.uniform(0.5, 2.0)
                ratio = rng.uniform(1.5, 4.0)
                est = Estimate(median / np.sqrt(ratio), median * np.sqrt(ratio))
            kind, mu, sigma = est.params()
            if kind == 3:
                true_median = min(max(est.median * bias.get(path, 1.0), 1e-6), 1 - 1e-6)
                center = np.log(true_median / (1 - true_median))
            else:
                center = mu + np.log(bias.get(path, 1.0))
            y = center + spread * sigma * rng.standard_normal()
            data[section][name] = {"low": est.low, "high": est.high}
            data["outcome"]["actual"][path] = float(from_normal_scale(np.asarray(y), kind))
        ideas.append(Idea.model_validate(data))
    return ideas
