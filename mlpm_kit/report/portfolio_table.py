"""A `Selection` as tables for people: terminal text for `mlpm compare`, a styled table for notebooks.

The numbers come from `portfolio.best_portfolio`; this module only chooses columns,
words and formats (`formatting.money` / `number` / `share`).
"""

from __future__ import annotations

import pandas as pd

from mlpm_kit.idea.formatting import (
    in_currency,
    money,
    number,
    plain_text,
    share,
    shorten,
    terminal_table,
)
from mlpm_kit.model.decision import LABELS
from mlpm_kit.portfolio.selection import ENGINEER_QUARTER_WEEKS, Selection

OPPORTUNITY_COST_HELP = (
    "Opportunity cost = V*(without the idea) - (V*(with it forced in) - its value): for a chosen idea,\n"
    "the value the rest of the best set gives up to make room for it; for one left out, what forcing it in\n"
    "would cost. n/a: the idea cannot fit the capacity (or budget) at all."
)


def ranking_frame(selection: Selection) -> pd.DataFrame:
    """The headline numbers, one row per idea, formatted as text (selected ideas first)."""
    t = selection.table
    cur = selection.currency
    shown = pd.DataFrame(
        {
            "chosen": t["selected"].map({True: "yes", False: ""}),
            "own decision": t["decision"].map(LABELS),
            "greedy": t["greedy_selected"].map({True: "yes", False: ""}),
            "id": t["id"],
            "title": t["title"].map(lambda title: shorten(title, 34)),
            in_currency("expected value", cur): t["expected_value"].map(money),
            "effort wk": t["effort_weeks"].map(number),
            in_currency("one-time", cur): t["one_time_cost"].map(money),
            "RICE": t["rice"].map(lambda x: number(round(x, 1)) if x == x else "n/a"),
            in_currency("opp. cost", cur): t["opportunity_cost"].map(money),
            in_currency("value - opp. cost", cur): t["value_over_opportunity_cost"].map(money),
        }
    )
    if "p_selected" in t:
        shown["P(in best set)"] = t["p_selected"].map(share)
    return shown


def constraint_lines(selection: Selection) -> list[str]:
    """Every limit the best set was chosen under, in words: what a reader needs to recompute it."""
    s = selection
    lines = [f"Capacity: {number(s.capacity_weeks)} engineer-weeks."]
    lines.append(
        f"Budget: {money(s.budget, s.currency)} of one-time cost."
        if s.budget is not None
        else "Budget: none (one-time cost not limited)."
    )
    if s.must_include:
        lines.append(f"Forced in: {', '.join(s.must_include)}.")
    if s.must_exclude:
        lines.append(f"Forced out: {', '.join(s.must_exclude)}.")
    if s.requires:
        lines.append("Dependencies: " + "; ".join(f"{b} needs {a}" for b, a in s.requires) + ".")
    lines.append(
        "Each idea's own decision (go / validate first / no-go) is shown beside whether the "
        "best set takes it; an idea to validate first is chosen on its expected value today."
    )
    return lines


def constraints_frame(selection: Selection) -> pd.DataFrame:
    """The constraints as a two-column table for the report's first page."""
    rows = [line.split(": ", 1) for line in constraint_lines(selection)[:-1]]
    frame = pd.DataFrame(rows, columns=["constraint", "value"]).set_index("constraint")
    frame.index.name = None
    return frame


def _totals_line(totals: dict, capacity: float, currency: str | None) -> str:
    return (
        f"expected value {money(totals['total_expected_value'], currency)}, effort {number(totals['total_effort_weeks'])} "
        f"of {number(capacity)} engineer-weeks, one-time cost {money(totals['total_one_time_cost'], currency)}"
    )


