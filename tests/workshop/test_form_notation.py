"""The form reads the same notation as idea files, checks currencies, and saves what was typed."""

from __future__ import annotations

from mlpm_kit.idea.files import load_idea
from mlpm_kit.workshop.form_model import IdeaFile, form_spec

IDEA = """\
title: Routing
pain: {frequency: 4, severity: 3}
value:
  users: 100
  adoption: 0.5
  hours_saved_per_user_week: 2
  hourly_cost: 50
cost:
  mvp_weeks: 10   # engineer-weeks
"""


def spec(section: str, name: str):
    return next(f for s in form_spec() if s.name == section for f in s.fields if f.path == (name,))


def test_typed_notation_is_saved_as_typed_and_checked_against_the_folder_currency(tmp_path):
    (tmp_path / "mlpm.yaml").write_text("currency: EUR\ncost: {team_week_cost: 5000}\n", "utf-8")
    path = tmp_path / "routing.yaml"
    path.write_text(IDEA, encoding="utf-8")
    form = IdeaFile(path)
    draft = form.draft
    assert draft.apply(("cost", "data_cost"), "€90k–140k", spec("cost", "data_cost")) is None
    assert draft.apply(("value", "adoption"), "60-85%", spec("value", "adoption")) is None
    message = draft.apply(("value", "hourly_cost"), "$50", spec("value", "hourly_cost"))
    assert message.startswith("'$50' is in dollars") and "are in EUR (from " in message
    form.save()
    text = path.read_text(encoding="utf-8")
    assert "data_cost: €90k–140k" in text and "adoption: 60-85%" in text
    assert "hourly_cost: 50" in text  # the refused edit never reached the file
    assert "team_week_cost" not in text and "currency" not in text  # the folder's, not the file's
    assert "# engineer-weeks" in text  # comments kept
    idea = load_idea(path)
    assert (idea.cost.data_cost.low, idea.cost.data_cost.high) == (90_000, 140_000)
    assert (idea.value.adoption.low, idea.value.adoption.high) == (0.6, 0.85)
