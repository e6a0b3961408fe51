"""The workshop form without widgets: its layout generated from the idea schema, edits, saving.

`form_spec()` walks `Idea.model_fields` and each section model and returns the form's
sections and fields (label = the field's title, help = its description, unit =
`json_schema_extra["unit"]`), so a field added to the schema appears in the form by itself.
`IdeaDraft` holds the idea being edited as YAML-ready data: `apply(path, value)` validates
an edit through the schema and keeps it only if it is valid, remembering the schema's
message for the field otherwise. `IdeaFile` saves a draft with `save_idea` (atomic, keeps
comments) and refuses to overwrite a file someone else changed since it was loaded.
`mlpm_kit.workshop.form` draws widgets from these; tests drive them directly.
"""

from __future__ import annotations

import copy
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from mlpm_kit.errors import IdeaFileError, InputError, MlpmError
from mlpm_kit.idea.defaults import NONE
from mlpm_kit.idea.disk import fingerprint, locked
from mlpm_kit.idea.estimates import Estimate, EstimateError, parse_estimate
from mlpm_kit.idea.fields import field_help, notation_of
from mlpm_kit.idea.files import _yaml, idea_data, load_idea, parse_yaml, write_idea
from mlpm_kit.idea.outcome import check_estimates_kept
from mlpm_kit.idea.schema import Idea
from mlpm_kit.idea.validation import build_idea, dotted, problem_of

# Field kinds, each drawn as one widget type by `forms`.
ESTIMATE, TEXT, WHOLE, NUMBER, FLAG, CHOICE, LIST, YAML = (
    "estimate", "text", "whole", "number", "flag", "choice", "list", "yaml"
)  # fmt: skip
# Section kinds: a block of fields, a list of rows (alternatives), or free YAML (ml, until it has a model).
FIELDS, ROWS = "fields", "rows"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldSpec:
    """One input of the form. `path` is relative to its section (or to a row of it)."""

    path: tuple[str, ...]
    label: str
    help: str = ""
    unit: str = ""
    kind: str = TEXT
    choices: tuple[str, ...] = ()
    required: bool = False
    optional: bool = False  # None is allowed: an empty box removes the key
    placeholder: str = ""  # an example of how to write it, from the field's type

    @property
    def key(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class SectionSpec:
    """A section of the form: `name` is the idea's key ('' for the top-level fields)."""

    name: str
    label: str
    help: str = ""
    kind: str = FIELDS
    fields: tuple[FieldSpec, ...] = ()


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the annotation without Annotated / Optional, whether None is allowed)."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return annotation, optional
            annotation = args[0]
        else:
            return annotation, optional


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _kind(annotation: Any) -> tuple[str, tuple[str, ...]]:
    """The widget kind for a field type; anything the form cannot draw is edited as YAML."""
    base, _ = _unwrap(annotation)
    origin = typing.get_origin(base)
    if base is Estimate:
        return ESTIMATE, ()
    if base is bool:
        return FLAG, ()
    if base is int:
        return WHOLE, ()
    if base is float:
        return NUMBER, ()
    if base is str:
        return TEXT, ()
    if origin is Literal:
        return CHOICE, tuple(str(a) for a in typing.get_args(base))
    if origin is list and _unwrap(typing.get_args(base)[0])[0] is str:
        return LIST, ()
    return YAML, ()


def _field_specs(
    model: type[BaseModel], prefix: tuple[str, ...] = (), label_prefix: str = ""
) -> list[FieldSpec]:
    specs: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        label = info.title or name.replace("_", " ").capitalize()
        base, _ = _unwrap(info.annotation)
        if _is_model(base):
            # A nested block (e.g. ml.data): its fields, labelled "Block: field".
            specs += _field_specs(base, prefix + (name,), f"{label_prefix}{label}: ")
            continue
        kind, choices = _kind(info.annotation)
        optional = _unwrap(info.annotation)[1] or (not info.is_required() and info.default is None)
        if kind == CHOICE and optional:
            choices = ("", *choices)  # the empty choice leaves the key out
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        notation = notation_of(info)
        specs.append(
            FieldSpec(
                path=prefix + (name,),
                label=label_prefix + label,
                help=field_help(info),
                placeholder=notation.placeholder if notation else "",
                unit=str(extra.get("unit", "")),
                kind=kind,
                choices=choices,
                required=info.is_required(),
                optional=optional,
            )
        )
    return specs


