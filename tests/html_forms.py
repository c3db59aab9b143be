"""The links and forms of an HTML page, read the way a browser reads them: what a form sends
as it stands, and what it sends once its required fields are filled in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_TYPES = {"text", "search", ""}
NOT_SENT = {"submit", "button", "reset", "image", "file"}
FILLERS = {
    "number": "1",
    "email": "test@exemple.fr",
    "url": "https://exemple.fr",
    "tel": "0102030405",
}


@dataclass
class Control:
    name: str
    kind: str  # an input's type, or « select », « select-multiple », « textarea »
    value: str = ""
    checked: bool = False
    required: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_TYPES or self.kind == "textarea"


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    @property
    def text_inputs(self) -> list[str]:
        return [c.name for c in self.controls if c.is_text]

    def data(self) -> list[tuple[str, str]]:
        """What a browser sends as the form stands."""
        sent = []
        for control in self.controls:
            if control.kind in NOT_SENT:
                continue
            if control.kind in {"checkbox", "radio"}:
                if control.checked:
                    sent.append((control.name, control.value or "on"))
            elif control.kind == "select-multiple":
                sent += [(control.name, v) for v, selected in control.options if selected]
            elif control.kind == "select":
                chosen = [v for v, selected in control.options if selected] or [
                    v for v, _ in control.options[:1]
                ]
                sent += [(control.name, v) for v in chosen[-1:]]
            else:
                sent.append((control.name, control.value))
        return sent

    def filled(self) -> dict[str, list[str]]:
        """What a browser sends once every required field left empty is filled in (a text, a
        number, today's date, the first choice)."""
        data: dict[str, list[str]] = {}
        for name, value in self.data():
            data.setdefault(name, []).append(value)
        for control in self.controls:
            if not control.required or any(data.get(control.name, [])):
                continue
            if control.kind in {"radio", "checkbox"}:
                value = next(c.value for c in self.controls if c.name == control.name)
            elif control.kind in {"select", "select-multiple"}:
                value = next((v for v, _ in control.options if v), "")
            elif control.kind == "date":
                value = dt.date.today().isoformat()  # noqa: DTZ011 - a form's date
            else:
                value = FILLERS.get(control.kind, "Rempli par le test")
            data[control.name] = [value]
        return data


class PageParser(HTMLParser):
    """The links (`href`, `hx-get`) and the forms of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "form":
            self._form = Form(action=attrs.get("action") or "", method=attrs.get("method") or "get")
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "option" and self._select is not None:
            self._select.options.append((attrs.get("value") or "", "selected" in attrs))
            return
        if not attrs.get("name") or tag not in {"input", "select", "textarea"}:
            return
        control = Control(name=attrs["name"], kind=tag, required="required" in attrs)
        if tag == "input":
            control.kind = (attrs.get("type") or "").lower()
            control.value = attrs.get("value") or ""
            control.checked = "checked" in attrs
        elif tag == "select":
            control.kind = "select-multiple" if "multiple" in attrs else "select"
            self._select = control
        else:
            self._textarea = control
        self._form.controls.append(control)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser
