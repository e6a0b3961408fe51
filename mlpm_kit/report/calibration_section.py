"""The calibration in reports and notebooks: an HTML section (with the reliability chart), and
the portfolio's ideas corrected by a history when one is given.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from mlpm_kit.calibration.apply import corrections_of
from mlpm_kit.calibration.fit import LEVEL
from mlpm_kit.calibration.record import Calibration, calibrate
from mlpm_kit.idea.formatting import estimate_text, share
from mlpm_kit.idea.schema import Idea, field_label
from mlpm_kit.report.calibration_charts import reliability_chart
from mlpm_kit.report.calibration_view import _correction_words, _factor, _interval
from mlpm_kit.report.charts import figure_png
from mlpm_kit.report.scorecard import _e, _section, figures_html, html_table


def calibration_html(calibration: Calibration, ideas: Sequence[Idea] = (), title: str = "") -> str:
    """The calibration as a report section: headline, warnings, reliability chart, per-field
    table and, for calibrated ideas, each stated range beside its correction.

    The history is named by its folder name only (no local path in a report).
    """
    o = calibration.overall
    name = Path(calibration.source).name if calibration.source else "the history"
    body = (
        f"<p>{calibration.ideas} launched ideas in {_e(name)}: {o['n']} actuals measured against "
        f"a 90% range; {share(o['hit_rate'])} fell inside ({LEVEL:.0%} interval "
        f"{_interval(o, 'hit_rate')}; a calibrated team gets 90%). Spread factor "
        f"{_factor(o['spread_factor'])}: how much ranges must widen for 90% to hit.</p>"
    )
    body += "".join(f'<p class="mlpm-missing">{_e(w["message"])}</p>' for w in calibration.warnings)
    if o["n"]:
        body += figures_html(
            [
                (
                    "Stated confidence against the share of actuals inside; below the diagonal: "
                    "ranges too narrow.",
                    figure_png(reliability_chart(calibration)),
                )
            ]
        )
        rows = [
            [
                field_label(path),
                s["n"],
                share(s["hit_rate"]),
                _factor(s["spread_factor"]),
                _factor(s["bias"]),
                _correction_words(calibration, path),
            ]
            for path, s in calibration.fields.items()
        ]
        body += html_table(["field", "n", "hit rate", "spread", "bias", "applied"], rows)
    corrected = [(idea, corrections_of(idea)) for idea in ideas]
    rows = [
        [
            idea.id,
            field_label(path),
            estimate_text(item["stated"]),
            estimate_text(item["corrected"]),
        ]
        for idea, record in corrected
        for path, item in record.items()
    ]
    if rows:
        body += "<h3>The numbers of this report use the corrected ranges</h3>" + html_table(
            ["idea", "field", "stated", "corrected"], rows
        )
    return _section("calibration", title or "Calibration: how good were our estimates?", body)


def calibrated_portfolio(
    ideas: Sequence[Idea], history_path: str | os.PathLike | None
) -> tuple[list[Idea], Calibration | None]:
    """The ideas corrected by the record in `history_path` (unchanged, None, without one)."""
    if history_path is None:
        return list(ideas), None
    record = calibrate(history_path)
    return record.apply_all(ideas), record


def show_calibration(calibration: Calibration | None, ideas: Sequence[Idea] = ()) -> None:
    """Display `calibration_html` in a notebook; nothing without a calibration."""
    if calibration is None:
        return
    from IPython.display import HTML, display

    display(HTML(calibration_html(calibration, ideas)))
