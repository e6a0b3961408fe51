"""The idea schema: every section and field of an idea file, its type, bounds, unit and help.

This is the one source of truth for the idea format (DESIGN section 3). Validation, the
workshop form, the CLI help and the report's field labels all read it: a field's `title`
is its label, `description` its help text, and `json_schema_extra["unit"]` its unit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, PrivateAttr

from .estimates import Estimate, EstimateError, format_number, parse_estimate

INTERVAL_HELP = 'A number, or a 90% range such as "200 to 400" when unsure.'


class Section(BaseModel):
    """A block of an idea file: unknown keys are errors, so a typo never drops a number."""

    model_config = ConfigDict(
        extra="forbid",
        arbitrary_types_allowed=True,
        validate_assignment=True,
        validate_default=True,
    )


def estimate_type(
    *, share: bool = False, minimum: float | None = 0.0, maximum: float | None = None
):
    """An `Estimate` field type with bounds checked on both ends of the range."""

    def validate(value: object) -> Estimate:
        try:
            est = parse_estimate(value, share=share)
        except EstimateError as exc:
            raise ValueError(str(exc)) from None
        lo_bound = 0.0 if share else minimum
        hi_bound = 1.0 if share else maximum
        if lo_bound is not None and est.low < lo_bound:
            what = "a share between 0 and 1" if share else f"at least {format_number(lo_bound)}"
            raise ValueError(f"{est} is below the allowed range: it must be {what}.")
        if hi_bound is not None and est.high > hi_bound:
            what = (
                "a share between 0 and 1 (write 30% as 0.3)"
                if share
                else f"at most {format_number(hi_bound)}"
            )
            raise ValueError(f"{est} is above the allowed range: it must be {what}.")
        return est

    return Annotated[Estimate, PlainValidator(validate), PlainSerializer(lambda e: e.to_yaml())]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: object) -> str:
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise ValueError(
                "contains control characters (such as terminal escape codes); remove them from the text."
            )
        return value
    if value is None:
        return ""
    shown = value if not hasattr(value, "isoformat") else value.isoformat()
    raise ValueError(
        f'{shown!r} was read as {type(value).__name__}, not text; put it in quotes, for example "{shown}".'
    )


def _pain_score(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{value!r} is not a whole number; use a score from 1 to 5.")
    if not 1 <= value <= 5:
        raise ValueError(f"{value!r} is outside 1-5; use a score from 1 to 5.")
    return int(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false.")
    return value


def _whole(value: object) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != int(value)
        or value < 0
    ):
        raise ValueError(f"{value!r} is not a whole number of 0 or more.")
    return int(value)


Text = Annotated[str, PlainValidator(_text)]
PainScore = Annotated[int, PlainValidator(_pain_score)]
Flag = Annotated[bool, PlainValidator(_flag)]
WholeNumber = Annotated[int, PlainValidator(_whole)]
Share = estimate_type(share=True)
Amount = estimate_type(minimum=0.0)


def field(default: Any = ..., label: str | None = None, unit: str = "", help: str = "", **kw):
    """A schema field with its label, unit and help text for forms and reports."""
    extra = {"unit": unit} if unit else {}
    return Field(default, title=label, description=help, json_schema_extra=extra or None, **kw)


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
        "Share of the benefit that customers already get from this alternative. " + INTERVAL_HELP,
    )
    cost_per_year: Amount = field(
        0.0, "Cost per year", "money/year", "What customers spend on it today."
    )
    replaced: Flag = field(
        False, "Replaced by us", help="true if our product replaces it, so that cost is saved."
    )


class Value(Section):
    users: Amount = field(0.0, "Users", "people", "People who have the problem. " + INTERVAL_HELP)
    adoption: Share = field(
        0.0, "Adoption", "share 0-1", "Share of those users who will use it. " + INTERVAL_HELP
    )
    hours_saved_per_user_week: Amount = field(
        0.0, "Hours saved per user per week", "hours/week", "Per adopting user. " + INTERVAL_HELP
    )
    hourly_cost: Amount = field(
        0.0, "Hourly cost", "money/hour", "Loaded cost of an hour of their time. " + INTERVAL_HELP
    )
    weeks_per_year: Amount = field(
        46.0, "Working weeks per year", "weeks", "Weeks a year they work; default 46.", le=52
    )
    money_saved_per_year: Amount = field(
        0.0, "Other money saved per year", "money/year", "Other direct savings. " + INTERVAL_HELP
    )
    revenue_per_year: Amount = field(0.0, "New revenue per year", "money/year", INTERVAL_HELP)


class Cost(Section):
    team_size: estimate_type(minimum=1.0) = field(
        2.0, "Team size", "engineers", "Engineers working on it at once; default 2."
    )
    team_week_cost: Amount = field(
        ..., "Cost of an engineer-week", "money/engineer-week", "Loaded cost of one engineer-week."
    )
    mvp_weeks: Amount = field(
        ..., "Effort to MVP", "engineer-weeks", "Engineer-weeks to a usable MVP. " + INTERVAL_HELP
    )
    build_weeks: Amount = field(
        0.0,
        "Effort from MVP to launch",
        "engineer-weeks",
        "Engineer-weeks after the MVP. " + INTERVAL_HELP,
    )
    iterations: WholeNumber = field(
        0, "Improvement rounds", "rounds", "Planned rounds after launch."
    )
    iteration_weeks: Amount = field(
        0.0,
        "Effort per round",
        "engineer-weeks",
        "Engineer-weeks per improvement round. " + INTERVAL_HELP,
    )
    data_cost: Amount | None = field(
        None,
        "Data cost",
        "money",
        "One-time: labels, purchases, partnerships. Left empty, the ML section's estimate is used.",
    )
    run_cost_per_year: Amount = field(
        0.0,
        "Running cost per year",
        "money/year",
        "Infrastructure, monitoring, retraining, support. " + INTERVAL_HELP,
    )


class Timeline(Section):
    horizon_years: estimate_type(minimum=0.0, maximum=50.0) = field(
        3.0, "Horizon", "years", "Years of value counted from today; default 3."
    )
    discount_rate: estimate_type(minimum=0.0, maximum=1.0) = field(
        0.10, "Discount rate", "per year", "Yearly discount rate; default 0.10."
    )


class Opportunity(Section):
    value_per_engineer_week: Amount = field(
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


# After the helpers above, which ml_schema imports from this module.
from .ml_schema import MlSection  # noqa: E402

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

    id: Annotated[str | None, PlainValidator(_idea_id)] = field(
        None, "Id", help="Short name; defaults to the file name without .yaml."
    )
    title: Text = field(..., "Title", help="A one-line name for the idea.")
    owner: Text = field("", "Owner", help="Who drives it.")
    status: Literal["discovery", "validating", "mvp", "launched", "parked"] = field(
        "discovery", "Status", help="discovery, validating, mvp, launched or parked."
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
