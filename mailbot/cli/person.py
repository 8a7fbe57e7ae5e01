"""`mailbot person`: one person's data, for the council's data protection officer: find it,
export it (a subject access request), erase it (a request for erasure)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mailbot.cli.common import ConfigOption, fail, opened_app, operator

if TYPE_CHECKING:
    from mailbot.app import App
    from mailbot.data_subject import Findings

person_app = typer.Typer(
    help="One person's data (UK GDPR): find it, export it for a subject access request, "
    "or erase it on request. See docs/data-protection.md.",
    no_args_is_help=True,
)

Addresses = Annotated[
    list[str] | None,
    typer.Option("--address", metavar="ADDR",
                 help="The person's email address (repeat for each one)."),
]
Names = Annotated[
    list[str] | None,
    typer.Option("--name", metavar="NAME",
                 help="The person's name, e.g. \"Jane Smith\" (repeat for other forms): "
                 "matched in mail headers' display names and cases' member names."),
]
InText = Annotated[
    bool,
    typer.Option("--in-text", help="Also search the text of mail (forwarded mail included), "
                 "case subjects, the audit trail and corrections for each address and name: "
                 "for residents, who appear only inside the mail councillors forward."),
]


def _find(app: App, addresses: list[str] | None, names: list[str] | None,
          in_text: bool) -> Findings:
    from mailbot.data_subject import PersonError, find, person

    try:
        who = person(addresses or [], names or [], in_text=in_text,
                     shared_mailbox=app.settings.mailbox.address)
    except PersonError as exc:
        raise fail(str(exc), 2) from None
    return find(app, who)


@person_app.command("find")
def person_find(
    address: Addresses = None,
    name: Names = None,
    in_text: InText = False,
    config: ConfigOption = None,
) -> None:
    """List every case, message, sent mail, audit trail entry and corrections line that
    concerns the person, and why each was found. Changes nothing."""
    from mailbot.subject_access import found_lines

    with opened_app(config) as mailbot_app:
        findings = _find(mailbot_app, address, name, in_text)
    for line in found_lines(findings):
        typer.echo(line)


@person_app.command("export")
def person_export(
    folder: Annotated[Path, typer.Argument(help="A new folder to write (never an existing "
                                                "one); readable by you alone.")],
    address: Addresses = None,
    name: Names = None,
    in_text: InText = False,
    config: ConfigOption = None,
) -> None:
    """A subject access export: what `find` lists, written to a new folder with each mail
    as received or sent (.eml), the cases and audit trail (JSON), and a README.txt saying
    what was searched and found, for the DPO to check and send on."""
    from mailbot.subject_access import ExportError, export

    with opened_app(config) as mailbot_app:
        findings = _find(mailbot_app, address, name, in_text)
        try:
            written = export(mailbot_app, findings, folder, datetime.now(UTC),
                             by=f"admin:{operator()}")
        except ExportError as exc:
            raise fail(str(exc)) from None
    typer.echo(f"wrote {len(written)} file(s) to {folder} (readable by you alone): "
               f"{len(findings.cases)} case(s), {len(findings.messages)} received mail(s), "
               f"{len(findings.mail)} sent mail(s); read {folder / 'README.txt'} first")


@person_app.command("erase")
def person_erase(
    address: Addresses = None,
    name: Names = None,
    in_text: InText = False,
    include_open: Annotated[
        bool, typer.Option("--include-open", help="Also erase what belongs to cases still "
                           "open (being answered): their officer loses the member's mail. An "
                           "open FOI request or complaint is kept even so (a legal duty).")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Erase it; without this, only show what would go.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Erase the person's data on request, as the retention purge erases (cases
    anonymised, mail blanked, audit text blanked, corrections lines removed). Shows what
    would go unless --yes. Open cases are kept unless --include-open (open FOI requests
    and complaints even then); an officer's address is refused (staff records are kept)."""
    from mailbot.erasure import ErasureRefused, erase, plan

    with opened_app(config) as mailbot_app:
        findings = _find(mailbot_app, address, name, in_text)
        try:
            todo = plan(mailbot_app, findings, include_open=include_open)
        except ErasureRefused as exc:
            raise fail(str(exc)) from None
        if yes and todo.total:
            todo = erase(mailbot_app, todo, datetime.now(UTC), by=f"admin:{operator()}")
    for line in todo.lines(done=yes):
        typer.echo(line)
    if not yes and todo.total:
        typer.echo("nothing was changed: run again with --yes to erase it")
    elif yes and todo.total:
        typer.echo("recorded in the audit trail (counts and case references only)")
