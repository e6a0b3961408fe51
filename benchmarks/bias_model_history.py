"""Replay the past: would the classifier have helped on each held-out set's first look?

    PYTHONPATH=. python benchmarks/bias_model_history.py [--min-precision 0.9]

For held-out sets 5-8, takes the rules as they were in git at the commit that added the set
(before the rules were tuned on it), and a classifier trained, with thresholds chosen by
leave-one-file-out, only on the corpus files older than the set. Prints, per set, the rules
alone and the rules OR that classifier: both are first-look figures on lines neither had seen.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from mlpm_kit.interviews.accuracy import accuracy_table, load_corpus
from mlpm_kit.interviews.classifier import (
    CORPUS_DIR,
    MIN_PRECISION,
    Hybrid,
    choose_thresholds,
    train,
)
from mlpm_kit.interviews.rules import WARNINGS, rule_sets

ROOT = Path(__file__).resolve().parent.parent
ADDED = {5: "f1e0030", 6: "882fad5", 7: "8583753", 8: "bcc0066"}  # commits that added each set


def _rules_at(commit: str, folder: Path) -> None:
    for lang in ("en", "zh"):
        text = subprocess.run(
            ["git", "show", f"{commit}:templates/bias_rules/{lang}.yaml"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (folder / f"{lang}.yaml").write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    min_precision = (
        float(argv[argv.index("--min-precision") + 1])
        if "--min-precision" in argv
        else MIN_PRECISION
    )
    older = [
        CORPUS_DIR / n
        for n in (
            "bias_corpus.yaml",
            "bias_holdout.yaml",
            "bias_holdout2.yaml",
            "bias_holdout3.yaml",
            "bias_heldout_4.yaml",
        )
    ]
    for n, commit in ADDED.items():
        held = load_corpus(CORPUS_DIR / f"bias_heldout_{n}.yaml")
        model = train(
            [x for f in older for x in load_corpus(f)], choose_thresholds(older, min_precision)
        )
        with tempfile.TemporaryDirectory() as tmp:
            _rules_at(commit, Path(tmp))
            rules = rule_sets(tmp)
            alone = accuracy_table(held, rules_dir=tmp).set_index("category")
            both = accuracy_table(held, classifier=Hybrid(model, rules)).set_index("category")
        table = pd.DataFrame(
            {
                "labeled": alone["labeled"],
                "rules_P": alone["precision"],
                "rules_R": alone["recall"],
                "hybrid_P": both["precision"],
                "hybrid_R": both["recall"],
            }
        ).loc[list(WARNINGS)]
        print(f"bias_heldout_{n}.yaml, rules of {commit}, classifier on {len(older)} older files\n")
        print(table.to_string(float_format=lambda x: f"{x:.2f}") + "\n")
        older.append(CORPUS_DIR / f"bias_heldout_{n}.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
