"""What one interview holds once read and checked: its lines, findings, counts and score."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlpm_kit.interviews.rules import QUESTION, kind_of

RELATIONSHIPS = ("stranger", "customer", "colleague", "friend")


@dataclass
class Utterance:
    line: int
    speaker: str  # QUESTION or ANSWER
    text: str


@dataclass
class Finding:
    line: int
    category: str
    speaker: str
    text: str
    advice: str

    @property
    def kind(self) -> str:
        return kind_of(self.category)


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
            "findings": [
                {"line": f.line, "category": f.category, "text": f.text, "advice": f.advice}
                for f in self.findings
            ],
            "talk_ratio": None if self.talk_ratio is None else round(self.talk_ratio, 3),
            "score": self.score,
            "counts": self.counts,
            "notes": self.notes,
        }


def _plain(value: object) -> object:
    return None if value is None else str(value)