def form_spec(model: type[BaseModel] = Idea) -> list[SectionSpec]:
    """The form's sections, in schema order: top-level fields first, then one per section."""
    top: list[FieldSpec] = []
    sections: list[SectionSpec] = []
    for name, info in model.model_fields.items():
        label = info.title or name.capitalize()
        base, _ = _unwrap(info.annotation)
        item = _unwrap(typing.get_args(base)[0])[0] if typing.get_origin(base) is list else None
        if _is_model(base):
            sections.append(
                SectionSpec(name, label, info.description or "", FIELDS, tuple(_field_specs(base)))
            )
        elif _is_model(item):
            sections.append(
                SectionSpec(name, label, info.description or "", ROWS, tuple(_field_specs(item)))
            )
        elif typing.get_origin(base) is dict:
            yaml_field = FieldSpec((), label, info.description or "", "", YAML)
            sections.append(SectionSpec(name, label, info.description or "", FIELDS, (yaml_field,)))
        else:
            top += _field_specs(_Single(name, info))  # type: ignore[arg-type]
    return [SectionSpec("", "Idea", "", FIELDS, tuple(top)), *sections]


class _Single:
    """Adapter so top-level scalar fields go through the same `_field_specs` code."""

    def __init__(self, name: str, info: Any):
        self.model_fields = {name: info}


def display_value(spec: FieldSpec, raw: Any) -> Any:
    """What the widget shows for a YAML value: text for most kinds, a bool for flags."""
    if spec.kind == FLAG:
        return bool(raw)
    if raw is None:
        return ""
    if spec.kind == ESTIMATE:
        if isinstance(raw, str):
            return raw  # as the person typed it: "€90k-140k" stays "€90k-140k"
        try:
            return str(parse_estimate(raw))
        except EstimateError:
            return str(raw)
    if spec.kind == LIST:
        return "\n".join(str(x) for x in raw) if isinstance(raw, list) else str(raw)
    if spec.kind == YAML:
        return _yaml_text(raw)
    return str(raw)


def _yaml_text(raw: Any) -> str:
    if raw in (None, {}, []):
        return ""
    import io

    buffer = io.StringIO()
    _yaml().dump(raw, buffer)
    return buffer.getvalue()


_DELETE = object()


def parse_input(spec: FieldSpec, value: Any, where: str = "") -> Any:
    """Turn what the widget holds into a YAML value; an empty box removes the key (its default).

    Raises `ValueError` with a sentence when the text cannot be read at all (bad YAML).
    """
    if spec.kind == FLAG:
        return bool(value)
    text = "" if value is None else str(value)
    if spec.kind == LIST:
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
    if spec.kind == YAML:
        if not text.strip():
            return {}
        try:
            return parse_yaml(text, where or spec.label)
        except IdeaFileError as exc:
            raise ValueError(exc.reason) from None
    if not text.strip():
        return _DELETE if spec.kind != TEXT else ""
    if spec.kind in (WHOLE, NUMBER):
        stripped = text.strip()
        try:
            number = float(stripped)
        except ValueError:
            return stripped
        return int(number) if number.is_integer() else number
    if spec.kind == ESTIMATE:
        return text.strip()
    return text


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _set(data: dict, path: Path_, value: Any) -> None:
    if not path:
        raise ValueError("an empty path")
    target: Any = data
    for i, part in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(target, list):
            target = target[part]
            continue
        if not isinstance(target.get(part), dict | list):
            target[part] = [] if isinstance(nxt, int) else {}
        target = target[part]
    last = path[-1]
    if value is _DELETE:
        if isinstance(target, dict):
            target.pop(last, None)
    else:
        target[last] = value


