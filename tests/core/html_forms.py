"""What a browser would send for a form as the server rendered it: every named input, checked
box, selected option and text area, with a text area's first line break dropped as HTML parsing
drops it and its line breaks sent as CRLF, as browsers send them. Lets a test save a page's form
"without changes"."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.template_depth = 0
        self.textarea: tuple[str, list[str]] | None = None
        self.select: str | None = None
        self.option: tuple[str | None, bool, list[str]] | None = None
        self.select_multiple = False
        self.select_chosen: list[str] = []
        self.select_first: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.template_depth += 1
        if self.template_depth or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = (name, [])
        elif tag == "select" and name:
            self.select = name
            self.select_multiple = "multiple" in a
            self.select_chosen = []
            self.select_first = None
        elif tag == "option" and self.select is not None:
            self.option = (a.get("value"), "selected" in a, [])

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "template":
            self.template_depth -= 1
        elif tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, parts = self.textarea
            text = "".join(parts)
            text = text[1:] if text.startswith("\n") else text
            self.fields.append((name, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self.textarea = None
        elif tag == "option" and self.option is not None:
            value, selected, parts = self.option
            value = "".join(parts).strip() if value is None else value
            if self.select_first is None:
                self.select_first = value
            if selected:
                self.select_chosen.append(value)
            self.option = None
        elif tag == "select" and self.select is not None:
            chosen = self.select_chosen
            if not chosen and not self.select_multiple and self.select_first is not None:
                chosen = [self.select_first]
            self.fields += [(self.select, value) for value in chosen]
            self.select = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)
        elif self.option is not None:
            self.option[2].append(data)


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    return reader.fields


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """The fields as the test client's post() takes them (a list per name)."""
    data: dict[str, list[str]] = {}
    for name, value in form_fields(html, form_id):
        data.setdefault(name, []).append(value)
    return data
