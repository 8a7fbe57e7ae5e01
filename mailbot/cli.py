"""The `mailbot` command line. Each command is thin: parse arguments, call the app, print."""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from mailbot import jobs
from mailbot.app import App, build_app
from mailbot.backends.base import BackendError
from mailbot.classify import load_classifier, rules_classifier
from mailbot.console import (
    classify_file,
    describe_case,
    format_classification,
    print_cases,
    query_cases,
    summarise_poll,
)
from mailbot.demo import run_demo
from mailbot.diagnose import (
    check_mailbox,
    config_problems,
    config_warnings,
    missing_directory_files,
    redact_url,
)
from mailbot.directory import DirectoryError
from mailbot.logs import configure_logging
from mailbot.model import Kind
from mailbot.policy import PolicyError
from mailbot.scheduler import AlreadyRunning, run_daemon, single_instance
from mailbot.settings import (
    DEFAULT_CONFIG_NAME,
    ConfigError,
    Settings,
    find_config,
    load_settings,
)
from mailbot.store import Store
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.relayed import Found

app = typer.Typer(
    name="mailbot",
    help="Case handling for a council's shared member-enquiries mailbox.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text names config sections like [retention]: not markup
)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Config file (else $MAILBOT_CONFIG, else ./mailbot.toml)."),
]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error on stderr and return the Exit to raise."""
    typer.echo(f"mailbot: error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def version() -> None:
    """Print the installed version."""
    from mailbot import __version__

    typer.echo(__version__)


def load_config(config: Path | None, *, required: bool = True) -> Settings:
    """Validated settings, or exit with every problem listed (key and file named).

    A command about a council's mail needs its config: run without one (no --config, no
    $MAILBOT_CONFIG, say after sudo dropped it, and no ./mailbot.toml) it would make an
    empty database in the current folder and report "0 case(s)" as if nothing had come.
    """
    path = find_config(config)
    if path is None and required:
        raise fail(
            f"no config file: give --config PATH or set MAILBOT_CONFIG (there is no "
            f"{DEFAULT_CONFIG_NAME} in {Path.cwd()})",
            2,
        )
    try:
        return load_settings(path)
    except ConfigError as exc:
        for line in exc.lines():
            typer.echo(f"mailbot: error: {line}", err=True)
        raise typer.Exit(2) from None


def open_app(config: Path | None, *, warn: bool = False) -> App:
    """The app from the config; with `warn`, log what check-config would warn about
    (an empty password, a skipped directory row), for the commands that handle mail."""
    settings = load_config(config)
    configure_logging(settings)
    where = settings.config_path or "<defaults>"
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"{where}: council.data_dir: cannot create {settings.data_dir}: "
                   f"{exc.strerror}", 2) from None
    missing = missing_directory_files(settings)
    for line in missing:
        typer.echo(f"mailbot: error: {line}", err=True)
    if missing:
        raise typer.Exit(2)
    try:
        mailbot_app = build_app(settings)
    except PolicyError as exc:
        # As check-config says it: the pack may be fine and the council's [policy] wrong.
        raise fail(f"{where}: council.policy / [policy]: {exc}", 2) from None
    except DirectoryError as exc:
        raise fail(str(exc), 2) from None
    except SQLAlchemyError as exc:
        # Down or refusing the login: exit 1, not 2, as it may be back by the next restart.
        raise fail(_database_failure(settings.database_url, exc)) from None
    if warn:
        for warning in config_warnings(settings, mailbot_app.directory, mailbot_app.policy):
            logging.getLogger("mailbot.settings").warning("%s", warning)
    return mailbot_app


@contextmanager
def opened_app(config: Path | None, *, warn: bool = False) -> Iterator[App]:
    """The app for one command, closed (database, mailbox) however the command ends."""
    mailbot_app = open_app(config, warn=warn)
    try:
        yield mailbot_app
    finally:
        mailbot_app.close()


def _uk_time(moment: datetime) -> str:
    """As `mailbot status` shows times: the council's clock (Europe/London)."""
    return f"{moment.astimezone(LONDON):%Y-%m-%d %H:%M}"


