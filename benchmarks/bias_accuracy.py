"""Precision and recall of the confirmation-bias check on labeled lines, per category.

    PYTHONPATH=. python benchmarks/bias_accuracy.py [CORPUS.yaml ...] [--misses] [--lofo] [--by-language]

Without arguments it reads the labeled corpus the rules were tuned on and the classifier
learns from (templates/bias_corpus/bias_*.yaml: the first corpus and the sets written later
as held-out checks), then tests/data/bias_heldout_9.yaml, which nothing was trained or tuned
on. For each file it prints two modes side by side: the rules alone, and the rules OR the
trained classifier (`interview_model`, `check_notes(model=True)`). Each held-out header gives
the rules' figures measured once, before the rules were tuned on it; those first-look
figures, and the figures on set 9, estimate accuracy on lines nobody has seen. On the corpus
files both modes are training figures. A category's precision is the share of lines it
flagged that carry its label; its recall, the share of labeled lines it flagged.

`--misses` lists the lines where the check (each mode) and the labels disagree. `--lofo`
adds the classifier alone on each bias_heldout_* file of the corpus, trained and thresholded
WITHOUT that file (leave one file out): the honest estimate of the classifier on new lines.
`--by-language` adds each file's English and Chinese lines as separate tables (a line with a
Chinese character is read with the Chinese rules).

A new labeled set goes to tests/data/ first; measure it there once (both modes, both
languages) and write the figures in its header before changing any rule; once the rules are
tuned on it, move it to templates/bias_corpus/ so that the classifier learns from it too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from mlpm_kit.interviews.accuracy import accuracy_table, corpus_misses, load_corpus
from mlpm_kit.interviews.classifier import CORPUS_DIR, Hybrid, trained_without, training_files
from mlpm_kit.interviews.rules import detect_language

HELD_OUT = Path(__file__).resolve().parent.parent / "tests" / "data"


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def both_modes(corpus) -> pd.DataFrame:
    rules = accuracy_table(corpus).set_index("category")
    hybrid = accuracy_table(corpus, classifier=Hybrid()).set_index("category")
    out = rules[["kind", "labeled"]].copy()
    out["rules_P"], out["rules_R"] = rules["precision"], rules["recall"]
    out["hybrid_P"], out["hybrid_R"] = hybrid["precision"], hybrid["recall"]
    return out.reset_index()


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv if not a.startswith("--")]
    files = files or training_files() + sorted(HELD_OUT.glob("bias_*.yaml"))
    for path in files:
        corpus = load_corpus(path)
        print(f"{path.name}: {len(corpus)} labeled lines\n")
        print(both_modes(corpus).to_string(index=False, float_format=_fmt))
        if "--by-language" in argv:
            for lang in ("en", "zh"):
                part = [x for x in corpus if detect_language(x.text) == lang]
                if part:
                    print(f"\n{path.name}, {lang} lines only ({len(part)}):\n")
                    print(both_modes(part).to_string(index=False, float_format=_fmt))
        if "--misses" in argv:
            for mode, clf in (("rules", None), ("hybrid", Hybrid())):
                for miss in corpus_misses(corpus, classifier=clf):
                    print(f"{mode}: {miss}")
        print()
    if "--lofo" in argv:
        print("Classifier alone, trained and thresholded without the file (leave one file out):\n")
        for path in sorted(CORPUS_DIR.glob("bias_heldout_*.yaml")):
            table = accuracy_table(load_corpus(path), classifier=trained_without(path))
            print(f"{path.name}\n{table.to_string(index=False, float_format=_fmt)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
