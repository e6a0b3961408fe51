"""Folder defaults (mlpm.yaml), an idea's currency, and portfolios that mix currencies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlpm_kit import cli
from mlpm_kit.errors import IdeaFileError, InputError
from mlpm_kit.idea.defaults import portfolio_currency, value_sources
from mlpm_kit.idea.files import load_idea, new_idea, save_idea
from mlpm_kit.model.scoring import score

IDEA = """\
title: {title}
pain: {{frequency: 4, severity: 3}}
value:
  users: 100
  adoption: 0.5
  hours_saved_per_user_week: 2
  hourly_cost: {hourly}
cost:
  mvp_weeks: 10
{extra}"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def idea_text(title: str = "A", hourly: str = "50", extra: str = "") -> str:
    return IDEA.format(title=title, hourly=hourly, extra=extra)


@pytest.fixture
def org(tmp_path):
    """org/mlpm.yaml (EUR, 5000 a week, 3 years) above org/team/mlpm.yaml (4500 a week)."""
    write(
        tmp_path / "org" / "mlpm.yaml",
        "currency: EUR\ncost: {team_week_cost: 5000, team_size: 3}\n"
        "timeline: {horizon_years: 4}\nfx: {USD: 0.9}\n",
    )
    write(tmp_path / "org" / "team" / "mlpm.yaml", "cost:\n  team_week_cost: 4500\n")
    return tmp_path / "org"


def test_nearest_folder_wins_then_the_idea(org):
    inherited = load_idea(write(org / "team" / "a.yaml", idea_text()))
    assert inherited.currency == "EUR"
    assert inherited.cost.team_week_cost.median == 4500  # team/mlpm.yaml beats org/mlpm.yaml
    assert inherited.cost.team_size.median == 3  # only org/mlpm.yaml sets it
    assert inherited.timeline.horizon_years.median == 4
    own = load_idea(
        write(
            org / "team" / "b.yaml",
            idea_text("B", extra="  team_week_cost: 3000\ntimeline: {horizon_years: 2}\n"),
        )
    )
    assert own.cost.team_week_cost.median == 3000 and own.timeline.horizon_years.median == 2
    sources = value_sources(inherited)
    assert sources["cost.team_week_cost"].endswith(str(Path("org/team/mlpm.yaml")))
    assert sources["cost.team_size"].endswith(str(Path("org/mlpm.yaml")))
    assert sources["value.hourly_cost"] == "idea"
    assert sources["timeline.discount_rate"] == "default"
    assert value_sources(own)["cost.team_week_cost"] == "idea"


