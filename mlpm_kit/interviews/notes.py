"""Interview notes: reading them, and the confirmation-bias check of each one.

This module owns the notes format (`templates/interview.md`): an optional YAML front matter
(interviewee, role, segment, company, relationship, date, idea, checklist) and speaker-tagged
lines (`Q:` / `A:`, `**Interviewer:**` / `**Name:**`, `问：` / `答：`). It reads each file
safely (UTF-8, at most 5 MB), finds who says what, classifies every line with
`interview_rules.classify_line` (plus, on request, the trained classifier of
`interview_model`), and measures each interview. `check_notes` is the entry
point; the grade across interviews lives in `interview_grade`.

Per interview:

- `talk_ratio`: the interviewer's share of the words spoken (a CJK character counts as a
  word). Above one third, the interviewer is talking instead of listening.
- `score` 0-100: `round(100 * (good + 1) / (good + warnings + 2))`, where `good` and
  `warnings` count the findings of each kind, minus 10 when `talk_ratio` > 1/3, kept in
  [0, 100]. With no findings at all it is 50: the notes say nothing either way.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from mlpm_kit.errors import InputError
from mlpm_kit.idea.limits import MAX_NOTES_BYTES
from mlpm_kit.idea.safe_yaml import YamlRefused, check_yaml
from mlpm_kit.idea.text_files import TextKind, linked_outside, read_text
from mlpm_kit.interviews.classifier import BiasModel, default_model
from mlpm_kit.interviews.grade import CHECKLIST, Summary, checklist_item, summarize
from mlpm_kit.interviews.interview import (
    RELATIONSHIPS,
    Finding,
    Interview,
    Utterance,
    interview_score,
)
from mlpm_kit.interviews.marks import finding_source, parse_marks
from mlpm_kit.interviews.rules import (
    ANSWER,
    CATEGORIES,
    QUESTION,
    RuleSet,
    classify_line,
    detect_language,
    rule_sets,
)

MAX_FINDING_CHARS = 500
INTERVIEWER_NAMES = {
    "interviewer",
    "me",
    "i",
    "pm",
    "q",
    "问",
    "我",
    "采访者",
    "访谈者",
    "访谈人",
    "采访人",
    "主持人",
}
INTERVIEWEE_NAMES = {"a", "答", "interviewee", "customer", "user", "受访者", "客户", "用户"}
TEMPLATE_HINT = "see templates/interview.md for the format"

_QA_TAG = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(Q|A|问|答)(?:\*\*|__)?\s*[:：.．](?:\*\*|__)?\s*(.*)$",
    re.IGNORECASE,
)
_BOLD_TAG = re.compile(
    r"^\s*(?:[-*+]\s+)?\*\*([^*\n:：]{1,40}?)\s*(?:[:：]\s*\*\*|\*\*\s*[:：])\s*(.*)$"
)
_PLAIN_TAG = re.compile(r"^\s*(?:[-*+]\s+)?([^\W\d][\w .'-]{0,30}?)\s*[:：]\s*(.+)$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_HAN}]|(?:(?![{_HAN}])\w)+(?:['’](?:(?![{_HAN}])\w)+)*")


def word_count(text: str) -> int:
    """Words in a line; each Chinese character counts as one word."""
    return len(_WORD.findall(text))


NOTES_TEXT = TextKind(
    MAX_NOTES_BYTES,
    missing="no such notes file; check the path.",
    not_file="is not a file; give interview notes (.md) or a folder of them.",
    too_big=(
        f"notes of one interview are a small text file (under {MAX_NOTES_BYTES / 1e6:.0f} MB). "
        "Split it into one file per interview."
    ),
)


def read_notes_text(path: Path) -> str:
    """The file's text, or an `InputError` naming the file and the fix."""
    text = read_text(path, NOTES_TEXT)
    if not text.strip():
        raise InputError(
            f"is empty; write the interview notes in it ({TEMPLATE_HINT}).", file=str(path)
        )
    return text


