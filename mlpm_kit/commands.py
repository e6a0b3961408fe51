"""The commands of `mlpm`: what each does once its arguments are parsed (`cli` parses them).

Imported only after the arguments are parsed, so `mlpm --help` and a mistyped option never
wait for pandas, the model or the Jupyter stack.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mlpm_kit.errors import EXIT_INPUT, InputError, MlpmError
from mlpm_kit.idea.defaults import value_sources
from mlpm_kit.idea.files import load_idea, new_idea
from mlpm_kit.idea.folders import check_portfolio_path, idea_files, load_ideas
from mlpm_kit.idea.formatting import (
    spreadsheet_text,
)
from mlpm_kit.idea.sheets import SHEET_SUFFIXES, save_portfolio
from mlpm_kit.idea.text_files import output_file, output_folder
from mlpm_kit.interviews.notes import check_notes
from mlpm_kit.model.decision import DECISION_COLUMNS, Decision, decisions
from mlpm_kit.model.scoring import SCORE_COLUMNS, records, score
from mlpm_kit.model.simulate import HEADLINE_COLUMNS, SUMMARY_OUTPUTS, Simulation, check_draws
from mlpm_kit.output import (
    currency_of,
    decisions_text,
    json_text,
    left_out_text,
    print_errors,
    score_table_text,
    uncertainty_table_text,
    validate_next_text,
)
from mlpm_kit.portfolio.selection import best_portfolio
from mlpm_kit.report.notes_view import notes_report_text
from mlpm_kit.report.portfolio_table import selection_text
from mlpm_kit.resources import kit_path

EXAMPLES = kit_path("examples")
DEMO_DRAWS = 2000
# The outputs whose percentiles `score --draws` shows in its table and JSON
# (UNCERTAINTY_COLUMNS): the others' are not selected.
SUMMARIZED = ("npv", "expected_value")
# Fields `mlpm score --draws` adds to each idea (DESIGN section 6), besides `evpi`.
UNCERTAINTY_COLUMNS = (
    *HEADLINE_COLUMNS,
    "expected_value_p10",
    "expected_value_p50",
    "expected_value_p90",
    "evpi_total",
    "validate_next",
)


def _whole_number(text: str | None, name: str) -> int | None:
    if text is None:
        return None
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise InputError(
            f"--{name} must be a whole number, got {text!r}; for example --{name} 10000."
        ) from None


def with_uncertainty(table: pd.DataFrame, sim: Simulation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The score table joined with the simulation's summary, and `top`: the inputs worth
    validating (`Simulation.validate_next`), whose ids `validate_next` lists per idea."""
    summary = sim.summary()
    summary["evpi_total"] = sim.evpi_total().to_numpy()
    top = sim.validate_next()
    joined = top.groupby("id")["input"].agg(";".join)
    summary["validate_next"] = summary["id"].map(joined).fillna("")
    summary["seed"], summary["draws"] = sim.seed, sim.draws
    summary = summary.drop(columns=[c for c in summary if c != "id" and c in table.columns])
    return table.merge(summary, on="id", how="left", validate="one_to_one"), top


def history_folder(value: str | None, near: Sequence[str | Path]) -> Path | None:
    """The folder of launched ideas `--calibrated [DIR]` names: DIR, else a history/ folder
    beside (or inside) the first idea path; None without --calibrated."""
    if value is None:
        return None
    if value:
        return Path(value)
    first = Path(near[0]) if near else Path(".")
    base = first if first.is_dir() else first.parent
    for candidate in (base / "history", base.parent / "history"):
        if candidate.is_dir():
            return candidate
    raise InputError(
        f"--calibrated found no history/ folder beside {first}; give the folder of launched "
        "ideas with outcomes: --calibrated DIR."
    )


