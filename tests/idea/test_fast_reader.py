"""The fast reader (`read_yaml`, libyaml events) gives what the round-trip parser gives.

Every case is read both ways: either both refuse it with the same message, or the values
are equal with the same built-in types (ruamel's `ScalarFloat` counts as float).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.error import YAMLError

from mlpm_kit.errors import IdeaFileError
from mlpm_kit.idea.files import _plain_type, _yaml, load_idea, parse_yaml, read_yaml
from mlpm_kit.idea.folders import idea_files
from mlpm_kit.resources import kit_path


def comparable(value):
    """Values as built-in dicts and lists of (built-in type name, value): ruamel's round-trip
    scalars count as their built-in types (`ScalarFloat` as float)."""
    if isinstance(value, dict):
        return {comparable(k): comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return (_plain_type(value).__name__, value)


def both(text: str):
    """(fast, round-trip): each the values in comparable form, or the error message."""
    out = []
    for reader in (read_yaml, parse_yaml):
        try:
            out.append(comparable(reader(text, "f.yaml")))
        except IdeaFileError as exc:
            out.append(f"refused: {exc}")
    return tuple(out)


FILES = sorted(
    [*kit_path("examples").rglob("*.yaml"), *kit_path("templates").rglob("*.yaml")],
    key=str,
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_examples_and_templates_read_the_same(path: Path):
    text = path.read_text(encoding="utf-8")
    fast, slow = both(text)
    assert fast == slow
    assert not str(fast).startswith("refused")
    # the fast reader's own values: built-in types only, no ruamel classes
    assert _types(read_yaml(text, "f")) <= {dict, list, str, int, float, bool, type(None), dt.date}


def _types(value) -> set[type]:
    if isinstance(value, dict):
        return {dict}.union(*(_types(k) | _types(v) for k, v in value.items()))
    if isinstance(value, list):
        return {list}.union(*(_types(v) for v in value))
    return {type(value)}


NASTY = [
    # YAML 1.1 readers (PyYAML) differ here; YAML 1.2 as ruamel reads it:
    ("a: yes", {"a": "yes"}),
    ("a: off", {"a": "off"}),
    ("a: y", {"a": "y"}),
    ("a: 1:30", {"a": "1:30"}),
    ("a: 1_000", {"a": 1000}),
    ("a: 0o17", {"a": 15}),
    ("a: 0x1F", {"a": 31}),
    ("a: 0b101", {"a": 5}),
    ("a: +12", {"a": 12}),
    ("a: 1e3", {"a": 1000.0}),  # PyYAML: the text '1e3'
    ("a: 1.5e3", {"a": 1500.0}),
    ("a: 1.5_e3", {"a": 1500.0}),
    ("a: 1_0.5_0", {"a": 10.5}),
    ("a: .5", {"a": 0.5}),
    ("a: -.5", {"a": -0.5}),
    ("a: 1.", {"a": 1.0}),
    ("a: 0X1F", {"a": "0X1F"}),
    ("a: 0o8", {"a": "0o8"}),
    ("a: _1", {"a": "_1"}),
    ("017: x", {17: "x"}),  # a key with a leading zero: decimal in YAML 1.2
    ("a: ~\nb:\nc: Null", {"a": None, "b": None, "c": None}),
    ("a: TRUE\nb: False", {"a": True, "b": False}),
    ("a: 2026-01-05", {"a": dt.date(2026, 1, 5)}),
    ("a: 2026-1-5 1:00:00", {"a": dt.datetime(2026, 1, 5, 1)}),
    ("a: 2026-01-05T10:00:00.5+02:00", None),
    ("a: 2026-01-05 10:00:00 Z", None),
    ("a: '1'\nb: \"yes\"\nc: |\n  x\n  y\nd: >\n  p\n  q\n", None),
    ("a: [1, {b: [x, 2.5]}, []]\nc: {}", None),
    ("a: plain\n  continued line\n", {"a": "plain continued line"}),
    ("- 1\n- a\n", [1, "a"]),
    ("42", 42),
    ("", None),
    ("# only a comment\n", None),
    # refused, with the same message both ways
    ("a: 1\nb: 2\na: 3", None),
    ("x: {a: 1, a: 2}", None),
    ("1: a\ntrue: b", None),
    ("a: 1\n1.0: b\n1: c", None),
    ("a: 007", None),
    ("a: 2026-02-31", None),
    ("a: &x 1\nb: *x", None),
    ("a: !!str 1", None),
    ("%YAML 1.1\n---\na: yes", None),
    ("a: 1\n---\nb: 2", None),
    ("? [a]\n: 1", None),
    ("a: .inf", None),
    ("a: [1, 2", None),
    ("a:\n\tb: 1", None),
    # found by comparing the two readers on generated texts: libyaml is more lenient here
    ("a: b\t", None),  # ruamel refuses a tab after a value
    ("a: |#\n  x\n", None),  # ... and a block header touching a comment
    ("\r\ufeff", None),  # a byte order mark after the start is text to ruamel
    ("\x85---", None),  # NEL is no line break in YAML 1.2
    ("|\r#", None),  # a carriage return alone
    ("a: 1\r\nb: |\r\n  x\r\n", {"a": 1, "b": "x\n"}),  # Windows line ends: the fast path
    ("-_", None),  # matches YAML 1.2's int pattern, yet is no number
    ("._", None),
]


@pytest.mark.parametrize("text, expected", NASTY, ids=lambda x: repr(x)[:30])
def test_nasty_cases_read_the_same(text, expected):
    fast, slow = both(text)
    assert fast == slow
    if expected is not None:
        assert read_yaml(text, "f") == expected


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "<<: {b: 1}\na: 2",
            "f: line 1: YAML merge keys (<<) are not allowed; write the keys out.",
        ),
        ("a: =", "f: a: line 1: a lone = is not a value; quote it if it is text."),
    ],
)
def test_merge_keys_and_a_lone_equals_sign_are_refused_both_ways(text, message):
    # ruamel merges `<<` mappings and reads `=` as a tagged value: neither is a value here.
    for reader in (read_yaml, parse_yaml):
        with pytest.raises(IdeaFileError) as caught:
            reader(text, "f")
        assert str(caught.value) == message


def test_a_duplicate_key_names_the_key_and_its_second_line():
    with pytest.raises(IdeaFileError) as caught:
        read_yaml("title: x\ncost:\n  mvp_weeks: 2\n  mvp_weeks: 3\n", "f.yaml")
    assert (
        str(caught.value) == "f.yaml: mvp_weeks: line 4: the key appears twice; keep one of them."
    )


def test_loaded_ideas_are_the_same_as_from_the_round_trip_values(monkeypatch):
    files = idea_files([kit_path("examples", "ideas")])
    fast = [load_idea(p) for p in files]
    # load_idea with the round-trip values (parse_yaml itself calls read_yaml first)
    monkeypatch.setattr("mlpm_kit.idea.files.read_yaml", lambda text, name: _yaml().load(text))
    slow = [load_idea(p) for p in files]
    assert [i.model_dump() for i in fast] == [i.model_dump() for i in slow]
    assert len(fast) == 12  # every example is an idea (mlpm.yaml is the folder's defaults)


TOKENS = st.sampled_from(
    [
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "~",
        "null",
        "Null",
        "true",
        "False",
        "1_000",
        "0o17",
        "0x1f",
        "0b11",
        "1e3",
        "1.5e-3",
        "-.5",
        ".5",
        "1.",
        "1:30",
        "12:30:00",
        "+3",
        "-0",
        "0",
        "10",
        "017",
        "0.0",
        "2026-01-05",
        "2026-01-05 10:00:00",
        "2026-13-01",
        "1,000",
        "20 to 40",
        "30%",
        "'q'",
        '"yes"',
        "a b",
        "-",
        "[1, yes]",
        "{k: 1_0}",
        "",
        "'0o17'",
    ]  # fmt: skip
)
KEYS = st.sampled_from(["a", "b", "yes", "1", "017", "true", "0o1", "c d", "~"])


@st.composite
def documents(draw, depth: int = 0) -> str:
    lines = []
    indent = "  " * depth
    for key in draw(st.lists(KEYS, min_size=1, max_size=4)):
        if depth < 2 and draw(st.booleans()):
            lines.append(f"{indent}{key}:\n{draw(documents(depth + 1))}")
        elif draw(st.booleans()):
            items = draw(st.lists(TOKENS, min_size=1, max_size=3))
            lines.append(f"{indent}{key}:\n" + "".join(f"{indent}  - {t}\n" for t in items))
        else:
            lines.append(f"{indent}{key}: {draw(TOKENS)}\n")
    return "".join(lines)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_generated_documents_read_the_same(text):
    fast, slow = both(text)
    assert fast == slow


def _ruamel_duplicate(text: str) -> str:
    """The message parse_yaml gave when ruamel itself found the duplicate key (before the
    event walk refused it first): the key and ruamel's line."""
    try:
        _yaml().load(text)
    except YAMLError as exc:
        message = str(exc)
        key = message.split('found duplicate key "', 1)[-1].split('"', 1)[0]
        return (
            f"f: {key}: line {exc.problem_mark.line + 1}: the key appears twice; keep one of them."
        )
    raise AssertionError("ruamel read it")


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 2\na: 3",
        "x: {a: 1, a: 2}",
        "1: a\ntrue: b",
        "cost:\n  mvp_weeks: 2\n  build_weeks: 3\n\n  mvp_weeks:\n    4\n",
        "- a: 1\n  b: 2\n- b: 1\n  b: 2\n",
    ],
)
def test_duplicate_keys_get_the_message_ruamel_gave(text):
    with pytest.raises(IdeaFileError) as caught:
        read_yaml(text, "f")
    assert str(caught.value) == _ruamel_duplicate(text)


