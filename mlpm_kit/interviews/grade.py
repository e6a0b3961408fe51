"""The evidence grade of a set of interviews, its flags, and the confidence it suggests.

The grade (0-100) says how far the notes can be trusted as evidence, as a sum of points:

| part | points | full marks when |
| --- | --- | --- |
| interviews | 20 x min(n, 5) / 5 | at least five interviews |
| line quality | 0.3 x mean interview score | the lines are past events, not opinions |
| disconfirming | 15 | some line anywhere disconfirms the idea |
| commitment | 10 | someone committed time, reputation, data or money |
| segments | 5 | two or more segments |
| outsiders | 10 x share of strangers and customers | nobody is a friend or colleague |
| checklist | 10 x mean share of interviews that ticked each item | every interview ticked every item |

Few interviews cannot be strong evidence however good they are: every part but the first
is weighted by `0.5 + 0.5 x min(n, 5) / 5` (0.6 for one interview, 1 from five on). The
grade is the sum, rounded to a whole number. The suggested confidence (the probability that the
problem is real as stated, a 90% range) narrows and rises with the grade, and falls with
what the disconfirming lines say:

    center = 0.35 + 0.40 x g / 100 - penalty,   half width = 0.20 - 0.10 x grade / 100
    penalty = 0.02 + 0.25 x d / (d + p) when d > 0, else 0

where d counts the disconfirming lines, p the lines that show pain (past_specific,
workaround, commitment), and g is the grade the same notes would get without their
disconfirming lines. Looking for disconfirmation is good interviewing and raises the grade;
what it found argues against the idea, so it can only lower the confidence: notes with real
disconfirming lines always suggest less than the same notes without them (the 0.02 floor
outweighs the 3 line-quality points the talk ratio of the shorter notes could cost). Bounds are kept in
[0.05, 0.95] and rounded to 2 decimals. A grade of 0 gives [0.15, 0.55], 100 without
disconfirmation [0.65, 0.85]: weak notes pull an idea below the 0.5 default because teams
that hear only compliments overrate their ideas; strong notes lift it, never to certainty.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from mlpm_kit.interviews.interview import SOURCES, Interview, interview_score

OUTSIDERS = ("stranger", "customer")
MIN_INTERVIEWS = 5
CHECKLIST = {
    "prove_me_wrong": "Before the interviews I wrote down what answer would prove me wrong",
    "outside_network": "I talked to people outside my own network",
    "last_time": "I asked about their last time, not about our idea",
    "no_pitch": "I did not pitch or demo before they had told me about their problem",
    "asked_commitment": "I asked for a commitment (a pilot, an introduction, data, a pre-order)",
    "verbatim": "My notes quote what they said, not what I understood",
}
MAX_POINTS = {
    "interviews": 20.0,
    "line_quality": 30.0,
    "disconfirming": 15.0,
    "commitment": 10.0,
    "segments": 5.0,
    "outsiders": 10.0,
    "checklist": 10.0,
}
PAIN_SIGNALS = ("past_specific", "workaround", "commitment")


def checklist_item(key: str) -> str | None:
    """The checklist id for an id or the item's text, any case; None if unknown."""
    k = key.strip().lower()
    for item, text in CHECKLIST.items():
        if k in (item, text.lower()):
            return item
    return None


@dataclass
class Summary:
    interviews: int
    grade: int
    suggested_confidence: tuple[float, float]
    flags: list[dict]
    checklist: dict[str, float]  # per item, the share of the interviews that ticked it
    counts: dict[str, int]
    grade_parts: dict[str, float]
    to_raise: list[str] = field(default_factory=list)
    disconfirming: list[dict] = field(default_factory=list)  # {file, line, text, source}
    sources: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "interviews": self.interviews,
            "grade": self.grade,
            "suggested_confidence": list(self.suggested_confidence),
            "flags": self.flags,
            "checklist": {
                k: {
                    "text": CHECKLIST[k],
                    "ticked": round(share * self.interviews),
                    "of": self.interviews,
                    "share": round(share, 3),
                }
                for k, share in self.checklist.items()
            },
            "counts": self.counts,
            "grade_parts": {k: round(v, 1) for k, v in self.grade_parts.items()},
            "to_raise": self.to_raise,
            "disconfirming": self.disconfirming,
            "sources": self.sources,
        }


