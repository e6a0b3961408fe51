"""Precision and recall of the confirmation-bias rules on labeled lines, per category.

    PYTHONPATH=. python benchmarks/bias_accuracy.py [CORPUS.yaml ...] [--misses]

Without arguments it reads every tests/data/bias_*.yaml: the tuning corpus and the sets
written later as held-out checks (bias_holdout*.yaml, bias_heldout_*.yaml). Each held-out
header gives the figures measured once, before the rules were tuned on it; those first-look
figures, not the ones printed now, estimate accuracy on lines nobody has seen. Each line may show several categories. A category's precision is
the share of lines it flagged that carry its label; its recall, the share of labeled lines
it flagged. `--misses` lists the lines where rules and labels disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mlpm_kit.interview_accuracy import accuracy_table, corpus_misses, load_corpus

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv if not a.startswith("--")] or sorted(DATA.glob("bias_*.yaml"))
    for path in files:
        corpus = load_corpus(path)
        print(f"{path.name}: {len(corpus)} labeled lines\n")
        print(accuracy_table(corpus).to_string(index=False, float_format=lambda x: f"{x:.2f}"))
        if "--misses" in argv:
            for miss in corpus_misses(corpus):
                print(miss)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
