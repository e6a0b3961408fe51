"""A portfolio in and out of a spreadsheet: a folder of idea files, a .csv or an .xlsx.

One row per idea; each column is named by the dotted path of a field of the idea file
(`id`, `title`, `pain.frequency`, `value.users`, `cost.mvp_weeks`,
`alternatives[0].captures`, `ml.decisions_per_year`, ...); numbers are written as in an
idea file: `45`, or a 90% range `200 to 400`. An empty cell leaves the field at its
default. List fields (`tags`, `evidence.interviews`) are separated by `;` (or `,`).
`ml.*` cells are read as YAML values, so `[[500, 0.81], [1000, 0.86]]` is a list.

Every row goes through the idea schema, like a file would, and every problem names the
file, the row (as the spreadsheet shows it: the header is row 1) and the column. Columns
that `save_portfolio` adds for results (RESULT_COLUMNS) are skipped when reading, so a
results file reads back to the same ideas.

The good rows of a sheet are still read when others are bad (`read_sheet_rows`); the
mlpm.yaml files above the sheet's folder give the defaults, as for an idea file.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import os
import re
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from mlpm_kit.errors import IdeaFileError, InputError
from mlpm_kit.idea.atomic import atomic_path, atomic_write
from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.files import folder_defaults, idea_data, read_yaml, validate_idea
from mlpm_kit.idea.formatting import FORMULA_STARTS, spreadsheet_text
from mlpm_kit.idea.limits import MAX_CELL_CHARS, MAX_SHEET_BYTES, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS
from mlpm_kit.idea.safe_yaml import number_problem
from mlpm_kit.idea.schema import ACTUAL_FIELDS, Idea
from mlpm_kit.idea.text_files import TextKind, read_text

# Columns written beside the inputs by `save_portfolio`; ignored when reading.
# Per-idea results of a comparison, in the order tables, JSON and spreadsheets show them.
SELECTION_COLUMNS = (
    "expected_value",
    "effort_weeks",
    "one_time_cost",
    "rice",
    "selected",
    "greedy_selected",
    "opportunity_cost",
    "value_over_opportunity_cost",
)
# Every result column a saved comparison may carry: skipped when the sheet is read back.
RESULT_COLUMNS = ("rank", *SELECTION_COLUMNS, "decision", "p_selected")
SHEET_SUFFIXES = (".csv", ".xlsx")
_ALTERNATIVE = re.compile(r"^alternatives\[(\d+)\]\.(\w+)$")
# Columns of measured values: outcome.actual.<dotted path of an estimate>.
ACTUAL = "outcome.actual."


def _kind(annotation: Any) -> str:
    """'text' (kept as written), 'list' (split on ;) or 'value' (a number, range or yes/no)."""
    origin = typing.get_origin(annotation)
    if annotation is str or origin is typing.Literal:
        return "text"
    if origin is list:
        return "list"
    if origin in (typing.Union, types.UnionType) and str in typing.get_args(annotation):
        return "text"
    return "value"


def _schema_columns() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(column -> kind, alternative field -> kind, required columns), in the schema's order."""
    columns: dict[str, str] = {}
    required: list[str] = []
    alternative: dict[str, str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            path = prefix + name
            args = typing.get_args(info.annotation)
            if path == "ml":
                continue
            if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
                walk(info.annotation, path + ".")
            elif args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
                for sub, sub_info in args[0].model_fields.items():
                    alternative[sub] = _kind(sub_info.annotation)
            else:
                columns[path] = _kind(info.annotation)
                if info.is_required():
                    required.append(path)

    walk(Idea, "")
    return columns, alternative, required


COLUMNS, ALTERNATIVE_FIELDS, REQUIRED_COLUMNS = _schema_columns()


def column_kind(column: str) -> str | None:
    """How a column's cells are read, or None when the column is not part of the format."""
    if column in COLUMNS:
        return COLUMNS[column]
    if column.startswith("ml.") and len(column) > 3:
        return "ml"
    if column.removeprefix(ACTUAL) in ACTUAL_FIELDS and column.startswith(ACTUAL):
        return "value"
    match = _ALTERNATIVE.match(column)
    if match and match.group(2) in ALTERNATIVE_FIELDS:
        return ALTERNATIVE_FIELDS[match.group(2)]
    return None


def _check_header(header: list[str], name: str, preset: Iterable[str] = ()) -> list[str]:
    """The header, or an InputError; `preset` columns (set by an mlpm.yaml) are not required."""
    valid = (
        list(COLUMNS) + [f"alternatives[0].{f}" for f in ALTERNATIVE_FIELDS] + list(RESULT_COLUMNS)
    )
    seen: set[str] = set()
    for number, column in enumerate(header, start=1):
        if not column:
            continue
        if column in seen:
            raise InputError(
                f"the column {column[:60]!r} appears twice (column {number}); keep one.", file=name
            )
        seen.add(column)
        if column in RESULT_COLUMNS or column_kind(column) is not None:
            continue
        guess = re.sub(r"alternatives\W*(\d+)\W*", r"alternatives[\1].", column)
        close = difflib.get_close_matches(guess, valid, n=1, cutoff=0.6)
        if close and _ALTERNATIVE.match(close[0]) and (m := re.search(r"\d+", column)):
            close = [close[0].replace("[0]", f"[{m.group()}]")]
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else "columns are dotted field paths such as value.users; see templates/idea.yaml."
        )
        raise InputError(f"unknown column {column[:60]!r} (column {number}); {hint}", file=name)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen and c not in set(preset)]
    if missing:
        raise InputError(
            f"the required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing; add {'them' if len(missing) > 1 else 'it'} to the header row.",
            file=name,
        )
    return header


