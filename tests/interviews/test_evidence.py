"""Evidence you can trust: disconfirmation lowers the confidence, good interviewing is credited,
the PM's marks have the last word, and the grade orders biased < mixed < clean notes."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpm_kit import check_notes
from mlpm_kit.cli import main
from mlpm_kit.errors import InputError
from mlpm_kit.interviews.grade import CHECKLIST, summarize
from mlpm_kit.interviews.interview import Interview, interview_score
from mlpm_kit.interviews.marks import Marks, parse_marks, write_mark
from mlpm_kit.report.notes_view import notes_report_text, review_widget
from mlpm_kit.report.scorecard import scorecard_sections
from tests.conftest import ROOT

CONTRACTS = ROOT / "tests" / "data" / "contract-review"
DISCONFIRMING_LINES = (
    "Honestly, clause review is not our problem",
    "I can't remember one in the last two years.",
    "We'd pay for something that fixes intake, not review.",
)


def _categories(report, text: str) -> set[str]:
    rows = report.findings[report.findings["text"].str.startswith(text)]
    return set(rows["category"])


# ----------------------------------------------------------------- the contract-review example


def test_contract_review_example_comes_out_as_a_careful_interviewer_would_judge_it(tmp_path):
    report = check_notes([CONTRACTS])
    summary = report.summary
    # disconfirmation found, in the stranger's own words, and quoted in the summary
    heard = [d["text"] for d in summary["disconfirming"]]
    assert len(heard) == 3 and all(
        any(h.startswith(line) for h in heard) for line in DISCONFIRMING_LINES
    )
    assert "no_disconfirming" not in {f["code"] for f in summary["flags"]}
    assert "We'd pay for something that fixes intake" not in " ".join(
        report.findings[report.findings["category"] == "future_promise"]["text"]
    )
    # the good questions are good practice, not hypotheticals
    assert _categories(report, "Could we get ten of your anonymised contracts") == set()
    assert _categories(report, "How would you describe what took the longest?") == set()
    assert _categories(report, "I'd love to say we have a good process, but we don't.") == set()
    assert "workaround" in _categories(report, "We have a Word checklist and Ctrl-F")
    assert summary["counts"]["hypothetical_question"] == summary["counts"]["future_promise"] == 0

    # the same notes without the three disconfirming lines suggest a higher confidence
    for f in CONTRACTS.glob("*.md"):
        kept = [
            line
            for line in f.read_text(encoding="utf-8").splitlines()
            if not any(d in line for d in DISCONFIRMING_LINES)
        ]
        (tmp_path / f.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    without = check_notes([tmp_path]).summary
    assert without["counts"]["disconfirming"] == 0
    low, high = summary["suggested_confidence"]
    low0, high0 = without["suggested_confidence"]
    assert low + high < low0 + high0
    assert notes_report_text(report).count("What would prove us wrong, and what we heard:") == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),  # pain lines
            st.integers(0, 6),  # warnings
            st.floats(0.05, 0.6),  # talk ratio
            st.sampled_from(["stranger", "friend"]),
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 4),
)
def test_disconfirming_lines_always_lower_the_suggested_confidence(shape, extra):
    def interview(i, pain, warnings, talk, rel, disconfirming):
        counts = {"past_specific": pain, "compliment": warnings, "disconfirming": disconfirming}
        return Interview(
            f"{i}.md",
            {"relationship": rel, "segment": "A"},
            [],
            [],
            talk,
            counts,
            interview_score(counts, talk),
            dict.fromkeys(CHECKLIST, True),
        )

    plain = [interview(i, *s, 0) for i, s in enumerate(shape)]
    heard = [interview(i, *s, extra if i == 0 else 0) for i, s in enumerate(shape)]
    low0, high0 = summarize(plain).suggested_confidence
    low, high = summarize(heard).suggested_confidence
    assert low <= low0 and high <= high0 and low + high < low0 + high0


# ----------------------------------------------------------------- grade ordering

FRONT = (
    "---\ninterviewee: Sam\nsegment: {seg}\nrelationship: stranger\n"
    "checklist: [prove_me_wrong, last_time]\n---\n"
)
BIASED = """Q: Isn't chasing invoices a total nightmare?
A: Yes, it always is, everyone hates it.
Q: We're building an app that chases them automatically.
A: That sounds amazing, great idea.
Q: Would you use it?
A: We'd definitely use it.
"""
MIXED = """Q: Isn't chasing invoices a total nightmare?
A: Yes, it always is, everyone hates it.
Q: When did it last go wrong?
A: Last Tuesday a client paid 40 days late and we missed payroll by a day.
Q: Would you use a tool for it?
A: We'd definitely use it.
"""
CLEAN = """Q: When did chasing an invoice last go wrong?
A: Last Tuesday a client paid 40 days late and we missed payroll by a day.
Q: What do you do about it today?
A: We keep a spreadsheet of due dates and I ring them on day 31.
Q: When does it not matter?
A: For our big clients it's not really a problem, they pay on time.
Q: Could we see last quarter's ledger, anonymised?
A: Sure, I'll email it to you by Friday.
"""


@pytest.mark.parametrize("segments", [("A", "A", "A"), ("A", "B", "C")])
def test_grade_orders_biased_below_mixed_below_clean_with_the_same_front_matter(tmp_path, segments):
    grades = []
    for name, body in (("biased", BIASED), ("mixed", MIXED), ("clean", CLEAN)):
        folder = tmp_path / name
        folder.mkdir()
        for i, seg in enumerate(segments):
            (folder / f"{i}.md").write_text(FRONT.format(seg=seg) + body, encoding="utf-8")
        grades.append(check_notes([folder]).summary["grade"])
    biased, mixed, clean = grades
    assert biased < mixed < clean


# ----------------------------------------------------------------- marks


def test_parse_marks_strips_and_reads_them():
    text, marks, problems = parse_marks(
        "We'd never pay for that. {disconfirming} {not: future_promise} {ok}"
    )
    assert text == "We'd never pay for that."
    assert marks == Marks(frozenset({"disconfirming"}), frozenset({"future_promise"}), ok_all=True)
    assert parse_marks("No marks {here, really}")[1] == Marks()  # not a mark: kept as text
    text, marks, problems = parse_marks("Fine. {disconfirmng}")
    assert text == "Fine." and not marks
    assert problems and "did you mean {disconfirming}" in problems[0]
    # categories may be written with spaces or dashes, any case
    assert parse_marks("x {Past Specific} {ok: future-promise}")[1] == Marks(
        frozenset({"past_specific"}), ok=frozenset({"future_promise"})
    )


NOTES = """---
interviewee: Ana
segment: SMB
relationship: customer
---
Q: Would you use a tool that routes tickets?
A: We'd definitely use it. {not: future_promise}
A: It's a nice-to-have for us, honestly, volume is low this year.
A: Our intake form is the real bottleneck. {disconfirming}
Q: When did routing last go wrong? {ok}
A: Last Tuesday we lost two hours on it. {ok: past_specific}
A: The dashboard looks amazing. {funny}
"""


def test_marks_override_the_checker_and_are_counted_by_source(tmp_path, capsys):
    path = tmp_path / "n.md"
    path.write_text(NOTES, encoding="utf-8")
    report = check_notes([path])
    interview = report.interviews[0]
    by_line = {(f.line, f.category): f for f in interview.findings}
    # line 7: the checker's future_promise is dismissed by the PM
    assert (7, "future_promise") not in by_line
    assert [(f.line, f.category, f.source) for f in interview.dismissed] == [
        (7, "future_promise", "rules")
    ]
    # line 9: a category the checker missed, tagged by a person
    assert by_line[(9, "disconfirming")].source == "person"
    assert by_line[(9, "disconfirming")].text == "Our intake form is the real bottleneck."
    # line 11: confirmed by a person, found by the rules
    assert (
        by_line[(11, "past_specific")].source == "rules"
        and by_line[(11, "past_specific")].confirmed
    )
    # line 12: an unknown mark is reported and ignored; the checker's finding stands
    assert by_line[(12, "compliment")].source == "rules"
    assert any("line 12: mark {funny}" in n for n in interview.notes)
    sources = report.summary["sources"]
    assert sources["person"] == 1 and sources["dismissed"] == 1 and sources["confirmed"] >= 2
    checker = sources["rules"] + sources["model"]
    assert checker == len(interview.findings) - 1
    text = notes_report_text(report)
    assert f"{checker} findings by the checker, 1 tagged by a person" in text
    assert "dismissed by a person" in text and "[tagged by a person]" in text

    assert main(["check-notes", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    found = data["interviews"][0]["findings"]
    assert {f["source"] for f in found} == {"rules", "person"}
    assert data["interviews"][0]["dismissed"][0]["category"] == "future_promise"
    assert data["summary"]["sources"] == sources


def test_write_mark_adds_the_mark_atomically_and_keeps_the_rest(tmp_path):
    path = tmp_path / "n.md"
    path.write_bytes(NOTES.replace("\n", "\r\n").encode("utf-8"))
    before = path.read_bytes().split(b"\r\n")
    assert write_mark(path, 6, "not", "hypothetical_question") == (
        "Q: Would you use a tool that routes tickets? {not: hypothetical_question}"
    )
    # a later decision about the same category replaces the earlier one; others stay
    assert (
        write_mark(path, 7, "add", "future_promise")
        == "A: We'd definitely use it. {future_promise}"
    )
    assert write_mark(path, 10, "ok") == "Q: When did routing last go wrong? {ok}"
    after = path.read_bytes().split(b"\r\n")
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [5, 6]  # lines 6 and 7; line 10 already had {ok}
    assert not list(tmp_path.glob(".n.md.*"))  # no temporary file left behind
    report = check_notes([path])
    assert report.summary["counts"]["hypothetical_question"] == 0
    assert report.interviews[0].dismissed[0].category == "hypothetical_question"
    with pytest.raises(InputError, match="has no line 99"):
        write_mark(path, 99, "ok")
    with pytest.raises(InputError, match="not a category"):
        write_mark(path, 6, "add", "pitchin")


def test_marks_survive_a_copy_and_a_folder_check(tmp_path):
    shutil.copy(CONTRACTS / "contract-review-03.md", tmp_path / "a.md")
    write_mark(tmp_path / "a.md", 23, "not", "workaround")
    found = check_notes([tmp_path]).findings
    assert not ((found["line"] == 23) & (found["category"] == "workaround")).any()


def test_the_report_quotes_what_we_heard_and_says_who_found_the_findings(tmp_path):
    notes = tmp_path / "interviews"
    shutil.copytree(CONTRACTS, notes)
    write_mark(notes / "contract-review-03.md", 23, "ok")
    lines = (
        (ROOT / "examples" / "ideas" / "ticket-triage.yaml").read_text(encoding="utf-8").split("\n")
    )
    i = next(n for n, line in enumerate(lines) if line.startswith("  interviews:"))
    j = next(n for n in range(i + 1, len(lines)) if not lines[n].startswith("    - "))
    files = ", ".join(f"interviews/{f.name}" for f in sorted(notes.glob("*.md")))
    lines[i:j] = [f"  interviews: [{files}]"]
    (tmp_path / "idea.yaml").write_text("\n".join(lines), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "ideas" / "mlpm.yaml", tmp_path)  # the shared numbers
    html = "".join(scorecard_sections(tmp_path / "idea.yaml", draws=0))
    assert "What would prove us wrong, and what we heard" in html
    assert "clause review is not our problem" in html
    assert "findings by the checker" in html and "1 confirmed" in html


def test_notebook_review_buttons_write_marks_into_the_notes(tmp_path):
    widgets = pytest.importorskip("ipywidgets")
    path = tmp_path / "n.md"
    path.write_text(NOTES, encoding="utf-8")
    report = check_notes([path])
    box = review_widget(report)
    rows = [c for c in box.children if isinstance(c, widgets.HBox)]
    *finding_rows, tag_row = rows
    assert len(finding_rows) == len(report.interviews[0].findings)
    first = report.interviews[0].findings[0]  # line 6, hypothetical_question
    finding_rows[0].children[2].click()  # "wrong"
    assert (
        path.read_text(encoding="utf-8")
        .splitlines()[first.line - 1]
        .endswith(f"{{not: {first.category}}}")
    )
    assert "wrote" in finding_rows[0].children[3].value
    lines, category, tag, _said = tag_row.children
    lines.value = (str(path), 8)
    category.value = "workaround"  # a category the checker did not find on line 8
    tag.click()
    again = check_notes([path])
    assert again.summary["counts"]["hypothetical_question"] == 0
    assert {(f.category, f.source) for f in again.interviews[0].findings if f.line == 8} == {
        ("disconfirming", "rules"),
        ("workaround", "person"),
    }
    assert "Evidence grade" in box.children[-1].value


def test_a_comment_over_several_lines_is_not_read_as_speech(tmp_path):
    path = tmp_path / "n.md"
    path.write_text(
        "Q: When did it last happen?\nA: Last Tuesday.\n<!-- an example:\nA: We'd definitely buy it.\n-->\n",
        encoding="utf-8",
    )
    interview = check_notes([path]).interviews[0]
    assert [u.line for u in interview.utterances] == [1, 2]
    assert interview.counts["future_promise"] == 0