PIECES = st.sampled_from(
    [*"ab01_.:-+ \n\t'\"#[]{},?|>~eExo%&*!@`\\\r\x85\ufeff\u2028\u00a0é"]
    + ["yes", "true", "null", "Null", "FALSE", "2026-01-05", "2026-1-5 1:00:00", "  ", "\n  "]
    + ["- ", ": ", "? ", "a:", "\n- ", "\n  - ", "0o7", "0x1F", "0b1", "1e3", "-.5", ".inf"]
    + ["<<", "=", "---", "...", "\r\n", "12345678901234567890"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=25).map("".join))
def test_generated_texts_of_yaml_pieces_read_the_same(text):
    fast, slow = both(text)
    assert fast == slow


def test_a_scalar_read_again_gets_its_own_line_field_and_role():
    # Short plain scalars are read once per process (`safe_yaml._plain_cached`): a second
    # file with the same text is still refused on its own line and field, and 0123 stays
    # a valid key while refused as a value.
    assert read_yaml("0123: 1\n", "a.yaml") == {123: 1}
    for text, line, field in (("a: 0123\n", 1, "a"), ("b: 1\nc:\n  d: 0123\n", 3, "c.d")):
        with pytest.raises(IdeaFileError) as caught:
            read_yaml(text, "f.yaml")
        assert f"{field}: line {line}: 0123 has a leading zero" in str(caught.value)
    long = "9" * 70  # longer than the cached texts: read each time, refused the same way
    with pytest.raises(IdeaFileError, match="a number with 70 digits is too long"):
        read_yaml(f"a: {long}\n", "f.yaml")
