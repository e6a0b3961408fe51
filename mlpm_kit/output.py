"""What the commands print: JSON text, the terminal tables, error lines.

`commands` decides what to compute; this module only turns results into text, so the
same table or JSON comes out of every command that shows it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlpm_kit.errors import MlpmError
from mlpm_kit.idea.formatting import (
    in_currency,
    money,
    months,
    number,
    plain_text,
    share,
    shorten,
    terminal_table,
)
from mlpm_kit.model.decision import DECISION_DRAWS, LABELS


def json_text(data: Any) -> str:
    """`data` as the JSON the commands print: indented by 2, non-ASCII as is; the text
    `json.dumps(data, indent=2, ensure_ascii=False)` gives, about 10x faster (orjson's C
    encoder), but for two things: NaN and infinities are null (valid JSON; json.dumps
    writes NaN), and floats under 1e-4 with a one-digit exponent are spelled 1e-5 or
    0.00001 (json.dumps: 1e-05), the same numbers. What orjson cannot write (an integer
    beyond 64 bits) is written by json.dumps. numpy scalars are written as Python numbers."""
    import orjson  # only the --json commands need it

    try:
        out = orjson.dumps(data, default=_json_value, option=orjson.OPT_INDENT_2)
    except TypeError:
        return json.dumps(data, indent=2, ensure_ascii=False, default=_json_value)
    return out.decode()


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def error_line(exc: BaseException) -> str:
    """An error as one line for the terminal: text from a file (a column name with a line
    break, a file name with control characters) cannot break it or drive the terminal."""
    return " ".join(plain_text(exc).split("\n"))


def print_errors(errors: Sequence[MlpmError]) -> None:
    """Every problem of every error, one line each, on stderr."""
    for exc in errors:
        for line in exc.lines():
            print(f"mlpm: error: {error_line(line)}", file=sys.stderr)


def left_out_text(errors: Sequence[MlpmError], lead: str) -> str:
    """The note after the good ideas' results naming the files left out (their problems
    follow on stderr, one line each)."""
    files = list(dict.fromkeys(getattr(exc, "file", None) or "?" for exc in errors))
    return (
        f"\n{lead} {len(files)} file{'s' if len(files) > 1 else ''} with problems "
        f"({', '.join(files)}); every problem is listed below, one line each."
    )


def currency_of(table: pd.DataFrame) -> str | None:
    return table["currency"].iloc[0] if len(table) and "currency" in table else None


# Columns of the terminal tables: (heading, column of the score table, how shown, whether
# the heading names the currency).
_RANK = ("#", "rank", None, False)


_ID = ("id", "id", None, False)


_DECISION = ("decision", "decision", LABELS, False)


_EXPECTED = ("expected value", "expected_value", money, True)


_EFFORT = ("effort wk", "effort_weeks", number, False)


_CONFIDENCE = ("confidence", "confidence", share, False)


SCORE_TABLE = (
    _RANK,
    _ID,
    ("title", "title", lambda t: shorten(t, 38), False),
    _DECISION,
    _EXPECTED,
    ("npv", "npv", money, True),
    _EFFORT,
    ("one-time", "one_time_cost", money, True),
    ("payback mo", "payback_months", lambda x: months(x, unit=False), False),
    _CONFIDENCE,
    ("pain", "pain_score", number, False),
    ("RICE", "rice", lambda x: number(round(x, 1)), False),
)


UNCERTAINTY_TABLE = (
    _RANK,
    _ID,
    _DECISION,
    _EXPECTED,
    ("E[exp. value]", "expected_value_mean", money, False),
    ("npv p10", "npv_p10", money, False),
    ("npv p50", "npv_p50", money, False),
    ("npv p90", "npv_p90", money, False),
    ("P(loss)", "p_loss", share, False),
    ("P(<next best)", "p_below_next_best", share, False),
    ("EVPI", "evpi_total", money, True),
    _EFFORT,
    _CONFIDENCE,
)


def _table_text(table: pd.DataFrame, columns) -> str:
    if table.empty:
        return "No ideas to score."
    cur = currency_of(table)
    shown = pd.DataFrame(
        {
            (in_currency(heading, cur) if named else heading): (
                table[column] if show is None else table[column].map(show)
            )
            for heading, column, show, named in columns
        }
    )
    return terminal_table(shown)


def score_table_text(table: pd.DataFrame) -> str:
    """The ranked table people read in a terminal."""
    return _table_text(table, SCORE_TABLE)


def uncertainty_table_text(table: pd.DataFrame) -> str:
    """The ranked table with the simulation's npv percentiles and P(loss)."""
    return _table_text(table, UNCERTAINTY_TABLE)


def validate_next_text(table: pd.DataFrame, evpi: pd.DataFrame, sensitivity: pd.DataFrame) -> str:
    """Per idea, the top 3 inputs to validate with the value of knowing each, and how."""

    lines = ["Validate next (value of perfectly knowing the input before the go / no-go decision):"]
    cur = currency_of(table)

    def cash(x: float) -> str:
        return money(x, cur)

    worth_knowing = dict(iter(evpi[evpi["evppi"] > 0].groupby("id", sort=False)))
    swings = dict(iter(sensitivity.groupby("id", sort=False)))
    totals = dict(zip(table["id"], table["evpi_total"], strict=True))
    noises = dict(zip(table["id"], table["evppi_noise"], strict=True))
    for idea_id in table["id"]:
        rows = worth_knowing.get(idea_id, evpi.iloc[:0]).head(3)
        if rows.empty:
            swing = swings.get(idea_id, sensitivity.iloc[:0]).head(1)
            total = float(totals[idea_id])
            reason = (
                f"no single input changes the decision on its own (all of them together: {cash(total)})"
                if total > 0
                else "the decision is the same whatever the inputs turn out to be"
            )
            biggest = (
                f"; biggest swing: {swing['label'].iloc[0]} ({cash(swing['swing'].iloc[0])})"
                if len(swing)
                else ""
            )
            lines.append(f"  {idea_id}: {reason}{biggest}.")
            continue
        lines.append(f"  {idea_id}:")
        noise = float(noises[idea_id])
        for _, row in rows.iterrows():
            worth = cash(row["evppi"]) + (" (within noise)" if row["evppi"] < noise else "")
            lines.append(
                f"    {row['rank']}. {row['label']} ({row['input']}): {worth}. {row['suggestion']}"
            )
    return "\n".join(lines)


def decisions_text(table: pd.DataFrame) -> str:
    """Per idea, its decision's reason and kill criteria, as the memo's first line says them."""
    lines = [
        f"Decision ({int(table['draws'].iloc[0]) if 'draws' in table else DECISION_DRAWS:,} draws): "
        "validate first when knowing an input before deciding is worth more than one validation."
    ]
    for row in table.itertuples():
        lines.append(f"  {row.id}: {LABELS[row.decision]}. {row.decision_reason}")
        for warning in row.warnings or []:
            lines.append(f"    note: {warning['message']}")
    return "\n".join(lines)