def calibrated(ideas: list, value: str | None, near: Sequence[str | Path]) -> tuple[list, Any]:
    """The ideas corrected by the record `--calibrated` names, and the `Calibration` (None without it)."""
    folder = history_folder(value, near)
    if folder is None:
        return ideas, None
    from mlpm_kit.calibration.record import calibrate  # scipy: only when asked for

    record = calibrate(folder)
    return record.apply_all(ideas), record


def add_corrections(rows: list[dict], ideas: list) -> None:
    """Give each JSON row of a calibrated idea its `calibration`: {path: {stated, corrected, source}}."""
    from mlpm_kit.report.calibration_view import corrections_json

    by_id = {idea.id: idea for idea in ideas}
    for row in rows:
        row["calibration"] = corrections_json(by_id[row["id"]])


def with_decisions(table: pd.DataFrame, decided: list[Decision]) -> pd.DataFrame:
    """The table with each idea's decision (DESIGN section 9) as columns."""
    if not decided:
        return table
    frame = pd.DataFrame([{"id": d.id, **d.json()} for d in decided])
    frame = frame.drop(columns=[c for c in frame.columns if c != "id" and c in table.columns])
    return table.merge(frame, on="id", how="left", validate="one_to_one")


def cmd_score(args: argparse.Namespace) -> int:

    draws, seed = _whole_number(args.draws, "draws"), _whole_number(args.seed, "seed")
    if draws is not None:
        check_draws(draws)
    ideas, errors = load_ideas(args.paths)
    if not ideas and errors:
        print_errors(errors)
        return EXIT_INPUT
    ideas, record = calibrated(ideas, args.calibrated, args.paths)
    table = score(ideas)
    if record is not None:  # CSV readers see which ranges were corrected
        from mlpm_kit.report.calibration_view import corrections_line

        by_id = {idea.id: idea for idea in ideas}
        table["calibration"] = [corrections_line(by_id[i]) for i in table["id"]]
    columns = list(SCORE_COLUMNS) + ["confidence_source", "currency"]
    evpi = top = None
    if len(table):
        # The percentiles shown: none without draws; the spreadsheet gets every output's.
        summarized = () if draws is None else SUMMARY_OUTPUTS if args.csv else SUMMARIZED
        sim, decided = decisions(ideas, draws=draws, seed=seed, percentiles_of=summarized)
        table = with_decisions(table, decided)
        columns += [c for c in DECISION_COLUMNS if c not in columns]
        if draws is not None:
            table, top = with_uncertainty(table, sim)
            evpi = sim.evpi()
            columns += [c for c in (*UNCERTAINTY_COLUMNS, "seed", "draws") if c not in columns]
    if record is not None and not (args.json or args.csv):
        from mlpm_kit.report.calibration_view import calibrated_banner

        print(calibrated_banner(record))
    if args.json:
        rows = records(table[columns])
        sources = {idea.id: value_sources(idea) for idea in ideas}
        for row in rows:
            row["sources"] = sources[row["id"]]
        if evpi is not None:
            values: dict[str, dict[str, float]] = {}
            for idea_id, path, value in zip(evpi["id"], evpi["input"], evpi["evppi"], strict=True):
                values.setdefault(idea_id, {})[path] = float(value)
            nexts: dict[str, list[dict]] = {}
            items = records(top[["input", "label", "evppi", "suggestion"]])
            for idea_id, item in zip(top["id"], items, strict=True):
                nexts.setdefault(idea_id, []).append(item)
            for row in rows:
                row["evpi"] = values.get(row["id"], {})
                row.pop("validate_next", None)
                row["validate_next"] = nexts.get(row["id"], [])
        if record is not None:
            add_corrections(rows, ideas)
        print(json_text(rows))
    elif args.csv:
        # Nested values (validate, kill_criteria, warnings) as JSON text, one cell each.
        nested = table.map(lambda v: json.dumps(v) if isinstance(v, dict | list) else v)
        sys.stdout.write(nested.map(spreadsheet_text).to_csv(index=False))
    elif evpi is not None:
        print(uncertainty_table_text(table))
        print(
            f"\n{draws:,} draws, seed {seed or 0}. Money in {currency_of(table) or 'the idea files currency'}. "
            "npv p10 / p50 / p90: 80% of outcomes fall between p10 and p90."
        )
        print(
            "P(loss) = chance that npv < 0. EVPI = what perfectly knowing every input is worth.\n"
        )
        print(validate_next_text(table, evpi, sim.sensitivity()))  # the tornado: text only
        print("\n" + decisions_text(table))
    else:
        print(score_table_text(table))
        if len(table):
            print(
                "\nRanked by expected value = confidence x (npv - opportunity cost) - (1 - confidence) x failure cost."
            )
            cur = currency_of(table)
            print(
                f"Money in {cur or 'the idea files currency (none is named)'}; effort in "
                "engineer-weeks. `mlpm score --json` has every field."
            )
            print("\n" + decisions_text(table))
    if record is not None and not (args.json or args.csv):
        from mlpm_kit.report.calibration_view import corrections_text

        print("\n" + corrections_text(ideas, record))
    if errors and not (args.json or args.csv):
        print(left_out_text(errors, "Not scored:"))
    print_errors(errors)
    return EXIT_INPUT if errors else 0