def _check_number(text: str) -> None:
    """Refuse a number that is infinite, undefined or too long: every formula after it would fail."""
    problem = number_problem(text)
    if problem is None and not math.isfinite(float(text)):
        problem = f"{text[:40]} is not a finite number; write a number (or a range such as 2 to 5)."
    if problem:
        raise IdeaFileError("cell", [(None, problem)])


def _cell(value: Any, kind: str) -> Any:
    """A spreadsheet cell as the value an idea file would hold (None: leave the field out)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        value = value[1:]  # written by save_portfolio so spreadsheets show it as text
    if kind == "text":
        return (
            value.strip()
            if isinstance(value, str)
            else (
                str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
            )
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(repr(value))
    if kind == "list":
        text = str(value)
        return [
            part.strip() for part in re.split(";" if ";" in text else ",", text) if part.strip()
        ]
    if not isinstance(value, str):
        return value
    text = value.strip()
    if kind == "ml" and text[:1] in "[{":
        return read_yaml(text, "cell")
    if text.lower() in ("true", "yes"):
        return True
    if text.lower() in ("false", "no"):
        return False
    try:
        number = float(text)
    except ValueError:
        return text
    _check_number(text)
    return (
        int(number)
        if number.is_integer() and "." not in text and "e" not in text.lower()
        else number
    )


def _nest(row: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column, value in row.items():
        if value is None:
            continue
        if column.startswith(ACTUAL):  # outcome.actual.value.users: a dotted key of its own
            data.setdefault("outcome", {}).setdefault("actual", {})[column[len(ACTUAL) :]] = value
            continue
        match = _ALTERNATIVE.match(column)
        if match:
            alternatives = data.setdefault("alternatives", {})
            alternatives.setdefault(int(match.group(1)), {})[match.group(2)] = value
            continue
        parts = column.split(".")
        target = data
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    if "alternatives" in data:
        data["alternatives"] = [data["alternatives"][k] for k in sorted(data["alternatives"])]
    return data


def _column_of(field: str | None, header: list[str]) -> str:
    if not field:
        return ""
    # Alternatives are renumbered densely; map alternatives[k] back to the k-th one used.
    used = sorted({int(m.group(1)) for c in header if (m := _ALTERNATIVE.match(c))})
    match = re.match(r"^alternatives\[(\d+)\](.*)$", field)
    if match and int(match.group(1)) < len(used):
        field = f"alternatives[{used[int(match.group(1))]}]{match.group(2)}"
    if field in header:
        return field
    below = [c for c in header if c.startswith(field + ".") or c.startswith(field + "[")]
    return below[0] if below else field


def _slug(title: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())[:60]


def ideas_from_rows(header: list[str], rows: list[tuple[int, list[Any]]], name: str) -> list[Idea]:
    """Validate spreadsheet rows (row number, cells) into ideas; one IdeaFileError lists every problem."""
    ideas, error = rows_to_ideas(header, rows, name)
    if error is not None:
        raise error
    return ideas


def rows_to_ideas(
    header: list[str], rows: list[tuple[int, list[Any]]], name: str
) -> tuple[list[Idea], IdeaFileError | None]:
    """The ideas of the good rows, and one IdeaFileError listing every problem of the bad ones.

    Rows are validated with the defaults of the mlpm.yaml files above the sheet's folder.
    """
    defaults = folder_defaults(Path(name).parent)
    header = _check_header(
        [str(h).strip() if h is not None else "" for h in header], name, defaults.values
    )
    problems: list[tuple[str | None, str]] = []
    ideas: list[Idea] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        row: dict[str, Any] = {}
        for column, value in zip(header, cells, strict=False):
            if column and column not in RESULT_COLUMNS:
                try:
                    row[column] = _cell(value, column_kind(column))
                except IdeaFileError as exc:
                    problems.append((f"row {number}, column {column}", exc.problems[0][1]))
                    row[column] = None
        if all(v is None for v in row.values()):
            continue
        title = row.get("title")
        default_id = _slug(title) if isinstance(title, str) and _slug(title) else f"row-{number}"
        try:
            idea = validate_idea(_nest(row), name, default_id=default_id, defaults=defaults)
        except IdeaFileError as exc:
            problems.extend(
                (f"row {number}, column {_column_of(f, header)}", m) for f, m in exc.problems
            )
            continue
        if idea.id in seen:
            problems.append(
                (
                    f"row {number}, column id",
                    f"the id '{idea.id}' is also used on row {seen[idea.id]}; give each idea its own id.",
                )
            )
            continue
        seen[idea.id] = number
        idea._source = Path(name)  # interview paths in a row are relative to the sheet's folder
        ideas.append(idea)
    if not ideas and not problems:
        raise InputError("has a header row but no ideas; add one row per idea.", file=name)
    return ideas, IdeaFileError(name, problems) if problems else None


SHEET_TEXT = TextKind(
    MAX_SHEET_BYTES,
    missing="no such file; check the path.",
    not_file="is not a file; give a .csv or .xlsx file, or a folder of idea files.",
    too_big=f"a portfolio sheet is under {MAX_SHEET_BYTES / 1e6:.0f} MB; split it.",
)


def _rows(lines: Iterable[list[Any]], name: str) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    """(header, numbered rows) of a sheet's rows, within the limits on rows and columns."""
    rows: list[list[Any]] = []
    for row in lines:
        if len(rows) > MAX_SHEET_ROWS:
            raise InputError(
                f"has more than {MAX_SHEET_ROWS:,} rows; a portfolio is a few hundred ideas. "
                "Split it.",
                file=name,
            )
        if len(row) > MAX_SHEET_COLUMNS:
            raise InputError(
                f"row {len(rows) + 1} has {len(row):,} cells; a portfolio has at most "
                f"{MAX_SHEET_COLUMNS} columns. Remove the extra ones.",
                file=name,
            )
        rows.append(list(row))
    while rows and all(v is None or v == "" for v in rows[-1]):
        rows.pop()
    return (rows[0], list(enumerate(rows[1:], start=2))) if rows else ([], [])


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The one CSV reader: UTF-8 with or without a BOM; \\n, \\r\\n or \\r line ends; big cells."""
    name = str(path)
    text = read_text(path, SHEET_TEXT)
    first = text.split("\n", 1)[0]
    if first.count(";") > first.count(","):
        # Decimal commas ("0,5") would be read as thousands separators: refuse rather than misread.
        raise InputError(
            "looks like a semicolon-separated CSV (a European Excel export); save it as "
            '"CSV UTF-8 (comma delimited)" with decimal points, or as .xlsx.',
            file=name,
        )
    if csv.field_size_limit() < MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(io.StringIO(text, newline=None))  # newline=None: any line end
    try:
        return _rows(reader, name)
    except csv.Error as exc:
        raise InputError(
            f"line {reader.line_num}: cannot be read as CSV ({exc}); save it again as "
            '"CSV UTF-8 (comma delimited)".',
            file=name,
        ) from None


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror}); check the path.", file=name) from None
    if size > MAX_SHEET_BYTES:
        raise InputError(f"is {size / 1e6:.1f} MB; {SHEET_TEXT.too_big}", file=name)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            return _rows(book.worksheets[0].iter_rows(values_only=True), name)
        finally:
            book.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged file  # noqa: BLE001
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(
            f"cannot be read as an Excel workbook ({detail}); save it as .xlsx.", file=name
        ) from None


def read_sheet(path: str | os.PathLike) -> list[Idea]:
    """The ideas of a .csv or .xlsx portfolio, every row validated like an idea file."""
    ideas, error = read_sheet_rows(path)
    if error is not None:
        raise error
    return ideas


def read_sheet_rows(path: str | os.PathLike) -> tuple[list[Idea], IdeaFileError | None]:
    """The ideas of a sheet's good rows, and one error listing every problem of the others."""
    path = Path(path)
    name = str(path)
    if path.suffix.lower() not in SHEET_SUFFIXES:
        raise InputError("is not a folder, an idea file (.yaml), a .csv or an .xlsx.", file=name)
    if not path.is_file():
        raise InputError("no such file; check the path.", file=name)
    header, rows = _read_csv(path) if path.suffix.lower() == ".csv" else _read_xlsx(path)
    if not header or all(h is None or not str(h).strip() for h in header):
        raise InputError(
            "the file is empty; the first row names the columns (id, title, pain.frequency, ...), then one row per idea.",
            file=name,
        )
    return rows_to_ideas(header, rows, name)


