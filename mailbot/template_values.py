"""The values a council's own template uses that mailbot does not give its letter: a
misspelt `{{ case.refernce }}` compiles, so only making a mail from it would find it (and
the mail is then made from mailbot's own template: render.py). check-config warns of them
beforehand, from the templates' text.

What a letter is given is read from mailbot's own templates of the same letter: every
`ack*.txt` and `ack*.html`, the partials they include and the ones named after the letter
(`_partials/ack.en.txt`), and the partials every letter shares. A value none of them uses
may still be given, so this is a warning, never a reason to set a council's file aside.
Only `name`, `name.attribute` and `name["key"]` chains are read; a value the template sets
itself (`set`, `for`, a macro's argument) is its own.

A partial (`_partials/ack.en.txt`) is made with the values of the letter that includes it,
so a council's partial is read against the letters whose mail would include it (from the
council's own templates where it has them, else mailbot's): a value none of them is given
is warned of, naming them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError, meta, nodes

from mailbot.render import Renderer
from mailbot.resources import TEMPLATES

PARTIALS = "_partials/"


@dataclass(frozen=True)
class UnknownValue:
    """`value` (dotted), used on `line` of a council template, that its letter is not
    given; `close`: the given value it was probably meant to be ("" if none is near)."""

    line: int
    value: str
    close: str
    letters: tuple[str, ...] = ()
    """The letters the template is part of: its own, or for a partial those including it."""


def letter_of(name: str) -> str:
    """'ack.cy.txt' -> 'ack': the letter a template file makes."""
    return name.split("/")[-1].split(".")[0]


def _chain(node: nodes.Node | None) -> list[str] | None:
    """['case', 'follows', 'ref'] for case.follows.ref (or case["follows"]["ref"])."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        head = _chain(node.node)
        return None if head is None else [*head, node.attr]
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(
        node.arg.value, str
    ):
        head = _chain(node.node)
        return None if head is None else [*head, node.arg.value]
    return None


def _called(tree: nodes.Template) -> set[int]:
    """The ids of the nodes called as methods (`x.items()`): not values of the letter."""
    return {id(call.node) for call in tree.find_all(nodes.Call)}


def _values(tree: nodes.Template) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(line, chain) for every value the template reads from its context, each chain
    whole and without its prefixes (case.follows.ref, not case.follows nor case)."""
    given = meta.find_undeclared_variables(tree)
    inner = {id(getattr(n, "node", None)) for n in tree.find_all((nodes.Getattr, nodes.Getitem))}
    called = _called(tree)
    for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        if id(node) in called:
            if isinstance(node, nodes.Name):
                continue  # a function or macro called: range(), caller()
            target = getattr(node, "node", None)
        elif id(node) in inner:
            continue  # part of a longer chain, read there
        else:
            target = node
        chain = _chain(target)
        if chain and chain[0] in given:
            yield node.lineno, tuple(chain)


def _prefixes(chain: tuple[str, ...]) -> Iterator[str]:
    for end in range(1, len(chain) + 1):
        yield ".".join(chain[:end])


def _parse(env: Environment, path: Path) -> nodes.Template | None:
    try:
        tree = env.parse(path.read_text(encoding="utf-8"))
        meta.find_undeclared_variables(tree)  # compiles it: an unknown filter fails here
    except (OSError, UnicodeDecodeError, TemplateSyntaxError):
        return None  # check-config's compile says what is wrong with it
    return tree


def _static_includes(tree: nodes.Template) -> Iterator[str]:
    for node in tree.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
        named = getattr(node, "template", None)
        if isinstance(named, nodes.Const) and isinstance(named.value, str):
            yield named.value


def _built_includes(tree: nodes.Template) -> Iterator[tuple[str, str]]:
    """The includes whose name a template builds ('"_partials/signature." ~ first ~ ".txt"')
    as (what it starts with, what it ends with), where the start names a file of its own
    beyond the folder: a name built from the letter's ('"_partials/" ~ part ~ ...') is a
    partial named after the letter, which partials_letters counts as the letter's anyway."""
    for node in tree.find_all(nodes.Include):
        built = node.template
        if not isinstance(built, nodes.Concat) or not built.nodes:
            continue
        first, last = built.nodes[0], built.nodes[-1]
        head = first.value if isinstance(first, nodes.Const) else None
        tail = last.value if isinstance(last, nodes.Const) else ""
        if isinstance(head, str) and isinstance(tail, str) and head.startswith(PARTIALS) \
                and len(head) > len(PARTIALS):
            yield head, tail


