"""The workshop app in ipywidgets: the idea form, the live results, autosave, the idea picker.

The form is drawn from `form_model.form_spec()` (the idea schema), never field by field.
Text boxes send their value when the user leaves the box or presses Enter
(`continuous_update=False`): that is the debounce, so one edit runs one update. A valid
edit updates the results panel, then saves the file; an invalid one shows the schema's
message under its field and changes nothing else. Saving refuses to overwrite a file that
someone else changed since it was loaded, and offers to reload it.

>>> workshop_form("examples/ideas/ticket-triage.yaml")   # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w

from mlpm_kit.errors import MlpmError, SaveConflict
from mlpm_kit.idea.defaults import value_sources
from mlpm_kit.idea.files import new_idea
from mlpm_kit.idea.folders import is_idea_file
from mlpm_kit.idea.formatting import html_text
from mlpm_kit.idea.validation import dotted
from mlpm_kit.workshop.form_model import (
    CHOICE,
    FLAG,
    LIST,
    ROWS,
    YAML,
    FieldSpec,
    IdeaFile,
    SectionSpec,
    display_value,
    form_spec,
)
from mlpm_kit.workshop.live_results import compute_results, results_html

ERROR_STYLE = "color:#b00020"
PENDING_HTML = '<p style="color:#666">Computing the results…</p>'
# Runs a function once the current notebook cell has finished, e.g. the kernel's
# `asyncio.get_running_loop().call_soon`.
Later = Callable[[Callable[[], None]], object]
OPEN_SECTIONS = ("value", "cost", "evidence")  # open when the form appears


def css_class(key: str) -> str:
    """'alternatives[0].captures' -> 'mlpm-field-alternatives-0-captures' (for browser tests)."""
    return "mlpm-field-" + key.replace("[", "-").replace("].", "-").replace("]", "").replace(
        ".", "-"
    )


class SharedLook:
    """The layouts and styles of the fields, one widget model each, shared by every field.

    Left to ipywidgets, each label, input and message gets its own layout and style model:
    about 700 of the form's 1,100 models. Every model costs the kernel, the page's widget
    state and the browser time before the form appears; shared, the look is the same.
    """

    def __init__(self) -> None:
        self.plain = w.Layout()
        self.input = w.Layout(width="95%")
        self.field = w.Layout(margin="0 0 8px 0")
        self._styles: dict[type, w.Widget] = {}

    def make(self, kind: type, layout: w.Layout | None = None, **traits: Any) -> w.Widget:
        """A widget of `kind` with the shared layout (`plain` by default) and style."""
        if kind not in self._styles:
            self._styles[kind] = kind.class_traits()["style"].klass()
        return kind(layout=layout or self.plain, style=self._styles[kind], **traits)


class FieldWidget:
    """One field: label, unit, help text, the input, and the message for invalid input."""

    def __init__(
        self,
        spec: FieldSpec,
        path: tuple,
        value: Any,
        inherited: str = "",
        currency: str | None = None,
        look: SharedLook | None = None,
    ):
        look = look or SharedLook()
        self.spec, self.path, self.key = spec, path, dotted(path)
        self.input = self._input(spec, display_value(spec, value), look)
        if inherited and hasattr(self.input, "placeholder"):
            self.input.placeholder = inherited  # the folder's value, used while the box is empty
        self.input.add_class(css_class(self.key))
        self._look, self._error = look, None
        shown_unit = spec.unit.replace("money", currency) if currency else spec.unit  # EUR/year
        unit = f' <span style="color:#666">({html_text(shown_unit)})</span>' if spec.unit else ""
        star = " *" if spec.required else ""
        label = look.make(w.HTML, value=f"<b>{html_text(spec.label)}</b>{star}{unit}")
        help_text = look.make(
            w.HTML,
            value=f'<span style="color:#666;font-size:smaller">{html_text(spec.help)}</span>',
        )
        self.box = w.VBox([label, self.input, help_text], layout=look.field)

    @property
    def error(self) -> w.HTML:
        """The message under the field, added the first time it is needed: most fields
        never show one, and a widget model fewer per field is a faster first page."""
        if self._error is None:
            self._error = self._look.make(w.HTML, value="")
            self._error.add_class("mlpm-error")
            self.box.children = (*self.box.children, self._error)
        return self._error

    @staticmethod
    def _input(spec: FieldSpec, value: Any, look: SharedLook) -> w.Widget:
        if spec.kind == FLAG:
            return look.make(w.Checkbox, value=value, indent=False, description="yes")
        if spec.kind == CHOICE:
            options = list(spec.choices)
            return look.make(
                w.Dropdown,
                look.input,
                options=options,
                value=value if value in options else options[0],
            )
        if spec.kind in (LIST, YAML):
            rows = 8 if spec.kind == YAML else 3
            return look.make(
                w.Textarea, look.input, value=value, continuous_update=False, rows=rows
            )
        return look.make(
            w.Text, look.input, value=value, continuous_update=False, placeholder=spec.placeholder
        )

    def show_error(self, message: str | None) -> None:
        if not message and self._error is None:
            return
        self.error.value = (
            f'<span style="{ERROR_STYLE}">{html_text(message)}</span>' if message else ""
        )


class WorkshopForm:
    """The whole workshop app for one idea file at a time; `.widget` is what to display.

    `later`: compute the first results after the cell that displays the form (see `open`).
    """

    def __init__(
        self, idea_path: str | Path, draws: int = 2000, seed: int = 0, later: Later | None = None
    ):
        self.draws, self.seed = draws, seed
        self.spec = form_spec()
        self.file: IdeaFile | None = None
        self.fields: dict[str, FieldWidget] = {}
        self.row_boxes: dict[str, w.VBox] = {}
        self.last_update_seconds = 0.0
        self.saved_at = ""
        self._quiet = False

        self.look = SharedLook()
        self.status = w.HTML("")
        self.status.add_class("mlpm-status")
        self.results = w.HTML("")
        self.results.add_class("mlpm-results-panel")
        self.picker = w.Dropdown(description="Idea", layout=w.Layout(width="360px"))
        self.picker.observe(self._on_pick, names="value")
        self.new_title = w.Text(placeholder="Title of a new idea", layout=w.Layout(width="240px"))
        self.new_button = w.Button(description="New idea")
        self.new_button.on_click(lambda _: self.create_idea(self.new_title.value))
        self.reload_button = w.Button(description="Reload from disk", button_style="warning")
        self.reload_button.layout.display = "none"
        self.reload_button.on_click(lambda _: self.reload())
        self.form_box = w.VBox()
        header = w.HBox([self.picker, self.new_title, self.new_button, self.reload_button])
        panel = w.VBox([self.results], layout=w.Layout(padding="0 0 0 16px"))
        columns = w.HBox([self.form_box, panel])
        self.widget = w.VBox([header, self.status, columns])
        # Sizes and the sticky panel are in look.WORKSHOP_CSS, so the projector layout is one stylesheet.
        for box, name in ((self.widget, "app"), (header, "header"), (columns, "columns"),
                          (self.form_box, "form"), (panel, "panel")):  # fmt: skip
            box.add_class(f"mlpm-{name}")
        self.open(idea_path, later)

    # -- opening ---------------------------------------------------------------------------

    def open(self, path: str | Path, later: Later | None = None) -> bool:
        """Open an idea file; on an invalid file, say why and keep the current one.

        With `later`, the results panel says it is computing and is filled by a function
        `later` runs: in the workshop's kernel, once the cell has finished, so the page is
        drawn and the browser loads its scripts while the kernel computes the decision.
        """
        path = Path(path)
        try:
            self.file = IdeaFile(path)
        except MlpmError as exc:
            self._status(f"Cannot open it: {exc}", error=True)
            return False
        self.saved_at = ""
        self._fill_picker(path)
        self._build()
        if later is None:
            self.refresh()
        else:
            self.results.value = PENDING_HTML
            later(self.refresh)
        self._status(f"Opened {path.name}; every valid change is saved to it.")
        return True

    def _fill_picker(self, current: Path) -> None:
        folder = current.resolve().parent
        files = sorted(p for p in folder.iterdir() if is_idea_file(p))
        self._quiet = True
        try:
            self.picker.options = [(p.name, str(p)) for p in files]
            self.picker.value = str(current.resolve())
        finally:
            self._quiet = False

    def _on_pick(self, change: dict) -> None:
        if (
            not self._quiet
            and change["new"]
            and self.file
            and Path(change["new"]) != self.file.path.resolve()
        ):
            self.open(change["new"])

    def create_idea(self, title: str) -> Path | None:
        """Create a new idea file from templates/idea.yaml next to the current one, and open it."""
        if not title.strip():
            self._status("Type a title for the new idea first.", error=True)
            return None
        folder = self.file.path.resolve().parent if self.file else Path(".")
        try:
            path = new_idea(title.strip(), folder)
        except (MlpmError, OSError) as exc:
            self._status(f"Could not create the idea: {exc}", error=True)
            return None
        self.new_title.value = ""
        self.open(path)
        return path

    def reload(self) -> None:
        """Read the file again from disk (after a conflict), dropping this form's unsaved edits."""
        assert self.file is not None
        self.open(self.file.path)

    # -- building the form -------------------------------------------------------------------

    def _build(self) -> None:
        # One accordion per section, so several can be open at once: value, cost and
        # evidence are what a workshop discusses, so they start open.
        self.fields, self.row_boxes = {}, {}
        sections = []
        for section in self.spec:
            opened = 0 if section.name in OPEN_SECTIONS else None
            box = w.Accordion(
                children=[self._section_box(section)],
                titles=(section.label,),
                selected_index=opened,
            )
            box.add_class(f"mlpm-section-{section.name or 'idea'}")
            sections.append(box)
        self.form_box.children = sections

    def _section_box(self, section: SectionSpec) -> w.Widget:
        if section.kind == ROWS:
            box = w.VBox()
            self.row_boxes[section.name] = box
            self._fill_rows(section)
            return box
        prefix = (section.name,) if section.name else ()
        items = []
        if section.help:
            items.append(w.HTML(f"<i>{html_text(section.help)}</i>"))
        for spec in section.fields:
            items.append(self._field(spec, prefix + spec.path).box)
        return w.VBox(items)

    def _field(self, spec: FieldSpec, path: tuple) -> FieldWidget:
        assert self.file is not None
        fw = FieldWidget(
            spec,
            path,
            self.file.draft.value(path),
            self._inherited(path),
            self.file.draft.idea.currency,
            self.look,
        )
        fw.input.observe(lambda _change, key=fw.key: self.edit(key), names="value")
        self.fields[fw.key] = fw
        return fw

    def _fill_rows(self, section: SectionSpec) -> None:
        assert self.file is not None
        for key in [k for k in self.fields if k.startswith(section.name + "[")]:
            del self.fields[key]
        rows = self.file.draft.value((section.name,)) or []
        items: list[w.Widget] = (
            [w.HTML(f"<i>{html_text(section.help)}</i>")] if section.help else []
        )
        for i in range(len(rows)):
            remove = w.Button(description=f"Remove {i + 1}")
            remove.add_class(f"mlpm-remove-{section.name}-{i}")
            remove.on_click(lambda _b, i=i, s=section: self.remove_row(s.name, i))
            fields = [
                self._field(spec, (section.name, i) + spec.path).box for spec in section.fields
            ]
            items.append(
                w.VBox(
                    [w.HTML(f"<b>{i + 1}.</b>"), *fields, remove],
                    layout=w.Layout(border="1px solid #ddd", padding="4px", margin="0 0 6px 0"),
                )
            )
        add = w.Button(description="Add")
        add.add_class(f"mlpm-add-{section.name}")
        add.on_click(lambda _b, s=section: self.add_row(s.name))
        items.append(add)
        self.row_boxes[section.name].children = items

    def _section(self, name: str) -> SectionSpec:
        return next(s for s in self.spec if s.name == name)

    def add_row(self, section: str) -> None:
        """Add a row (an alternative) with the schema's defaults and a placeholder name."""
        assert self.file is not None
        self.file.draft.add_row(section)
        self._fill_rows(self._section(section))
        self._changed()

    def remove_row(self, section: str, index: int) -> None:
        assert self.file is not None
        self.file.draft.remove_row(section, index)
        self._fill_rows(self._section(section))
        self._changed()

    # -- edits, results, saving ------------------------------------------------------------

    def _inherited(self, path: tuple) -> str:
        """'4000 (from ideas/mlpm.yaml)' for a value the folder's mlpm.yaml sets, else ''."""
        idea = self.file.draft.idea
        key = dotted(path)
        if key not in getattr(idea, "_filled", set()):
            return ""
        section, _, name = key.rpartition(".")
        value = getattr(getattr(idea, section) if section else idea, name)
        return f"{value} (from {value_sources(idea)[key]})"

    def field(self, key: str) -> w.Widget:
        """The input widget of a field by dotted path, e.g. 'value.users'."""
        return self.fields[key].input

    def edit(self, key: str) -> str | None:
        """Take the field's current widget value into the idea; returns the message if invalid."""
        assert self.file is not None
        fw = self.fields[key]
        message = self.file.draft.apply(fw.path, fw.input.value, fw.spec)
        fw.show_error(message)
        if message:
            last = f" Last saved at {self.saved_at}." if self.saved_at else ""
            self._status(
                f"Not saved: {fw.spec.label} is invalid (see the message under it).{last}",
                error=True,
            )
            return message
        self._changed()
        return None

    def _changed(self) -> None:
        self.refresh()
        self.save()

    def refresh(self) -> None:
        """Recompute and redraw the results panel from the current valid idea."""
        assert self.file is not None
        start = time.perf_counter()
        try:
            self.results.value = results_html(
                compute_results(self.file.draft.idea, self.draws, self.seed)
            )
        except (MlpmError, ValueError, ArithmeticError) as exc:
            self.results.value = (
                f'<p style="{ERROR_STYLE}">Cannot compute the results: {html_text(str(exc))}</p>'
            )
        self.last_update_seconds = time.perf_counter() - start

    def save(self) -> bool:
        """Save the valid data; on a conflict, say so and offer to reload."""
        assert self.file is not None
        try:
            self.file.save()
        except SaveConflict as exc:
            self.reload_button.layout.display = None
            self._status(f"Conflict: {exc}", error=True)
            return False
        except (MlpmError, OSError) as exc:
            self._status(f"Not saved: {exc}", error=True)
            return False
        self.reload_button.layout.display = "none"
        pending = [self.fields[k].spec.label for k in self.file.draft.errors if k in self.fields]
        extra = f" Not saved (invalid): {', '.join(pending)}." if pending else ""
        self.saved_at = f"{datetime.now():%H:%M:%S}"
        self._status(
            f"Saved at {self.saved_at} to {self.file.path.name}.{extra}", error=bool(pending)
        )
        return True

    def _status(self, text: str, error: bool = False) -> None:
        style = ERROR_STYLE if error else "color:#1b5e20"
        self.status.value = f'<span style="{style}">{html_text(text)}</span>'


def workshop_form(
    idea_path: str | Path, draws: int = 2000, seed: int = 0, later: Later | None = None
) -> w.Widget:
    """The whole workshop app (form, results panel, save status, idea picker) for one idea file."""
    app = WorkshopForm(idea_path, draws=draws, seed=seed, later=later)
    app.widget.workshop = app  # type: ignore[attr-defined]  # keeps the app alive with its widget
    return app.widget
