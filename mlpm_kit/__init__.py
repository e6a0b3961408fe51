"""mlpm-kit: decide which ML ideas deserve a team, with numbers leadership can check.

The public API (DESIGN section 7) is imported on first use, so `import mlpm_kit` and the
command line start quickly: `from mlpm_kit import score` loads the model, not the report.
"""

from __future__ import annotations

import importlib

# Each public name and the module that owns it.
_OWNERS = {
    "IdeaFileError": "mlpm_kit.errors",
    "InputError": "mlpm_kit.errors",
    "MlpmError": "mlpm_kit.errors",
    "ToolError": "mlpm_kit.errors",
    "Idea": "mlpm_kit.idea.schema",
    "load_idea": "mlpm_kit.idea.files",
    "new_idea": "mlpm_kit.idea.files",
    "save_idea": "mlpm_kit.idea.files",
    "load_portfolio": "mlpm_kit.idea.folders",
    "save_portfolio": "mlpm_kit.idea.sheets",
    "Calibration": "mlpm_kit.calibration.record",
    "calibrate": "mlpm_kit.calibration.record",
    "NotesReport": "mlpm_kit.interviews.notes",
    "check_notes": "mlpm_kit.interviews.notes",
    "ks": "mlpm_kit.ml.drift",
    "psi": "mlpm_kit.ml.drift",
    "ml_check": "mlpm_kit.ml.readiness",
    "breakdown": "mlpm_kit.model.scoring",
    "score": "mlpm_kit.model.scoring",
    "Simulation": "mlpm_kit.model.simulate",
    "simulate": "mlpm_kit.model.simulate",
    "Selection": "mlpm_kit.portfolio.selection",
    "best_portfolio": "mlpm_kit.portfolio.selection",
    "render_report": "mlpm_kit.report.render",
    "render_reports": "mlpm_kit.report.render",
}

__all__ = sorted(_OWNERS)


def __getattr__(name: str):
    if name in _OWNERS:
        value = getattr(importlib.import_module(_OWNERS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlpm_kit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
