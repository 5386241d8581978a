"""The load test (bench/load/README.md): the users in locustfile.py, the run in run.py. Here:
the forms of a page, read as a browser reads them, which the users fill in and post back."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

__all__ = ["Field", "Form", "errors_of", "forms_of", "post_form"]


@dataclass
class Field:
    tag: str
    name: str
    kind: str = ""
    value: str = ""
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)

    def names(self) -> set[str]:
        return {f.name for f in self.fields}

    def values(self, name: str) -> list[str]:
        return [f.value for f in self.fields if f.name == name]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def data(self, overrides: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """What a browser sends: the form's own values, with `overrides` (a value, a list of
        values, or None to leave the field out) in place of the fields they name."""
        overrides = overrides or {}
        sent: list[tuple[str, str]] = []
        for f in self.fields:
            if f.name in overrides or f.kind in {"submit", "button", "reset", "file", "image"}:
                continue
            if f.kind in {"checkbox", "radio"}:
                if f.checked:
                    sent.append((f.name, f.value or "on"))
            elif f.tag == "select":
                chosen = [v for v, selected in f.options if selected] or [
                    v for v, _ in f.options[:1]
                ]
                sent.extend((f.name, v) for v in chosen[:1])
            else:
                sent.append((f.name, f.value))
        for name, value in overrides.items():
            if value is None:
                continue
            values = value if isinstance(value, list | tuple) else [value]
            sent.extend((name, str(v)) for v in values)
        return sent


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._text: Field | None = None  # the textarea or option whose text is being read
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(a.get("method", "get").lower(), html.unescape(a.get("action", "")))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in {"input", "button"} and "name" in a:
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            self._form.fields.append(
                Field(tag, a["name"], kind, a.get("value", ""), "checked" in a)
            )
        elif tag == "select" and "name" in a:
            self._select = Field("select", a["name"])
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and "name" in a:
            self._text = Field("textarea", a["name"])
            self._form.fields.append(self._text)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._text is not None:
            # A browser drops the newline that starts a textarea's text (Django writes one).
            self._text.value = self._text.value.removeprefix("\n")
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.value += data


def forms_of(page: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(page)
    return parser.forms


def post_form(page: str, having: str) -> Form | None:
    """The page's first POST form with a field named `having`."""
    return next((f for f in forms_of(page) if f.method == "post" and having in f.names()), None)


def errors_of(page: str) -> str:
    """The error summary of a page, as text, for a failure's message."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    if found is None:
        return "(no error summary)"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())[:300]
