"""Jinja2 in a sandbox: templates by name and language, never message content as code.

Only whitelisted context values reach a template, StrictUndefined turns a missing value
into an error instead of a blank in a letter to a councillor, and HTML is autoescaped.
A council can override any template by putting a file of the same name in its own
templates folder, which is searched first. A council template that fails while a mail is
made from it (a value mailbot does not give that letter, a filter given the wrong thing)
does not stop the mail: both its parts are made again from mailbot's own templates, the
failure is logged once and kept in `Renderer.faults` for the admins' alert
(template_fallback.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    UndefinedError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from mailbot.addresses import address_key
from mailbot.languages import TEMPLATE_FILTERS
from mailbot.resources import TEMPLATES

if TYPE_CHECKING:
    from types import TracebackType

    from mailbot.policy.rules import Routing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class TemplateFault:
    """A council template that failed while a mail was made from it: the letter (`name`,
    as render was asked for it), the file and line, and what went wrong."""

    name: str
    path: Path
    line: int
    what: str

    def line_for_admins(self) -> str:
        """As the log and the admins' alert say it."""
        return (f"{self.path}:{self.line}: {self.what}; the mail was made from mailbot's own "
                f"'{self.name}' templates instead, as it is each time the council's fails, "
                "until the file is put right and mailbot restarted")


def _council_line(trace: TracebackType | None, folder: Path) -> tuple[Path, int] | None:
    """The innermost line of a council template (a file in `folder`) in `trace`: Jinja
    gives a template's frames the template's file name and line number."""
    found = None
    while trace is not None:
        filename = Path(trace.tb_frame.f_code.co_filename)
        if filename.is_relative_to(folder):
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


def _what_failed(exc: Exception) -> str:
    if isinstance(exc, UndefinedError):
        return f"uses a value mailbot does not give this letter ({exc.message})"
    return f"failed: {type(exc).__name__}: {exc}"


def long_date(value: date) -> str:
    """'Friday 4 December 2026' — how a letter states a date, without leading zeros."""
    return f"{value:%A} {value.day} {value:%B %Y}"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS_CY = ("Llun", "Maw", "Mer", "Iau", "Gwe", "Sad", "Sul")
MONTHS_SHORT_CY = (
    "Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"
)


def short_day(value: date, today: date | None = None, welsh: bool = False) -> str:
    """'Wed 9 Dec' ('Mer 9 Rhag'): a date in a table column, in words as the letters give
    dates (long_date), short enough for the column. 09/12/2026 there was read as 12
    September by anyone whose phone or mail client reads dates the American way. The year
    is added when it is not the year of `today` (a case overdue since last December)."""
    days, months = (_DAYS_CY, MONTHS_SHORT_CY) if welsh else (_DAYS, MONTHS_SHORT)
    words = f"{days[value.weekday()]} {value.day} {months[value.month - 1]}"
    return words if today is None or value.year == today.year else f"{words} {value.year}"


def week_label(value: date, first: str = "en") -> str:
    """'2 Nov/Tach': a week's first day in a bilingual table column, the month in both
    languages, the mail's first language first."""
    en, cy = MONTHS_SHORT[value.month - 1], MONTHS_SHORT_CY[value.month - 1]
    return f"{value.day} {cy}/{en}" if first == "cy" else f"{value.day} {en}/{cy}"


def tel_uri(number: str) -> str:
    """A telephone number as a tel: link a phone can ring: digits and a leading +, without
    the "(0)" a UK number written for callers abroad carries ("+44 (0)1206 ..." is dialled
    +44 1206 ...; with the 0 kept, the call fails)."""
    if number.startswith("+"):
        number = number.replace("(0)", "")
    return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")


def line_breaks(value: str) -> Markup:
    """Text with its line breaks kept in HTML: each line escaped, joined by <br>. Outlook
    for Windows draws HTML with Word, which ignores CSS white-space, so a quoted message
    styled pre-wrap reached officers as one run-on paragraph."""
    return Markup("<br>\n").join(escape(line) for line in value.splitlines())


# Whom a letter to one of the pack's routes greets when the route's address has no row in
# officers.csv, by the pack's name for it: (after "Dear", after "Annwyl", mutated). A
# complaints address may be a team or one person (MWDA: the Director), so it has none.
_ROLE_GREETINGS: dict[str, tuple[str, str]] = {
    "foi_team": ("FOI team", "Dîm Rhyddid Gwybodaeth"),
    "monitoring_officer": ("Monitoring Officer", "Swyddog Monitro"),
    "subject_access": ("Data Protection Officer", "Swyddog Diogelu Data"),
}
_COLLEAGUE = ("colleague", "gydweithiwr")


def route_greetings(routing: Routing) -> dict[str, tuple[str, str]]:
    """The pack's route addresses and the greeting each is given (see _ROLE_GREETINGS)."""
    return {
        address_key(address): greeting
        for role, greeting in _ROLE_GREETINGS.items()
        if (address := getattr(routing, role, ""))
    }


