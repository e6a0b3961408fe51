"""The bias rules line by line: hand-checked lines per category, hard cases, the rule files, accuracy."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mlpm_kit.errors import InputError
from mlpm_kit.interviews.accuracy import accuracy_table, load_corpus
from mlpm_kit.interviews.classifier import CORPUS_DIR
from mlpm_kit.interviews.rules import (
    CATEGORIES,
    GOOD_SIGNALS,
    WARNINGS,
    classify_line,
    detect_language,
    load_rules,
    rule_sets,
)
from tests.conftest import ROOT

CORPUS = CORPUS_DIR  # the labeled lines the rules were tuned on and the classifier learns from
HELD_OUT = ROOT / "tests" / "data"  # never trained or tuned on


@pytest.mark.parametrize(
    "speaker, text, expected",
    [
        ("question", "Isn't it annoying when the forecast is wrong?", ["leading_question"]),
        ("question", "How much would you pay for this?", ["hypothetical_question"]),
        ("question", "We're building a tool that reads invoices for you.", ["pitching"]),
        ("answer", "Wow, sounds great!", ["compliment"]),
        ("answer", "I'd definitely buy it.", ["future_promise"]),
        ("answer", "We always lose a day at month end.", ["generic_claim"]),
        ("answer", "It should integrate with Salesforce.", ["feature_request"]),
        ("answer", "Yesterday we lost a $3k order to the spam folder.", ["past_specific"]),
        ("answer", "I can introduce you to our CFO.", ["commitment"]),
        ("answer", "We pay a contractor to clean the data.", ["workaround"]),
        ("answer", "Honestly, it's not a big deal for us.", ["disconfirming"]),
        ("question", "What happened the last time?", []),
        ("answer", "We use Zendesk.", []),
    ],
)
def test_one_line_per_category(speaker, text, expected):
    assert classify_line(text, speaker) == expected


@pytest.mark.parametrize(
    "speaker, text, expected",
    [
        # "would" in a past-tense report is a habit or a past counterfactual, not a promise
        ("answer", "I would usually just export it to Excel.", ["generic_claim", "workaround"]),
        ("answer", "We would have lost the deal if Ana hadn't caught it.", ["past_specific"]),
        # negations flip a promise or a compliment into disconfirming evidence
        ("answer", "I would not pay for that.", ["disconfirming"]),
        ("answer", "I don't think it's a great idea for us.", ["disconfirming"]),
        # a question that quotes the customer is not leading or hypothetical
        ("question", 'You said "we would pay anything" - what have you spent so far?', []),
        ("answer", "I didn't notice until the customer called on Monday.", ["past_specific"]),
        ("question", "Would you mind if I record this?", []),
        ("question", "Why don't you use the built-in rules?", []),
    ],
)
def test_hard_cases(speaker, text, expected):
    assert classify_line(text, speaker) == expected


def test_rules_read_only_their_speaker():
    # A promise in a question, or a leading phrase in an answer, is not flagged.
    assert classify_line("We always lose a day, last Tuesday too?", "question") == []
    assert classify_line("Don't you think so?", "answer") == []


def test_language_is_chosen_per_line():
    assert detect_language("Would you use it?") == "en"
    assert detect_language("你会用吗？") == "zh"
    assert detect_language("我们用Zendesk") == "zh"
    assert classify_line("如果我们做一个自动分单的工具，你会用吗？", "question") == [
        "hypothetical_question"
    ]
    assert classify_line("上周二我们花了三个小时处理退款工单。", "answer") == ["past_specific"]
    assert classify_line("说实话，这个问题不算大。", "answer") == ["disconfirming"]


def test_shipped_rule_files_cover_every_category():
    for lang in ("en", "zh"):
        rules = load_rules(Path("templates/bias_rules") / f"{lang}.yaml")
        assert sorted(r.category for r in rules.rules) == sorted(CATEGORIES)
        assert all(r.advice and r.patterns for r in rules.rules)
        assert {r.category for r in rules.rules if r.speaker == "question"} == {
            "leading_question",
            "hypothetical_question",
            "pitching",
        }


def test_bad_rule_files_name_file_field_and_fix(tmp_path):
    path = tmp_path / "en.yaml"
    path.write_text(
        "categories:\n  leading_questoin:\n    speaker: question\n    patterns: [x]\n",
        encoding="utf-8",
    )
    with pytest.raises(
        InputError,
        match=r"categories\.leading_questoin: unknown category; did you mean 'leading_question'",
    ):
        load_rules(path)
    path.write_text(
        "categories:\n  pitching:\n    speaker: question\n    patterns: ['(unclosed']\n",
        encoding="utf-8",
    )
    with pytest.raises(
        InputError,
        match=r"en\.yaml: categories\.pitching\.patterns\[0\]: '\(unclosed' is not a valid",
    ):
        load_rules(path)
    path.write_text("categories:\n  pitching:\n    speaker: both\n", encoding="utf-8")
    with pytest.raises(InputError, match="write `question` or `answer`"):
        load_rules(path)


def test_corpus_is_large_bilingual_and_labeled():
    corpus = load_corpus(CORPUS / "bias_corpus.yaml")
    assert len(corpus) >= 150
    assert sum(detect_language(x.text) == "zh" for x in corpus) >= 40
    labels = {c for x in corpus for c in x.expect}
    assert labels == set(CATEGORIES)
    assert sum(not x.expect for x in corpus) >= 20  # neutral lines, to measure precision


@pytest.mark.parametrize("corpus", sorted(p.name for p in CORPUS.glob("bias_*.yaml")))
def test_accuracy_goal_on_warnings(corpus):
    table = accuracy_table(load_corpus(CORPUS / corpus)).set_index("category")
    for cat in WARNINGS:
        assert table.loc[cat, "precision"] >= 0.85, (cat, table.loc[cat].to_dict())
        assert table.loc[cat, "recall"] >= 0.8, (cat, table.loc[cat].to_dict())
    for cat in GOOD_SIGNALS:  # reported, held to a looser bar
        assert table.loc[cat, "recall"] >= 0.7 and not math.isnan(table.loc[cat, "precision"])


def test_fast_matching_equals_plain_case_insensitive_search():
    # The prefiltered, lower-cased search must give exactly what searching every pattern
    # with IGNORECASE gives, on every labeled line, read as a question and as an answer.
    paths = sorted(CORPUS.glob("bias_*.yaml")) + sorted(HELD_OUT.glob("bias_*.yaml"))
    lines = [x.text for path in paths for x in load_corpus(path)]
    lines += ["LOI SIGNED", "We use EXCEL", "İstanbul WOULD you", "", "???", "A" * 3000]
    for ruleset in rule_sets().values():
        for rule in ruleset.rules:
            for text in lines:
                plain = any(p.search(text) for p in rule.patterns) and not any(
                    p.search(text) for p in rule.exclude
                )
                assert rule.matches(text) == plain, (rule.category, text)