def operator() -> str:
    """Who is at the keyboard, for the audit trail of what a person decided."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no password entry (some containers)
        return "administrator"


@app.command("check-config")
def check_config(
    config: ConfigOption = None,
    connect: Annotated[
        bool,
        typer.Option(help="Also log in to the mailbox and list its folders, and to PostgreSQL."),
    ] = False,
) -> None:
    """Validate the config file (and the policy pack and directory it names): one error
    line per problem and exit 2; warnings for what is accepted but probably wrong."""
    settings = load_config(config)
    problems = config_problems(settings)
    for warning in config_warnings(settings):
        typer.echo(f"mailbot: warning: {warning}", err=True)
    for problem in problems:
        typer.echo(f"mailbot: error: {problem}", err=True)
    if problems:
        raise typer.Exit(2)
    where = settings.config_path or "defaults"
    typer.echo(
        f"{where}: OK (policy {settings.council.policy}, backend {settings.mailbox.backend})"
    )
    if connect:
        try:
            folders = check_mailbox(settings)
        except BackendError as exc:
            raise fail(f"mailbox: {exc}", 3) from None
        typer.echo("mailbox: connected; folders: " + ", ".join(folders))
        _check_database_login(settings.database_url)


def _database_failure(url: str, exc: SQLAlchemyError) -> str:
    """One line: the driver's first line, without SQLAlchemy's help link or the password."""
    cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return f"database {redact_url(url)}: {cause}"


def _check_database_login(url: str) -> None:
    """Log in to a database server (SQLite is a file made on start: nothing to try)."""
    from sqlalchemy import create_engine

    if url.startswith("sqlite"):
        return
    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        raise fail(_database_failure(url, exc), 3) from None
    finally:
        engine.dispose()
    typer.echo(f"database: connected to {redact_url(url)}")


db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply any pending schema migrations (also done automatically on start)."""
    settings = load_config(config)
    Store(settings.database_url).close()
    typer.echo(f"database at {redact_url(settings.database_url)} is up to date")


@app.command()
def poll(
    config: ConfigOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="One poll and one outbox flush, then exit.")
    ] = False,
) -> None:
    """Fetch new mail, process it and send what is due (use `mailbot run` for the daemon)."""
    if not once:
        raise fail("use --once for a single poll, or `mailbot run` for the daemon")
    with opened_app(config, warn=True) as mailbot_app:
        try:
            with single_instance(mailbot_app.settings.data_dir, mailbot_app.store):
                now = datetime.now(UTC)
                report = jobs.poll(mailbot_app, now)
                flushed = jobs.flush_outbox(mailbot_app, datetime.now(UTC))
        except AlreadyRunning as exc:
            raise fail(str(exc)) from None
        except BackendError as exc:
            raise fail(f"mailbox: {exc}", 3) from None
    typer.echo(summarise_poll(report, flushed))


# How long a stopping daemon waits for the mailbox and the database to say goodbye.
CLOSE_WAIT_SECONDS = 5.0


@app.command()
def run(config: ConfigOption = None) -> None:
    """Run the daemon: poll, flush the outbox and the other jobs on schedule until stopped."""
    mailbot_app = open_app(config, warn=True)
    try:
        with single_instance(mailbot_app.settings.data_dir, mailbot_app.store):
            run_daemon(mailbot_app)
    except AlreadyRunning as exc:
        raise fail(str(exc)) from None
    finally:
        close_within(mailbot_app, CLOSE_WAIT_SECONDS)


def close_within(mailbot_app: App, seconds: float) -> None:
    """Close the app, but leave without it after `seconds`: a mailbox server that stopped
    answering would otherwise hold a stopping daemon for its whole read timeout (a minute)
    to acknowledge a LOGOUT. Nothing depends on that goodbye: every mail and message is
    already recorded, and the connections end with the process."""
    closing = threading.Thread(target=mailbot_app.close, name="close", daemon=True)
    closing.start()
    closing.join(seconds)
    if closing.is_alive():
        logging.getLogger("mailbot.scheduler").warning(
            "the mailbox server did not answer the logout within %d s; left without it",
            seconds,
        )


@app.command()
def demo(
    home: Annotated[
        Path, typer.Option(help="Folder for the demo's config, mailbox and database.")
    ] = Path("demo-home"),
) -> None:
    """Run the whole flow offline on the embedded default and show what happened.

    MAILBOT_* variables are ignored: the demo never reaches a real database or mailbox."""
    try:
        run_demo(home)
    except ConfigError as exc:
        raise fail(str(exc)) from None


