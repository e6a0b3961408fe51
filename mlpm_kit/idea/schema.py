"""The idea schema: every section and field of an idea file, its type, bounds, unit and help.

This is the one source of truth for the idea format (DESIGN section 3). Validation, the
workshop form, the CLI help and the report's field labels all read it: a field's `title`
is its label, `description` its help text, and `json_schema_extra["unit"]` its unit.
"""

from __future__ import annotations

import difflib
import functools
import re
import typing
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, PlainSerializer, PlainValidator, PrivateAttr, model_validator

from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.fields import (
    WEEKS_PER_YEAR,
    Amount,
    Currency,
    Flag,
    Money,
    PainScore,
    Section,
    Share,
    Text,
    WholeNumber,
    _text,
    estimate_type,
    field,
    measured_value,
    problems_error,
)
from mlpm_kit.idea.ml_section import MlSection


class Problem(Section):
    what: Text = field("", "What", help="The customer problem, in the customer's words.")
    why: Text = field(
        "", "Why it matters", help="What it costs them: time, money, risk, satisfaction."
    )
    who: Text = field("", "Who", help="The people who have the problem; be specific.")


class Pain(Section):
    frequency: PainScore = field(
        ...,
        "Frequency",
        "1-5",
        "How often it hurts: 1 yearly, 2 monthly, 3 weekly, 4 daily, 5 many times a day.",
    )
    severity: PainScore = field(
        ...,
        "Severity",
        "1-5",
        "How much it hurts: 1 minor annoyance ... 5 blocks the job or costs real money.",
    )
    actively_seeking: Flag = field(
        False, "Actively seeking a fix", help="Have they already tried to solve it themselves?"
    )


class Alternative(Section):
    name: Text = field(..., "Name", help="What customers do today instead.")
    kind: Literal["manual", "competitor", "in-house", "do-nothing"] = field(
        "manual", "Kind", help="manual, competitor, in-house or do-nothing."
    )
    captures: Share = field(
        0.0,
        "Benefit already captured",
        "share 0-1",
        "Share of the benefit that customers already get from this alternative.",
    )
    cost_per_year: Money = field(
        0.0, "Cost per year", "money/year", "What customers spend on it today."
    )
    replaced: Flag = field(
        False, "Replaced by us", help="true if our product replaces it, so that cost is saved."
    )


class Value(Section):
    users: Amount = field(0.0, "Users", "people", "People who have the problem.")
    adoption: Share = field(0.0, "Adoption", "share 0-1", "Share of those users who will use it. ")
    hours_saved_per_user_week: Amount = field(
        0.0, "Hours saved per user per week", "hours/week", "Per adopting user. "
    )
    hourly_cost: Money = field(
        0.0, "Hourly cost", "money/hour", "Loaded cost of an hour of their time. "
    )
    weeks_per_year: Amount = field(
        46.0,
        "Working weeks per year",
        "weeks",
        "Weeks a year they work; default 46.",
        le=WEEKS_PER_YEAR,
    )
    money_saved_per_year: Money = field(
        0.0, "Other money saved per year", "money/year", "Other direct savings. "
    )
    revenue_per_year: Money = field(0.0, "New revenue per year", "money/year")


class Cost(Section):
    team_size: estimate_type(minimum=1.0) = field(
        2.0, "Team size", "engineers", "Engineers working on it at once; default 2."
    )
    team_week_cost: Money = field(
        ..., "Cost of an engineer-week", "money/engineer-week", "Loaded cost of one engineer-week."
    )
    mvp_weeks: Amount = field(
        ..., "Effort to MVP", "engineer-weeks", "Engineer-weeks to a usable MVP. "
    )
    build_weeks: Amount = field(
        0.0,
        "Effort from MVP to launch",
        "engineer-weeks",
        "Engineer-weeks after the MVP.",
    )
    iterations: WholeNumber = field(
        0, "Improvement rounds", "rounds", "Planned rounds after launch."
    )
    iteration_weeks: Amount = field(
        0.0,
        "Effort per round",
        "engineer-weeks",
        "Engineer-weeks per improvement round.",
    )
    data_cost: Money | None = field(
        None,
        "Data cost",
        "money",
        "One-time: labels, purchases, partnerships. Left empty, the ML section's estimate is used.",
    )
    run_cost_per_year: Money = field(
        0.0,
        "Running cost per year",
        "money/year",
        "Infrastructure, monitoring, retraining, support.",
    )


class Timeline(Section):
    horizon_years: estimate_type(minimum=0.0, maximum=50.0) = field(
        3.0, "Horizon", "years", "Years of value counted from today; default 3."
    )
    discount_rate: estimate_type(minimum=0.0, maximum=1.0) = field(
        0.10, "Discount rate", "per year", "Yearly discount rate; default 0.10."
    )


