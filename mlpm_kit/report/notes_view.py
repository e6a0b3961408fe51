"""Showing a notes check to people: the terminal report, the HTML view, the checklist widgets,
and the review buttons that write the PM's marks into the notes.

Everything here only presents what `interviews` and `interview_grade` computed, except the
review: each click on "right" / "wrong" / "tag it" writes a mark (`{ok: c}`, `{not: c}`,
`{c}`) into the notes file atomically (`interviews.marks.write_mark`), checks the notes again
and redraws the grade, so the file stays the one record of what the PM decided and the CLI
and the report read the same marks. Notes text is untrusted: the HTML view escapes every
string it shows.
"""

from __future__ import annotations

from pathlib import Path

from mlpm_kit.errors import InputError
from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.formatting import html_text, plain_text, shorten
from mlpm_kit.interviews.grade import CHECKLIST, summarize
from mlpm_kit.interviews.marks import mark_text, write_mark
from mlpm_kit.interviews.notes import Interview, NotesReport, check_notes
from mlpm_kit.interviews.rules import CATEGORIES, kind_of
from mlpm_kit.model.inputs import interview_paths

# One colour per category: warm for warnings, green/blue for good signals.
COLORS = {
    "leading_question": "#f8c9c4",
    "hypothetical_question": "#fbd9b0",
    "pitching": "#f6c6e6",
    "compliment": "#fde9a9",
    "future_promise": "#f3d3f5",
    "generic_claim": "#e6e0c8",
    "feature_request": "#d9d4f5",
    "past_specific": "#c8ecc9",
    "commitment": "#a9e3d2",
    "workaround": "#cde7f7",
    "disconfirming": "#b9dcff",
}
LABELS = {c: c.replace("_", " ") for c in CATEGORIES}


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _who(i: Interview) -> str:
    parts = [str(i.meta.get(k)) for k in ("interviewee", "role", "company") if i.meta.get(k)]
    parts += [p for p in (i.segment, i.relationship) if p]
    return ", ".join(parts)


def notes_report_text(report: NotesReport) -> str:
    """The readable report of `mlpm check-notes`: per interview, then the summary."""
    out = []
    for i in report.interviews:
        out.append(f"{i.file}" + (f"  ({_who(i)})" if _who(i) else ""))
        out.append(
            f"  talk ratio {_pct(i.talk_ratio)} (interviewer's share of words) · score {i.score}/100"
        )
        for note in i.notes:
            out.append(f"  note: {note}")
        for f in i.findings:
            mark = "!" if f.kind == "warning" else "+"
            text = shorten(f.text, 90)
            out.append(f"  {mark} line {f.line:<4} {f.category:<22} {text}{_by(f)}")
            out.append(f"{'':<14}-> {f.advice}")
        for f in i.dismissed:
            out.append(f"  x line {f.line:<4} {f.category:<22} dismissed by a person")
        if not i.findings:
            out.append("  no flagged lines")
        out.append("")
    s = report.summary
    low, high = s["suggested_confidence"]
    out.append(
        f"{s['interviews']} interview{'s' if s['interviews'] != 1 else ''} · evidence grade {s['grade']}/100 · "
        f"suggested confidence {low:.2f} to {high:.2f}"
    )
    warn = sum(n for c, n in s["counts"].items() if kind_of(c) == "warning")
    good = sum(n for c, n in s["counts"].items() if kind_of(c) == "good")
    out.append(
        f"{warn} warning{'s' if warn != 1 else ''} (!), {good} good signal{'s' if good != 1 else ''} (+)"
    )
    out.append(sources_sentence(s["sources"]))
    out.append("What would prove us wrong, and what we heard:")
    out += [f"  - {quote_line(d)}" for d in s["disconfirming"]] or [f"  {NOTHING_DISCONFIRMS}"]
    if s["flags"]:
        out.append("Flags:")
        out += [f"  - {f['message']}" for f in s["flags"]]
    out.append("Checklist (interviews that ticked each item):")
    out += [f"  [{v['ticked']}/{v['of']}] {v['text']}" for v in s["checklist"].values()]
    if s["to_raise"]:
        out.append("To raise the grade:")
        out += [f"  - {t}" for t in s["to_raise"]]
    return plain_text("\n".join(out))


NOTHING_DISCONFIRMS = (
    "nothing yet: ask when the problem did not matter, and what they would rather fix first."
)


