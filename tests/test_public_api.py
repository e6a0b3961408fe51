"""The public surface of `mlpm_kit` is explicit and cannot drift silently."""

import mlpm_kit


def test_all_names_exist():
    for name in mlpm_kit.__all__:
        assert hasattr(mlpm_kit, name), name


def test_design_section_7_names_are_exported():
    for name in ("load_idea", "save_idea", "score", "simulate", "Simulation"):
        assert name in mlpm_kit.__all__