def selection_text(selection: Selection) -> str:
    """What `mlpm compare` prints: the best set, the per-idea table, greedy and the gap."""
    s = selection

    def cash(x: float) -> str:
        return money(x, s.currency)

    budget = f", budget {cash(s.budget)}" if s.budget is not None else ""
    lines = [
        f"Best portfolio for {number(s.capacity_weeks)} engineer-weeks{budget}: "
        f"{len(s.selected)} of {len(s.table)} ideas ({', '.join(s.selected) or 'none'})",
        "  " + _totals_line(s.__dict__, s.capacity_weeks, s.currency),
        *("  " + line for line in constraint_lines(s)),
        "",
        terminal_table(ranking_frame(s)),
        "",
        f"Greedy by RICE (a score-ranked roadmap, filled until nothing else fits): {', '.join(s.greedy['selected']) or 'none'}",
        "  " + _totals_line(s.greedy, s.capacity_weeks, s.currency),
    ]
    gap = s.value_left_by_greedy
    if abs(gap) < 0.5:
        lines.append("  Greedy finds a set as good as the best one here.")
    else:
        rel = (
            f" ({share(gap / s.total_expected_value)} of the best set's value)"
            if s.total_expected_value > 0
            else ""
        )
        lines.append(f"  It leaves {cash(gap)} of expected value on the table{rel}.")
    lines.append(
        f"One more engineer-quarter ({number(ENGINEER_QUARTER_WEEKS)} engineer-weeks) would add "
        f"{cash(s.extra_quarter_value)} of expected value."
    )
    summary = s.best_value_summary()
    if summary:
        chosen = summary["chosen_set"]
        lines += [
            f"Under uncertainty ({summary['draws']} simulated draws, the best set re-solved in each):",
            f"  the chosen set is worth p10 {cash(chosen['p10'])}, p50 {cash(chosen['p50'])}, "
            f"p90 {cash(chosen['p90'])}, mean {cash(chosen['mean'])};",
            f"  each draw's own best set (knowing that draw) p10 {cash(summary['p10'])}, p50 {cash(summary['p50'])}, "
            f"p90 {cash(summary['p90'])}, mean {cash(summary['mean'])}.",
            "  P(in best set) = share of those draws in which the idea is in that draw's best set.",
        ]
    lines += ["", OPPORTUNITY_COST_HELP]
    return "\n".join(lines)


def styled_ranking(selection: Selection):
    """The ranking table as a pandas Styler for notebooks and HTML reports.

    Chosen ideas are highlighted; value over opportunity cost is green above 0, red below.
    """
    columns = selection.result_columns(with_text=True)
    if "decision" in columns:  # each idea's own decision, beside whether the best set takes it
        columns.remove("decision")
        columns.insert(columns.index("selected") + 1, "decision")
    cur = selection.currency
    money_columns = [
        "expected value",
        "one time cost",
        "opportunity cost",
        "value over opportunity cost",
    ]

    def header(column: str) -> str:
        if column == "decision":
            return "own decision"
        label = column.replace("_", " ")
        return in_currency(label, cur) if label in money_columns else label

    frame = selection.table[columns].rename(columns=header)
    gain = in_currency("value over opportunity cost", cur)

    def highlight(row: pd.Series) -> list[str]:
        return ["background-color: #e8f4ea; font-weight: 600" if row["selected"] else ""] * len(row)

    formats = {in_currency(c, cur): money for c in money_columns}
    formats["effort weeks"] = number
    formats["rice"] = lambda x: number(round(x, 1)) if x == x else "n/a"
    formats["selected"] = formats["greedy selected"] = lambda b: "yes" if b else ""
    formats["own decision"] = LABELS.get
    if "p selected" in frame:
        formats["p selected"] = share
    for column in frame.select_dtypes(include=["object", "string"]).columns:
        formats.setdefault(column, plain_text)  # ids and titles: no direction overrides
    # One format() call: in pandas 3 each call resets the columns it does not name. Every
    # cell is escaped: an idea's title is untrusted text and must print as text.
    styler = (
        frame.style.apply(highlight, axis=1)
        .format(formats, escape="html")
        .format_index(escape="html", axis=1)
        .map(
            lambda v: (
                f"color: {'#2e7d32' if v >= 0 else '#c62828'}; font-weight: 600" if v == v else ""
            ),
            subset=[gain],
        )
        .hide(axis="index")
        .set_table_styles([{"selector": "td.col1", "props": "min-width: 9em"}], overwrite=False)
        .set_caption(
            f"Best set for {number(selection.capacity_weeks)} engineer-weeks: "
            f"{money(selection.total_expected_value, selection.currency)}; greedy by RICE leaves "
            f"{money(selection.value_left_by_greedy, selection.currency)} on the table"
        )
    )
    return styler


def comparison_frame(selection: Selection) -> pd.DataFrame:
    """The best set beside greedy by RICE: ideas, totals, and the value greedy leaves on the table."""
    rows = []
    for name, totals in (
        ("best set (exact)", selection.__dict__),
        ("greedy by RICE", selection.greedy),
    ):
        rows.append(
            {
                "selection": name,
                "ideas": ", ".join(totals["selected"]) or "none",
                "expected value": money(totals["total_expected_value"], selection.currency),
                "effort weeks": number(totals["total_effort_weeks"]),
                "one-time cost": money(totals["total_one_time_cost"], selection.currency),
                "value left on the table": money(
                    selection.total_expected_value - totals["total_expected_value"],
                    selection.currency,
                ),
            }
        )
    frame = pd.DataFrame(rows).set_index("selection")
    frame.index.name = None  # one header row in HTML and PDF, the row labels say which selection
    return frame
