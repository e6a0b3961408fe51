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
| checklist | 10 x share of checklist items ticked | every item ticked |

Few interviews cannot be strong evidence however good they are: every part but the first
is weighted by `0.5 + 0.5 x min(n, 5) / 5` (0.6 for one interview, 1 from five on). The
grade is the sum, rounded to a whole number. The suggested confidence (the probability that the
problem is real as stated, a 90% range) narrows and rises with the grade:

    center = 0.35 + 0.40 x grade / 100,   half width = 0.20 - 0.10 x grade / 100

minus 0.20 on the center when the disconfirming lines outnumber the lines that show pain
(past_specific, workaround, commitment): well-gathered evidence that the problem is small.
Bounds are kept in [0.05, 0.95] and rounded to 2 decimals. A grade of 0 gives [0.15, 0.55],
100 gives [0.65, 0.85]: weak notes pull an idea below the 0.5 default because teams that
hear only compliments overrate their ideas; strong notes lift it, never to certainty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlpm_kit.interviews.interview import Interview

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
    checklist: dict[str, bool]
    counts: dict[str, int]
    grade_parts: dict[str, float]
    to_raise: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "interviews": self.interviews,
            "grade": self.grade,
            "suggested_confidence": list(self.suggested_confidence),
            "flags": self.flags,
            "checklist": {
                k: {"text": CHECKLIST[k], "ticked": v} for k, v in self.checklist.items()
            },
            "counts": self.counts,
            "grade_parts": {k: round(v, 1) for k, v in self.grade_parts.items()},
            "to_raise": self.to_raise,
        }


def total_counts(interviews: list[Interview]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for i in interviews:
        for cat, n in i.counts.items():
            counts[cat] = counts.get(cat, 0) + n
    return counts


def merged_checklist(
    interviews: list[Interview], ticked: dict[str, bool] | None = None
) -> dict[str, bool]:
    """An item is ticked when any notes file ticks it, or `ticked` (the notebook's boxes) says so."""
    if ticked is not None:
        return {k: bool(ticked.get(k, False)) for k in CHECKLIST}
    return {k: any(i.checklist.get(k, False) for i in interviews) for k in CHECKLIST}


def volume_weight(n: int) -> float:
    """The weight of every part but `interviews`: 0.6 for one interview, 1 from five on."""
    return 0.5 + 0.5 * min(n, MIN_INTERVIEWS) / MIN_INTERVIEWS


def grade_parts(interviews: list[Interview], checklist: dict[str, bool]) -> dict[str, float]:
    """Points per part of the grade, weighted as in the module docstring; they sum to the grade."""
    raw = raw_parts(interviews, checklist)
    w = volume_weight(len(interviews))
    return {k: v if k == "interviews" else v * w for k, v in raw.items()}


def raw_parts(interviews: list[Interview], checklist: dict[str, bool]) -> dict[str, float]:
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


def suggested_confidence(grade: int, counts: dict[str, int]) -> tuple[float, float]:
    """The 90% range for `evidence.confidence` of the module docstring."""
    center = 0.35 + 0.40 * grade / 100
    half = 0.20 - 0.10 * grade / 100
    if counts.get("disconfirming", 0) > sum(counts.get(c, 0) for c in PAIN_SIGNALS):
        center -= 0.20
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


def ways_to_raise(interviews: list[Interview], checklist: dict[str, bool]) -> list[str]:
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
    open_items = [CHECKLIST[k] for k, v in checklist.items() if not v]
    if open_items:
        items = "item" if len(open_items) == 1 else "items"
        ideas.append(
            (gap["checklist"], f"Do and tick the {len(open_items)} open checklist {items}")
        )
    ideas.sort(key=lambda x: -x[0])
    return [f"{text} (up to +{points:.0f})" for points, text in ideas]


def summarize(interviews: list[Interview], ticked: dict[str, bool] | None = None) -> Summary:
    """The grade, confidence, flags and checklist across a set of interviews."""
    checklist = merged_checklist(interviews, ticked)
    parts = grade_parts(interviews, checklist)
    grade = evidence_grade(parts)
    counts = total_counts(interviews)
    return Summary(
        len(interviews),
        grade,
        suggested_confidence(grade, counts),
        flags_of(interviews),
        checklist,
        counts,
        parts,
        ways_to_raise(interviews, checklist),
    )