def cmd_new(args: argparse.Namespace) -> int:

    if not args.title.strip():
        raise InputError(
            'the title is empty; give the idea a name, for example mlpm new "Auto-triage of tickets".'
        )
    path = new_idea(args.title, output_folder(args.dir, "--dir"))
    print(path)
    return 0


def report_folder(
    folder: Path, fmt: str, out_dir: Path, draws: int | None, seed: int, history: Path | None = None
) -> int:
    """One report per idea of `folder`, in parallel; print the files written and what failed."""
    from mlpm_kit.report.render import render_reports

    files = idea_files([folder])
    _check_unique_ids(files)
    results = render_reports(files, fmt, out_dir, draws=draws, seed=seed, history=history)
    for result in results:
        if result.output:
            print(result.output)
    failed = [r for r in results if r.error]
    written = len(results) - len(failed)
    print(f"{written} of {len(results)} reports written to {out_dir}.", file=sys.stderr)
    if failed:
        print(f"{len(failed)} failed:", file=sys.stderr)
        print_errors([MlpmError(r.error) for r in failed])
    return EXIT_INPUT if failed else 0


def _check_unique_ids(files: Sequence[Path]) -> None:
    """Two idea files with one id would write one report over the other: refuse before writing."""
    seen: dict[str, Path] = {}
    for path in files:
        try:
            idea = load_idea(path)
        except MlpmError:
            continue  # reported with the other reports' results
        if idea.id in seen:
            raise InputError(
                f"the id '{idea.id}' is also used by {seen[idea.id]}; each idea gets its own "
                "report, named by its id: give each idea its own id.",
                file=str(path),
                field="id",
            )
        seen[idea.id] = path


def cmd_report(args: argparse.Namespace) -> int:
    from mlpm_kit.report.render import render_report

    path, out_dir = Path(args.path), output_folder(args.out, "--out")
    history = history_folder(args.calibrated, [path])
    if path.is_dir() and not args.portfolio:
        return report_folder(path, args.format, out_dir, args.draws, args.seed, history)
    print(
        render_report(
            path,
            args.format,
            out_dir,
            portfolio=args.portfolio,
            draws=args.draws,
            seed=args.seed,
            capacity_weeks=args.capacity_weeks,
            budget=args.budget,
            history=history,
        )
    )
    return 0


