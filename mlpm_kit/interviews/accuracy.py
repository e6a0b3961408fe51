"""How well the bias rules agree with hand labels: precision and recall per category.

Used by `benchmarks/bias_accuracy.py` and the tests, on `templates/bias_corpus/*.yaml`
(a YAML file with `lines:`, each `{speaker: q|a, text, expect: [categories]}`). A team
that extends the rules can label a few of its own lines in the same format and measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML

from mlpm_kit.errors import InputError
from mlpm_kit.interviews.rules import (
    ANSWER,
    CATEGORIES,
    QUESTION,
    classify_line,
    kind_of,
    rule_sets,
)


@dataclass(frozen=True)
class LabeledLine:
    speaker: str
    text: str
    expect: frozenset[str]


def load_corpus(path: str | Path) -> list[LabeledLine]:
    """The labeled lines of a corpus file; unknown speakers or categories are errors."""
    name = str(path)
    data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    out = []
    for i, row in enumerate((data or {}).get("lines") or []):
        speaker = {"q": QUESTION, "a": ANSWER}.get(row.get("speaker"), row.get("speaker"))
        expect = frozenset(row.get("expect") or [])
        if speaker not in (QUESTION, ANSWER) or not expect <= set(CATEGORIES):
            raise InputError(
                "needs speaker q or a and known categories.", file=name, field=f"lines[{i}]"
            )
        out.append(LabeledLine(speaker, str(row["text"]), expect))
    return out


def accuracy_table(
    corpus: list[LabeledLine], rules_dir: str | Path | None = None, classifier=None
) -> pd.DataFrame:
    """One row per category: kind, labeled, flagged, true positives, precision, recall.

    `classifier`: anything with `categories(text, speaker)`, such as
    `interview_model.Hybrid()` (rules plus the trained model); default: the rules alone.
    """
    predicted = _predict(corpus, rules_dir, classifier)
    rows = []
    for cat in CATEGORIES:
        labeled = sum(cat in x.expect for x in corpus)
        flagged = sum(cat in p for p in predicted)
        hits = sum(cat in p and cat in x.expect for x, p in zip(corpus, predicted, strict=True))
        rows.append(
            {
                "category": cat,
                "kind": kind_of(cat),
                "labeled": labeled,
                "flagged": flagged,
                "correct": hits,
                "precision": hits / flagged if flagged else float("nan"),
                "recall": hits / labeled if labeled else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def _predict(corpus: list[LabeledLine], rules_dir, classifier) -> list[set[str]]:
    if classifier is not None:
        return [set(classifier.categories(x.text, x.speaker)) for x in corpus]
    rules = rule_sets(rules_dir)
    return [set(classify_line(x.text, x.speaker, rules)) for x in corpus]


def corpus_misses(
    corpus: list[LabeledLine], rules_dir: str | Path | None = None, classifier=None
) -> list[str]:
    """One readable line per corpus line where the check and the label disagree."""
    out = []
    for x, got in zip(corpus, _predict(corpus, rules_dir, classifier), strict=True):
        if got != x.expect:
            extra, missed = sorted(got - x.expect), sorted(x.expect - got)
            out.append(f"[{x.speaker[0]}] {x.text}  extra={extra} missed={missed}")
    return out