class Opportunity(Section):
    value_per_engineer_week: Money = field(
        0.0,
        "Value of the next-best work",
        "money/engineer-week",
        "What the team's next-best work returns per engineer-week; default 0.",
    )


class Evidence(Section):
    confidence: Share | None = field(
        None,
        "Confidence the problem is real",
        "probability 0-1",
        "Probability that the problem is real as stated; default 0.5, or set by the interview grade.",
    )
    interviews: list[Text] = field(
        [], "Interview notes", help="Paths of interview notes (Markdown), relative to this file."
    )
    confidence_override_reason: Text = field(
        "",
        "Why the stated confidence overrides the notes",
        help="Only to use a stated confidence outside what the interview notes support; printed beside the decision.",
    )
    validation_cost: Amount | None = field(
        None,
        "Cost of one validation step",
        "money",
        "What one experiment to narrow an input costs; default one engineer-week (cost.team_week_cost).",
    )


def _estimate_validator(info: Any):
    """The validator function of an `estimate_type` field (also of an `X | None` one)."""
    candidates = [(info.annotation, info.metadata)] + [
        (typing.get_args(arg)[0], arg.__metadata__)
        for arg in typing.get_args(info.annotation)
        if hasattr(arg, "__metadata__")
    ]
    for base, metadata in candidates:
        for meta in metadata:
            if base is Estimate and isinstance(meta, PlainValidator):
                return meta.func
    return None


# Fields whose actual value can be recorded after launch, by dotted path: every number
# or range of the value and cost sections.
ACTUAL_FIELDS = {
    f"{section}.{name}": validator
    for section, model in (("value", Value), ("cost", Cost))
    for name, info in model.model_fields.items()
    if (validator := _estimate_validator(info)) is not None
}