def _flat(data: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Estimate):
            out[path] = value.to_yaml()
        elif key == "alternatives" and not prefix:
            for i, alt in enumerate(value):
                out.update(_flat(alt, f"alternatives[{i}]."))
        elif isinstance(value, dict):
            out.update(_flat(value, path + "."))
        elif (
            isinstance(value, list) and path not in COLUMNS
        ):  # ml.* lists: JSON, which YAML reads back
            out[path] = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, list):
            out[path] = "; ".join(map(str, value)) if value else None
        else:
            out[path] = value
    return out


def _column_order(column: str) -> tuple:
    """The schema's order: top-level fields, then alternatives by index and field, then ml.*."""
    if column in COLUMNS:
        return (list(COLUMNS).index(column), 0, 0, "")
    match = _ALTERNATIVE.match(column)
    if match:
        return (
            len(COLUMNS),
            int(match.group(1)),
            list(ALTERNATIVE_FIELDS).index(match.group(2)),
            "",
        )
    return (len(COLUMNS) + 1, 0, 0, column)


def _interviews_from(idea: Idea, folder: Path) -> str | None:
    """The idea's interview paths, rewritten relative to `folder` so they still resolve there."""
    source = getattr(idea, "_source", None)
    base = Path(source).parent if source is not None else Path(".")
    paths = [
        os.path.relpath((base / entry).resolve(), folder.resolve())
        for entry in idea.evidence.interviews
    ]
    return "; ".join(p.replace(os.sep, "/") for p in paths) or None


