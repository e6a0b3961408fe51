"""Shared fixtures: ideas built in memory, and a runner for the `mlpm` command."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from mlpm_kit.idea.files import validate_idea

ROOT = Path(__file__).resolve().parent.parent

# Property tests: no per-example deadline (a shared CI machine is slower some moments) and a
# fixed sequence of examples, so a run is repeatable; HYPOTHESIS_PROFILE=explore varies them.
settings.register_profile("repeatable", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
EXAMPLES = ROOT / "examples"
# The keys every idea of `mlpm score --json` has (DESIGN section 6), written out as the contract.
DESIGN_KEYS = {
    "id",
    "title",
    "adopters",
    "annual_benefit",
    "effort_weeks",
    "one_time_cost",
    "launch_years",
    "npv",
    "roi",
    "payback_months",
    "opportunity_cost",
    "economic_value",
    "confidence",
    "expected_value",
    "pain_score",
    "rice",
    "cd3",
}

BASE_IDEA = {
    "title": "Test idea",
    "pain": {"frequency": 4, "severity": 3, "actively_seeking": True},
    "value": {"users": 300, "adoption": 0.5, "hours_saved_per_user_week": 2, "hourly_cost": 50},
    "cost": {"team_week_cost": 4000, "mvp_weeks": 10},
}


def idea_dict(**sections) -> dict:
    """BASE_IDEA with sections merged in: idea_dict(value={"users": 10}) changes one field."""
    data = copy.deepcopy(BASE_IDEA)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return data


def make_idea(idea_id: str = "x", **sections):
    return validate_idea(idea_dict(**sections), "test.yaml", default_id=idea_id)


def run_mlpm(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run `mlpm` as a user would, in a subprocess, with this checkout on the path."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "mlpm_kit", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=timeout,
    )


@pytest.fixture
def write_yaml(tmp_path):
    """Write text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "idea.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
