"""Charts of a `Calibration`: the reliability chart (stated confidence against the share that hit).

Built without pyplot, like the other charts (`fig.savefig` renders with Agg); the title
says what to conclude.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from mlpm_kit.calibration.record import Calibration
from mlpm_kit.idea.formatting import share
from mlpm_kit.idea.schema import field_label

OVERALL_COLOR = "#263238"


def reliability_chart(calibration: Calibration) -> Figure:
    """Per field (and all together): for ranges stated at 50% ... 99%, the share of actuals inside.

    A calibrated team's points lie on the diagonal; points below it are overconfidence
    (ranges too narrow). The 90% stated ranges are the ones people wrote; the other
    levels are central ranges of the same distributions.
    """
    table = calibration.reliability()
    fig = Figure(figsize=(7.5, 5.5))
    ax = fig.subplots()
    ax.plot([0.5, 1], [0.5, 1], "--", color="#9e9e9e", lw=1, label="calibrated")
    for name, part in table.groupby("field", sort=False):
        n = int(part["n"].iloc[0])
        if name == "all":
            ax.plot(
                part["stated"],
                part["hit_share"],
                "o-",
                color=OVERALL_COLOR,
                lw=2.5,
                label=f"all fields (n={n})",
                zorder=3,
            )
        else:
            ax.plot(
                part["stated"],
                part["hit_share"],
                ".-",
                lw=1,
                alpha=0.8,
                label=f"{field_label(name)} (n={n})",
            )
    ax.axvline(0.9, color="#b0bec5", lw=0.8)
    ax.set_xlim(0.48, 1.01)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("stated confidence of the range")
    ax.set_ylabel("share of actuals inside it")
    overall = calibration.overall
    verdict = (
        "no actuals to compare"
        if overall["n"] == 0
        else f"90% ranges held {share(overall['hit_rate'])} of the time "
        f"({share(overall['hit_rate_low'])} to {share(overall['hit_rate_high'])})"
    )
    ax.set_title(f"Reliability: {verdict}", fontsize=11)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
