"""The outcome: section: strict validation, and estimates that stay as decided once actuals exist."""

from __future__ import annotations

import pytest

from mlpm_kit.errors import IdeaFileError, InputError
from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.files import load_idea, save_idea

IDEA = """\
title: Auto-triage
owner: Dana
pain: {frequency: 5, severity: 3}
value:
  users: 200 to 400   # support headcount
  adoption: 0.6 to 0.9
cost:
  team_week_cost: 4000
  mvp_weeks: 6 to 10
"""


def with_outcome(outcome: str) -> str:
    return IDEA + "outcome:\n" + outcome


def problems(write_yaml, text: str) -> dict[str, str]:
    with pytest.raises(IdeaFileError) as err:
        load_idea(write_yaml(text))
    return dict(err.value.problems)


def test_outcome_loads_with_dates_actuals_and_the_owner_as_estimator(write_yaml):
    idea = load_idea(
        write_yaml(
            with_outcome(
                "  launched: 2026-03-01\n  measured: 2026-09-01\n"
                "  actual:\n    value.users: 350\n    value.adoption: 55%\n    cost.mvp_weeks: 11\n"
            )
        )
    )
    assert idea.outcome.actual == {"value.users": 350, "value.adoption": 0.55, "cost.mvp_weeks": 11}
    assert str(idea.outcome.launched) == "2026-03-01" and idea.estimated_by == "Dana"


def test_every_bad_actual_is_reported_at_its_own_field(write_yaml):
    found = problems(
        write_yaml,
        with_outcome(
            "  actual:\n"
            "    value.userz: 350\n"  # typo
            "    cost.mvp_weeks: -3\n"  # negative count of weeks
            "    value.adoption: 1.4\n"  # share outside [0, 1]
            "    value.users: 300 to 400\n"  # a range is not a measurement
        ),
    )
    assert found["outcome.actual.value.userz"] == "unknown field; did you mean 'value.users'?"
    assert (
        "-3 is below the allowed range: it must be at least 0"
        in found["outcome.actual.cost.mvp_weeks"]
    )
    assert "share between 0 and 1" in found["outcome.actual.value.adoption"]
    assert (
        "is a range; an actual is what was measured, one number"
        in found["outcome.actual.value.users"]
    )


def test_an_actual_for_a_field_never_estimated_is_an_error(write_yaml):
    found = problems(write_yaml, with_outcome("  actual:\n    value.revenue_per_year: 50000\n"))
    message = found["outcome.actual.value.revenue_per_year"]
    assert "never estimated value.revenue_per_year" in message and "remove it" in message


def test_measured_before_launched_is_an_error(write_yaml):
    found = problems(
        write_yaml,
        with_outcome(
            "  launched: 2026-03-01\n  measured: 2026-01-15\n  actual: {value.users: 300}\n"
        ),
    )
    assert found["outcome.measured"].startswith(
        "2026-01-15 is before outcome.launched (2026-03-01)"
    )


def test_the_cli_prints_one_line_per_problem_and_exits_2(write_yaml, capsys):
    from mlpm_kit import cli

    path = write_yaml(with_outcome("  actual:\n    cost.mvp_weeks: -3\n"))
    assert cli.main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert "outcome.actual.cost.mvp_weeks: -3 is below the allowed range" in err
    assert "Traceback" not in err


def test_saving_never_changes_estimates_once_actuals_exist(write_yaml):
    path = write_yaml(with_outcome("  actual:\n    value.users: 350\n"))
    before = path.read_text()
    idea = load_idea(path)
    idea.value.users = Estimate(300, 500)
    with pytest.raises(InputError) as err:
        save_idea(idea)
    assert err.value.field == "value.users"
    assert "allow_estimate_changes=True" in str(err.value)
    assert path.read_text() == before
    # What happened may still be recorded, and text edited.
    idea = load_idea(path)
    idea.outcome.actual = {"value.users": 360, "value.adoption": 0.5}
    idea.title = "Auto-triage of tickets"
    save_idea(idea)
    assert load_idea(path).outcome.actual == {"value.users": 360, "value.adoption": 0.5}
    assert "# support headcount" in path.read_text()
    # Asked explicitly, the estimate changes.
    idea.value.users = Estimate(300, 500)
    save_idea(idea, allow_estimate_changes=True)
    assert load_idea(path).value.users == Estimate(300, 500)


def test_estimates_save_freely_without_actuals(write_yaml):
    path = write_yaml(IDEA)
    idea = load_idea(path)
    idea.value.users = Estimate(300, 500)
    save_idea(idea)
    assert load_idea(path).value.users == Estimate(300, 500)


def test_the_form_refuses_estimate_edits_once_actuals_exist(write_yaml):
    from mlpm_kit.workshop.form_model import IdeaDraft

    idea = load_idea(write_yaml(with_outcome("  actual:\n    value.users: 350\n")))
    draft = IdeaDraft.of(idea)
    message = draft.apply(("value", "users"), "300 to 500")
    assert message is not None and "outcome.actual" in message
    assert draft.idea.value.users == Estimate(200, 400)
    assert draft.apply(("title",), "Renamed") is None


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_outcomes_round_trip_through_a_spreadsheet(tmp_path, suffix):
    from mlpm_kit.calibration.record import calibrate
    from mlpm_kit.idea.folders import load_portfolio
    from mlpm_kit.idea.sheets import read_sheet, save_portfolio
    from tests.conftest import EXAMPLES

    ideas = load_portfolio(EXAMPLES / "history")
    sheet = tmp_path / f"history{suffix}"
    save_portfolio(ideas, sheet)
    back = read_sheet(sheet)
    assert [i.outcome for i in back] == [i.outcome for i in ideas]
    # the same record (up to the order of a floating-point sum)
    assert calibrate(sheet).overall == pytest.approx(calibrate(ideas).overall, rel=1e-12)