def split_front_matter(text: str, name: str) -> tuple[dict, list[str], int, list[str]]:
    """(front matter, body lines, line number of the first body line, notes)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return (
            {},
            lines,
            1,
            [f"no front matter (interviewee, segment, relationship ...); {TEMPLATE_HINT}."],
        )
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise InputError(
            "the front matter that starts on line 1 has no closing `---` line; add one after it.",
            file=name,
        )
    front = "\n".join(lines[1:end])
    try:
        check_yaml(front, first_line=2)
    except YamlRefused as exc:
        if exc.syntax is not None:
            line = exc.reason.split(",", 1)[0] + ": " if exc.reason.startswith("line ") else ""
            reason = f"{line}the front matter is not valid YAML ({exc.syntax}); fix it."
        else:
            reason = f"the front matter: {exc.reason}"
        raise InputError(reason, file=name, field=exc.field) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta = YAML(typ="safe").load(front)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 2}: " if mark is not None else ""
        raise InputError(
            f"{where}the front matter is not valid YAML ({exc.problem}); fix it.", file=name
        ) from None
    except YAMLError as exc:
        raise InputError(
            f"the front matter is not valid YAML ({type(exc).__name__}); fix it.", file=name
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(
            "the front matter must be `key: value` lines (interviewee, segment, ...).", file=name
        )
    return {str(k): v for k, v in meta.items()}, lines[end + 1 :], end + 2, []


def _read_checklist(value: object, notes: list[str]) -> dict[str, bool]:
    ticked = {key: False for key in CHECKLIST}
    if value is None:
        return ticked
    items = (
        value.items()
        if isinstance(value, dict)
        else ((v, True) for v in value)
        if isinstance(value, list)
        else None
    )
    if items is None:
        notes.append("checklist: write it as `item: true` lines; ignored.")
        return ticked
    for key, done in items:
        item = checklist_item(str(key))
        if item is None:
            notes.append(
                f"checklist: unknown item {str(key)[:60]!r}; the items are {', '.join(CHECKLIST)}."
            )
        else:
            ticked[item] = str(done).strip().lower() in ("true", "yes", "x", "1", "done", "是")
    return ticked


def _tagged(line: str, known: set[str]) -> tuple[str, str] | None:
    """(speaker name as written, text) when the line starts with a speaker tag.

    `Name: text` without bold counts only for names known to be speakers, so that prose
    such as "Context: ..." is not read as someone talking.
    """
    for pattern in (_QA_TAG, _BOLD_TAG):
        m = pattern.match(line)
        if m:
            return m.group(1).strip(), m.group(2)
    m = _PLAIN_TAG.match(line)
    if m and m.group(1).strip().lower() in known:
        return m.group(1).strip(), m.group(2)
    return None


def _names(value: object) -> set[str]:
    """A person's name and its first word, lower case: "Priya Raman" -> {"priya raman", "priya"}."""
    name = str(value or "").strip().lower()
    return {name, name.split()[0]} if name else set()


