"""The cases: list them, show one, correct a kind, hand cases to another officer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from mailbot.cli.common import ConfigOption, case_kind, fail, opened_app, operator
from mailbot.console import describe_case, print_cases, query_cases
from mailbot.model import Kind
from mailbot.refs import canonical


def list_cases(
    config: ConfigOption = None,
    overdue: Annotated[bool, typer.Option(help="Only cases past their response date.")] = False,
    triage: Annotated[
        bool, typer.Option(help="Only cases waiting for a person: to classify, or with no "
                           "officer.")
    ] = False,
    officer: Annotated[
        str | None, typer.Option(metavar="ADDR", help="Only this officer's cases (their address).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """List cases."""
    if officer is not None and "@" not in officer:
        # A name ("Sam Patel") matched nothing and printed an empty table: no cases, it read.
        raise fail(f"--officer {officer!r} is not an email address: give the officer's "
                   "address, as officers.csv has it", 2)
    with opened_app(config) as mailbot_app:
        found = query_cases(
            mailbot_app, datetime.now(UTC), overdue=overdue, triage=triage, officer=officer
        )
    print_cases(found, as_json)


def relabel(
    ref: str,
    kind: Annotated[
        Kind, typer.Argument(parser=case_kind, help="The right kind for this case.")
    ],
    config: ConfigOption = None,
    by: Annotated[
        str, typer.Option(help="Who is making the correction, as the officer who had the "
                          "case is told it (default: 'an administrator', with the [directory] "
                          "admins' addresses; the timeline keeps your login).")
    ] = "",
) -> None:
    """Correct a case's kind, such as one in triage; the correction trains the next model
    (not for a confidential case: its message is not copied for training). Refuses
    (exit 2) a council template mailbot cannot use, as `poll --once` does."""
    from mailbot.triage import NOT_TRAINED_WHY, TriageError, relabel_case, trained_on

    with opened_app(config, makes_mail=True) as mailbot_app:
        try:
            case = relabel_case(
                mailbot_app, ref, kind, who=by or f"admin:{operator()}", now=datetime.now(UTC)
            )
        except TriageError as exc:
            raise fail(str(exc)) from None
        kept_out = not trained_on(mailbot_app, case)
    typer.echo(f"{case.ref} is now {case.kind} ({case.status}); response due {case.response_due}"
               f", with {case.officer_email or 'no officer (mailbot cases --triage)'}")
    if kept_out:
        typer.echo(f"{case.ref}: {NOT_TRAINED_WHY}")


def subject_access(
    ref: str,
    config: ConfigOption = None,
    not_one: Annotated[
        bool, typer.Option("--not", help="Clear the mark: the case is not a subject access "
                           "request after all.")
    ] = False,
    by: Annotated[
        str, typer.Option(help="Who is making the correction, for the timeline (default: "
                          "your login, recorded as 'admin:LOGIN').")
    ] = "",
) -> None:
    """Mark an enquiry or FOI request as a subject access request (UK GDPR Article 15), or
    clear the mark with --not, when the classifier got it wrong. The case stays with its
    officer, who is sent a notice of the change; the member is sent nothing; the officer
    is reminded of data protection law's one calendar month before it ends and once it
    has passed while the case is marked. Exit 2: no such case, or a case of another kind."""
    from mailbot.access_request import law_due
    from mailbot.access_request_notice import holder_to_tell
    from mailbot.render import long_date
    from mailbot.triage import TriageError, mark_subject_access

    who = by or f"admin:{operator()}"
    with opened_app(config) as mailbot_app:
        try:
            case, changed = mark_subject_access(
                mailbot_app, ref, not not_one, who=who, now=datetime.now(UTC),
            )
        except TriageError as exc:
            raise fail(str(exc), 2) from None
        due = law_due(mailbot_app.policy, case.received_at)
    stays = f"it stays with {case.officer_email or 'no officer'}"
    if holder_to_tell(case, who):
        stays += ", who is sent a notice of the change"
    if not changed:
        typer.echo(f"nothing changed: {case.ref} is {'not ' if not_one else ''}marked as a "
                   "subject access request already")
    elif not_one:
        typer.echo(f"{case.ref} is no longer marked as a subject access request; {stays}; "
                   "the member is sent nothing")
    else:
        typer.echo(f"{case.ref} is now marked as a subject access request: data protection "
                   f"law's one calendar month ends {long_date(due)}; {stays} (mailbot "
                   f"reassign {case.ref} --to ADDRESS to pass it on); the member is sent "
                   "nothing")


def verify(
    ref: str,
    config: ConfigOption = None,
    by: Annotated[
        str, typer.Option(help="Who checked with the member, for the timeline (default: your "
                          "login, recorded as 'admin:LOGIN').")
    ] = "",
) -> None:
    """Release mail held as possibly forged (dmarc=fail, or no address in From to check)
    once someone has checked with the member that it is theirs, as an officer's VERIFIED
    does: the case leaves triage, the timeline says who and when, and the member is sent
    the acknowledgement they would have had, once, its dates counted from when the mail
    was received. A case never held, or released already, is left as it is. Exit 2: no
    such case."""
    from mailbot.commands.verify import VerifyError, verify_case

    with opened_app(config, makes_mail=True) as mailbot_app:
        try:
            case, done = verify_case(mailbot_app, ref, who=by or f"admin:{operator()}",
                                     now=datetime.now(UTC))
        except VerifyError as exc:
            raise fail(str(exc), 2) from None
    said = " ".join(str(line) for line in done.lines)
    if not done.ok:
        typer.echo(f"nothing changed: {said}")
    elif done.queued:
        typer.echo(f"{said} (status {case.status}); the acknowledgement to "
                   f"{case.member_email} goes with the next outbox flush")
    else:
        typer.echo(f"{said} (status {case.status})")


def reassign(
    refs: Annotated[list[str] | None, typer.Argument(help="The cases to move (MB-...).")] = None,
    to: Annotated[str, typer.Option("--to", help="The officer who takes them.")] = "",
    from_officer: Annotated[
        str, typer.Option("--from", help="Move every open case of this address instead (an "
                          "officer who has left, or whose address changed).")
    ] = "",
    reason: Annotated[str, typer.Option(help="Why, for the timeline and the new officer.")] = "",
    config: ConfigOption = None,
    by: Annotated[
        str, typer.Option(help="Who is moving them, for the timeline (default: your login, "
                          "recorded as 'admin:LOGIN' as the other commands run by hand).")
    ] = "",
    even_if_complained_about: Annotated[
        bool, typer.Option("--even-if-complained-about", help="Move a complaint to an officer "
                           "it is (or may be) about all the same (refused without it).")
    ] = False,
) -> None:
    """Hand open cases over to another officer, who gets each assignment email. A paused
    case's clock runs again unless its pause still waits for someone (the member, another
    service, or an FOI request's clarification or fee); a line for each paused case says
    which. Refuses (exit 2) a council template mailbot cannot use, as `poll --once` does,
    and a complaint about (or perhaps about) the officer named in --to."""
    from mailbot.leavers import HandOverError, hand_over

    if not to or bool(refs) == bool(from_officer):
        raise fail("give --to and either case references or --from ADDRESS", 2)
    with opened_app(config, makes_mail=True) as mailbot_app:
        try:
            moved = hand_over(
                mailbot_app, refs=list(refs or []), from_officer=from_officer, to=to,
                who=by or f"admin:{operator()}", reason=reason, now=datetime.now(UTC),
                even_if_complained_about=even_if_complained_about,
            )
        except HandOverError as exc:
            raise fail(str(exc)) from None
    typer.echo(_reassigned([m.ref for m in moved], list(refs or []), from_officer,
                           to.strip().lower()))
    for case in moved:
        if case.clock is not None:  # the words of REASSIGN's confirmation
            typer.echo(f"{case.ref}: {case.clock}")


def _reassigned(moved: list[str], refs: list[str], from_officer: str, to: str) -> str:
    """What `reassign` did, in words: '0 case(s) now with ...' after a mistyped --from
    read like a hand-over done."""
    if moved:
        return (f"{len(moved)} case(s) now with {to}: {', '.join(moved)}; their assignment "
                "emails go with the next outbox flush")
    if refs:
        return f"nothing changed: {', '.join(canonical(r) for r in refs)} already with {to}"
    return f"nothing changed: no open case is with {from_officer.strip()}"


def show_case(
    ref: str,
    config: ConfigOption = None,
    message: Annotated[
        bool,
        typer.Option(
            "--message", help="Print the member's message itself (also for a confidential "
            "case: recorded in its timeline, who and when)."
        ),
    ] = False,
) -> None:
    """Show one case: its officer, dates (when it was acknowledged, or that the officer
    still owes it; an open case past its response date says by how many working days),
    its mail, the reminders still to come (who, on which day), how the dates were reached
    and its timeline."""
    from mailbot.console import case_message_text

    with opened_app(config) as mailbot_app:
        text = (case_message_text(mailbot_app, ref, datetime.now(UTC), by=f"admin:{operator()}")
                if message else describe_case(mailbot_app, ref, datetime.now(UTC)))
    if text is None:
        raise fail(f"no case {ref}")
    typer.echo(text)