def test_score_json_has_currency_and_sources(org, capsys):
    path = write(org / "team" / "a.yaml", idea_text())
    assert cli.main(["score", str(path), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["currency"] == "EUR"
    assert row["sources"]["cost.team_week_cost"].endswith("mlpm.yaml")
    assert row["sources"]["value.weeks_per_year"] == "default"
    # one-time cost = 10 engineer-weeks x 4500 (team/mlpm.yaml) = 45000
    assert row["one_time_cost"] == pytest.approx(45_000)


def test_saving_never_writes_the_folder_values_into_the_file(org):
    path = write(org / "team" / "a.yaml", idea_text())
    idea = load_idea(path)
    idea.value.users = "200 to 300"
    save_idea(idea, path)
    text = path.read_text(encoding="utf-8")
    assert "team_week_cost" not in text and "currency" not in text and "timeline" not in text
    assert "users: 200 to 300" in text


def test_a_symbol_sets_the_currency_or_must_match_it(tmp_path):
    idea = load_idea(
        write(tmp_path / "a.yaml", idea_text(hourly="€50", extra="  team_week_cost: 4k\n"))
    )
    assert idea.currency == "EUR" and idea.value.hourly_cost.median == 50
    assert idea.cost.team_week_cost.median == 4000
    with pytest.raises(IdeaFileError) as err:
        load_idea(
            write(
                tmp_path / "b.yaml",
                idea_text(hourly="€50", extra="  team_week_cost: $4k\n"),
            )
        )
    assert err.value.problems == [
        (
            "cost.team_week_cost",
            "'$4k' is in dollars (USD, CAD, AUD, ...), but this file's amounts are in EUR "
            "(set by '€50'); write the amount in EUR, or convert it.",
        )
    ]


def test_a_symbol_against_the_folder_currency_and_on_a_count(org):
    path = write(
        org / "team" / "c.yaml",
        idea_text(hourly="£50").replace("users: 100", "users: €100"),
    )
    with pytest.raises(IdeaFileError) as err:
        load_idea(path)
    problems = dict(err.value.problems)
    assert problems["value.hourly_cost"].startswith(
        "'£50' is in GBP, but this file's amounts are in EUR"
    )
    assert "is not an amount of money; remove the currency" in problems["value.users"]


def test_an_ambiguous_symbol_asks_for_the_currency(tmp_path):
    with pytest.raises(IdeaFileError, match="¥ stands for CNY or JPY; say which with currency:"):
        load_idea(
            write(tmp_path / "a.yaml", idea_text(hourly="¥500", extra="  team_week_cost: 1\n"))
        )
    idea = load_idea(
        write(
            tmp_path / "b.yaml",
            "currency: JPY\n" + idea_text(hourly="¥500", extra="  team_week_cost: 1\n"),
        )
    )
    assert idea.currency == "JPY"


def test_a_bad_currency_code_gets_the_closest(tmp_path):
    with pytest.raises(IdeaFileError, match="'EUD' is not an ISO 4217 currency code; did you mean"):
        load_idea(
            write(tmp_path / "a.yaml", "currency: EUD\n" + idea_text(extra="  team_week_cost: 1\n"))
        )


def test_a_bad_mlpm_yaml_names_itself_and_every_problem(tmp_path):
    write(
        tmp_path / "mlpm.yaml",
        "currency: EURO\ncost: {mvp_weeks: 3, team_week_cost: lots}\ntimline: {}\n",
    )
    with pytest.raises(IdeaFileError) as err:
        load_idea(write(tmp_path / "a.yaml", idea_text()))
    assert err.value.file.endswith("mlpm.yaml")
    fields = [f for f, _ in err.value.problems]
    assert fields == ["currency", "cost.mvp_weeks", "cost.team_week_cost", "timline"]
    assert "did you mean 'timeline'" in err.value.problems[-1][1]


def test_mixed_currencies_need_fx_and_name_the_ideas(tmp_path):
    write(
        tmp_path / "eu" / "a.yaml", "currency: EUR\n" + idea_text(extra="  team_week_cost: 4000\n")
    )
    write(
        tmp_path / "us" / "b.yaml",
        "currency: USD\n" + idea_text("B", extra="  team_week_cost: 4000\n"),
    )
    ideas = [load_idea(tmp_path / "eu" / "a.yaml"), load_idea(tmp_path / "us" / "b.yaml")]
    with pytest.raises(InputError, match=r"mixes currencies \(EUR: a; USD: b\); add fx rates"):
        score(ideas)
    # With fx into EUR, b's amounts are converted: 10 weeks x 4000 USD x 0.9 = 36000 EUR.
    write(tmp_path / "mlpm.yaml", "currency: EUR\nfx: {USD: 0.9}\n")
    ideas = [load_idea(tmp_path / "eu" / "a.yaml"), load_idea(tmp_path / "us" / "b.yaml")]
    assert portfolio_currency(ideas) == ("EUR", [1.0, 0.9])
    table = score(ideas).set_index("id")
    assert table.loc["a", "one_time_cost"] == pytest.approx(40_000)
    assert table.loc["b", "one_time_cost"] == pytest.approx(36_000)
    assert set(table["currency"]) == {"EUR"}
    # A currency without a rate is named with its ideas.
    write(
        tmp_path / "gb" / "c.yaml",
        "currency: GBP\n" + idea_text("C", extra="  team_week_cost: 1\n"),
    )
    with pytest.raises(InputError, match=r"the fx rates into EUR miss GBP \(c\)"):
        score([*ideas, load_idea(tmp_path / "gb" / "c.yaml")])


def test_new_idea_leaves_out_what_the_folder_sets(org):
    path = new_idea("Routing", org / "team")
    text = path.read_text(encoding="utf-8")
    for key in ("  team_week_cost:", "  team_size:", "  horizon_years:", "\ncurrency:"):
        assert key not in text
    assert "  mvp_weeks:" in text and "  discount_rate:" in text  # not set by the folder
    assert text.startswith("# Left out because")
    assert load_idea(path).cost.team_week_cost.median == 4500  # and it loads with them


def test_saving_elsewhere_keeps_the_numbers_the_folder_gave(org, tmp_path):
    idea = load_idea(write(org / "team" / "a.yaml", idea_text()))
    (tmp_path / "elsewhere").mkdir()
    moved = save_idea(idea, tmp_path / "elsewhere" / "a.yaml")  # no mlpm.yaml above it
    again = load_idea(moved)
    assert again.cost.team_week_cost.median == 4500 and again.currency == "EUR"
    assert again.timeline.horizon_years.median == 4
    assert "team_week_cost: 4500" in moved.read_text(encoding="utf-8")


def test_a_bad_mlpm_yaml_is_reported_once_for_its_folder(tmp_path, capsys):
    from mlpm_kit.idea.folders import load_ideas

    write(tmp_path / "mlpm.yaml", "currency: EURO\n")
    for name in ("a", "b", "c"):
        write(tmp_path / f"{name}.yaml", idea_text(name, extra="  team_week_cost: 1\n"))
    ideas, errors = load_ideas([tmp_path])
    assert ideas == [] and len(errors) == 1 and errors[0].file.endswith("mlpm.yaml")