def parse_speech(body: list[str], first_line: int, meta: dict) -> tuple[list[Utterance], list[str]]:
    """Who says what, line by line; a line without a tag continues the last speaker."""
    interviewer = _names(meta.get("interviewer"))
    interviewee = _names(meta.get("interviewee"))
    known = INTERVIEWER_NAMES | INTERVIEWEE_NAMES | interviewer | interviewee
    raw: list[tuple[int, str | None, str]] = []  # (line, tag or None for a continuation, text)
    started = False
    for offset, line in enumerate(body):
        number = first_line + offset
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "<!--")) or set(stripped) <= set("-*_=|"):
            if stripped.startswith("#"):
                started = False  # a new section: its prose is context until the next tag
            continue
        tag = _tagged(line, known)
        if tag is not None:
            raw.append((number, tag[0].lower(), tag[1].strip()))
            started = True
        elif started:
            raw.append((number, None, _BULLET.sub("", stripped)))
    notes: list[str] = []
    if not raw:
        return _untagged(body, first_line, notes), notes
    names = [t for _, t, _ in raw if t is not None]
    asking = {n for n in names if n in INTERVIEWER_NAMES or n in interviewer}
    if not asking:
        others = [n for n in names if n not in INTERVIEWEE_NAMES and n not in interviewee]
        first = others[0] if others else names[0]
        asking = {first}
        notes.append(
            f"no speaker is marked as the interviewer; read {first!r} as the interviewer. "
            f"Add `interviewer: {first}` to the front matter if that is wrong."
        )
    out, speaker = [], ANSWER
    for number, tag, text in raw:
        if tag is not None:
            speaker = QUESTION if tag in asking else ANSWER
        text, marks, problems = parse_marks(text)
        notes += [f"line {number}: {p}" for p in problems]
        if text:
            out.append(Utterance(number, speaker, text, marks))
    return out, notes


def _blank_comments(body: list[str]) -> list[str]:
    """The lines with HTML comments (`<!-- ... -->`, over several lines too) blanked out."""
    text = re.sub(
        r"<!--.*?(-->|$)", lambda m: "\n" * m.group(0).count("\n"), "\n".join(body), flags=re.S
    )
    return text.split("\n")


def _untagged(body: list[str], first_line: int, notes: list[str]) -> list[Utterance]:
    out = []
    for offset, line in enumerate(body):
        text = _BULLET.sub("", line.strip())
        if text and not text.startswith(("#", "<!--")) and not set(text) <= set("-*_=|"):
            text, marks, problems = parse_marks(text)
            notes += [f"line {first_line + offset}: {p}" for p in problems]
            speaker = QUESTION if text.rstrip().endswith(("?", "？")) else ANSWER
            out.append(Utterance(first_line + offset, speaker, text, marks))
    if out:
        notes.append(
            "no speaker tags (Q: / A:); read lines ending in '?' as the interviewer's and the rest as "
            "the interviewee's. Tag the lines for a reliable check."
        )
    return out


def _learned(utterances: list[Utterance], model: BiasModel | None) -> list[set[str]]:
    """Per utterance, the categories the trained classifier adds (none without a model)."""
    out: list[set[str]] = [set() for _ in utterances]
    if model is None:
        return out
    for speaker in (QUESTION, ANSWER):
        idx = [i for i, u in enumerate(utterances) if u.speaker == speaker]
        unique = sorted({utterances[i].text for i in idx})
        found = dict(zip(unique, model.categories_many(unique, speaker), strict=True))
        for i in idx:
            out[i] = found[utterances[i].text]
    return out


def check_interview(
    path: str | Path, rules: dict[str, RuleSet] | None = None, model: BiasModel | None = None
) -> Interview:
    """Read one notes file and check every line: the rules, plus the classifier when given."""
    rules = rules if rules is not None else rule_sets()
    path = Path(path)
    name = str(path)
    text = read_notes_text(path)
    meta, body, first_line, notes = split_front_matter(text, name)
    relationship = meta.get("relationship")
    if relationship is not None and str(relationship).strip().lower() not in RELATIONSHIPS:
        notes.append(
            f"relationship {str(relationship)[:40]!r} is not one of {', '.join(RELATIONSHIPS)}; ignored."
        )
    checklist = _read_checklist(meta.get("checklist"), notes)
    utterances, speech_notes = parse_speech(_blank_comments(body), first_line, meta)
    notes += speech_notes
    if not utterances:
        notes.append(f"no questions or answers found; {TEMPLATE_HINT}.")
    findings: list[Finding] = []
    dismissed: list[Finding] = []
    words = {QUESTION: 0, ANSWER: 0}
    for u, learned in zip(utterances, _learned(utterances, model), strict=True):
        words[u.speaker] += word_count(u.text)
        ruleset = rules[detect_language(u.text)]
        by_rules = set(classify_line(u.text, u.speaker, rules))
        shown = (
            u.text if len(u.text) <= MAX_FINDING_CHARS else u.text[: MAX_FINDING_CHARS - 1] + "…"
        )
        for category in CATEGORIES:
            source = finding_source(category, by_rules, learned, u.marks)
            if source is not None:
                f = Finding(u.line, category, u.speaker, shown, ruleset.advice(category), source)
                f.confirmed = u.marks.confirms(category)
                (dismissed if category in u.marks.drop else findings).append(f)
    total = words[QUESTION] + words[ANSWER]
    talk_ratio = words[QUESTION] / total if total else None
    counts = dict.fromkeys(CATEGORIES, 0)
    for f in findings:
        counts[f.category] += 1
    return Interview(
        name,
        meta,
        utterances,
        findings,
        talk_ratio,
        counts,
        interview_score(counts, talk_ratio),
        checklist,
        notes,
        dismissed,
    )