def portfolio_frame(
    ideas: list[Idea], results: pd.DataFrame | None = None, folder: str | os.PathLike | None = None
) -> pd.DataFrame:
    """One row per idea: the idea's fields as dotted-path columns, then the `results` columns by id.

    Interview paths are rewritten relative to `folder` (where the sheet will be written).
    """
    rows = [_flat(idea_data(idea, with_defaults=True)) for idea in ideas]
    for row, idea in zip(rows, ideas, strict=True):
        row["id"] = idea.id
        if idea.evidence.interviews:
            row["evidence.interviews"] = _interviews_from(idea, Path(folder or "."))
    columns = sorted({c for r in rows for c in r}, key=_column_order)
    frame = pd.DataFrame(rows, columns=columns)
    if results is not None:
        extra = [c for c in RESULT_COLUMNS if c in results.columns]
        frame = frame.merge(results[["id", *extra]], on="id", how="left")
    return frame


def save_portfolio(
    ideas: list[Idea], path: str | os.PathLike, results: pd.DataFrame | None = None
) -> Path:
    """Write the ideas (and optional result columns, e.g. a `Selection.table`) to .csv or .xlsx, atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SHEET_SUFFIXES:
        raise InputError(
            "results are written as .csv or .xlsx; change the file name's ending.", file=str(path)
        )
    if not path.parent.is_dir():
        raise InputError("the folder does not exist; create it or write elsewhere.", file=str(path))
    frame = portfolio_frame(ideas, results, path.parent)
    if suffix == ".csv":
        atomic_write(path, frame.map(spreadsheet_text).to_csv(index=False))
        return path
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "portfolio"
    sheet.append(list(frame.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append(
            [
                None
                if (isinstance(v, float) and v != v)
                else spreadsheet_text(v.item() if hasattr(v, "item") else v)
                for v in row
            ]
        )
    sheet.freeze_panes = "C2"
    with atomic_path(path) as tmp:
        book.save(tmp)
    return path