def greeting(name: str, roles: Mapping[str, tuple[str, str]], welsh: bool = False) -> str:
    """The word(s) after "Dear" (or "Annwyl") for a name as the letter's context gives it.
    A recipient not in officers.csv is named by their address ("Dear monitoring.officer@..."
    read like a mail merge gone wrong): a pack's route by what the pack calls it, anyone
    else as a colleague."""
    if "@" not in name:
        return name
    english, cymraeg = roles.get(address_key(name), _COLLEAGUE)
    return cymraeg if welsh else english


class _Templates(SandboxedEnvironment):
    """The sandbox, with each template found once per process. Jinja looks a template up
    again on every get_template, and a letter's two templates with their `include`s and
    `extends` call it some ten times, through an LRU cache whose every hit takes a lock
    and reorders a queue. With auto_reload off a template, once loaded, is never read
    again anyway (the cache holds 400, more than there are templates), so a plain dict
    gives the same one."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._found: dict[tuple[str, str | None], Template] = {}

    def get_template(
        self,
        name: str | Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,  # noqa: A002 - Jinja's own name
    ) -> Template:
        if globals or not isinstance(name, str):
            return super().get_template(name, parent, globals)
        key = (name, parent)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = super().get_template(name, parent)
        return found


class _OverridesBut(FileSystemLoader):
    """The council's folder without the templates in `skip`: for those, mailbot's own."""

    def __init__(self, folder: Path, skip: Collection[str]) -> None:
        super().__init__(str(folder))
        self.skip = frozenset(skip)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if template in self.skip:
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


class Renderer:
    def __init__(
        self,
        override_dir: Path | None = None,
        roles: Mapping[str, tuple[str, str]] | None = None,
        skip: Collection[str] = (),
    ) -> None:
        """`roles`: the pack's route addresses and their greetings (route_greetings);
        `skip`: templates of the override folder not to use (template_fallback.py)."""
        self.override_dir = override_dir.resolve() if override_dir else None
        self.roles = dict(roles or {})
        self.faults: list[TemplateFault] = []  # not yet taken for the admins' alert
        self._told: set[TemplateFault] = set()
        self._own: Renderer | None = None
        shipped: BaseLoader = FileSystemLoader(str(TEMPLATES))
        self.env = _Templates(
            loader=ChoiceLoader([_OverridesBut(self.override_dir, skip), shipped])
            if self.override_dir else shipped,
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # templates are read once per process; restart to pick up edits
        )
        self._picked: dict[tuple[str, str, tuple[str, ...]], str] = {}
        self.env.filters["long_date"] = long_date
        self.env.filters["line_breaks"] = line_breaks
        self.env.filters["tel_uri"] = tel_uri
        self.env.filters["short_day"] = short_day
        self.env.filters["short_day_cy"] = partial(short_day, welsh=True)
        self.env.filters["week_label"] = week_label
        self.env.filters["dear"] = partial(greeting, roles=dict(roles or {}))
        self.env.filters["dear_cy"] = partial(greeting, roles=dict(roles or {}), welsh=True)
        self.env.filters.update(TEMPLATE_FILTERS)  # Welsh dates and day counts

    def _pick(self, name: str, ext: str, languages: Sequence[str]) -> str:
        key = (name, ext, tuple(languages))
        if key not in self._picked:
            self._picked[key] = self._find(name, ext, languages)
        return self._picked[key]

    def _find(self, name: str, ext: str, languages: Sequence[str]) -> str:
        candidates = [f"{name}.{lang}.{ext}" for lang in languages if lang != "en"]
        candidates.append(f"{name}.{ext}")
        for candidate in candidates:
            try:
                self.env.get_template(candidate)
            except TemplateNotFound:
                continue
            return candidate
        raise TemplateNotFound(f"{name}.{ext}")

    def render(
        self, name: str, context: Mapping[str, Any], languages: Sequence[str] = ("en",)
    ) -> Rendered:
        """Render `name`.txt and `name`.html; the text template's first line is the subject.
        If a council template fails, both are made from mailbot's own (see the module)."""
        try:
            return self._render(name, context, languages)
        except Exception as exc:
            where = _council_line(exc.__traceback__, self.override_dir) if (
                self.override_dir) else None
            if where is None:
                raise  # mailbot's own templates: its own mistake, not the council's
            try:
                rendered = self._own_templates().render(name, context, languages)
            except TemplateNotFound:
                raise exc from None  # a template of the council's only: nothing to fall back to
            self._note(TemplateFault(name, where[0], where[1], _what_failed(exc)))
            return rendered

    def _own_templates(self) -> Renderer:
        if self._own is None:
            self._own = Renderer(None, self.roles)
        return self._own

    def _note(self, fault: TemplateFault) -> None:
        """Log `fault` at ERROR and keep it for the admins, once per process."""
        if fault in self._told:
            return
        self._told.add(fault)
        self.faults.append(fault)
        log.error("templates: %s (`mailbot check-config` checks the values a template uses)",
                  fault.line_for_admins())

    def _render(self, name: str, context: Mapping[str, Any], languages: Sequence[str]) -> Rendered:
        text = self.env.get_template(self._pick(name, "txt", languages)).render(context)
        html = self.env.get_template(self._pick(name, "html", languages)).render(context)
        subject, _, body = text.partition("\n")
        return Rendered(
            subject=subject.removeprefix("Subject:").strip(), text=body.lstrip("\n"), html=html
        )