def _by(f) -> str:
    """How a finding was judged, when a person or the classifier had a hand in it."""
    if f.source == "person":
        return "  [tagged by a person]"
    who = " (classifier)" if f.source == "model" else ""
    return "  [confirmed]" + who if f.confirmed else ("  [classifier]" if who else "")


def quote_line(d: dict) -> str:
    """A disconfirming line as quoted in the summary: its text, file and line."""
    return f'"{shorten(d["text"], 110)}" ({Path(d["file"]).name}, line {d["line"]})'


def sources_sentence(sources: dict[str, int]) -> str:
    """Who found the findings: "12 findings by the checker (10 rules, 2 classifier), 1 by a person; ..."."""
    checker = sources["rules"] + sources["model"]
    model = (
        f" ({sources['rules']} rules, {sources['model']} classifier)" if sources["model"] else ""
    )
    return (
        f"{checker} finding{'s' if checker != 1 else ''} by the checker{model}, "
        f"{sources['person']} tagged by a person; {sources['confirmed']} confirmed and "
        f"{sources['dismissed']} dismissed by a person."
    )


def legend_html() -> str:
    chips = "".join(
        f'<span style="background:{COLORS[c]};padding:1px 6px;margin:2px;border-radius:3px;display:inline-block">'
        f"{'⚠ ' if kind_of(c) == 'warning' else '✓ '}{LABELS[c]}</span>"
        for c in CATEGORIES
    )
    return f'<div class="mlpm-legend">{chips}</div>'


def interview_html(interview: Interview) -> str:
    """One interview's lines, each flagged line highlighted by its first category, advice beside it."""
    by_line: dict[int, list] = {}
    for f in interview.findings:
        by_line.setdefault(f.line, []).append(f)
    e = html_text
    rows = []
    for u in interview.utterances:
        found = by_line.get(u.line, [])
        color = COLORS[found[0].category] if found else "transparent"
        tags = " ".join(
            f'<span title="{e(f.advice)}" style="background:{COLORS[f.category]};border:1px solid #999;'
            f'padding:0 4px;border-radius:3px;font-size:85%">{e(LABELS[f.category])}</span>'
            for f in found
        )
        advice = "<br>".join(e(f.advice) for f in found)
        who = "Q" if u.speaker == "question" else "A"
        rows.append(
            f'<tr><td style="color:#888;text-align:right">{u.line}</td><td><b>{who}</b></td>'
            f'<td style="background:{color}">{e(u.text)}</td><td>{tags}'
            f"{'<br><small>' + advice + '</small>' if advice else ''}</td></tr>"
        )
    notes = "".join(f"<li>{e(n)}</li>" for n in interview.notes)
    head = (
        f"<h4>{e(Path(interview.file).name)}</h4><p>{e(_who(interview))}<br>talk ratio "
        f"{_pct(interview.talk_ratio)} · score {interview.score}/100</p>"
    )
    return (
        f'<div class="mlpm-interview">{head}{"<ul>" + notes + "</ul>" if notes else ""}'
        f'<table style="border-collapse:collapse">{"".join(rows)}</table></div>'
    )


def report_html(report: NotesReport) -> str:
    """Every interview of the report, with a legend of the categories."""
    return legend_html() + "".join(interview_html(i) for i in report.interviews)


def grade_html(summary: dict) -> str:
    """The grade, the suggested confidence, the flags and what would raise the grade."""
    e = html_text
    low, high = summary["suggested_confidence"]
    flags = "".join(f"<li>{e(f['message'])}</li>" for f in summary["flags"])
    raise_ = "".join(f"<li>{e(t)}</li>" for t in summary["to_raise"])
    heard = "".join(f"<li>{e(quote_line(d))}</li>" for d in summary["disconfirming"])
    return (
        f"<h3>Evidence grade {summary['grade']}/100</h3>"
        f"<p>Suggested confidence that the problem is real: {low:.2f} to {high:.2f} "
        f"({summary['interviews']} interviews)</p><p>{e(sources_sentence(summary['sources']))}</p>"
        f"<p><b>What would prove us wrong, and what we heard</b></p>"
        + (f"<ul>{heard}</ul>" if heard else f"<p>{e(NOTHING_DISCONFIRMS)}</p>")
        + (f"<p><b>Flags</b></p><ul>{flags}</ul>" if flags else "")
        + (f"<p><b>What would raise the grade</b></p><ul>{raise_}</ul>" if raise_ else "")
    )


