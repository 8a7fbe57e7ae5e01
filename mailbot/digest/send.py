"""The weekly job: render each recipient's digest and queue it, once per ISO week.

Each digest is queued with the dedup key digest:<recipient>:<scope>:<ISO week> (keys.py),
and the outbox's unique index is the ledger, so a restart, a second process or a re-run
never sends a second one. If the daemon was down at the appointed time, the digest goes
when it is back, within the same ISO week. One that waits in the outbox (the mail server
down) is looked at again when it goes (at_send.py).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from mailbot import ledger, outbox
from mailbot.addresses import address_forms
from mailbot.chart import ENGLISH_WORDS, WELSH_WORDS, ChartWords, trend_png
from mailbot.compose import Envelope, InlineImage, compose, new_message_id
from mailbot.digest.context import build_digest
from mailbot.digest.first_week import began_after
from mailbot.digest.keys import PURPOSE, digest_key
from mailbot.digest.periods import iso_week, local_day, monday_of
from mailbot.digest.recipients import WHOLE_COUNCIL, Scope, digest_targets
from mailbot.languages import ENGLISH_FIRST, WELSH_FIRST, Languages, staff_languages
from mailbot.store.tables import OutboxRow
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App

log = logging.getLogger(__name__)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class DigestReport:
    queued: list[str] = field(default_factory=list)  # recipients
    skipped: str = ""


def render_digest(
    app: App, context: dict[str, Any], *, with_chart: bool = True
) -> tuple[Any, list[InlineImage]]:
    """Rendered text/HTML, and the chart as an inline image (referenced by Content-ID)."""
    images: list[InlineImage] = []
    # A bilingual council's digest goes to many managers at once: in both languages
    # (the same order as its other staff mail about no particular member).
    languages = staff_languages(app.policy.language, None)
    if with_chart and context["_weeks"]:
        domain = app.mailbox_address.rpartition("@")[2] or "mailbot.invalid"
        cid = f"trend-{context['digest']['week']}@{domain}"
        title = context["digest"]["trend_title"]
        words = chart_words(languages, title["en"], title["cy"],
                            years=context["digest"]["trend_years"])
        chart = trend_png(context["_weeks"], words)
        images.append(InlineImage(cid, chart, filename="trend.png"))
        context = {**context, "chart_cid": cid}
    return app.renderer.render("digest", context, languages), images


def chart_words(
    languages: Languages, title: str = "", title_cy: str = "", *, years: bool = False
) -> ChartWords:
    """The chart's words in the digest's languages, in the same order; `title`, if given,
    says which weeks it shows (context.py's trend title); `years`, whether each week has
    its year, as the trend table's (context.py's trend_years)."""
    english = replace(ENGLISH_WORDS, title=title or ENGLISH_WORDS.title, years=years)
    welsh = replace(WELSH_WORDS, title=title_cy or WELSH_WORDS.title, years=years)
    if languages == WELSH_FIRST:
        return welsh.then(english)
    if languages == ENGLISH_FIRST:
        return english.then(welsh)
    return english


def digest_envelope(app: App, recipient: str) -> Envelope:
    return Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(recipient,),
        instance=app.settings.council.instance,
    )


def digest_slot(app: App, now: datetime) -> datetime:
    """When this ISO week's digest is due (Europe/London): the configured day and time, or,
    when that day is a bank holiday or a closure day, the same time on the council's next
    working day in that week (else the last one before it: a Friday digest on Good Friday
    goes on the Thursday). A digest that lands on Easter Monday or the Christmas bank
    holiday is read a day late, its "due this week" and "overdue" out of date by then;
    managers start their week on its first working day. A week with no working day at all
    (bank holidays and a closure back to back) keeps the configured day: moved into the
    next week it would be a second digest there, and skipped, its figures would never be
    sent."""
    config = app.settings.digest
    monday = monday_of(local_day(now))
    configured = monday + timedelta(days=WEEKDAYS.index(config.day))
    return datetime.combine(_working_day_of_week(app, monday, configured), config.time,
                            tzinfo=LONDON)


def _working_day_of_week(app: App, monday: date, day: date) -> date:
    cal = app.policy.council_calendar()
    week = [monday + timedelta(days=n) for n in range(7)]
    later = [d for d in week if d >= day and cal.is_working_day(d)]
    earlier = [d for d in week if d < day and cal.is_working_day(d)]
    return later[0] if later else earlier[-1] if earlier else day


def send_digests(app: App, now: datetime, *, by_hand: bool = False) -> DigestReport:
    """Queue this week's digests that are due and not yet queued. Safe to call often. Not
    in the week mailbot began, if it began after the digest time (first_week.py), unless
    an administrator asks (`by_hand`)."""
    report = DigestReport()
    config = app.settings.digest
    if not config.enabled:
        report.skipped = "disabled"
        return report
    targets = digest_targets(app)
    if not targets:
        report.skipped = no_one_to_send_to(app)
        return report
    slot = digest_slot(app, now)
    if now < slot:
        report.skipped = f"not before {slot:%A %H:%M}"
        return report
    with app.store.transaction() as session:
        first_week = began_after(session, slot, now, say=not by_hand)
    if first_week and not by_hand:
        report.skipped = (f"mailbot began after this week's digest time ({slot:%A %H:%M}): "
                          "the first digest goes next week")
        return report
    week = iso_week(slot.date())
    failed: list[Exception] = []
    for recipient, scope in targets:
        key = digest_key(recipient, scope.key, week)
        # Under any form of the address: officers.csv edited to name the manager first in
        # the other form (xn--caerdydd--j9b.cymru) must not bring a second digest.
        keys = sorted({digest_key(form, scope.key, week) for form in address_forms(recipient)})
        try:
            with app.store.transaction() as session:
                if session.scalar(select(OutboxRow.id).where(
                        OutboxRow.dedup_key.in_([key, *keys])).limit(1)):
                    continue
                rendered, images = render_digest(app, build_digest(app, session, scope, now,
                                                                       recipient))
                row = outbox.queue(
                    session,
                    purpose=PURPOSE,
                    dedup_key=key,
                    case=None,
                    rendered=rendered,
                    envelope=digest_envelope(app, recipient),
                    now=now,
                    automatic=False,  # scheduled, at most once a week: not a reply to anyone
                    inline_images=images,
                )
                if row is not None:
                    ledger.record_event(
                        session, now, "mailbot", "digest queued", f"{week} to {recipient}"
                    )
                    report.queued.append(recipient)
        except IntegrityError:
            continue  # an overlapping run queued it first
        except (OperationalError, InterfaceError):
            raise  # the database: every digest after it would fail the same way
        except Exception as exc:  # noqa: BLE001 - one digest's fault must not stop the rest
            log.error("digest: the digest for %s (%s) was not made, the others go on: %s: %s",
                      recipient, scope.key, type(exc).__name__, exc)
            failed.append(exc)
    if failed:
        # The job fails (the log's traceback, `mailbot status`), and its next run, a quarter
        # of an hour on, tries the digests not made again: the others are queued once.
        raise DigestNotMade(f"{len(failed)} of {len(targets)} digest(s) not made") from failed[0]
    return report


class DigestNotMade(RuntimeError):
    """Some of this week's digests could not be made; the rest were queued."""


