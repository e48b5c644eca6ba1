"""Admin form fields for an exercise's code: one code editor per framework instead of a JSON
object of sources. The text areas work as they are; coding/admin_code.js turns them into
CodeMirror editors (a static file: the Content-Security-Policy allows no inline script)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from dlquiz.core.widgets import text_posted

CODE_EDITOR_MEDIA = forms.Media(
    css={"all": ["vendor/codemirror-5.65.18/codemirror.css", "coding/admin_code.css"]},
    js=[
        "vendor/codemirror-5.65.18/codemirror.js",
        "vendor/codemirror-5.65.18/python.js",
        "vendor/codemirror-5.65.18/matchbrackets.js",
        "coding/admin_code.js",
    ],
)


class CodeMapWidget(forms.Widget):
    """A labelled code text area per key (framework), in the stored order, then the other
    known keys left empty. A hidden input lists the keys in that order, so that saving keeps
    the order the value had."""

    template_name = "coding/widgets/code_map.html"

    def __init__(self, *, keys: Sequence[str], attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.keys = tuple(keys)

    @property
    def media(self) -> forms.Media:
        return CODE_EDITOR_MEDIA

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict:
        context = super().get_context(name, value, attrs)
        codes = value if isinstance(value, dict) else {}
        keys = [k for k in codes if k in self.keys] + [k for k in self.keys if k not in codes]
        context["widget"].update(
            {
                "keys_name": f"{name}-keys",
                "keys": ",".join(keys),
                "editors": [
                    {
                        "key": key,
                        "name": f"{name}-{key}",
                        "id": f"id_{name}-{key}",
                        "value": codes.get(key, ""),
                    }
                    for key in keys
                ],
            }
        )
        return context

    def format_value(self, value: Any) -> Any:
        return value

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile], name: str
    ) -> dict[str, str] | None:
        if f"{name}-keys" not in data:
            return None
        listed = [k for k in str(data[f"{name}-keys"]).split(",") if k in self.keys]
        order = list(dict.fromkeys(listed + list(self.keys)))
        codes = {key: text_posted(str(data.get(f"{name}-{key}", ""))) for key in order}
        # An empty editor means no code for that framework.
        return {key: code for key, code in codes.items() if code.strip()}

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile], name: str
    ) -> bool:
        return f"{name}-keys" not in data

    def id_for_label(self, id_: str) -> str:
        return ""


class CodeMapField(forms.Field):
    """Framework → source code, for the frameworks that have code."""

    default_error_messages = {"invalid": _("Enter the code in the editors.")}

    def __init__(self, *, keys: Sequence[str], **kwargs: Any) -> None:
        kwargs.setdefault("widget", CodeMapWidget(keys=keys))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dict[str, str]:
        if value in self.empty_values:
            return {}
        if not isinstance(value, dict):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        return (initial or {}) != self.to_python(data)
