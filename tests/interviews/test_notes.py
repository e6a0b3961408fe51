"""Interview notes: parsing, talk ratio, scores, the grade and flags, JSON, CLI, bad input, the confidence hook."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpm_kit import check_notes
from mlpm_kit.cli import main
from mlpm_kit.errors import InputError
from mlpm_kit.idea.files import load_idea
from mlpm_kit.interviews.grade import (
    CHECKLIST,
    flags_of,
    grade_parts,
    suggested_confidence,
    summarize,
)
from mlpm_kit.interviews.notes import Interview, Utterance, interview_score, word_count
from mlpm_kit.model.inputs import confidence_of
from mlpm_kit.report.notes_view import report_html
from tests.conftest import EXAMPLES, ROOT

FRONT = "---\ninterviewee: Ana\nsegment: SMB\nrelationship: customer\n---\n"


@pytest.fixture
def notes(tmp_path):
    def write(text: str, name: str = "n.md", encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)

    return write


# ----------------------------------------------------------------- reading and per interview


def test_findings_have_line_numbers_categories_and_advice(notes):
    path = notes(FRONT + "# Call\n\nQ: Would you use it?\nA: Last Tuesday we lost two hours.\n")
    report = check_notes([path])
    rows = report.findings[["line", "category", "speaker", "text"]].values.tolist()
    assert rows == [
        [8, "hypothetical_question", "question", "Would you use it?"],
        [9, "past_specific", "answer", "Last Tuesday we lost two hours."],
    ]
    assert all(report.findings["advice"].str.len() > 20)
    assert report.interviews[0].relationship == "customer" and report.interviews[0].segment == "SMB"


def test_talk_ratio_by_hand(notes):
    # interviewer: "How often did it happen" = 5 words; interviewee: "Twice last week" = 3 words
    report = check_notes([notes(FRONT + "Q: How often did it happen?\nA: Twice last week.\n")])
    assert report.interviews[0].talk_ratio == pytest.approx(5 / 8)
    # each Chinese character is a word: 上次是什么时候 = 7, 昨天 = 2
    report = check_notes([notes("问：上次是什么时候？\n答：昨天。\n", "zh.md")])
    assert report.interviews[0].talk_ratio == pytest.approx(7 / 9)
    assert word_count("你们用Zendesk吗") == 5  # 你 们 用 Zendesk 吗
    assert word_count("We're fine, thanks.") == 3


def test_interview_score_by_hand():
    counts = {"past_specific": 2, "workaround": 1, "compliment": 1}
    assert interview_score(counts, 0.25) == 67  # 100 * (3 + 1) / (3 + 1 + 2) = 66.7
    assert interview_score(counts, 0.5) == 57  # minus 10 when the interviewer talks over a third
    assert interview_score({}, None) == 50
    assert interview_score({"compliment": 9}, 0.9) == 0


def test_speaker_tag_styles(notes):
    bold = notes(
        "**Interviewer:** Would you pay for it?\n**Ana:** I would definitely use that.\n", "bold.md"
    )
    zh = notes("问：你会用吗？\n答：我肯定会用的。\n", "zh.md")
    named = notes(
        "---\ninterviewer: Dana\n---\n**Dana:** Imagine it worked.\n**Ana:** Sounds amazing!\n",
        "named.md",
    )
    for path, expected in [
        (bold, ["hypothetical_question", "future_promise"]),
        (zh, ["hypothetical_question", "future_promise"]),
        (named, ["hypothetical_question", "compliment"]),
    ]:
        assert check_notes([path]).findings["category"].tolist() == expected, path


def test_unmarked_interviewer_is_the_first_speaker_with_a_note(notes):
    path = notes("**Dana:** Would you use it?\n**Lee:** Yesterday we lost a ticket.\n")
    interview = check_notes([path]).interviews[0]
    assert [u.speaker for u in interview.utterances] == ["question", "answer"]
    assert any("read 'dana' as the interviewer" in n for n in interview.notes)


def test_untagged_lines_continue_the_last_speaker_and_context_is_skipped(notes):
    path = notes(
        FRONT
        + "Met at a meetup. Would you believe it rained?\n\nQ: What happened?\nA: We lost a day.\nYesterday we lost two.\n"
    )
    interview = check_notes([path]).interviews[0]
    assert [(u.line, u.speaker) for u in interview.utterances] == [
        (8, "question"),
        (9, "answer"),
        (10, "answer"),
    ]


# ----------------------------------------------------------------- across interviews


def _interview(
    file="f.md",
    score=50,
    segment="SMB",
    relationship="friend",
    counts=None,
    questions=0,
    talk=0.2,
    ticked=(),
):
    utterances = [Utterance(i + 1, "question", "q") for i in range(questions)]
    return Interview(
        file,
        {"segment": segment, "relationship": relationship},
        utterances,
        [],
        talk,
        counts or {},
        score,
        {k: k in ticked for k in CHECKLIST},
    )


def test_grade_rule_by_hand():
    five = [_interview(f"{i}.md") for i in range(4)] + [
        _interview("4.md", counts={"disconfirming": 1})
    ]
    parts = grade_parts(five, {k: False for k in CHECKLIST})
    # 20 for five interviews + 0.3 x mean score 50 + 15 for a disconfirming line; one segment, all friends
    assert parts == {
        "interviews": 20,
        "line_quality": 15,
        "disconfirming": 15,
        "commitment": 0,
        "segments": 0,
        "outsiders": 0,
        "checklist": 0,
    }
    summary = summarize(five)
    assert summary.grade == 50
    # without its disconfirming line the grade would be 35 (20 + 15); one disconfirming line, no
    # pain: center 0.35 + 0.40 x 0.35 - (0.02 + 0.25 x 1/1) = 0.22, half width 0.20 - 0.05 = 0.15
    assert summary.suggested_confidence == (0.07, 0.37)
    # 1 disconfirming, 2 pain: center 0.35 + 0.20 - (0.02 + 0.25 / 3) = 0.4467 -> [0.30, 0.60]
    assert suggested_confidence(50, {"disconfirming": 1, "past_specific": 2}) == (0.3, 0.6)
    assert suggested_confidence(50, {"past_specific": 2}) == (0.4, 0.7)  # 0.55 -/+ 0.15

    two = [
        _interview(
            "a.md",
            60,
            "SMB",
            "stranger",
            {"commitment": 1},
            ticked=("prove_me_wrong", "last_time", "verbatim"),
        ),
        _interview("b.md", 80, "Enterprise", "friend"),
    ]
    parts = grade_parts(two, summarize(two).checklist)
    # three items ticked by one interview of two: 10 x (3 x 1/2) / 6 = 2.5 checklist points
    # 8 + (0.3 x 70 + 0 + 10 + 5 + 10 x 1/2 + 2.5) x (0.5 + 0.5 x 2/5) = 8 + 43.5 x 0.7 = 38.45
    assert parts["interviews"] == 8 and parts["commitment"] == pytest.approx(7)
    assert sum(parts.values()) == pytest.approx(38.45)
    assert summarize(two).grade == 38
    # five interviews would add 12 points and lift the other 43.5 from x0.7 to x1: +25.05
    assert summarize(two).to_raise[0] == "Interview 3 more people (up to +25)"
    assert suggested_confidence(0, {}) == (0.15, 0.55)
    assert suggested_confidence(100, {}) == (0.65, 0.85)


def test_flags():
    biased = [
        _interview(f"{i}.md", counts={"hypothetical_question": 2}, questions=3, talk=0.6)
        for i in range(2)
    ]
    codes = [f["code"] for f in flags_of(biased)]
    assert codes == [
        "few_interviews",
        "single_segment",
        "mostly_friends",
        "no_disconfirming",
        "no_commitments",
        "mostly_hypothetical",
        "interviewer_talks_too_much",
    ]
    good = [
        _interview(
            f"{i}.md",
            segment=s,
            relationship="stranger",
            counts={"disconfirming": 1, "commitment": 1},
            questions=4,
        )
        for i, s in enumerate(["A", "B", "A", "B", "C"])
    ]
    assert flags_of(good) == []


def test_checklist_counts_the_interviews_that_ticked_each_item_and_can_be_overridden():
    two = [
        _interview("a.md", ticked=("prove_me_wrong", "verbatim")),
        _interview("b.md", ticked=("verbatim",)),
    ]
    summary = summarize(two)
    assert summary.checklist == {
        **dict.fromkeys(CHECKLIST, 0.0),
        "prove_me_wrong": 0.5,
        "verbatim": 1.0,
    }
    # 10 x mean share (0.5 + 1) / 6 = 2.5 points, weighted 0.7 for two interviews = 1.75
    assert summary.grade_parts["checklist"] == pytest.approx(1.75)
    shown = summary.to_dict()["checklist"]
    assert shown["prove_me_wrong"] | {"text": ""} == {
        "text": "",
        "ticked": 1,
        "of": 2,
        "share": 0.5,
    }
    assert shown["last_time"]["ticked"] == 0
    # one interview that ticked nothing is no longer hidden by another that ticked everything
    lazy = [_interview("a.md", ticked=tuple(CHECKLIST)), _interview("b.md")]
    assert set(summarize(lazy).checklist.values()) == {0.5}
    assert not any(summarize(two, ticked={}).checklist.values())
    # every item ticked: 10 points, weighted 0.7 for two interviews
    assert summarize(two, ticked={k: True for k in CHECKLIST}).grade_parts[
        "checklist"
    ] == pytest.approx(7)


def test_example_sets_grade_as_designed():
    good = check_notes(
        [EXAMPLES / "interviews" / f"ticket-triage-0{i}.md" for i in range(1, 6)]
    ).summary
    biased = check_notes(sorted((EXAMPLES / "interviews").glob("churn-prediction-*.md"))).summary
    zh = check_notes(sorted((EXAMPLES / "interviews").glob("cs-intent-classifier-*.md"))).summary
    assert good["grade"] >= 80 and good["flags"] == []
    assert biased["grade"] <= 25
    assert {
        "mostly_friends",
        "no_disconfirming",
        "no_commitments",
        "interviewer_talks_too_much",
    } <= {f["code"] for f in biased["flags"]}
    # the good notes heard real disconfirmation ("not a priority for us this year"), so they
    # suggest a middling confidence, but a narrower and higher one than the biased notes
    (good_low, good_high), (low, high) = (
        good["suggested_confidence"],
        biased["suggested_confidence"],
    )
    assert good_low + good_high > low + high and good_high - good_low < high - low
    assert zh["counts"]["past_specific"] >= 3 and zh["counts"]["disconfirming"] >= 1


def test_json_shape_matches_design_section_6():
    data = json.loads(check_notes([EXAMPLES / "interviews"]).to_json())
    assert set(data) == {"interviews", "summary"}
    for interview in data["interviews"]:
        assert {"file", "findings", "talk_ratio", "score"} <= set(interview)
        for finding in interview["findings"]:
            assert {"line", "category", "text", "advice"} <= set(finding)
    summary = data["summary"]
    assert {"interviews", "grade", "suggested_confidence", "flags"} <= set(summary)
    assert summary["interviews"] == 10 and 0 <= summary["grade"] <= 100
    low, high = summary["suggested_confidence"]
    assert 0 <= low <= high <= 1


def test_html_escapes_notes_text(notes):
    path = notes(
        "Q: <script>alert(1)</script> Would you use it?\nA: <img src=x onerror=alert(1)> I love it.\n"
    )
    out = report_html(check_notes([path]))
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "compliment" in out


# ----------------------------------------------------------------- command line


def test_cli_text_report(capsys):
    assert main(["check-notes", str(EXAMPLES / "interviews" / "churn-prediction-01.md")]) == 0
    out = capsys.readouterr().out
    assert "! line 16   leading_question" in out
    assert "talk ratio" in out and "evidence grade" in out and "suggested confidence" in out
    assert "Flags:" in out and "To raise the grade:" in out


def test_cli_json(capsys):
    assert (
        main(["check-notes", str(EXAMPLES / "interviews" / "ticket-triage-01.md"), "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["interviews"] == 1


def test_cli_missing_file_exits_2_with_one_line(capsys, tmp_path):
    assert main(["check-notes", str(tmp_path / "nope.md")]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip() == f"mlpm: error: {tmp_path / 'nope.md'}: no such notes file; check the path."
    )


# ----------------------------------------------------------------- bad input


def test_no_front_matter_is_read_with_a_note(notes):
    interview = check_notes([notes("Q: Would you use it?\nA: Yes.\n")]).interviews[0]
    assert interview.relationship is None and len(interview.utterances) == 2
    assert "no front matter" in interview.notes[0]


def test_no_speaker_tags_reads_question_marks(notes):
    interview = check_notes(
        [notes("# Notes\nWould you use a tool like this?\nI would definitely use that.\n")]
    ).interviews[0]
    assert [u.speaker for u in interview.utterances] == ["question", "answer"]
    assert [f.category for f in interview.findings] == ["hypothetical_question", "future_promise"]
    assert any("no speaker tags" in n for n in interview.notes)


def test_empty_file(notes):
    path = notes("  \n\n")
    with pytest.raises(InputError, match="is empty; write the interview notes in it") as exc:
        check_notes([path])
    assert exc.value.file == path


def test_huge_file_is_refused_before_reading(notes):
    path = notes("A: We always do it by hand.\n" * 400_000)  # about 11 MB
    with pytest.raises(
        InputError, match=r"is 1\d\.\d MB; notes of one interview are a small text file"
    ):
        check_notes([path])


def test_non_utf8(notes):
    path = notes("Q: 你会用吗？\n", encoding="gbk")
    with pytest.raises(
        InputError, match=r"n\.md: is not UTF-8 text \(byte \d+\); save it as UTF-8"
    ):
        check_notes([path])


def test_mixed_languages_use_each_line_s_rules(notes):
    path = notes(
        FRONT
        + "Q: Would you use it?\n答：我肯定会用的。\nA: 说实话，这个问题不算大。\nA: Honestly, it's not a big deal.\n"
    )
    findings = check_notes([path]).findings
    assert findings["category"].tolist() == [
        "hypothetical_question",
        "future_promise",
        "disconfirming",
        "disconfirming",
    ]
    assert findings["advice"].iloc[1].startswith("对将来的承诺")


def test_broken_front_matter(notes):
    with pytest.raises(InputError, match="no closing `---` line"):
        check_notes([notes("---\ninterviewee: Ana\nQ: hi\n")])
    with pytest.raises(InputError, match=r"line 2: the front matter is not valid YAML"):
        check_notes([notes("---\ninterviewee: [Ana\n---\nQ: hi\n")])
    with pytest.raises(InputError, match="must be `key: value` lines"):
        check_notes([notes("---\n- a\n---\nQ: hi\n")])


def test_unknown_relationship_and_checklist_items_become_notes(notes):
    path = notes(
        "---\nrelationship: cousin\nchecklist:\n  prove_me_wrong: yes\n  bribed_them: true\n---\nQ: hi\n"
    )
    interview = check_notes([path]).interviews[0]
    assert interview.relationship is None and interview.checklist["prove_me_wrong"] is True
    assert any("cousin" in n for n in interview.notes) and any(
        "bribed_them" in n for n in interview.notes
    )


def test_no_notes_given(tmp_path):
    with pytest.raises(InputError, match="no interview notes given"):
        check_notes([tmp_path])


# ----------------------------------------------------------------- the idea's confidence


IDEA = """title: T
pain: {frequency: 3, severity: 3}
value: {users: 10, adoption: 0.5, hours_saved_per_user_week: 1, hourly_cost: 50}
cost: {team_week_cost: 4000, mvp_weeks: 4}
evidence:
  interviews: [{notes}]