def no_one_to_send_to(app: App) -> str:
    """Why no digest goes when there is no one to send it to (docs/digest.md)."""
    managers = ("managers = false" if not app.settings.digest.managers
                else "no officer in officers.csv has a manager_email")
    return f"no one to send it to ([digest] recipients is empty, and {managers})"


def preview_targets(app: App) -> list[tuple[str, Scope]]:
    """Whose digests a preview can show: this week's recipients, else (nobody to send it
    to) the whole council's as the shared mailbox would get it."""
    return digest_targets(app) or [(app.mailbox_address, WHOLE_COUNCIL)]


def preview(app: App, now: datetime, out: Path | None = None,
            target: tuple[str, Scope] | None = None) -> Path:
    """Write to an .eml file the digest `target` (a preview_targets entry; the first if
    None) would get; queue nothing."""
    recipient, scope = target or preview_targets(app)[0]
    with app.store.transaction() as session:
        context = build_digest(app, session, scope, now, recipient)
    rendered, images = render_digest(app, context)
    mime = compose(
        rendered,
        digest_envelope(app, recipient),
        message_id=new_message_id(app.mailbox_address),
        now=now,
        inline_images=images,
    )
    path = out or app.settings.data_dir / f"digest-preview-{context['digest']['week']}.eml"
    path.parent.mkdir(parents=True, exist_ok=True)
    # The digest names members and their subjects: for the person running this alone, and
    # not written through a symlink left at the name. A preview rewrites its own file.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NO_FOLLOW, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(mime)
    return path


_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
