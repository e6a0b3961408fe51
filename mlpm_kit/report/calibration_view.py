"""A `Calibration` and the corrections it made, as text people read (`mlpm calibrate`, `--calibrated`).

The numbers come from `calibration.record`; this module chooses words, columns and formats.
Field names are the schema's titles (`field_label`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mlpm_kit.calibration.apply import corrections_of
from mlpm_kit.calibration.fit import LEVEL, MIN_HISTORY
from mlpm_kit.calibration.record import Calibration
from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.formatting import estimate_text, share, terminal_table
from mlpm_kit.idea.schema import Idea, field_label

SCALE_NOTE = "on each range's own scale: log for positive numbers, logit for shares"


def _factor(x: float | None) -> str:
    return "n/a" if x is None or x != x else f"{x:.2f}x"


def _interval(stats: dict, key: str, show=share) -> str:
    low, high = stats.get(f"{key}_low"), stats.get(f"{key}_high")
    if low is None or low != low or high != high:
        return "too few"
    return f"{show(low)} to {show(high)}"


def _stats_frame(groups: dict[str, dict], name: str, label=lambda k: k) -> pd.DataFrame:
    return pd.DataFrame(
        {
            name: [label(k) for k in groups],
            "n": [s["n"] for s in groups.values()],
            "hit rate": [share(s["hit_rate"]) for s in groups.values()],
            f"{LEVEL:.0%} interval": [_interval(s, "hit_rate") for s in groups.values()],
            "spread": [_factor(s["spread_factor"]) for s in groups.values()],
        }
    )


def _correction_words(calibration: Calibration, path: str) -> str:
    correction = calibration.corrections().get(path)
    if correction is None:
        return "none (too few ideas)"
    if calibration.fields[path]["n"] < MIN_HISTORY:
        return f"overall spread {_factor(correction.spread)}"
    parts = []
    if correction.bias != 1:
        parts.append(f"median x{correction.bias:.2f}")
    if correction.spread != 1:
        parts.append(f"widen {_factor(correction.spread)}")
    return ", ".join(parts) or "none (bias and spread not clearly off 1)"


def calibration_text(calibration: Calibration, top_misses: int = 5) -> str:
    """The whole calibration: overall, per field, per estimator, largest misses, warnings."""
    o = calibration.overall
    where = f" in {calibration.source}" if calibration.source else ""
    lines = [
        f"Calibration of {calibration.ideas} launched idea{'s' if calibration.ideas != 1 else ''}"
        f"{where}: {o['n']} actuals measured against a 90% range.",
    ]
    if calibration.point_estimates:
        lines.append(
            f"{calibration.point_estimates} actuals were estimated as a plain number, not a "
            "range: left out (a range can be hit or missed; a number is always off)."
        )
    for warning in calibration.warnings:
        lines.append(f"Warning: {warning['message']}")
    if o["n"] == 0:
        return "\n".join(lines)
    lines += [
        "",
        f"Overall: {share(o['hit_rate'])} of actuals fell inside their 90% ranges "
        f"({LEVEL:.0%} interval: {_interval(o, 'hit_rate')}); a calibrated team gets 90%.",
        f"Spread factor {_factor(o['spread_factor'])} ({_interval(o, 'spread_factor', _factor)}): "
        f"how much the ranges must widen ({SCALE_NOTE}) for 90% to hit.",
        "",
        "By field (bias = median of actual / estimated median):",
    ]
    fields = _stats_frame(calibration.fields, "field", field_label)
    fields["bias"] = [_factor(s["bias"]) for s in calibration.fields.values()]
    fields[f"bias {LEVEL:.0%}"] = [
        _interval(s, "bias", _factor) for s in calibration.fields.values()
    ]
    fields["--calibrated applies"] = [_correction_words(calibration, p) for p in calibration.fields]
    lines.append(terminal_table(fields))
    lines += ["", "By estimator (outcome.estimated_by, default the owner):"]
    lines.append(terminal_table(_stats_frame(calibration.estimators, "estimator")))
    misses = calibration.largest_misses(top_misses)
    if len(misses):
        lines += ["", "Largest misses (in stated ranges' widths, on their scale):"]
        shown = pd.DataFrame(
            {
                "idea": misses["id"],
                "by": misses["estimator"],
                "field": misses["field"].map(field_label),
                "stated": [
                    estimate_text(Estimate(row.low, row.high, row.share))
                    for row in misses.itertuples()
                ],
                "actual": [
                    estimate_text(Estimate(row.actual, row.actual, row.share))
                    for row in misses.itertuples()
                ],
                "actual / median": misses["ratio"].map(_factor),
            }
        )
        lines.append(terminal_table(shown))
    if calibration.confident:
        lines += [
            "",
            "`--calibrated` on score, compare and report applies these corrections to new "
            f"estimates: a field's own bias and spread where its {LEVEL:.0%} interval excludes 1 "
            f"and it has {MIN_HISTORY}+ actuals, the overall spread for other ranges.",
        ]
    return "\n".join(lines)


def calibrated_banner(calibration: Calibration) -> str:
    """One line above a calibrated table: the numbers below are corrected (or why they are not)."""
    where = f" in {calibration.source}" if calibration.source else ""
    if not calibration.confident:
        return f"--calibrated: no correction made; the record{where} is too thin (see below)."
    return (
        f"Calibrated: estimates corrected by the record of {calibration.ideas} launched ideas"
        f"{where}; each stated range and its correction are listed below the table.\n"
    )


def corrections_text(ideas: Sequence[Idea], calibration: Calibration) -> str:
    """What `--calibrated` changed, idea by idea: stated range beside the corrected one."""
    where = f" in {calibration.source}" if calibration.source else ""
    head = (
        f"Calibrated with the record of {calibration.ideas} launched ideas{where} "
        f"(hit rate {share(calibration.overall['hit_rate'])}, spread "
        f"{_factor(calibration.overall['spread_factor'])}): the numbers above use the corrected ranges."
    )
    if not calibration.confident:
        return (
            f"--calibrated: no correction made. {calibration.warnings[0]['message']}"
            if calibration.warnings
            else "--calibrated: no correction made."
        )
    lines = [head]
    for idea in ideas:
        record = corrections_of(idea)
        if not record:
            lines.append(f"  {idea.id}: nothing to correct.")
            continue
        lines.append(f"  {idea.id}:")
        for path, item in record.items():
            lines.append(
                f"    {field_label(path)} ({path}): stated {estimate_text(item['stated'])}, "
                f"corrected {estimate_text(item['corrected'])} (from {item['source']})"
            )
    return "\n".join(lines)


def corrections_line(idea: Idea) -> str:
    """One idea's corrections on one line (for CSV): 'value.adoption: 60% to 90% -> 23% to 87%; ...'."""
    return "; ".join(
        f"{path}: {estimate_text(item['stated'])} -> {estimate_text(item['corrected'])}"
        for path, item in corrections_of(idea).items()
    )


def corrections_json(idea: Idea) -> dict:
    """`{path: {"stated": {low, high}, "corrected": {low, high}, "source": ...}}` for one idea."""
    return {
        path: {
            "stated": {"low": item["stated"].low, "high": item["stated"].high},
            "corrected": {"low": item["corrected"].low, "high": item["corrected"].high},
            "source": item["source"],
        }
        for path, item in corrections_of(idea).items()
    }
