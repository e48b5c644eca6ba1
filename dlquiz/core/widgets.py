"""Admin form fields that store what was there when nothing was changed.

RowsField edits a list of small records (an exercise's samples, a question's choices) as rows of
inputs instead of a JSON text: each row is one record, a column one of its keys, shown as a text
input, a text area or a checkbox. The page works without JavaScript: one blank row is always
there to fill in and a "delete" checkbox removes a row on save; core/rows.js adds an "add a row"
button. Blank rows are left out, so the stored value keeps its shape (a list of dicts, keys in
column order). PlainTextField keeps a text area's text as typed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Row = dict[str, Any]
# A bound on what a posted form may ask the server to read, far above any real list.
POSTED_ROWS_MAX = 500


@dataclass(frozen=True)
class Column:
    name: str
    label: str | Promise
    kind: Literal["text", "textarea", "checkbox"] = "text"
    required: bool = True


def text_posted(value: str) -> str:
    # Browsers send a text area's line breaks as CRLF; stored text uses LF.
    return value.replace("\r\n", "\n")


class PlainTextField(forms.CharField):
    """A text area's text as it was: line breaks back to LF, leading and trailing blanks kept
    (Django's default strips them), so a form saved unchanged stores the same text."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return text_posted(super().to_python(value) or "")

    def validate(self, value: str) -> None:
        super().validate(value.strip())


# For a ModelAdmin's formfield_overrides: every TextField edited as plain text.
PLAIN_TEXT_OVERRIDES = {models.TextField: {"form_class": PlainTextField}}


class RowsWidget(forms.Widget):
    template_name = "core/widgets/rows.html"

    class Media:
        css = {"all": ["core/rows.css"]}
        js = ["core/rows.js"]

    def __init__(
        self,
        *,
        columns: Sequence[Column],
        add_label: str | Promise,
        extra: int = 1,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.columns = tuple(columns)
        self.add_label = add_label
        self.extra = extra

    def _cells(self, name: str, index: int | str, number: int | None, row: Row) -> dict:
        prefix = f"{name}-{index}"
        return {
            "index": index,
            "number": number,
            "cells": [
                {
                    "column": column,
                    "name": f"{prefix}-{column.name}",
                    "id": f"id_{prefix}-{column.name}",
                    "value": row.get(column.name, False if column.kind == "checkbox" else ""),
                }
                for column in self.columns
            ],
            "delete_name": f"{prefix}-DELETE",
            "delete_id": f"id_{prefix}-DELETE",
        }

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict:
        context = super().get_context(name, value, attrs)
        rows = list(value) if isinstance(value, list | tuple) else []
        rows += [{}] * self.extra
        context["widget"].update(
            {
                "columns": self.columns,
                "rows": [self._cells(name, i, i + 1, row) for i, row in enumerate(rows)],
                "template_row": self._cells(name, "__prefix__", None, {}),
                "total_name": f"{name}-TOTAL",
                "total": len(rows),
                "add_label": self.add_label,
            }
        )
        return context

    def format_value(self, value: Any) -> Any:
        return value

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile], name: str
    ) -> list[Row] | None:
        try:
            total = int(data.get(f"{name}-TOTAL", ""))
        except ValueError:
            return None
        rows = []
        for index in range(max(0, min(total, POSTED_ROWS_MAX))):
            prefix = f"{name}-{index}"
            if forms.CheckboxInput().value_from_datadict(data, files, f"{prefix}-DELETE"):
                continue
            row: Row = {}
            for column in self.columns:
                key = f"{prefix}-{column.name}"
                if column.kind == "checkbox":
                    row[column.name] = forms.CheckboxInput().value_from_datadict(data, files, key)
                else:
                    row[column.name] = text_posted(str(data.get(key, "")))
            if any(v.strip() if isinstance(v, str) else v for v in row.values()):
                rows.append(row)
        return rows

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile], name: str
    ) -> bool:
        return f"{name}-TOTAL" not in data

    def id_for_label(self, id_: str) -> str:
        # The label names the whole table, which has no single input to point at.
        return ""


class RowsField(forms.Field):
    """A list of dicts, one per filled-in row; text is kept as typed (no stripping)."""

    default_error_messages = {
        "invalid": _("Enter the rows in the form."),
        "cell_required": _("Row %(row)d: “%(column)s” is required."),
        "too_many": _("At most %(max)d rows."),
    }

    def __init__(
        self,
        *,
        columns: Sequence[Column],
        add_label: str | Promise,
        max_rows: int = 100,
        **kwargs: Any,
    ) -> None:
        self.columns = tuple(columns)
        self.max_rows = max_rows
        kwargs.setdefault("widget", RowsWidget(columns=self.columns, add_label=add_label))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[Row]:
        if value in self.empty_values:
            return []
        if not isinstance(value, list):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def validate(self, value: list[Row]) -> None:
        super().validate(value)
        if len(value) > self.max_rows:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.max_rows}
            )
        errors = [
            ValidationError(
                self.error_messages["cell_required"],
                code="cell_required",
                params={"row": number, "column": column.label},
            )
            for number, row in enumerate(value, start=1)
            for column in self.columns
            if column.required and column.kind != "checkbox" and not row[column.name].strip()
        ]
        if errors:
            raise ValidationError(errors)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return (initial or []) != self.to_python(data)