def _actuals(value: object) -> dict[str, float]:
    """outcome.actual: dotted path -> one measured number, each checked like its field."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(
            f"should be a section of 'dotted.path: measured value' lines "
            f"(for example value.users: 350), got {value!r}."
        )
    out: dict[str, float] = {}
    problems: list[tuple[str, str]] = []
    for path, measured in value.items():
        path = str(path)
        if path not in ACTUAL_FIELDS:
            close = difflib.get_close_matches(path, list(ACTUAL_FIELDS), n=1, cutoff=0.5)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"actuals can be recorded for: {', '.join(ACTUAL_FIELDS)}."
            )
            problems.append((path, f"unknown field; {hint}"))
            continue
        try:
            out[path] = measured_value(measured, ACTUAL_FIELDS[path])
        except ValueError as exc:
            problems.append((path, str(exc)))
    if problems:
        raise problems_error(problems)
    return out


Actuals = Annotated[
    dict[str, float],
    PlainValidator(_actuals),
    PlainSerializer(lambda actual: {path: Estimate(x, x).to_yaml() for path, x in actual.items()}),
]


class Outcome(Section):
    launched: date | None = field(None, "Launched", help="The date it launched (YYYY-MM-DD).")
    measured: date | None = field(
        None, "Measured", help="The date the actuals were measured (YYYY-MM-DD), after the launch."
    )
    estimated_by: Text = field(
        "", "Estimated by", help="Who wrote the estimates above; default: the owner."
    )
    actual: Actuals = field(
        {},
        "Actual values",
        help="What was measured after launch, by dotted path (value.users: 350). "
        "The estimates above stay as they were when the idea was decided.",
    )


_ID = re.compile(r"^\w[\w.-]{0,99}$")


def _idea_id(value: object) -> str | None:
    if value is None:
        return None
    text = _text(value)
    if not _ID.match(text):
        raise ValueError(
            f"{text!r} is not a valid id: use letters, digits, '-', '_' or '.', up to 100 characters."
        )
    return text


class Idea(Section):
    """One candidate ML idea, as in an idea file."""

    # The file it was loaded from: relative paths (interview notes) resolve against it.
    _source: Path | None = PrivateAttr(None)
    # Set on a copy corrected by a team's record: path -> {stated, corrected, source}.
    _calibration: dict | None = PrivateAttr(None)
    # The folder defaults (mlpm.yaml) it was validated with, and the dotted paths they filled in.
    _defaults: Any = PrivateAttr(None)
    _filled: set[str] = PrivateAttr(default_factory=set)

    id: Annotated[str | None, PlainValidator(_idea_id)] = field(
        None, "Id", help="Short name; defaults to the file name without .yaml."
    )
    title: Text = field(..., "Title", help="A one-line name for the idea.")
    owner: Text = field("", "Owner", help="Who drives it.")
    status: Literal["discovery", "validating", "mvp", "launched", "parked"] = field(
        "discovery", "Status", help="discovery, validating, mvp, launched or parked."
    )
    currency: Currency = field(
        None,
        "Currency",
        help="ISO 4217 code (EUR, USD, CNY) of every amount in the file; default: the folder's mlpm.yaml.",
    )
    tags: list[Text] = field([], "Tags")
    problem: Problem = field(Problem(), "Problem")
    pain: Pain = field(..., "Pain")
    alternatives: list[Alternative] = field(
        [], "Alternatives", help="What customers do today instead."
    )
    value: Value = field(Value(), "Value per year")
    cost: Cost = field(..., "Cost")
    timeline: Timeline = field(Timeline(), "Timeline")
    opportunity: Opportunity = field(Opportunity(), "Opportunity cost")
    evidence: Evidence = field(Evidence(), "Evidence")
    ml: MlSection = field(
        MlSection(),
        "ML readiness",
        help="Metric, data, compliance, monitoring, explainability (optional).",
    )
    outcome: Outcome = field(
        Outcome(),
        "Outcome",
        help="Filled in after launch: what was measured, against the estimates.",
    )

    @property
    def estimated_by(self) -> str:
        """Who wrote the estimates: `outcome.estimated_by`, else the owner."""
        return self.outcome.estimated_by or self.owner or "unknown"

    @model_validator(mode="after")
    def _outcome_matches_estimates(self) -> Idea:
        problems: list[tuple[str, str]] = []
        outcome = self.outcome
        if outcome.launched and outcome.measured and outcome.measured < outcome.launched:
            problems.append(
                (
                    "outcome.measured",
                    f"{outcome.measured} is before outcome.launched ({outcome.launched}); "
                    "actuals are measured after the launch: fix one of the two dates.",
                )
            )
        for path in outcome.actual:
            section, name = path.split(".")
            block = getattr(self, section)
            if name not in block.model_fields_set or getattr(block, name) is None:
                problems.append(
                    (
                        f"outcome.actual.{path}",
                        f"the idea never estimated {path}, so there is nothing to compare this "
                        f"actual with; remove it, or add the estimate made before the decision "
                        f"under {section}:.",
                    )
                )
        if problems:
            raise problems_error(problems)
        return self


# The sections that hold what was estimated before the decision: once `outcome.actual`
# records what happened, saving keeps them as they were (see `files.save_idea`).
ESTIMATE_SECTIONS = ("pain", "alternatives", "value", "cost", "timeline", "opportunity", "evidence")


def section_model(path: tuple) -> type[BaseModel] | None:
    """The model class at a location path such as ('alternatives', 0) or ('value',)."""
    model: Any = Idea
    for part in path:
        if isinstance(part, int):
            continue
        if (
            not (isinstance(model, type) and issubclass(model, BaseModel))
            or part not in model.model_fields
        ):
            return None
        model = _model_of(model.model_fields[part].annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _model_of(annotation: Any) -> Any:
    """Unwrap list[X], X | None and Annotated[X, ...] to X."""
    for arg in getattr(annotation, "__args__", ()) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return annotation


_INDEX = re.compile(r"\[(\d+)\]")


def field_label(path: str, idea: Idea | None = None) -> str:
    """A person's name for a dotted field path, from the schema's field titles (the one place
    labels are written): 'value.users' -> 'Users'; 'alternatives[0].captures' -> 'Benefit
    already captured (Manual routing)' with the idea's alternative name, else 'alternative 1'.

    >>> field_label("cost.mvp_weeks")
    'Effort to MVP'
    >>> field_label("alternatives[1].cost_per_year")
    'Cost per year (alternative 2)'
    """
    label, index = _field_title(path)
    if index is not None:
        alternatives = idea.alternatives if idea is not None else []
        name = alternatives[index].name if index < len(alternatives) else f"alternative {index + 1}"
        return f"{label} ({name})"
    return label


@functools.cache
def _field_title(path: str) -> tuple[str, int | None]:
    """The schema title of a dotted path, and the alternative's index when it is one."""
    keys = tuple(int(k) if k.isdigit() else k for k in _INDEX.sub(r".\1", path).split("."))
    model = section_model(keys[:-1])
    info = model.model_fields.get(keys[-1]) if model is not None else None
    label = info.title if info is not None and info.title else path
    rows = [k for k in keys if isinstance(k, int)]
    return label, (rows[0] if keys[0] == "alternatives" and rows else None)


def field_unit(path: str) -> str:
    """A field's unit from the schema ('people', 'money/year', 'share 0-1'), '' if it has none.

    >>> field_unit("value.users"), field_unit("alternatives[0].captures")
    ('people', 'share 0-1')
    """
    keys = tuple(int(k) if k.isdigit() else k for k in _INDEX.sub(r".\1", path).split("."))
    model = section_model(keys[:-1])
    info = model.model_fields.get(keys[-1]) if model is not None else None
    extra = (info.json_schema_extra or {}) if info is not None else {}
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""
