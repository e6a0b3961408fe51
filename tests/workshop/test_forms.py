"""The workshop form without a browser: generated fields, edits, live results, autosave, conflicts."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading

import ipywidgets
import pytest
from pydantic import create_model

from mlpm_kit.idea.estimates import parse_estimate
from mlpm_kit.idea.fields import NUMBER as NUMBER_NOTATION
from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.formatting import share
from mlpm_kit.idea.schema import Idea, Value, field
from mlpm_kit.model.scoring import score
from mlpm_kit.workshop.form import PENDING_HTML, WorkshopForm, css_class, workshop_form
from mlpm_kit.workshop.form_model import CHOICE, ESTIMATE, NUMBER, ROWS, YAML, form_spec, new_row
from mlpm_kit.workshop.live_results import compute_results, results_html, swings
from mlpm_kit.workshop.notebook import after_this_cell
from mlpm_kit.workshop.server import prepare
from tests.conftest import EXAMPLES, make_idea, run_mlpm

COMMENT = "# tier-1 agents at the 15 accounts of the first rollout (account data)"


@pytest.fixture
def idea_file(tmp_path):
    """A copy of an example idea with its interview notes, laid out as in examples/."""
    shutil.copytree(EXAMPLES / "interviews", tmp_path / "interviews")
    (tmp_path / "ideas").mkdir()
    shutil.copy(EXAMPLES / "ideas" / "mlpm.yaml", tmp_path / "ideas")  # the folder's defaults
    target = tmp_path / "ideas" / "ticket-triage.yaml"
    shutil.copy(EXAMPLES / "ideas" / "ticket-triage.yaml", target)
    return target


@pytest.fixture
def app(idea_file):
    return WorkshopForm(idea_file, draws=500, seed=0)


def headline(app: WorkshopForm, key: str) -> str:
    html = app.results.value
    start = html.index(f'class="mlpm-head-{key}"')
    return html[start : html.index("</tr>", start)]


def test_spec_follows_the_schema_section_by_section():
    sections = {s.name: s for s in form_spec()}
    assert list(sections) == ["", "problem", "pain", "alternatives", "value", "cost", "timeline",
                              "opportunity", "evidence", "ml", "outcome"]  # fmt: skip
    for name in ("problem", "pain", "value", "cost", "timeline", "opportunity", "evidence"):
        model = Idea.model_fields[name].annotation
        assert [f.path[0] for f in sections[name].fields] == list(model.model_fields)
    users = sections["value"].fields[0]
    info = Value.model_fields["users"]
    assert (users.label, users.unit, users.kind) == (info.title, "people", ESTIMATE)
    # The help is the field's meaning, then how its type is written.
    assert users.help == info.description + " " + NUMBER_NOTATION.help
    adoption = sections["value"].fields[1]
    assert "0.6 to 0.9 or 60% to 90%" in adoption.help and adoption.placeholder == "0.6 to 0.9"
    cost = {f.path[0]: f for f in sections["cost"].fields}["team_week_cost"]
    assert cost.placeholder == "90k to 140k" and "the idea's currency" in cost.help
    assert sections["alternatives"].kind == ROWS
    ml = {f.key: f for f in sections["ml"].fields}  # nested blocks are flattened with a prefix
    assert ml["task"].kind == CHOICE and ml["task"].choices[0] == ""  # optional: can be left empty
    assert (ml["data.labels_now"].label, ml["data.labels_now"].unit) == (
        "Data: Labels now",
        "labels",
    )
    assert ml["target.value"].kind == NUMBER and ml["data.pilot_curve"].kind == YAML


def test_a_new_schema_field_appears_in_the_form_by_itself():
    wider = create_model(
        "WiderValue",
        __base__=Value,
        churn_saved=(float, field(0.0, "Churn saved", "money/year", "New.")),
    )
    idea_model = create_model(
        "WiderIdea", __base__=Idea, value=(wider, field(wider(), "Value per year"))
    )
    value = next(s for s in form_spec(idea_model) if s.name == "value")
    added = value.fields[-1]
    assert (added.key, added.label, added.unit) == ("churn_saved", "Churn saved", "money/year")


def test_form_shows_the_file_values_labels_and_units(app):
    assert app.field("value.users").value == "120 to 250"
    # Set by the folder's mlpm.yaml, not the file: the box is empty and says where the value comes from.
    assert app.field("cost.team_week_cost").value == ""
    assert app.field("cost.team_week_cost").placeholder.startswith("4000 (from ")
    assert app.field("pain.actively_seeking").value is True
    assert app.field("alternatives[1].kind").value == "in-house"
    assert app.field("ml.task").value == "multiclass"
    assert app.field("ml.compliance.lawful_basis").value == ""
    label = app.fields["value.users"].box.children[0].value
    assert "Users" in label and "(people)" in label
    assert (
        css_class("alternatives[0].captures") in app.field("alternatives[0].captures")._dom_classes
    )
    assert "Expected value" in app.results.value and "Saved" not in app.status.value


def test_an_edit_updates_the_results_and_saves_keeping_comments(app, idea_file):
    before_results, before_ev = app.results.value, headline(app, "expected_value")
    app.field("value.users").value = "400 to 600"  # the observer runs the update
    assert app.results.value != before_results
    assert headline(app, "expected_value") != before_ev
    text = idea_file.read_text(encoding="utf-8")
    assert f"users: 400 to 600               {COMMENT}" in text
    assert text.startswith("# Money in USD")
    assert load_idea(idea_file).value.users == parse_estimate("400 to 600")
    assert app.status.value.count("Saved at ") == 1
    # Point-score fallback agrees with the CLI's point score for the saved file.
    expected = score([load_idea(idea_file)]).iloc[0]["expected_value"]
    assert compute_results(load_idea(idea_file)).headlines[0].key == "expected_value"
    assert app.file.draft.idea.value.users.low == 400 and expected == pytest.approx(
        score([app.file.draft.idea]).iloc[0]["expected_value"]
    )


def test_invalid_input_shows_the_schema_message_and_leaves_the_file_alone(app, idea_file):
    original = idea_file.read_bytes()
    adoption = app.fields["value.adoption"]
    assert len(adoption.box.children) == 3  # label, input, help: the message comes when needed
    app.field("value.adoption").value = "0.6 to 1.5"
    assert adoption.box.children[-1] is adoption.error
    message = app.fields["value.adoption"].error.value
    assert "above the allowed range: it must be a share between 0 and 1" in message
    assert "Adoption is invalid" in app.status.value
    assert idea_file.read_bytes() == original
    app.field("cost.mvp_weeks").value = "lots"
    assert "&#x27;lots&#x27; is not a number or a range" in app.fields["cost.mvp_weeks"].error.value
    assert idea_file.read_bytes() == original
    # The rest of the form keeps working: a valid edit elsewhere is saved, the bad text is not.
    app.field("value.hourly_cost").value = "40"
    saved = load_idea(idea_file)
    assert saved.value.hourly_cost.low == 40
    assert saved.value.adoption == parse_estimate("0.6 to 0.9", share=True)
    assert "Not saved (invalid): Adoption, Effort to MVP" in app.status.value
    # Fixing the field clears its message.
    app.field("value.adoption").value = "0.5"
    assert app.fields["value.adoption"].error.value == ""
    assert load_idea(idea_file).value.adoption.low == 0.5


def test_required_field_left_empty_is_refused(app, idea_file):
    original = idea_file.read_bytes()
    app.field("cost.mvp_weeks").value = ""
    assert "is required" in app.fields["cost.mvp_weeks"].error.value
    assert idea_file.read_bytes() == original


def test_bad_yaml_in_a_yaml_field_is_shown_not_saved(app, idea_file):
    original = idea_file.read_bytes()
    app.field("ml.data.pilot_curve").value = "[[500, 0.8"
    assert "fix the YAML syntax" in app.fields["ml.data.pilot_curve"].error.value
    assert idea_file.read_bytes() == original


def test_nested_ml_fields_are_edited_and_saved(app, idea_file):
    app.field("ml.monitoring.retrain_every_weeks").value = "4 to 12"
    app.field("ml.compliance.lawful_basis").value = ""  # empty where nothing was: no change
    assert app.fields["ml.compliance.lawful_basis"].error.value == ""
    app.field("ml.task").value = "ranking"
    saved = load_idea(idea_file)
    assert saved.ml.task == "ranking" and saved.ml.compliance is None
    assert str(saved.ml.monitoring.retrain_every_weeks) == "4 to 12"
    assert "retrain_every_weeks: 4 to 12" in idea_file.read_text(encoding="utf-8")


def test_conflict_when_the_file_changed_on_disk(app, idea_file):
    other = idea_file.read_text(encoding="utf-8").replace("hourly_cost: 35", "hourly_cost: 38")
    idea_file.write_text(other, encoding="utf-8")  # another tab or an editor saved first
    app.field("value.users").value = "500"
    assert "Conflict" in app.status.value and "changed by someone else" in app.status.value
    assert idea_file.read_text(encoding="utf-8") == other  # their change survives
    assert app.reload_button.layout.display is None  # the reload offer is visible
    app.reload()
    assert app.field("value.hourly_cost").value == "38"
    app.field("value.users").value = "500"
    saved = load_idea(idea_file)
    assert (saved.value.users.low, saved.value.hourly_cost.low) == (500, 38)


def test_two_forms_on_one_file_do_not_drop_each_others_edit(idea_file):
    first, second = WorkshopForm(idea_file, draws=0), WorkshopForm(idea_file, draws=0)
    first.field("value.hourly_cost").value = "50"
    second.field("value.users").value = "999"
    assert "Conflict" in second.status.value
    assert load_idea(idea_file).value.hourly_cost.low == 50


def test_two_forms_saving_at_the_same_moment_never_both_say_saved(idea_file):
    for trial in range(10):  # each trial builds two forms (~1 s each)
        forms = [WorkshopForm(idea_file, draws=0), WorkshopForm(idea_file, draws=0)]
        edits = [("value.hourly_cost", str(40 + trial)), ("value.users", str(300 + trial))]
        start = threading.Barrier(2)

        def type_into(form, key, value, start=start):
            start.wait()
            form.field(key).value = value

        threads = [
            threading.Thread(target=type_into, args=(f, k, v))
            for f, (k, v) in zip(forms, edits, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        saved = ["Saved at" in f.status.value for f in forms]
        assert sorted(saved) == [False, True], [f.status.value for f in forms]
        loser = forms[saved.index(False)]
        assert "Conflict" in loser.status.value and loser.reload_button.layout.display is None
        on_disk = load_idea(idea_file).value
        winner_key, winner_value = edits[saved.index(True)]
        assert str(getattr(on_disk, winner_key.split(".")[1])) == winner_value


def test_add_and_remove_alternatives(app, idea_file):
    app.add_row("alternatives")
    assert app.field("alternatives[2].name").value == "New alternative"
    app.field("alternatives[2].name").value = "Spreadsheet of routing rules"
    app.field("alternatives[2].captures").value = "0.1 to 0.5"
    saved = load_idea(idea_file)
    assert [a.name for a in saved.alternatives][-1] == "Spreadsheet of routing rules"
    assert saved.alternatives[2].captures == parse_estimate("0.1 to 0.5", share=True)
    app.remove_row("alternatives", 0)
    saved = load_idea(idea_file)
    assert [a.name for a in saved.alternatives] == [
        "Keyword routing rules in the helpdesk",
        "Spreadsheet of routing rules",
    ]
    assert app.field("alternatives[0].name").value == "Keyword routing rules in the helpdesk"
    assert "alternatives[2].name" not in app.fields


def test_new_row_uses_the_schema_defaults():
    assert new_row("alternatives") == {
        "name": "New alternative", "kind": "manual", "captures": 0, "cost_per_year": 0, "replaced": False,
    }  # fmt: skip


def test_new_idea_from_the_template_and_the_picker(app, idea_file):
    shutil.copy(EXAMPLES / "ideas" / "spam-filter.yaml", idea_file.parent / "spam-filter.yaml")
    path = app.create_idea("Smart 排班")
    assert path is not None and path.exists() and app.file.path == path
    assert app.field("title").value == "Smart 排班"
    names = [label for label, _ in app.picker.options]
    assert {"ticket-triage.yaml", "spam-filter.yaml", path.name} <= set(names)
    app.picker.value = str((idea_file.parent / "spam-filter.yaml").resolve())
    assert app.file.path.name == "spam-filter.yaml"
    assert "Opened spam-filter.yaml" in app.status.value


def test_an_invalid_file_in_the_picker_keeps_the_current_idea(app, idea_file):
    bad = idea_file.parent / "broken.yaml"
    bad.write_text(
        "title: x\npain: {frequency: 9, severity: 1}\ncost: {team_week_cost: 1, mvp_weeks: 1}\n"
    )
    app._fill_picker(idea_file)
    app.picker.value = str(bad.resolve())
    assert "Cannot open it" in app.status.value and "pain.frequency" in app.status.value
    assert app.file.path == idea_file


def test_swing_matches_the_point_score_at_the_ends_of_the_range():
    idea = make_idea(value={"users": "100 to 300"})
    ((path, label, low, high, size),) = swings(idea)
    at = {n: score([make_idea(value={"users": n})]).iloc[0]["expected_value"] for n in (100, 300)}
    assert (path, label) == ("value.users", "Users")
    assert (low, high, size) == pytest.approx((at[100], at[300], at[300] - at[100]))
    result = compute_results(idea, draws=0)
    assert result.top_inputs[0].label == "Users"


def test_user_text_is_escaped_in_the_results_panel():
    idea = make_idea(title='<img src=x onerror="alert(1)">')
    html = results_html(compute_results(idea, draws=0))
    assert "<img" not in html and "&lt;img" in html


def test_workshop_form_returns_one_widget(idea_file):
    widget = workshop_form(idea_file, draws=0)
    assert widget.workshop.file.path == idea_file


def test_fields_share_one_model_per_layout_and_style(app):
    # Not one layout and one style model per label, input and message: the first page
    # carries every model to the browser (1,115 models before, 396 now for this idea).
    fields = list(app.fields.values())
    assert len(fields) > 50
    for part in ("error", "box"):
        assert len({id(getattr(f, part).layout) for f in fields}) == 1
    assert len({id(f.error.style) for f in fields}) == 1
    texts = [f.input for f in fields if type(f.input) is ipywidgets.Text]
    assert len({id(t.layout) for t in texts}) == len({id(t.style) for t in texts}) == 1
    assert texts[0].layout.width == "95%"


def test_first_results_can_wait_for_the_cell_to_finish(idea_file):
    # In the workshop's kernel the form is sent first and the panel filled right after the
    # cell (notebook.after_this_cell); the browser asks for the widgets after that.
    waiting = []
    app = WorkshopForm(idea_file, draws=0, later=waiting.append)
    assert app.results.value == PENDING_HTML and waiting == [app.refresh]
    waiting.pop()()
    assert app.results.value == WorkshopForm(idea_file, draws=0).results.value
    assert "mlpm-head-expected_value" in app.results.value


def testafter_this_cell_is_the_running_loop_if_any():
    assert after_this_cell() is None  # a script or a test: the form is built at once

    async def in_a_kernel():
        ran = []
        after_this_cell()(lambda: ran.append(1))
        assert ran == []  # not yet: after the running code yields to the loop
        await asyncio.sleep(0)
        return ran

    assert asyncio.run(in_a_kernel()) == [1]


def test_workshop_notebook_is_parameterized(tmp_path, idea_file):
    nb_path = prepare(idea_file, tmp_path, draws=300, seed=4)
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    tags = [c["metadata"].get("tags", []) for c in cells]
    at = tags.index(["injected-parameters"])
    assert tags[at - 1] == ["parameters"]  # right after the notebook's own parameters, as papermill
    values: dict = {}
    exec("".join(cells[at]["source"]), values)
    assert (values["idea_path"], values["draws"], values["seed"], values["interactive"]) == (
        str(idea_file),
        300,
        4,
        True,
    )
    template = (
        tmp_path / "share" / "voila" / "templates" / "mlpm-offline" / "index.html.j2"
    ).read_text()
    assert "mlpm-panel" in template  # the projector stylesheet
    assert "cdn" not in template.lower()


def test_workshop_cli_rejects_an_invalid_idea(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "title: x\npain: {frequency: 3, severity: 3}\ncost: {team_week_cost: 1, mvp_weeks: -2}\n"
    )
    result = run_mlpm("workshop", str(bad), "--port", "8999")
    assert result.returncode == 2
    assert "cost.mvp_weeks" in result.stderr and "below the allowed range" in result.stderr


def test_workshop_cli_rejects_a_taken_port(idea_file):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = run_mlpm("workshop", str(idea_file), "--port", str(port))
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    suggested = int(result.stderr.split("--port ")[1].split()[0])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", suggested))  # the port it suggests is free


def test_interview_graded_confidence_matches_the_point_score(idea_file):
    idea = load_idea(idea_file)
    result = compute_results(idea, draws=300, seed=1)
    row = score([idea]).iloc[0]
    assert result.confidence_source == row["confidence_source"]
    assert result.confidence_source.startswith("from 5 interview notes")
    assert next(h for h in result.headlines if h.key == "confidence").value == share(
        row["confidence"]
    )
    assert idea.evidence.confidence is None  # the idea being edited is not changed
    assert result.p_loss is not None and result.headlines[1].low  # simulation: p_loss and p10-p90