def template_names(folder: Path) -> list[str]:
    """The folder's files as template names ('ack.txt', '_partials/layout.html')."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


@cache
def given_to(letter: str) -> frozenset[str]:
    """Every value (and each prefix of it) mailbot's own templates of `letter` use."""
    env = Renderer().env  # with mailbot's filters, which the compile checks
    names = template_names(TEMPLATES)
    letters = {letter_of(n) for n in names if not n.startswith(PARTIALS)}
    todo = [n for n in names if letter_of(n) == letter or (
        n.startswith(PARTIALS) and letter_of(n) not in letters)]
    seen: set[str] = set()
    found: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or not (TEMPLATES / name).is_file():
            continue
        seen.add(name)
        tree = _parse(env, TEMPLATES / name)
        if tree is None:
            continue
        found.update(p for _, chain in _values(tree) for p in _prefixes(chain))
        todo.extend(_static_includes(tree))
    return frozenset(found)


def partials_letters(folder: Path | None) -> dict[str, tuple[str, ...]]:
    """Each partial's letters: those whose mail includes it ('_partials/case_facts.en.txt':
    escalation, overdue, reminder). A letter's mail is made from its templates and the
    partials named after it (which its bilingual version includes by a name it builds),
    and what they include in turn (by name, or by a name they build: the signature or
    footer in each language, '"_partials/signature." ~ first ~ ".txt"'), each read from the
    council's file in `folder` where it has one, else from mailbot's. A partial of the
    council's own (a name mailbot has none of) is there when one of these includes it; a
    partial no letter's mail includes is not."""
    env = Renderer().env
    names = template_names(TEMPLATES)
    known = sorted({*names, *(template_names(folder) if folder is not None else ())})
    includes: dict[str, list[str]] = {}

    def included_by(name: str) -> list[str]:
        if name not in includes:
            own = folder / name if folder is not None else None
            path = own if own is not None and own.is_file() else TEMPLATES / name
            tree = _parse(env, path) if path.is_file() else None
            includes[name] = [] if tree is None else [
                *_static_includes(tree),
                *(n for head, tail in _built_includes(tree) for n in known
                  if n.startswith(head) and n.endswith(tail)),
            ]
        return includes[name]

    found: dict[str, list[str]] = {}
    for letter in sorted({letter_of(n) for n in names if not n.startswith(PARTIALS)}):
        todo = [n for n in names if letter_of(n) == letter]
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(included_by(name))
        for name in seen:
            if name.startswith(PARTIALS):
                found.setdefault(name, []).append(letter)
    return {name: tuple(letters) for name, letters in found.items()}


def unknown_values(path: Path, name: str,
                   partials: dict[str, tuple[str, ...]] | None = None) -> list[UnknownValue]:
    """The values the council's template at `path` (mailbot's `name`) uses that mailbot
    does not give its letter, by line. A partial's letters are those including it (from
    `partials`, partials_letters): a value is unknown if none of them is given it; a
    partial no letter includes is not read."""
    own = (letter_of(name),)
    letters = (partials or {}).get(name, ()) if name.startswith(PARTIALS) else own
    if not letters:
        return []
    tree = _parse(Renderer().env, path)
    if tree is None:
        return []
    given = frozenset[str]().union(*(given_to(letter) for letter in letters))
    found: dict[str, UnknownValue] = {}
    for line, chain in sorted(_values(tree)):
        first_unknown = next((p for p in _prefixes(chain) if p not in given), None)
        if first_unknown is not None and first_unknown not in found:
            found[first_unknown] = UnknownValue(line, first_unknown,
                                                _closest(first_unknown, given), letters)
    return list(found.values())


def _closest(value: str, given: Iterable[str]) -> str:
    parent = value.rpartition(".")[0]
    siblings = [g for g in given if g.rpartition(".")[0] == parent]
    close = difflib.get_close_matches(value, siblings, n=1, cutoff=0.6)
    return close[0] if close else ""
