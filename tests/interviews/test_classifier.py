"""The trained classifier beside the bias rules: training data, determinism, thresholds, the switch."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import numpy as np
import pytest

from mlpm_kit import cli
from mlpm_kit.interviews.accuracy import accuracy_table, load_corpus
from mlpm_kit.interviews.classifier import (
    CORPUS_DIR,
    GRID,
    NEVER,
    THRESHOLDS,
    Hybrid,
    choose_thresholds,
    default_model,
    speaker_of,
    train,
    training_files,
)
from mlpm_kit.interviews.notes import check_notes
from mlpm_kit.interviews.rules import ANSWER, CATEGORIES, QUESTION, WARNINGS, classify_line
from tests.conftest import ROOT

HELD_OUT = ROOT / "tests" / "data" / "bias_heldout_9.yaml"


def test_trains_on_the_shipped_corpus_and_never_on_the_held_out_set():
    files = training_files()
    assert [f.parent for f in files] == [CORPUS_DIR] * len(files) and len(files) == 11
    assert "bias_heldout_9.yaml" not in {f.name for f in files}
    trained = {x.text for f in files for x in load_corpus(f)}
    held = {x.text for x in load_corpus(HELD_OUT)}
    assert len(trained) > 1100 and len(held) >= 150
    # no held-out line slipped into the training files, except three that were written, by
    # coincidence, word for word like training lines (see the header of set 9)
    assert trained & held == {
        "What did you try before the spreadsheet?",
        "我们有三家门店。",
        "说实话，这个问题一年也就碰到一两次。",
    }


def test_training_is_deterministic():
    lines = [x for f in training_files()[:3] for x in load_corpus(f)]
    texts = ["How painful is the month-end close?", "We'd buy it tomorrow.", "这个主意太棒了。"]
    a, b = train(lines, seed=0), train(lines, seed=0)
    for speaker in (QUESTION, ANSWER):
        pa, pb = a.probabilities(texts, speaker), b.probabilities(texts, speaker)
        assert pa.keys() == pb.keys() and all(np.array_equal(pa[c], pb[c]) for c in pa)
    assert default_model() is default_model()  # trained once per process


def test_each_category_reads_only_its_speaker():
    model = default_model()
    assert set(model.probabilities(["x"], QUESTION)) == {
        c for c in CATEGORIES if speaker_of(c) == QUESTION
    }
    assert set(model.probabilities(["x"], ANSWER)) == {
        c for c in CATEGORIES if speaker_of(c) == ANSWER
    }
    # praise asked by the interviewer is not a compliment from the customer
    assert "compliment" not in model.categories(
        "Absolutely brilliant product, amazing work?", QUESTION
    )


@pytest.mark.parametrize(
    "speaker, text, category",
    [
        (QUESTION, "我们正在开发一个智能客服系统。", "pitching"),
        (ANSWER, "这个产品做得太棒了，佩服。", "compliment"),
        (ANSWER, "能加个导出功能吗？", "feature_request"),
        (QUESTION, "Presenting our new route planner: it schedules the vans for you.", "pitching"),
    ],
)
def test_classifier_reads_english_and_chinese(speaker, text, category):
    assert category in default_model().categories(text, speaker)


@pytest.mark.parametrize(
    "speaker, text",
    [
        (ANSWER, "We have nine vans."),
        (ANSWER, "我们有九辆车。"),
        (QUESTION, "How many vans do you run?"),
        (QUESTION, ""),
    ],
)
def test_plain_facts_stay_unflagged(speaker, text):
    assert default_model().categories(text, speaker) == []


def test_hybrid_is_rules_or_classifier():
    text, speaker = "Presenting our new route planner: it schedules the vans for you.", QUESTION
    assert classify_line(text, speaker) == []  # the rules miss this phrasing
    assert Hybrid().categories(text, speaker) == ["pitching"]
    rules_hit = "Would you use a tool that routes tickets automatically?"
    assert set(classify_line(rules_hit, QUESTION)) <= set(Hybrid().categories(rules_hit, QUESTION))


def test_thresholds_are_the_leave_one_file_out_choice():
    # Recomputing must give the shipped constants; a corpus or model change shows up here.
    assert set(THRESHOLDS) == set(CATEGORIES)
    assert all(t in GRID or t == NEVER for t in THRESHOLDS.values())
    assert choose_thresholds() == THRESHOLDS


@pytest.mark.parametrize("corpus", sorted(p.name for p in CORPUS_DIR.glob("bias_*.yaml")))
def test_hybrid_keeps_the_goal_on_the_training_corpus(corpus):
    table = accuracy_table(load_corpus(CORPUS_DIR / corpus), classifier=Hybrid()).set_index(
        "category"
    )
    for cat in WARNINGS:
        assert table.loc[cat, "precision"] >= 0.85 and table.loc[cat, "recall"] >= 0.8, (
            cat,
            table.loc[cat].to_dict(),
        )


def test_on_held_out_set_9_the_hybrid_never_loses_recall():
    # The measured first look (see the report of issue 4c): recall up or equal everywhere.
    held = load_corpus(HELD_OUT)
    rules = accuracy_table(held).set_index("category")
    hybrid = accuracy_table(held, classifier=Hybrid()).set_index("category")
    for cat in WARNINGS:
        assert hybrid.loc[cat, "recall"] >= rules.loc[cat, "recall"], cat
    assert hybrid.loc["leading_question", "recall"] > rules.loc["leading_question", "recall"]


NOTES = "---\ninterviewee: Bo\n---\nQ: Presenting our new route planner: it schedules the vans for you.\nA: We have nine vans.\n"


def test_check_notes_switch(tmp_path):
    path = tmp_path / "n.md"
    path.write_text(NOTES, encoding="utf-8")
    off = check_notes([path]).to_dict()  # off by default
    on = check_notes([path], model=True).to_dict()
    assert off["interviews"][0]["findings"] == []
    assert [(f["line"], f["category"]) for f in on["interviews"][0]["findings"]] == [
        (4, "pitching")
    ]
    # same JSON shape either way
    assert on.keys() == off.keys() and on["interviews"][0].keys() == off["interviews"][0].keys()
    assert on["summary"].keys() == off["summary"].keys()


@pytest.mark.parametrize(
    "flags, expected", [([], []), (["--no-model"], []), (["--model"], ["pitching"])]
)
def test_cli_model_flag(tmp_path, flags, expected):
    path = tmp_path / "n.md"
    path.write_text(NOTES, encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["check-notes", str(path), "--json", *flags]) == 0
    findings = json.loads(out.getvalue())["interviews"][0]["findings"]
    assert [f["category"] for f in findings] == expected