@app.command()
def classify(
    paths: Annotated[list[Path], typer.Argument(help=".eml files to classify.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    config: ConfigOption = None,
    rules_only: Annotated[bool, typer.Option(help="Skip the trained model (rules only).")] = False,
) -> None:
    """Classify .eml files without touching any mailbox or database."""
    settings = load_config(config, required=False)
    classifier = (
        rules_classifier()
        if rules_only
        else load_classifier(settings.model_dir, corrections=settings.corrections_path)
    )
    for path in paths:
        result = classify_file(classifier, path, relay_list_ids=settings.loops.relay_list_ids)
        typer.echo(json.dumps(result) if as_json else format_classification(result))


@app.command()
def status(config: ConfigOption = None) -> None:
    """Is the daemon polling, is the mailbox reachable, is any mail stuck or quarantined,
    how many cases are due. Exits 1 when a person should look (the daemon silent for 30
    minutes, mailbox down, sending held, mail failed or possibly not sent, nearly all recent
    mail dropped as list mail)."""
    from mailbot.status import format_status, gather_status

    with opened_app(config) as mailbot_app:
        found = gather_status(mailbot_app, datetime.now(UTC))
    typer.echo(format_status(found))
    if not found.healthy:
        raise typer.Exit(1)


@app.command("cases")
def list_cases(
    config: ConfigOption = None,
    overdue: Annotated[bool, typer.Option(help="Only cases past their response date.")] = False,
    triage: Annotated[
        bool, typer.Option(help="Only cases waiting for a person: to classify, or with no "
                           "officer.")
    ] = False,
    officer: Annotated[str | None, typer.Option(help="Only this officer's cases.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """List cases."""
    with opened_app(config) as mailbot_app:
        found = query_cases(
            mailbot_app, datetime.now(UTC), overdue=overdue, triage=triage, officer=officer
        )
    print_cases(found, as_json)


@app.command()
def relabel(
    ref: str,
    kind: Annotated[Kind, typer.Argument(help="The right kind for this case.")],
    config: ConfigOption = None,
    by: Annotated[str, typer.Option(help="Who is making the correction.")] = "",
) -> None:
    """Correct a case's kind, such as one in triage; the correction trains the next model."""
    from mailbot.triage import TriageError, relabel_case

    with opened_app(config) as mailbot_app:
        try:
            case = relabel_case(
                mailbot_app, ref, kind, who=by or operator(), now=datetime.now(UTC)
            )
        except TriageError as exc:
            raise fail(str(exc)) from None
    typer.echo(f"{case.ref} is now {case.kind} ({case.status}); response due {case.response_due}"
               f", with {case.officer_email or 'no officer (mailbot cases --triage)'}")


@app.command()
def reassign(
    refs: Annotated[list[str] | None, typer.Argument(help="The cases to move (MB-...).")] = None,
    to: Annotated[str, typer.Option("--to", help="The officer who takes them.")] = "",
    from_officer: Annotated[
        str, typer.Option("--from", help="Move every open case of this address instead (an "
                          "officer who has left, or whose address changed).")
    ] = "",
    reason: Annotated[str, typer.Option(help="Why, for the timeline and the new officer.")] = "",
    config: ConfigOption = None,
    by: Annotated[str, typer.Option(help="Who is moving them.")] = "",
) -> None:
    """Hand open cases over to another officer, who gets each assignment email."""
    from mailbot.leavers import HandOverError, hand_over

    if not to or bool(refs) == bool(from_officer):
        raise fail("give --to and either case references or --from ADDRESS", 2)
    with opened_app(config) as mailbot_app:
        try:
            moved = hand_over(
                mailbot_app, refs=list(refs or []), from_officer=from_officer, to=to,
                who=by or operator(), reason=reason, now=datetime.now(UTC),
            )
        except HandOverError as exc:
            raise fail(str(exc)) from None
    typer.echo(f"{len(moved)} case(s) now with {to.lower()}" + (f": {', '.join(moved)}"
               if moved else "") + "; their assignment emails go with the next outbox flush")


@app.command("case")
def show_case(
    ref: str,
    config: ConfigOption = None,
    message: Annotated[
        bool,
        typer.Option(
            "--message", help="Print the member's message itself (also for confidential cases)."
        ),
    ] = False,
) -> None:
    """Show one case: its officer, dates, how they were reached, its mail and timeline."""
    from mailbot.console import case_message_text

    with opened_app(config) as mailbot_app:
        text = (case_message_text if message else describe_case)(mailbot_app, ref)
    if text is None:
        raise fail(f"no case {ref}")
    typer.echo(text)


@app.command("digest")
def weekly_digest(
    preview: Annotated[
        bool, typer.Option("--preview", help="Write the digest to an .eml file; send nothing.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The .eml file --preview writes (default: in data_dir)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """The weekly digest: --preview writes it to a file and prints the path; without it,
    queue this week's digests if their time has come (never twice in one ISO week)."""
    from mailbot import digest

    now = datetime.now(UTC)
    with opened_app(config) as mailbot_app:
        if preview:
            typer.echo(str(digest.preview(mailbot_app, now, out)))
            return
        report = digest.send_digests(mailbot_app, now)
    if report.skipped:
        typer.echo(f"no digest queued: {report.skipped}")
    for recipient in report.queued:
        typer.echo(f"queued the digest for {recipient}")
    if not report.queued and not report.skipped:
        typer.echo("this week's digests were already queued")


@app.command("purge")
def retention_purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be erased; change nothing.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Erase personal data past its [retention] period now (the daemon does it nightly):
    raw mail, sent mail, old cases' member details, old classifier corrections."""
    from mailbot import retention

    with opened_app(config) as mailbot_app:
        report = retention.purge(mailbot_app, datetime.now(UTC), dry_run=dry_run)
    for line in retention.describe(report, mailbot_app.settings.retention):
        typer.echo(line)


outbox_app = typer.Typer(
    help="Mail that failed or may not have gone: list it, send it again, or record it as sent.",
    no_args_is_help=True,
)
app.add_typer(outbox_app, name="outbox")


@outbox_app.command("list")
def outbox_list(
    suppressed: Annotated[
        bool, typer.Option("--suppressed", help="Also list mail the per-recipient cap held back.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """The mail waiting for a person, newest first, with the row number to act on."""
    from mailbot.stuck_mail import list_stuck

    with opened_app(config) as mailbot_app:
        found = list_stuck(mailbot_app.store, include_suppressed=suppressed)
    if not found:
        typer.echo("no mail is waiting for a person")
    for mail in found:
        typer.echo(f"row {mail.id}  {_uk_time(mail.created_at)}  {mail.status}  "
                   f"{mail.purpose} to {mail.recipients}: {mail.error}")


def _decide(row: int, config: Path | None, resend: bool) -> None:
    from mailbot.stuck_mail import NotDecidable, record_as_sent, release_for_resending

    decide = release_for_resending if resend else record_as_sent
    with opened_app(config) as mailbot_app:
        try:
            mail = decide(mailbot_app.store, row, datetime.now(UTC), by=f"admin:{operator()}")
        except NotDecidable as exc:
            raise fail(str(exc)) from None
    done = "goes out with the next outbox flush" if resend else "is recorded as sent"
    typer.echo(f"row {mail.id} ({mail.purpose} to {mail.recipients}, was {mail.status}) {done}")


@outbox_app.command("resend")
def outbox_resend(
    row: Annotated[int, typer.Argument(help="The row number from `mailbot outbox list`.")],
    config: ConfigOption = None,
) -> None:
    """Send a failed, uncertain or held-back mail again, once you have checked that it did
    not arrive: a mail that may have gone is never resent without a person's say."""
    _decide(row, config, resend=True)


@outbox_app.command("mark-sent")
def outbox_mark_sent(
    row: Annotated[int, typer.Argument(help="The row number from `mailbot outbox list`.")],
    config: ConfigOption = None,
) -> None:
    """Record that a failed, uncertain or held-back mail did arrive, so it is not
    reported again."""
    _decide(row, config, resend=False)


quarantine_app = typer.Typer(
    help="Messages mailbot could not handle: list them, save one, or run one again.",
    no_args_is_help=True,
)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
def quarantine_list(config: ConfigOption = None) -> None:
    """Quarantined messages, newest first, with the row number and the reason."""
    from mailbot.quarantine import list_quarantined

    with opened_app(config) as mailbot_app:
        found = list_quarantined(mailbot_app.store)
    if not found:
        typer.echo("no message is quarantined")
    for message in found:
        typer.echo(f"row {message.id}  {_uk_time(message.received_at)}  "
                   f"{message.sender or '(no sender)'}  {message.message_id}: {message.reason}")


@quarantine_app.command("save")
def quarantine_save(
    row: Annotated[int, typer.Argument(help="The row number from `mailbot quarantine list`.")],
    to: Annotated[Path, typer.Argument(help="The .eml file to write.")],
    config: ConfigOption = None,
) -> None:
    """Write a quarantined message, byte for byte as it arrived, to an .eml file."""
    from mailbot.quarantine import NotQuarantined, raw_bytes

    with opened_app(config) as mailbot_app:
        try:
            raw = raw_bytes(mailbot_app.store, row)
        except NotQuarantined as exc:
            raise fail(str(exc)) from None
    to.write_bytes(raw)
    typer.echo(f"wrote {len(raw)} bytes to {to}")


@quarantine_app.command("retry")
def quarantine_retry(
    row: Annotated[int, typer.Argument(help="The row number from `mailbot quarantine list`.")],
    config: ConfigOption = None,
) -> None:
    """Run a quarantined message through the pipeline again, once the cause is fixed (its
    sender added to the directory, mailbot upgraded). Its clock counts from when it came."""
    from mailbot.quarantine import NotQuarantined, retry

    with opened_app(config) as mailbot_app:
        try:
            outcome = retry(mailbot_app, row, datetime.now(UTC), by=f"admin:{operator()}")
        except NotQuarantined as exc:
            raise fail(str(exc)) from None
    where = f" as {outcome.case_ref}" if outcome.case_ref else ""
    typer.echo(f"row {row}: {outcome.status.value}{where}: {outcome.reason}")
    if outcome.queued:
        typer.echo("queued: " + ", ".join(outcome.queued) + " (sent by the next outbox flush)")


relay_app = typer.Typer(
    help="Mail the council's list relay passed on before [loops] relay_list_ids named it: "
    "list it, or read it again.",
    no_args_is_help=True,
)
app.add_typer(relay_app, name="relay")

SinceOption = Annotated[
    datetime | None,
    typer.Option(
        "--since", formats=["%Y-%m-%d"],
        help="Only mail received on or after this day (YYYY-MM-DD); else all still kept.",
    ),
]


@relay_app.command("list")
def relay_list(since: SinceOption = None, config: ConfigOption = None) -> None:
    """Messages dropped as list mail that came through a relay now named in [loops]
    relay_list_ids, oldest first. `mailbot relay reread` reads them again."""
    with opened_app(config) as mailbot_app:
        found = _relay_dropped(mailbot_app, since)
    for message in found.dropped:
        typer.echo(f"row {message.id}  {_uk_time(message.received_at)}  "
                   f"{message.sender or '(no sender)'}  {message.subject!r}")
    typer.echo(f"{len(found.dropped)} message(s) to read again"
               + _erased_note(found.erased))


@relay_app.command("reread")
def relay_reread(since: SinceOption = None, config: ConfigOption = None) -> None:
    """Run each message `mailbot relay list` shows through the pipeline again, as if it had
    just arrived (its clock counted from when it came): members' mail is acknowledged and
    assigned; a newsletter through the relay is dropped again. Each is read again once."""
    from mailbot.relayed import reread

    with opened_app(config) as mailbot_app:
        found = _relay_dropped(mailbot_app, since)
        queued = 0
        for message in found.dropped:
            outcome = reread(mailbot_app, message.id, datetime.now(UTC), by=f"admin:{operator()}")
            where = f" as {outcome.case_ref}" if outcome.case_ref else ""
            typer.echo(f"row {message.id}: {outcome.status.value}{where}: {outcome.reason}")
            queued += len(outcome.queued)
    typer.echo(f"{len(found.dropped)} message(s) read again; {queued} mail(s) queued "
               "(sent by the next outbox flush)" + _erased_note(found.erased))


def _relay_dropped(mailbot_app: App, since: datetime | None) -> Found:
    from mailbot.relayed import find_dropped

    settings = mailbot_app.settings
    if not settings.loops.relay_list_ids:
        where = settings.config_path or "the config file"
        raise fail(f"[loops] relay_list_ids is empty in {where}: name the relay (its List-Id "
                   "or the group's address) first; see docs/deployment.md")
    start = since.replace(tzinfo=LONDON) if since else datetime(1970, 1, 1, tzinfo=UTC)
    return find_dropped(mailbot_app, start)


def _erased_note(erased: int) -> str:
    if not erased:
        return ""
    return (f"; {erased} more dropped list message(s) can no longer be read: the retention "
            "purge erased them ([retention] dropped_mail_days)")


@app.command("train")
def train_classifier(
    data: Annotated[
        Path | None, typer.Option(help="Dir with train/ and dev/ (default: classifiers/data).")
    ] = None,
    model_dir: Annotated[
        Path | None, typer.Option(help="Model output (default: [classifier] model_dir).")
    ] = None,
    corrections: Annotated[
        Path | None, typer.Option(help="Corrections JSONL (default: [classifier] corrections).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Same data and seed give the same model.")] = 0,
    config: ConfigOption = None,
) -> None:
    """Train the classifier from scratch and print its scores on the dev split."""
    from rich.console import Console

    from mailbot.classify.commands import run_train

    settings = load_config(config, required=False)
    try:
        run_train(
            Console(),
            data,
            model_dir or settings.model_dir,
            corrections or settings.corrections_path,
            seed,
        )
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None


@app.command("evaluate")
def evaluate_classifier(
    data: Annotated[
        Path | None, typer.Option(help="JSONL file or dir (default: classifiers/data/test).")
    ] = None,
    model_dir: Annotated[
        Path | None, typer.Option(help="Model to score (default: [classifier] model_dir).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores as JSON here.")
    ] = None,
    rules_only: Annotated[bool, typer.Option(help="Score the rules-only classifier.")] = False,
    config: ConfigOption = None,
) -> None:
    """Print per-label precision/recall/F1, macro-F1 and a confusion matrix."""
    from rich.console import Console

    from mailbot.classify.commands import run_evaluate

    settings = load_config(config, required=False)
    try:
        run_evaluate(Console(), data, model_dir or settings.model_dir, json_out, rules_only)
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None


@app.command()
def deadlines(
    policy: Annotated[
        str | None,
        typer.Option(help="Pack name (wiltshire, mwda, colchester, hackney, cardiff) or a path."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="enquiry, foi, complaint or confidentiality.")
    ] = None,
    priority: Annotated[str, typer.Option(help="normal or important.")] = "normal",
    received: Annotated[
        str | None, typer.Option(help="ISO 8601 time with an offset, e.g. 2026-11-25T16:30:00Z.")
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option(help="JSONL file of {policy, kind, priority, received} lines ('-': stdin)."),
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also say how each date was reached.")
    ] = False,
) -> None:
    """Acknowledgement and response due dates for a message (no config or database needed)."""
    from mailbot import deadlines as dl

    if batch is not None:
        if kind is not None or received is not None:
            raise fail("--batch reads kind and received from each line; drop --kind/--received", 2)
        failed = total = 0
        try:
            rows = dl.run_batch(dl.read_lines(batch), default_policy=policy, explain=explain)
            for row, ok in rows:
                total += 1
                failed += not ok
                typer.echo(dl.to_json(row))
        except dl.InputError as exc:
            raise fail(str(exc), 2) from None
        if failed:
            raise fail(f'{failed} of {total} lines had errors (see their "error" field)')
        return
    missing = [
        f"--{name}"
        for name, value in (("policy", policy), ("kind", kind), ("received", received))
        if value is None
    ]
    if missing:
        raise fail(f"missing {', '.join(missing)} (or give --batch FILE.jsonl)", 2)
    try:
        answer = dl.compute(dl.PolicyCache().get(policy), kind, priority, received)
    except dl.InputError as exc:
        raise fail(str(exc).removeprefix("policy: "), 2) from None
    typer.echo(dl.to_json(answer.fields(with_explanation=False)))
    if explain:
        typer.echo("\n".join(answer.explanation))


def main() -> None:
    """Entry point: a one-line error instead of a traceback (MAILBOT_DEBUG=1 shows it)."""
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the console
        if os.environ.get("MAILBOT_DEBUG"):
            raise
        if isinstance(exc, SQLAlchemyError):
            # Its text adds the SQL and its parameters (a member's message, an address)
            # on further lines: the driver's own first line says what went wrong.
            cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            typer.echo(f"mailbot: error: database: {cause[0] if cause else exc}", err=True)
        else:
            typer.echo(f"mailbot: error: {type(exc).__name__}: {exc}", err=True)
        typer.echo("mailbot: run again with MAILBOT_DEBUG=1 for the full traceback", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
