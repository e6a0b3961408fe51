"""The public surface of `mlpm_kit` is explicit and cannot drift silently (as httpx tests it)."""

import mlpm_kit

# DESIGN section 7 and the names the README shows, written out as the contract.
PUBLIC = {
    "Idea",
    "IdeaFileError",
    "InputError",
    "MlpmError",
    "NotesReport",
    "Selection",
    "Simulation",
    "ToolError",
    "Calibration",
    "best_portfolio",
    "calibrate",
    "breakdown",
    "check_notes",
    "ks",
    "load_idea",
    "load_portfolio",
    "ml_check",
    "new_idea",
    "psi",
    "render_report",
    "render_reports",
    "save_idea",
    "save_portfolio",
    "score",
    "simulate",
}


def test_all_is_the_public_api():
    assert set(mlpm_kit.__all__) == PUBLIC


def test_every_public_name_imports():
    for name in mlpm_kit.__all__:
        assert getattr(mlpm_kit, name) is not None, name
    assert callable(mlpm_kit.simulate) and mlpm_kit.Simulation.__name__ == "Simulation"