@dataclass
class IdeaDraft:
    """The idea being edited: always-valid data plus the messages of edits that were refused.

    `data` is what `save_idea` would write (YAML-ready); `errors` maps a dotted field path
    (as the schema reports it, e.g. 'value.users' or 'alternatives[1].captures') to the
    schema's message for the last invalid text typed there.
    """

    idea: Idea
    data: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    name: str = "idea"

    @classmethod
    def of(cls, idea: Idea, name: str = "idea") -> IdeaDraft:
        return cls(idea, idea_data(idea), {}, name)

    def value(self, path: Path_) -> Any:
        return _get(self.data, path)

    def apply(self, path: Path_, value: Any, spec: FieldSpec | None = None) -> str | None:
        """Apply one edit. Returns None if it was kept, else the message shown by the field."""
        key = dotted(path)
        try:
            raw = parse_input(spec, value, self.name) if spec is not None else value
        except ValueError as exc:
            self.errors[key] = str(exc)
            return self.errors[key]
        if raw in (_DELETE, "", [], {}) and self.value(path) in (None, "", [], {}):
            self.errors.pop(key, None)  # nothing typed where nothing was: no change
            return None
        candidate = copy.deepcopy(self.data)
        _set(candidate, path, raw)
        return self._validate(candidate, key)

    def add_row(self, section: str, row: dict | None = None) -> None:
        """Append a row (e.g. an alternative), by default `new_row(section)`."""
        row = new_row(section) if row is None else row
        candidate = copy.deepcopy(self.data)
        candidate.setdefault(section, []).append(row)
        message = self._validate(candidate, section)
        if message:
            raise MlpmError(message)

    def remove_row(self, section: str, index: int) -> None:
        candidate = copy.deepcopy(self.data)
        del candidate[section][index]
        if not candidate[section]:
            candidate[section] = []
        prefix = f"{section}["
        # Messages of the removed row and of the rows after it no longer point at the right row.
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith(prefix)}
        self._validate(candidate, section)

    def _validate(self, candidate: dict, key: str) -> str | None:
        try:
            # With the folder's mlpm.yaml defaults and the file's currency, as when loading it.
            idea = build_idea(candidate, getattr(self.idea, "_defaults", None) or NONE)
        except ValidationError as exc:
            problems = [problem_of(e) for e in exc.errors()]
            mine = [
                m
                for where, m in problems
                if where == key or where.startswith(key + ".") or where.startswith(key + "[")
            ]
            first = mine[0] if mine else f"{problems[0][0]}: {problems[0][1]}"
            self.errors[key] = first
            return first
        try:  # once outcome.actual is recorded, the estimates stay as decided
            check_estimates_kept(self.idea, idea, self.name)
        except InputError as exc:
            self.errors[key] = exc.reason
            return exc.reason
        idea.id = idea.id or self.idea.id
        idea._source = getattr(self.idea, "_source", None)
        self.idea, self.data = idea, idea_data(idea)
        self.errors.pop(key, None)
        return None


def new_row(section: str, model: type[BaseModel] = Idea) -> dict:
    """A fresh row for a list section: every field at its default, required text as a placeholder.

    Defaults are written out because the economic model reads every number of a row.
    """
    base, _ = _unwrap(model.model_fields[section].annotation)
    item = _unwrap(typing.get_args(base)[0])[0]
    row: dict[str, Any] = {}
    for name, info in item.model_fields.items():
        kind, choices = _kind(info.annotation)
        if info.is_required():
            row[name] = (
                f"New {item.__name__.lower()}" if kind == TEXT else (choices[0] if choices else 0)
            )
        elif info.default is not None:
            default = info.default
            row[name] = default.to_yaml() if isinstance(default, Estimate) else default
    return row


class IdeaFile:
    """An idea file open in a form: loads it, saves drafts to it, detects others' changes.

    `loaded_hash` is the fingerprint of the file as this form last read or wrote it; a save
    is a compare-and-write under the folder's lock (`files.write_idea`), so of two forms
    saving at the same moment one lands and the other gets `SaveConflict`, never both "saved".
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.draft = IdeaDraft.of(Idea.model_construct(), str(self.path))
        self.loaded_hash = ""
        self.reload()

    def reload(self) -> IdeaDraft:
        """Read the file again (after a conflict, or to discard unsaved messages)."""
        with locked(self.path):  # a writer mid-save cannot hand us half its change
            idea = load_idea(self.path)
            self.loaded_hash = fingerprint(self.path)
        self.draft = IdeaDraft.of(idea, str(self.path))
        return self.draft

    def changed_on_disk(self) -> bool:
        return fingerprint(self.path) != self.loaded_hash

    def save(self) -> Path:
        """Save the draft's valid data, unless the file changed since it was loaded or saved."""
        self.loaded_hash = write_idea(self.draft.idea, self.path, expected=self.loaded_hash)
        return self.path
