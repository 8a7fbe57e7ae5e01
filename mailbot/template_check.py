"""check-config's look at a council's own templates (the `templates/` folder beside its
config, searched before mailbot's): one that Jinja cannot read, or a letter whose first
line is no longer its subject, would fail every mail of its kind (each member's message
quarantined at its acknowledgement), so they are errors; a file that replaces none of
mailbot's (a misspelt name) is never read, so it is a warning."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError

from mailbot.render import Renderer
from mailbot.resources import TEMPLATES
from mailbot.settings import Settings
from mailbot.template_values import (
    PARTIALS,
    UnknownValue,
    letter_of,
    partials_letters,
    template_names,
    unknown_values,
)

SUBJECT = "Subject:"


def override_folder(settings: Settings) -> Path | None:
    folder = settings.base_dir / "templates"
    return folder if folder.is_dir() else None


@dataclass(frozen=True)
class BrokenTemplate:
    """A council template mailbot cannot use: its name (as mailbot's own is called), its
    file, the line (None: the whole file), what is wrong, and check-config's advice."""

    name: str
    path: Path
    line: int | None
    what: str
    advice: str = ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)

    def problem(self) -> str:
        """As check-config and `mailbot poll --once` say it."""
        return f"{self.where}: {self.what}{self.advice}"


def broken_templates(settings: Settings) -> list[BrokenTemplate]:
    """Each override Jinja cannot compile (its file and line), and each letter template
    whose first line no longer says `Subject:` where mailbot's own does."""
    folder = override_folder(settings)
    if folder is None:
        return []
    env = Renderer(folder).env
    shipped = set(template_names(TEMPLATES))
    return [broken for name in template_names(folder) if name in shipped
            if (broken := _broken(env, folder, name)) is not None]


def _broken(env: Environment, folder: Path, name: str) -> BrokenTemplate | None:
    path = folder / name
    try:
        env.get_template(name)
    except TemplateSyntaxError as exc:
        return BrokenTemplate(name, path, exc.lineno, exc.message or "cannot be read",
                              "; every mail made from this template would fail: put it "
                              "right, or delete it to use mailbot's own")
    except UnicodeDecodeError:
        return BrokenTemplate(name, path, None, "not UTF-8 text",
                              "; save it as UTF-8, or delete it to use mailbot's own")
    if _starts_with_subject(TEMPLATES / name) and not _starts_with_subject(path):
        return BrokenTemplate(name, path, 1, "the first line must be the mail's subject "
                              f"('{SUBJECT} ...'), as in mailbot's own {name}")
    return None


def template_problems(settings: Settings) -> list[str]:
    """check-config's errors: each of broken_templates, as it says it."""
    return [broken.problem() for broken in broken_templates(settings)]


def template_warnings(settings: Settings) -> list[str]:
    """Each file in the override folder that replaces none of mailbot's templates, and
    each value a council template uses that mailbot does not give its letter."""
    folder = override_folder(settings)
    if folder is None:
        return []
    shipped = template_names(TEMPLATES)
    names = template_names(folder)
    partials = partials_letters(folder) if any(n.startswith(PARTIALS) for n in names) else {}
    found: list[str] = []
    for name in names:
        if name.startswith(PARTIALS) and name not in partials and (
                name in shipped or not difflib.get_close_matches(name, shipped, n=1)):
            found.append(_never_included(folder / name, name))
            continue
        if name in shipped or name in partials:
            found += [_unknown_value_warning(folder / name, name, unknown)
                      for unknown in unknown_values(folder / name, name, partials)]
            continue
        close = difflib.get_close_matches(name, shipped, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        found.append(f"{folder / name}: replaces none of mailbot's templates, so it is "
                     f"never used{hint}")
    return found


def _never_included(path: Path, name: str) -> str:
    """A partial no letter's mail includes (partials_letters): one of mailbot's whose
    includer the council replaced without it, or one of the council's own nothing names.
    One of the council's own close to a name of mailbot's is said as a misspelt name."""
    return (f"{path}: no template includes it (mailbot's own, or the council's in their "
            "place), so it is never used: include it where its words belong "
            f'({{% include "{name}" %}}), or delete it')


def _unknown_value_warning(path: Path, name: str, unknown: UnknownValue) -> str:
    meant = f" (did you mean {unknown.close}?)" if unknown.close else ""
    return (f"{path}:{unknown.line}: {unknown.value} is not a value mailbot gives its "
            f"{_letters_of(name, unknown.letters)}{meant}; each such mail would be made from "
            "mailbot's own templates instead of this file")


def _letters_of(name: str, letters: tuple[str, ...]) -> str:
    """"'ack' mail" for a letter's template; for a partial, the letters including it:
    "'ack' mail, which includes this file", "'a', 'b' or 'c' mail, which include ..."."""
    if not name.startswith(PARTIALS):
        return f"'{letter_of(name)}' mail"
    quoted = [f"'{letter}'" for letter in letters]
    if len(quoted) == 1:
        return f"{quoted[0]} mail, which includes this file"
    return f"{', '.join(quoted[:-1])} or {quoted[-1]} mail, which include this file"


def _starts_with_subject(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as file:
            return file.readline().startswith(SUBJECT)
    except (OSError, UnicodeDecodeError):
        return False