def _requires(pairs: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pair in pairs:
        needer, sep, needed = pair.partition(":")
        if not sep or not needer.strip() or not needed.strip():
            raise InputError(
                f"--requires {pair!r}: write B:A for 'B needs A', for example --requires search-ranking:ticket-triage."
            )
        out.setdefault(needer.strip(), []).append(needed.strip())
    return out


def cmd_compare(args: argparse.Namespace) -> int:
    if args.out:
        output_file(args.out, "--out", SHEET_SUFFIXES)
    stated, errors = load_ideas([check_portfolio_path(args.path)])
    if not stated:
        print_errors(errors)
        return EXIT_INPUT
    ideas, record = calibrated(stated, args.calibrated, [args.path])
    selection = best_portfolio(
        ideas,
        args.capacity_weeks,
        budget=args.budget,
        draws=args.draws,
        seed=args.seed,
        must_include=args.include,
        must_exclude=args.exclude,
        requires=_requires(args.requires),
    )
    if args.out:
        save_portfolio(
            stated, args.out, selection.table
        )  # the estimates as stated, never corrected
    if args.json:
        out = selection.to_json()
        if record is not None:
            add_corrections(out["ideas"], ideas)
        out["left_out"] = [line for exc in errors for line in exc.lines()]
        print(json_text(out))
    else:
        if record is not None:
            from mlpm_kit.report.calibration_view import calibrated_banner

            print(calibrated_banner(record))
        print(selection_text(selection))
        if record is not None:
            from mlpm_kit.report.calibration_view import corrections_text

            print("\n" + corrections_text(ideas, record))
        if args.out:
            print(f"\nWrote the portfolio with the results to {args.out}")
        if errors:
            print(left_out_text(errors, "This comparison is made without"))
    print_errors(errors)
    return EXIT_INPUT if errors else 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from mlpm_kit.calibration.record import calibrate
    from mlpm_kit.report.calibration_view import calibration_text

    record = calibrate(args.path)
    if args.json:
        print(json_text(record.to_json()))
    else:
        print(calibration_text(record))
    return 0


def cmd_check_notes(args: argparse.Namespace) -> int:

    report = check_notes(args.paths, rules_dir=args.rules, model=args.model)
    print(report.to_json() if args.json else notes_report_text(report))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from mlpm_kit.report.render import render_report

    ideas_dir = EXAMPLES / "ideas"
    print(f"Scoring the example portfolio in {ideas_dir}\n")
    ideas, errors = load_ideas([ideas_dir])
    print(score_table_text(with_decisions(score(ideas), decisions(ideas, percentiles_of=())[1])))
    print_errors(errors)
    if errors:
        return EXIT_INPUT
    capacity = 60
    print(
        f"\nComparing: the best set for {capacity} engineer-weeks (mlpm compare {ideas_dir} --capacity-weeks {capacity})\n"
    )
    print(selection_text(best_portfolio(ideas, capacity)))
    history = EXAMPLES / "history"
    from mlpm_kit.calibration.record import calibrate
    from mlpm_kit.report.calibration_view import calibration_text, corrections_text

    print(f"\nHow good were our estimates? (mlpm calibrate {history})\n")
    record = calibrate(history)
    print(calibration_text(record, top_misses=3))
    print(
        f"\nThe same comparison with that record applied (mlpm compare {ideas_dir} "
        f"--capacity-weeks {capacity} --calibrated)\n"
    )
    corrected = record.apply_all(ideas)
    print(selection_text(best_portfolio(corrected, capacity)))
    print("\n" + corrections_text(corrected[:2], record))
    print(f"  ... and the other {len(corrected) - 2} ideas: mlpm score {ideas_dir} --calibrated")
    out_dir = Path("out")
    print(f"\nWriting one PDF report per example idea, and the portfolio's, to {out_dir}/")
    status = report_folder(ideas_dir, "pdf", out_dir, DEMO_DRAWS, 0)
    print(render_report(ideas_dir, "pdf", out_dir, portfolio=True, capacity_weeks=capacity))
    return EXIT_INPUT if status else 0


def cmd_ml_check(args: argparse.Namespace) -> int:
    from mlpm_kit.ml.readiness import ml_check, ml_check_text

    result = ml_check(load_idea(args.path), seed=args.seed)
    if args.json:
        print(json_text(result))
    else:
        print(ml_check_text(result))
    return 0