# Folders besides an idea's own project from which its `evidence.interviews` may be read.


def notes_paths(paths) -> list[Path]:
    """Files as given; a folder stands for the .md files directly inside it, sorted.

    A file of the folder that is a link to a file outside it is refused: copy it in instead.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if not p.is_dir():
            out.append(p)
            continue
        for q in sorted(q for q in p.glob("*.md") if q.is_file()):
            if linked_outside(q, p) is not None:
                raise InputError(
                    "is a link to a file outside the folder; copy the notes into the folder.",
                    file=str(q),
                )
            out.append(q)
    return out


@dataclass
class NotesReport:
    """The bias check of a set of notes: per interview, per line, and across them."""

    interviews: list[Interview]
    summary_data: Summary

    @property
    def summary(self) -> dict:
        """interviews, grade, suggested_confidence, flags, checklist, counts, grade_parts, to_raise."""
        return self.summary_data.to_dict()

    @property
    def findings(self) -> pd.DataFrame:
        """One row per finding: file, line, speaker, category, kind, text, advice, source, confirmed."""
        columns = [
            "file",
            "line",
            "speaker",
            "category",
            "kind",
            "text",
            "advice",
            "source",
            "confirmed",
        ]
        rows = [
            {"file": i.file, "speaker": f.speaker, "kind": f.kind, **f.to_dict()}
            for i in self.interviews
            for f in i.findings
        ]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict:
        return {"interviews": [i.to_dict() for i in self.interviews], "summary": self.summary}

    def to_json(self) -> str:
        """The JSON of `mlpm check-notes --json` (DESIGN section 6)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def check_notes(paths, rules_dir: str | Path | None = None, model: bool = False) -> NotesReport:
    """Check interview notes for confirmation bias.

    `paths`: notes files, or folders whose `.md` files are read. `rules_dir`: a folder with
    your own `en.yaml` and `zh.yaml` (default: templates/bias_rules). `model`: also flag
    what the classifier trained on the labeled corpus finds (`interview_model`); a line gets
    a category when its rule fires or the classifier is confident enough. Off by default:
    on held-out set 9 it raised recall but it also adds false warnings to real notes (see
    `interview_model`). Raises `InputError`
    for a file that cannot be read (missing, not UTF-8, empty, over 5 MB).

    >>> report = check_notes(["examples/interviews/ticket-triage-01.md"])
    >>> report.summary["grade"], report.summary["suggested_confidence"]
    (47, [0.29, 0.6])
    """
    rules = rule_sets(rules_dir)
    files = notes_paths(paths)
    if not files:
        raise InputError("no interview notes given; pass .md files or a folder of them.")
    learned = default_model() if model else None
    interviews = [check_interview(p, rules, learned) for p in files]
    return NotesReport(interviews, summarize(interviews))
