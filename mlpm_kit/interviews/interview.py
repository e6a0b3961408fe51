"""What one interview holds once read and checked: its lines, findings, counts and score."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlpm_kit.interviews.marks import NO_MARKS, Marks
from mlpm_kit.interviews.rules import QUESTION, kind_of

RELATIONSHIPS = ("stranger", "customer", "colleague", "friend")
# Who found a finding: the rules, the trained classifier, or a person's mark in the notes.
SOURCES = ("rules", "model", "person")
TALK_RATIO_LIMIT = 1 / 3


def interview_score(counts: dict[str, int], talk_ratio: float | None) -> int:
    """The per-interview score (see `interviews.notes`): good and warning findings, talk ratio."""
    good = sum(n for c, n in counts.items() if kind_of(c) == "good")
    warnings = sum(n for c, n in counts.items() if kind_of(c) == "warning")
    score = round(100 * (good + 1) / (good + warnings + 2))
    if talk_ratio is not None and talk_ratio > TALK_RATIO_LIMIT:
        score -= 10
    return max(0, min(100, score))


@dataclass
class Utterance:
    line: int
    speaker: str  # QUESTION or ANSWER
    text: str  # without the PM's marks
    marks: Marks = NO_MARKS


@dataclass
class Finding:
    line: int
    category: str
    speaker: str
    text: str
    advice: str
    source: str = "rules"  # one of SOURCES
    confirmed: bool = False  # a person's mark says the finding is right

    @property
    def kind(self) -> str:
        return kind_of(self.category)

    def to_dict(self) -> dict:
        return {
            "line": self.line,
            "category": self.category,
            "text": self.text,
            "advice": self.advice,
            "source": self.source,
            "confirmed": self.confirmed,
        }


@dataclass
class Interview:
    """One notes file, read and checked."""

    file: str
    meta: dict
    utterances: list[Utterance]
    findings: list[Finding]
    talk_ratio: float | None
    counts: dict[str, int]
    score: int
    checklist: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dismissed: list[Finding] = field(default_factory=list)  # the checker's, dismissed by a mark

    @property
    def relationship(self) -> str | None:
        value = str(self.meta.get("relationship") or "").strip().lower()
        return value if value in RELATIONSHIPS else None

    @property
    def segment(self) -> str | None:
        value = str(self.meta.get("segment") or "").strip()
        return value or None

    @property
    def questions(self) -> list[Utterance]:
        return [u for u in self.utterances if u.speaker == QUESTION]

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "interviewee": _plain(self.meta.get("interviewee")),
            "segment": self.segment,
            "relationship": self.relationship,
            "findings": [f.to_dict() for f in self.findings],
            "dismissed": [f.to_dict() for f in self.dismissed],
            "talk_ratio": None if self.talk_ratio is None else round(self.talk_ratio, 3),
            "score": self.score,
            "counts": self.counts,
            "notes": self.notes,
        }


def _plain(value: object) -> object:
    return None if value is None else str(value)