def total_counts(interviews: list[Interview]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for i in interviews:
        for cat, n in i.counts.items():
            counts[cat] = counts.get(cat, 0) + n
    return counts


def merged_checklist(
    interviews: list[Interview], ticked: dict[str, bool] | None = None
) -> dict[str, float]:
    """Per item, the share of the interviews whose notes tick it (0 to 1).

    `ticked` (the notebook's boxes) overrides: a ticked box counts for every interview.
    """
    if ticked is not None:
        return {k: 1.0 if ticked.get(k, False) else 0.0 for k in CHECKLIST}
    n = len(interviews)
    return {
        k: sum(bool(i.checklist.get(k)) for i in interviews) / n if n else 0.0 for k in CHECKLIST
    }


def volume_weight(n: int) -> float:
    """The weight of every part but `interviews`: 0.6 for one interview, 1 from five on."""
    return 0.5 + 0.5 * min(n, MIN_INTERVIEWS) / MIN_INTERVIEWS


def grade_parts(interviews: list[Interview], checklist: dict[str, float]) -> dict[str, float]:
    """Points per part of the grade, weighted as in the module docstring; they sum to the grade."""
    raw = raw_parts(interviews, checklist)
    w = volume_weight(len(interviews))
    return {k: v if k == "interviews" else v * w for k, v in raw.items()}


def raw_parts(interviews: list[Interview], checklist: dict[str, float]) -> dict[str, float]:
    """Points per part before the weight for few interviews."""
    n = len(interviews)
    counts = total_counts(interviews)
    segments = {i.segment.lower() for i in interviews if i.segment}
    outsiders = sum(i.relationship in OUTSIDERS for i in interviews)
    return {
        "interviews": 20.0 * min(n, MIN_INTERVIEWS) / MIN_INTERVIEWS,
        "line_quality": 0.3 * (sum(i.score for i in interviews) / n if n else 0.0),
        "disconfirming": 15.0 if counts.get("disconfirming", 0) else 0.0,
        "commitment": 10.0 if counts.get("commitment", 0) else 0.0,
        "segments": 5.0 if len(segments) >= 2 else 0.0,
        "outsiders": 10.0 * outsiders / n if n else 0.0,
        "checklist": 10.0 * sum(checklist.values()) / len(CHECKLIST),
    }


def evidence_grade(parts: dict[str, float]) -> int:
    return max(0, min(100, round(sum(parts.values()))))


def suggested_confidence(
    grade: int, counts: dict[str, int], grade_without: int | None = None
) -> tuple[float, float]:
    """The 90% range for `evidence.confidence` of the module docstring.

    `grade_without`: the grade without the disconfirming lines (g); default `grade`.
    """
    g = grade if grade_without is None else grade_without
    d = counts.get("disconfirming", 0)
    p = sum(counts.get(c, 0) for c in PAIN_SIGNALS)
    center = 0.35 + 0.40 * g / 100 - (0.02 + 0.25 * d / (d + p) if d else 0.0)
    half = 0.20 - 0.10 * grade / 100
    low = min(0.95, max(0.05, center - half))
    high = min(0.95, max(0.05, center + half))
    return round(low, 2), round(high, 2)


def flags_of(interviews: list[Interview]) -> list[dict]:
    """Warnings about the set of interviews as a whole, each {code, message}."""
    n = len(interviews)
    counts = total_counts(interviews)
    out = []

    def flag(code: str, message: str) -> None:
        out.append({"code": code, "message": message})

    if n < MIN_INTERVIEWS:
        flag(
            "few_interviews",
            f"Only {n} interview{'s' if n != 1 else ''}; talk to at least {MIN_INTERVIEWS} people before trusting a pattern.",
        )
    segments = sorted({i.segment for i in interviews if i.segment}, key=str.lower)
    if len({s.lower() for s in segments}) <= 1:
        which = f"one segment ({segments[0]})" if segments else "no segment given"
        flag(
            "single_segment",
            f"All interviews are from {which}; talk to a second kind of customer to see whether the problem travels.",
        )
    insiders = sum(i.relationship in ("friend", "colleague") for i in interviews)
    if n and insiders / n > 0.5:
        flag(
            "mostly_friends",
            f"{insiders} of {n} interviewees are friends or colleagues; they are kind to your idea. Talk to strangers and customers.",
        )
    if not counts.get("disconfirming"):
        flag(
            "no_disconfirming",
            "No line anywhere disconfirms the idea: the strongest sign of confirmation bias. Ask what would make this not worth solving, and write down the answer.",
        )
    if not counts.get("commitment"):
        flag(
            "no_commitments",
            "Nobody committed anything (time, an introduction, data, money); ask for a next step that costs them something.",
        )
    questions = sum(len(i.questions) for i in interviews)
    hypothetical = counts.get("hypothetical_question", 0)
    if questions and hypothetical / questions > 0.5:
        flag(
            "mostly_hypothetical",
            f"{hypothetical} of {questions} questions are hypothetical; ask about what already happened instead.",
        )
    talkers = [i.file for i in interviews if i.talk_ratio is not None and i.talk_ratio > 1 / 3]
    if talkers:
        flag(
            "interviewer_talks_too_much",
            f"The interviewer spoke more than a third of the words in {len(talkers)} interview{'s' if len(talkers) != 1 else ''} ({', '.join(talkers)}); listen more.",
        )
    return out


def ways_to_raise(interviews: list[Interview], checklist: dict[str, float]) -> list[str]:
    """What would raise the grade, most points first, each with the points it is worth."""
    n = len(interviews)
    ideas = []
    raw = raw_parts(interviews, checklist)
    w = volume_weight(n)
    gap = {k: (MAX_POINTS[k] - v) * w for k, v in raw.items()}
    # more interviews add their own points and lift the weight of everything else
    gap["interviews"] = (
        MAX_POINTS["interviews"]
        - raw["interviews"]
        + (1 - w) * sum(v for k, v in raw.items() if k != "interviews")
    )
    if gap["interviews"] > 0.5:
        more = MIN_INTERVIEWS - n
        ideas.append(
            (gap["interviews"], f"Interview {more} more {'person' if more == 1 else 'people'}")
        )
    if gap["disconfirming"]:
        ideas.append(
            (
                gap["disconfirming"],
                "Look for disconfirming evidence: ask when the problem did not matter, and note it",
            )
        )
    if gap["commitment"]:
        ideas.append(
            (
                gap["commitment"],
                "Ask for a commitment: a pilot, an introduction, data or a pre-order",
            )
        )
    if gap["outsiders"] > 0.5:
        ideas.append(
            (gap["outsiders"], "Talk to strangers or customers instead of friends and colleagues")
        )
    if gap["segments"]:
        ideas.append((gap["segments"], "Interview a second segment"))
    if gap["line_quality"] > 0.5:
        ideas.append(
            (
                gap["line_quality"],
                "Ask about past events instead of opinions and hypotheticals; do not pitch",
            )
        )
    open_items = [CHECKLIST[k] for k, v in checklist.items() if v < 1]
    if open_items:
        items = "item" if len(open_items) == 1 else "items"
        ideas.append(
            (gap["checklist"], f"Do and tick the {len(open_items)} open checklist {items}")
        )
    ideas.sort(key=lambda x: -x[0])
    return [f"{text} (up to +{points:.0f})" for points, text in ideas]


def without_disconfirming(interviews: list[Interview]) -> list[Interview]:
    """The interviews as if their disconfirming lines had not been found (scores recomputed)."""
    out = []
    for i in interviews:
        counts = {**i.counts, "disconfirming": 0}
        findings = [f for f in i.findings if f.category != "disconfirming"]
        out.append(
            replace(
                i, findings=findings, counts=counts, score=interview_score(counts, i.talk_ratio)
            )
        )
    return out


def summarize(interviews: list[Interview], ticked: dict[str, bool] | None = None) -> Summary:
    """The grade, confidence, flags and checklist across a set of interviews."""
    checklist = merged_checklist(interviews, ticked)
    parts = grade_parts(interviews, checklist)
    grade = evidence_grade(parts)
    counts = total_counts(interviews)
    without = evidence_grade(grade_parts(without_disconfirming(interviews), checklist))
    sources = dict.fromkeys((*SOURCES, "confirmed", "dismissed"), 0)
    for i in interviews:
        for f in i.findings:
            sources[f.source] += 1
            sources["confirmed"] += f.confirmed
        sources["dismissed"] += len(i.dismissed)
    return Summary(
        len(interviews),
        grade,
        suggested_confidence(grade, counts, without),
        flags_of(interviews),
        checklist,
        counts,
        parts,
        ways_to_raise(interviews, checklist),
        [
            {"file": i.file, "line": f.line, "text": f.text, "source": f.source}
            for i in interviews
            for f in i.findings
            if f.category == "disconfirming"
        ],
        sources,
    )
