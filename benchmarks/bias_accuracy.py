"""Precision and recall of the confirmation-bias rules on the labeled corpus, per category.

    PYTHONPATH=. python benchmarks/bias_accuracy.py [CORPUS.yaml] [--misses]

The corpus (tests/data/bias_corpus.yaml) holds interview lines labeled by hand; each line
may show several categories. A category's precision is the share of lines it flagged that
carry its label; its recall, the share of labeled lines it flagged.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mlpm_kit.interview_accuracy import accuracy_table, corpus_misses, load_corpus

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "bias_corpus.yaml"


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    corpus = load_corpus(Path(args[0]) if args else CORPUS)
    table = accuracy_table(corpus)
    print(f"{len(corpus)} labeled lines\n")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    if "--misses" in argv:
        for miss in corpus_misses(corpus):
            print(miss)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