def checklist_widget(report: NotesReport):
    """Checkboxes for the checklist; ticking one re-grades the notes and redraws the grade."""
    import ipywidgets as widgets

    boxes = {
        key: widgets.Checkbox(
            value=report.summary["checklist"][key]["share"] == 1,
            description=text,
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        for key, text in CHECKLIST.items()
    }
    shown = widgets.HTML(grade_html(report.summary))

    def redraw(_change=None) -> None:
        ticked = {k: b.value for k, b in boxes.items()}
        shown.value = grade_html(summarize(report.interviews, ticked).to_dict())

    for box in boxes.values():
        box.observe(redraw, names="value")
    return widgets.VBox([widgets.HTML("<b>Checklist</b>"), *boxes.values(), shown])


def review_widget(report: NotesReport, model: bool = False):
    """Buttons that confirm or dismiss each finding, and a row that tags a missed category."""
    import ipywidgets as widgets

    files = [i.file for i in report.interviews]
    shown = widgets.HTML(grade_html(report.summary))

    def marker(path: str, line: int, kind: str, category: str | None, said: widgets.HTML):
        def click(_button=None) -> None:
            try:
                write_mark(path, line, kind, category)
            except (InputError, OSError) as exc:
                said.value = f"<span style='color:#b00'>{html_text(str(exc))}</span>"
                return
            said.value = f"wrote <code>{html_text(mark_text(kind, category))}</code>"
            shown.value = grade_html(check_notes(files, model=model).summary)

        return click

    rows = []
    for i in report.interviews:
        name = Path(i.file).name
        for f in i.findings:
            said = widgets.HTML()
            right = widgets.Button(description="right", icon="check", layout={"width": "90px"})
            wrong = widgets.Button(description="wrong", icon="times", layout={"width": "90px"})
            right.on_click(marker(i.file, f.line, "ok", f.category, said))
            wrong.on_click(marker(i.file, f.line, "not", f.category, said))
            text = html_text(f"{name}:{f.line} {LABELS[f.category]} ({f.source}): ")
            rows.append(
                widgets.HBox(
                    [
                        widgets.HTML(f"{text}<i>{html_text(shorten(f.text, 80))}</i>"),
                        right,
                        wrong,
                        said,
                    ]
                )
            )
    lines = widgets.Dropdown(
        options=[
            (f"{Path(i.file).name}:{u.line} {shorten(u.text, 60)}", (i.file, u.line))
            for i in report.interviews
            for u in i.utterances
        ],
        description="line",
    )
    category = widgets.Dropdown(options=[(LABELS[c], c) for c in CATEGORIES], description="is")
    tag = widgets.Button(description="tag it", icon="tag")
    tagged = widgets.HTML()
    tag.on_click(
        lambda _b: (
            lines.value and marker(lines.value[0], lines.value[1], "add", category.value, tagged)()
        )
    )
    return widgets.VBox(
        [
            widgets.HTML(
                "<b>Review the findings</b> (each click writes a mark into the notes file)"
            ),
            *rows,
            widgets.HTML("<b>Tag a line the checker missed</b>"),
            widgets.HBox([lines, category, tag, tagged]),
            shown,
        ]
    )


def show_notes_check(
    idea_path: str | Path | None = None, notes=None, model: bool = False
) -> NotesReport:
    """The notebook view: the notes with flagged lines highlighted, the checklist, the grade,
    and a button per finding that writes the PM's mark into the notes (`review_widget`).

    `notes`: notes files or folders; when empty, the notes the idea file lists in
    `evidence.interviews` (and only those) are read. `model`: add the classifier's findings.
    """
    from IPython.display import HTML, display

    if isinstance(notes, (str, Path)):
        notes = [notes]
    if not notes:
        if idea_path is None:
            raise InputError(
                "give `notes` (files or a folder) or an `idea_path` whose evidence.interviews lists them."
            )
        notes = interview_paths(load_idea(idea_path))
        if not notes:
            raise InputError(f"{idea_path} lists no evidence.interviews; give `notes` instead.")
    report = check_notes(notes, model=model)
    display(HTML(report_html(report)))
    display(HTML(grade_html(report.summary)))  # the static view; the widgets below re-grade live
    display(checklist_widget(report))
    display(review_widget(report, model))
    return report
