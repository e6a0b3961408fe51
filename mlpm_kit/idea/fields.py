"""The building blocks of the idea schema: field types with their bounds, and `field()`,
which gives a field its label, unit and help text (the one place those are written).
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from mlpm_kit.idea.currency import check_code, describe
from mlpm_kit.idea.currency import implied as currency_implied
from mlpm_kit.idea.currency import matches as currency_matches
from mlpm_kit.idea.estimates import Estimate, EstimateError, format_number, parse_estimate

WEEKS_PER_YEAR = 52.0  # calendar weeks: launch times, retraining, cost of delay


@dataclass(frozen=True)
class Notation:
    """What kind of number a field holds; its help text and placeholder follow from it."""

    kind: str  # "share", "money" or "number"

    @property
    def help(self) -> str:
        return {
            "share": "A share: 0.6 to 0.9 or 60% to 90% (a 90% range when unsure), or one value such as 0.3 or 30%.",
            "money": "An amount in the idea's currency: 4000 or 4k (a symbol or code, as in €4k, must match it), or a 90% range such as 90k to 140k when unsure.",
            "number": "A number, or a 90% range such as 200 to 400 (or 200-400) when unsure.",
        }[self.kind]

    @property
    def placeholder(self) -> str:
        return {"share": "0.6 to 0.9", "money": "90k to 140k", "number": "200 to 400"}[self.kind]


SHARE, MONEY, NUMBER = Notation("share"), Notation("money"), Notation("number")


class Section(BaseModel):
    """A block of an idea file: unknown keys are errors, so a typo never drops a number."""

    model_config = ConfigDict(
        extra="forbid",
        arbitrary_types_allowed=True,
        validate_assignment=True,
        validate_default=True,
    )


def check_currency(est: Estimate, money: bool, context: Any) -> None:
    """An amount's currency symbol or code against the file's currency (in the validation context).

    The context is a dict with `currency` (the file's, or None) and `from` (the mlpm.yaml
    that set it, if one did); the first amount written with a currency sets it when the
    file names none, and records that in `implied`.
    """
    if est.currency is None:
        return
    written = est.text or est.currency
    if not money:
        raise ValueError(
            f"{written!r} carries a currency ({est.currency}), but this field is not an amount "
            "of money; remove the currency."
        )
    if not isinstance(context, dict):
        return
    currency = context.get("currency")
    if currency is None:
        code = currency_implied(est.currency)
        if code is None:
            raise ValueError(
                f"{written!r}: {est.currency} stands for {describe(est.currency)}; "
                "say which with currency: at the top of the file (or in mlpm.yaml)."
            )
        context["currency"], context["implied"] = code, written
    elif not currency_matches(est.currency, currency):
        where = (
            f" (set by {context['implied']!r})"
            if context.get("implied")
            else f" (from {context['from']})"
            if context.get("from")
            else ""
        )
        raise ValueError(
            f"{written!r} is in {describe(est.currency)}, but this file's amounts "
            f"are in {currency}{where}; write the amount in {currency}, or convert it."
        )


def estimate_type(
    *,
    share: bool = False,
    minimum: float | None = 0.0,
    maximum: float | None = None,
    money: bool = False,
):
    """An `Estimate` field type with bounds checked on both ends of the range."""

    def validate(value: object, info: ValidationInfo) -> Estimate:
        try:
            est = parse_estimate(value, share=share)
        except EstimateError as exc:
            raise ValueError(str(exc)) from None
        check_currency(est, money, info.context)
        lo_bound = 0.0 if share else minimum
        hi_bound = 1.0 if share else maximum
        if lo_bound is not None and est.low < lo_bound:
            what = "a share between 0 and 1" if share else f"at least {format_number(lo_bound)}"
            raise ValueError(f"{est} is below the allowed range: it must be {what}.")
        if hi_bound is not None and est.high > hi_bound:
            what = (
                "a share between 0 and 1 (write 30% or 0.3)"
                if share
                else f"at most {format_number(hi_bound)}"
            )
            raise ValueError(f"{est} is above the allowed range: it must be {what}.")
        return est

    kind = SHARE if share else MONEY if money else NUMBER
    return Annotated[
        Estimate, PlainValidator(validate), PlainSerializer(lambda e: e.to_yaml()), kind
    ]


def notation_of(info: FieldInfo) -> Notation | None:
    """The `Notation` of a schema field (a share, an amount of money, a number), if it has one."""
    stack: list[Any] = [*info.metadata, info.annotation]
    while stack:
        item = stack.pop(0)
        if isinstance(item, Notation):
            return item
        stack.extend(typing.get_args(item))
        stack.extend(getattr(item, "__metadata__", ()))
    return None


def field_help(info: FieldInfo) -> str:
    """A field's help text: what it means (its description), then how to write it (its type's)."""
    notation = notation_of(info)
    parts = [info.description or "", notation.help if notation else ""]
    return " ".join(p for p in parts if p)


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
Money = estimate_type(minimum=0.0, money=True)


def _currency(value: object) -> str | None:
    if value is None:
        return None
    return check_code(value)


Currency = Annotated[str | None, PlainValidator(_currency)]


def field(default: Any = ..., label: str | None = None, unit: str = "", help: str = "", **kw):
    """A schema field with its label, unit and help text for forms and reports."""
    extra = {"unit": unit} if unit else {}
    return Field(default, title=label, description=help, json_schema_extra=extra or None, **kw)


# The error type of checks that find several problems at once, each at its own field:
# `files.validate_idea` reports each of `ctx["problems"]` ((dotted path, message) pairs,
# relative to the error's location) as a line of its own.
PROBLEMS = "idea_problems"


def problems_error(problems: list[tuple[str, str]]) -> PydanticCustomError:
    """One validation error carrying several (dotted path, message) problems."""
    first = ": ".join(problems[0])
    return PydanticCustomError(PROBLEMS, "{first}", {"first": first, "problems": problems})


_NO_CONTEXT = SimpleNamespace(context=None)


def measured_value(value: object, validate) -> float:
    """What was measured, as one number that `validate` (a field type's validator) accepts.

    A measured value is a single number, not a range: raises ValueError saying so.
    """
    try:
        est = validate(value, _NO_CONTEXT)  # a measured value has no currency to agree with
    except EstimateError as exc:
        raise ValueError(str(exc)) from None
    if est.is_range:
        raise ValueError(
            f"{est} is a range; an actual is what was measured, one number "
            f"(for example {format_number(est.median)})."
        )
    return est.low
