"""What was estimated stays as decided: once `outcome.actual` records what happened after
launch, saving an idea (`files.save_idea`, the workshop form) keeps its estimates, so that
calibration compares the actuals with what was really estimated.
"""

from __future__ import annotations

from typing import Any

from mlpm_kit.errors import InputError
from mlpm_kit.idea.schema import ESTIMATE_SECTIONS, Idea


def _leaf_changes(old: Any, new: Any, where: str = "") -> list[str]:
    """Dotted paths where `new` differs from `old` (plain data, as `model_dump` gives it)."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = list(old) + [k for k in new if k not in old]
        return [
            change
            for k in keys
            for change in _leaf_changes(old.get(k), new.get(k), f"{where}.{k}" if where else k)
        ]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            c
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for c in _leaf_changes(a, b, f"{where}[{i}]")
        ]
    return [] if old == new else [where]


def estimate_changes(before: Idea, after: Idea) -> list[str]:
    """The estimates (dotted paths) that differ between two versions of an idea."""
    dump = {s: before.model_dump(mode="python")[s] for s in ESTIMATE_SECTIONS}
    return _leaf_changes(dump, {s: after.model_dump(mode="python")[s] for s in ESTIMATE_SECTIONS})


def check_estimates_kept(before: Idea, after: Idea, name: str) -> None:
    """Once `outcome.actual` is recorded, the estimates stay as decided: else an `InputError`."""
    if not before.outcome.actual:
        return
    changed = estimate_changes(before, after)
    if changed:
        raise InputError(
            f"{', '.join(changed)} would change, but this idea has outcome.actual: its "
            "estimates stay as they were when it was decided, so calibration compares the "
            "actuals with what was really estimated. Record what happened under "
            "outcome.actual; to change an estimate anyway, save with "
            "allow_estimate_changes=True.",
            file=name,
            field=changed[0],
        )