"""


def test_confidence_comes_from_the_notes_when_not_stated(tmp_path):
    for i in (1, 2, 3):
        shutil.copy(EXAMPLES / "interviews" / f"ticket-triage-0{i}.md", tmp_path / f"n{i}.md")
    (tmp_path / "ideas").mkdir()
    idea_path = tmp_path / "ideas" / "t.yaml"
    idea_path.write_text(IDEA.replace("{notes}", "../n1.md, ../n2.md, ../n3.md"), encoding="utf-8")
    estimate, source = confidence_of(load_idea(idea_path))
    summary = check_notes([tmp_path / f"n{i}.md" for i in (1, 2, 3)]).summary
    assert [estimate.low, estimate.high] == summary["suggested_confidence"] and estimate.share
    assert source == f"from 3 interview notes (evidence grade {summary['grade']}/100)"


def test_a_stated_confidence_is_still_checked_against_its_notes(tmp_path):
    # DESIGN section 9: the notes bound a stated confidence, so they must exist.
    idea_path = tmp_path / "t.yaml"
    idea_path.write_text(
        IDEA.replace("{notes}", "missing.md") + "  confidence: 0.7\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="'missing.md' does not exist"):
        confidence_of(load_idea(idea_path))


def test_missing_notes_file_names_idea_field_and_fix(tmp_path):
    idea_path = tmp_path / "t.yaml"
    idea_path.write_text(IDEA.replace("{notes}", "notes/gone.md"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        confidence_of(load_idea(idea_path))
    assert exc.value.file == str(idea_path) and exc.value.field == "evidence.interviews[0]"
    assert f"'notes/gone.md' does not exist (resolved against {tmp_path.resolve()})" in str(
        exc.value
    )
    assert "Fix the path" in str(exc.value)


def test_example_ideas_score_with_confidence_from_notes(capsys):
    assert main(["score", str(EXAMPLES / "ideas" / "ticket-triage.yaml"), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["confidence_source"].startswith("from 5 interview notes (evidence grade ")


# ----------------------------------------------------------------- notebook


@pytest.mark.kernel
def test_notebook_runs_with_parameters(tmp_path, monkeypatch):
    import papermill

    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "02_interview_bias_check.ipynb"),
        str(out),
        parameters={"idea_path": "", "notes": ["../examples/interviews/churn-prediction-01.md"]},
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    html = "".join(
        "".join(o.get("data", {}).get("text/html", ""))
        for c in nb["cells"]
        for o in c.get("outputs", [])
    )
    assert "leading question" in html and "Evidence grade" in html
    assert any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        for c in nb["cells"]
        for o in c.get("outputs", [])
    )


def test_plain_name_tags_from_the_front_matter(notes):
    path = notes(
        "---\ninterviewer: Dana Lee\ninterviewee: Priya Raman\n---\nContext: met at a meetup.\n"
        "Dana: Would you use it?\nPriya: Last Tuesday we lost two hours.\n"
    )
    interview = check_notes([path]).interviews[0]
    assert [(u.speaker, u.text) for u in interview.utterances] == [
        ("question", "Would you use it?"),
        ("answer", "Last Tuesday we lost two hours."),
    ]


def test_idea_may_list_only_notes_files(tmp_path):
    idea_path = tmp_path / "t.yaml"
    idea_path.write_text(IDEA.replace("{notes}", "../secrets.env"), encoding="utf-8")
    with pytest.raises(
        InputError, match=r"evidence\.interviews\[0\]: '\.\./secrets\.env' is not interview notes"
    ):
        confidence_of(load_idea(idea_path))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Q: ", "A: ", "问：", "答：", "**Me:** ", "", "# ", "---\n"]), max_size=8
    ),
    st.lists(st.text(max_size=60), max_size=8),
)
def test_any_text_reads_without_crashing(tmp_path_factory, tags, texts):
    path = tmp_path_factory.mktemp("h") / "n.md"
    path.write_text(
        "\n".join(t + x for t, x in zip(tags, texts, strict=False)) + "\nA: ok", encoding="utf-8"
    )
    try:
        report = check_notes([path])
    except InputError as exc:  # a clear message is a fine answer (an unclosed front matter, say)
        assert "front matter" in str(exc)
        return
    interview = report.interviews[0]
    assert 0 <= interview.score <= 100
    assert interview.talk_ratio is None or 0 <= interview.talk_ratio <= 1
    low, high = report.summary["suggested_confidence"]
    assert 0.05 <= low <= high <= 0.95 and 0 <= report.summary["grade"] <= 100
    json.loads(report.to_json())


def test_notes_are_graded_once_per_version_of_the_files(tmp_path, monkeypatch):
    import shutil

    import mlpm_kit.model.inputs as inputs
    from mlpm_kit import load_idea, score

    examples = ROOT / "examples"
    shutil.copytree(examples / "ideas", tmp_path / "ideas")
    shutil.copytree(examples / "interviews", tmp_path / "interviews")
    calls = []
    real = inputs.check_notes
    monkeypatch.setattr(inputs, "check_notes", lambda *a, **k: calls.append(a) or real(*a, **k))
    idea = load_idea(tmp_path / "ideas" / "ticket-triage.yaml")
    first = score([idea]).loc[0, "confidence"]
    score([idea])
    assert len(calls) == 1
    note = tmp_path / "interviews" / "ticket-triage-01.md"
    note.write_text(
        note.read_text(encoding="utf-8") + "\nA: Honestly it is not a big deal for us.\n",
        encoding="utf-8",
    )
    score([idea])
    assert len(calls) == 2  # the changed notes are checked again
    assert 0 < first < 1
