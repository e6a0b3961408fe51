"""Fuzzing every reader through the command line: any input gives exit 0 or 2, quickly.

Hypothesis builds inputs from the kit's own examples (idea files, interview notes, a
portfolio sheet) and mutates them: values swapped for numbers at the limits, YAML
features (tags, anchors, directives, complex keys, deep nesting), unicode, truncation,
deleted and repeated lines, other line endings and encodings, random bytes, odd file names.
Each case runs `mlpm` in-process (`mlpm_kit.cli.main`) and must exit 0 or 2, print no
traceback and no "internal error", keep an error to a few lines, and finish within 5 s of CPU
time.

`make test` runs a few dozen cases per reader (a fixed sequence); `make fuzz` runs
MLPM_FUZZ_EXAMPLES (5,000) per reader with fresh random cases and prints the figures.
Every crash found is kept below as a regression case (REGRESSIONS).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlpm_kit.cli import main
from mlpm_kit.idea.folders import load_ideas
from mlpm_kit.idea.sheets import portfolio_frame
from tests.conftest import EXAMPLES, idea_dict

FUZZ_EXAMPLES = int(os.environ.get("MLPM_FUZZ_EXAMPLES", "25"))
MAX_SECONDS = 5.0
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
# Figures of the run, printed by the `fuzz_figures` fixture at the end (make fuzz).
FIGURES: dict[str, dict] = {}

IDEA_TEXTS = sorted(p.read_text(encoding="utf-8") for p in (EXAMPLES / "ideas").glob("*.yaml"))
NOTES_TEXTS = sorted(p.read_text(encoding="utf-8") for p in (EXAMPLES / "interviews").glob("*.md"))


def _sheet_rows() -> list[list[str]]:
    ideas, _ = load_ideas([EXAMPLES / "ideas"])
    frame = portfolio_frame(ideas).drop(columns=["evidence.interviews"])
    text = frame.to_csv(index=False)
    return [row for row in csv.reader(io.StringIO(text))]


SHEET_ROWS = _sheet_rows()

# Values at the edges: numbers, YAML features, text that renders or parses badly.
EDGE_VALUES = [
    ".inf",
    "-.inf",
    ".nan",
    "1" + "0" * 400,
    "1e400",
    "-1",
    "0",
    "1e-300",
    "1e308",
    "1e15",
    "9" * 30,
    "!!bool maybe",
    "!!python/object/apply:os.system ['echo hi']",
    "&a x",
    "*a",
    "2026-02-31",
    "2024-01-01",
    "2024-13-01 25:61:61",
    "{" * 20 + "}" * 20,
    "[" * 60,
    "[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]",
    "'unterminated",
    '"\\u202e reversed"',
    "~",
    "yes",
    "on",
    "0x1F",
    "0o17",
    "1_000",
    "012",
    "[]",
    "{}",
    "[1, 2]",
    "{low: 5, high: 1}",
    "5 to 1",
    "-5 to -1",
    "1e300 to 1e301",
    "0.1 to 1e15",
    "|",
    ">",
    "😀🚀",
    "汽车副车架",
    "<script>alert(1)</script>",
    "=1+1",
    "$\\frac{1}{",
    "\x00",
    "\x1b[2J",
    "a" * 5000,
]
YAML_LINES = [
    "%YAML 1.1",
    "%TAG ! tag:example.com,2000:",
    "---",
    "...",
    "? [a, b]\n: 1",
    "? {a: 1}\n: 1",
    "base: &b {x: 1}",
    "<<: *b",
    "a: &a [1, 2]\nb: [*a, *a, *a]",
    "\tindented: with a tab",
    "title: again",
    "x: " + "{a: " * 25 + "1" + "}" * 25,
    "x: " + "[" * 1000 + "]" * 1000,
    "- a list item",
    "evidence:\n  interviews: [/etc/passwd, ../../../etc/hostname.md, notes.md]",
    "evidence:\n  interviews: [" + ", ".join(["../interviews/n.md"] * 3) + "]",
    "ml: {decisions_per_year: .inf}",
    "cost: {iterations: 1e308}",
]
FILE_NAMES = ["idea", "my idea", "ídéa 中文", "a" * 200, "-dash", "x.y.z", "évènement 🚀"]


@st.composite
def mutated_text(draw, bases: list[str], edge_lines: list[str]) -> str:
    """One of `bases`, with a few mutations applied."""
    text = draw(st.sampled_from(bases))
    for _ in range(draw(st.integers(0, 3))):
        lines = text.split("\n")
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        kind = draw(
            st.sampled_from(
                ["value", "value", "insert", "delete", "repeat", "truncate", "unicode", "swap"]
            )
        )
        if kind == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            value = draw(st.one_of(st.sampled_from(EDGE_VALUES), st.text(max_size=30)))
            lines[i] = f"{key}: {value}"
        elif kind == "insert":
            lines.insert(i, draw(st.sampled_from(edge_lines)))
        elif kind == "delete" and lines:
            del lines[i]
        elif kind == "repeat":
            lines[i:i] = [lines[i]] * draw(st.integers(1, 50))
        elif kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
            continue
        elif kind == "unicode":
            lines[i] += draw(st.text(min_size=1, max_size=20))
        elif kind == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        text = "\n".join(lines)
    return text


@st.composite
def encoded(draw, text: str) -> bytes:
    """The text as bytes: UTF-8 (most often), with a BOM, other line ends or encodings, damage."""
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    text = text.replace("\n", ending)
    how = draw(st.sampled_from(["utf-8"] * 6 + ["bom", "utf-16", "latin-1", "bytes", "damage"]))
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if how == "utf-16":
        return text.encode("utf-16", "surrogatepass")
    if how == "latin-1":
        return text.encode("latin-1", "replace")
    if how == "bytes":
        return draw(st.binary(max_size=2000))
    data = bytearray(text.encode("utf-8", "surrogatepass"))
    if how == "damage" and data:
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    return bytes(data)


def run_cli(args: list[str], reader: str) -> tuple[int, str]:
    """Run `mlpm args` in-process; check the exit, the time and stderr; keep the figures."""
    out, err = io.StringIO(), io.StringIO()
    start = time.process_time()  # CPU time: a busy shared machine must not fail the test
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(args)
        except SystemExit as exc:  # argparse
            status = exc.code
    seconds = time.process_time() - start
    stderr = err.getvalue()
    figures = FIGURES.setdefault(reader, {"cases": 0, "exits": {}, "max_seconds": 0.0})
    figures["cases"] += 1
    figures["exits"][status] = figures["exits"].get(status, 0) + 1
    figures["max_seconds"] = max(figures["max_seconds"], seconds)
    if os.environ.get("MLPM_FUZZ_LOG") and figures["cases"] % 100 == 0:  # progress of make fuzz
        Path(os.environ["MLPM_FUZZ_LOG"]).write_text(repr(FIGURES), encoding="utf-8")
    assert status in (0, 2), stderr
    assert "internal error" not in stderr and "Traceback" not in stderr, stderr
    # One line per problem (issue 16 lists every problem of a file), each a whole "mlpm: ..." line.
    lines = [line for line in stderr.splitlines() if not line.startswith(("reports:", "\r"))]
    assert all(line.startswith("mlpm: ") for line in lines if line.strip()), stderr
    assert seconds < MAX_SECONDS, (seconds, args)
    return status, stderr


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@FUZZ
@given(st.data())
def test_fuzz_idea_files(data):
    text = data.draw(mutated_text(IDEA_TEXTS, YAML_LINES))
    raw = data.draw(encoded(text))
    name = data.draw(st.sampled_from(FILE_NAMES)) + ".yaml"
    with tempfile.TemporaryDirectory() as tmp:
        ideas = Path(tmp, "ideas")
        ideas.mkdir()
        Path(tmp, "interviews").mkdir()
        for notes in (EXAMPLES / "interviews").glob("*.md"):
            Path(tmp, "interviews", notes.name).write_bytes(notes.read_bytes())
        path = _write(ideas, name, raw)
        run_cli(["score", str(path)], "idea files (mlpm score)")


@FUZZ
@given(st.data())
def test_fuzz_notes(data):
    text = data.draw(mutated_text(NOTES_TEXTS, YAML_LINES))
    raw = data.draw(encoded(text))
    name = data.draw(st.sampled_from(FILE_NAMES)) + ".md"
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), name, raw)
        run_cli(["check-notes", str(path)], "interview notes (mlpm check-notes)")


CELLS = st.one_of(
    st.sampled_from(EDGE_VALUES),
    st.text(max_size=40),
    st.just(""),
    st.just("x" * 200_000),
    st.floats().map(repr),
    st.integers().map(str),
)


@st.composite
def mutated_rows(draw) -> list[list[str]]:
    rows = [list(r) for r in SHEET_ROWS[: draw(st.integers(1, 5))]]  # header and up to 4 ideas
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        if draw(st.booleans()) and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(CELLS)
        elif draw(st.booleans()):
            rows[r] = rows[r][: draw(st.integers(0, len(rows[r])))]
        else:
            rows.insert(r, list(rows[r]))
    return rows


@FUZZ
@given(st.data())
def test_fuzz_csv(data):
    rows = data.draw(mutated_rows())
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    text = buffer.getvalue()
    if data.draw(st.booleans()):
        text = data.draw(mutated_text([text], ["a,b,c", '"unclosed,', ";;;", "\r", "\x00"]))
    raw = data.draw(encoded(text))
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), data.draw(st.sampled_from(FILE_NAMES)) + ".csv", raw)
        run_cli(["score", str(path)], "CSV sheets (mlpm score)")


XLSX_CELLS = st.one_of(
    CELLS,
    st.floats(),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.datetimes(),
    st.none(),
)


@FUZZ
@given(st.data())
def test_fuzz_xlsx(data):
    from openpyxl import Workbook

    rows = [list(r) for r in data.draw(mutated_rows())]
    for _ in range(data.draw(st.integers(0, 5))):
        r = data.draw(st.integers(0, len(rows) - 1))
        if rows[r]:
            rows[r][data.draw(st.integers(0, len(rows[r]) - 1))] = data.draw(XLSX_CELLS)
    book = Workbook()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "sheet.xlsx")
        try:
            for row in rows:
                book.active.append(row)
            book.save(path)
        except Exception:  # noqa: BLE001  openpyxl refuses some values (control characters)
            return
        if data.draw(st.booleans()):
            raw = bytearray(path.read_bytes())
            # An index drawn independently of the file's size (the zip's timestamps change it).
            raw[data.draw(st.integers(0, 10**6)) % len(raw)] = data.draw(st.integers(0, 255))
            path.write_bytes(bytes(raw))
        run_cli(["score", str(path)], "XLSX sheets (mlpm score)")


# --- crashes the fuzzer and the issue found, kept as regression cases ---------------------

GOOD = (EXAMPLES / "ideas" / "ticket-triage.yaml").read_text(encoding="utf-8")
NOTES = (EXAMPLES / "interviews" / "ticket-triage-01.md").read_text(encoding="utf-8")
REGRESSIONS = {
    "frequency .inf": ("idea", GOOD.replace("frequency: 5 ", "frequency: .inf"), "not a finite"),
    "400-digit integer": (
        "idea",
        GOOD.replace("users: 120 to 250", "users: 1" + "0" * 400),
        "digits is too long",
    ),
    "tag": ("idea", GOOD.replace("seeking: true", "seeking: !!bool maybe"), "YAML tags"),
    "impossible date": ("idea", "date: 2026-02-31\n" + GOOD, "not a real date"),
    "20 nested flow mappings": ("idea", GOOD + "x: " + "{" * 20 + "}" * 20 + "\n", "a key"),
    "YAML 1.1 header": ("idea", "%YAML 1.1\n---\n" + GOOD, "directives"),
    "reused anchors": ("idea", GOOD.replace("owner: Dana", "owner: &a Dana\nx: &a 1"), "anchors"),
    "alias bomb in notes": (
        "notes",
        "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "---\nQ: hi?\nA: no\n",
        "aliases",
    ),
    "deep front matter": ("notes", "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nQ: a?\n", "nest"),
    "impossible date in notes": (
        "notes",
        "---\ndate: 2026-02-31\n---\n" + NOTES,
        "not a real date",
    ),
    "bare CR in CSV": ("csv", "id,title,pain.frequency\rx,X,3\r", None),
    "-inf in a CSV cell": ("csv", "CSV_INF", "not a finite number"),
    "line break in a column name": ("csv", '"unclosed,\nid",title\nx,X\n', "unknown column"),
    "CSV cell over 128 KB": ("csv", "id,title\r\nx," + "a" * 200_000 + "\r\n", None),
}


@pytest.mark.parametrize("case", list(REGRESSIONS))
def test_regression_cases_exit_2_with_one_line(case, tmp_path):
    kind, text, words = REGRESSIONS[case]
    if text == "CSV_INF":  # found by the fuzzer: OverflowError deep in validation
        rows = [list(r) for r in SHEET_ROWS[:2]]
        rows[1][rows[0].index("ml.data.cost_per_label")] = "-inf"
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        text = buffer.getvalue()
    suffix = {"idea": ".yaml", "notes": ".md", "csv": ".csv"}[kind]
    path = tmp_path / f"case{suffix}"
    path.write_bytes(text.encode("utf-8"))
    command = {"idea": "score", "notes": "check-notes", "csv": "score"}[kind]
    status, stderr = run_cli([command, str(path)], "regressions")
    assert status == 2
    if words:
        assert words in stderr


def test_file_names_with_spaces_and_300_characters(tmp_path):
    import yaml

    spaced = tmp_path / "my idea (v2).yaml"
    spaced.write_text(yaml.safe_dump(idea_dict()), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["score", "--json", str(spaced)]) == 0
    assert '"id": "my-idea-v2"' in out.getvalue()  # the id comes from the name, made valid
    status, stderr = run_cli(["score", str(tmp_path / ("a" * 300 + ".yaml"))], "regressions")
    assert status == 2 and stderr.count("\n") == 1
    assert "File name too long" in stderr or "no such file" in stderr


def test_fuzz_figures():
    """Prints what the fuzz tests above ran (pytest -s shows it): cases, exits, slowest case."""
    import resource

    for reader, f in FIGURES.items():
        print(
            f"{reader}: {f['cases']} cases, exits {dict(sorted(f['exits'].items()))}, "
            f"slowest {f['max_seconds']:.2f} s"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the test process: {peak_mb:.0f} MB")
    assert peak_mb < 2000
