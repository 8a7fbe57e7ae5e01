"""What a case's officer is told of mail in its thread (the thread stage: thread_mail.py).

The headlines over the member's mail (written again, the clock running again, still
paused, only asking for news, an FOI request's fee awaited or clarification received,
reopened), and the notice written again at send time for whoever holds the case then.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import case_notice, foi_pause, outbox, pause_letters, pause_reason, thread_senders
from mailbot.access_request_notice import law_date_beside_pause
from mailbot.addresses import same_address
from mailbot.assignment import Headline
from mailbot.commands.new_date_lines import new_date_letter_to_go
from mailbot.intake import Intake
from mailbot.languages import welsh_of
from mailbot.parse import ParseFailure, parse_message
from mailbot.store.tables import CaseRow, MessageRow
from mailbot.thread import same_member
from mailbot.thread_senders import UPDATE
from mailbot.thread_trust import failed_checks_of, untrusted

if TYPE_CHECKING:
    from mailbot.app import App


def wrote_again_still_paused(waits: pause_reason.WaitsFor, wrote_on: date) -> Headline:
    """The update when the member wrote while the pause waits for someone else, or for
    whom its reason does not say: the clock stays paused, no new date went to the member,
    and RESUME (with the day, if it was earlier) ends it."""
    typed = f"{wrote_on:%d/%m/%Y}"
    if waits == "other":
        return Headline(
            f"{WROTE_AGAIN.en} The clock stays paused: the pause waits for someone other "
            "than the member, so their mail does not end it, and they have not been sent a "
            f"new date. Reply RESUME when what it waits for has come (RESUME {typed} if it "
            "came on that day).",
            f"{WROTE_AGAIN.cy} Mae'r cloc yn dal wedi'i oedi: mae'r oedi'n aros am rywun "
            "heblaw'r aelod, felly nid yw eu neges yn dod ag ef i ben, ac nid ydynt wedi "
            "cael dyddiad newydd. Atebwch RESUME pan ddaw'r hyn y mae'n aros amdano "
            f"(RESUME {typed} os daeth ar y diwrnod hwnnw).",
        )
    return Headline(
        f"{WROTE_AGAIN.en} The clock stays paused: mailbot cannot tell from the pause's "
        "reason whether it waits for the member, so it has not ended it, and has not sent "
        f"them a new date. If their mail is what it waited for, reply RESUME {typed} (the "
        "day they wrote): the days from then count. Otherwise reply RESUME when it should "
        "run again.",
        f"{WROTE_AGAIN.cy} Mae'r cloc yn dal wedi'i oedi: ni all mailbot ddweud o reswm yr "
        "oedi a yw'n aros am yr aelod, felly nid yw wedi dod ag ef i ben, ac nid yw wedi "
        "anfon dyddiad newydd atynt. Os eu neges yw'r hyn yr oedd yn aros amdano, atebwch "
        f"RESUME {typed} (y diwrnod yr ysgrifennon nhw): mae'r diwrnodau o hynny ymlaen yn "
        "cyfrif. Fel arall atebwch RESUME pan ddylai redeg eto.",
    )


def wrote_again_fee_awaited(it: Intake, case: CaseRow, wrote_on: date) -> Headline:
    """The update when the member wrote while an FOI request waits for its fee: their mail
    never ends that pause, but one that does more than ask for news may say the fee was
    paid, and the officer is told how to end it with that day (a mail asking for news
    only has the holding reply instead: pause_letters)."""
    if pause_letters.asks_news(it, case):
        return WROTE_AGAIN_FEE_AWAITED
    typed = f"{wrote_on:%d/%m/%Y}"
    return Headline(
        f"{WROTE_AGAIN_FEE_AWAITED.en} If their mail says the fee has been paid, check it "
        f"was received and reply RESUME {typed} if it came that day.",
        f"{WROTE_AGAIN_FEE_AWAITED.cy} Os yw eu neges yn dweud bod y ffi wedi'i thalu, "
        f"gwiriwch ei bod wedi dod i law ac atebwch RESUME {typed} os daeth y diwrnod "
        "hwnnw.",
    )


def wrote_again_asks_news(wrote_on: date) -> Headline:
    """The update when the member only asked for news while the pause waits for them."""
    typed = f"{wrote_on:%d/%m/%Y}"
    return Headline(
        f"{WROTE_AGAIN.en} They seem only to ask for news, so the clock stays paused and "
        "they have not been sent a new date. If their mail does give what the pause waits "
        f"for, reply RESUME {typed} (the day they wrote).",
        f"{WROTE_AGAIN.cy} Mae'n ymddangos mai dim ond gofyn am newyddion y maent, felly "
        "mae'r cloc yn dal wedi'i oedi ac nid ydynt wedi cael dyddiad newydd. Os yw eu "
        f"neges yn rhoi'r hyn y mae'r oedi'n aros amdano, atebwch RESUME {typed} (y "
        "diwrnod yr ysgrifennon nhw).",
    )


def with_the_law_s_date(it: Intake, case: CaseRow, headline: Headline) -> Headline:
    """A subject access request's update, once the member's reply ended its pause, says
    what the officer's own RESUME would: the law's date did not move with the pause, and
    whether the protocol's date now falls after it (access_request_notice)."""
    law = law_date_beside_pause(it.app, case, resumed=True)
    if law is None:
        return headline
    return Headline(f"{headline.en} {law}", f"{headline.cy} {welsh_of(law)}")


def wrote_again_clock_runs(app: App, session: Session, case: CaseRow) -> Headline:
    """The update when the member's reply ended the pause: "The clock you paused" to the
    officer who paused it; to anyone else holding the case (an FOI request relabelled
    since, now the FOI team's, or a case passed on while paused) it names who did, "The
    clock Sam Patel paused": they did not pause it."""
    pause = foi_pause.last_pause(session, case)
    if pause is None or same_address(pause.who, case.officer_email or ""):
        return WROTE_AGAIN_CLOCK_RUNS
    name = app.directory.display(pause.who)
    return Headline(
        f"{WROTE_AGAIN.en} The clock {name} paused is running again: see the new date below.",
        f"{WROTE_AGAIN.cy} Mae'r cloc a oedwyd gan {name} yn rhedeg eto: gweler y dyddiad "
        "newydd isod.",
    )


def wrote_again_member_told(case: CaseRow, runs: Headline) -> Headline:
    """The update `runs` (wrote_again_clock_runs) when the letter with the new date is
    queued for the member: it goes unless the case is answered or paused again first (then
    it is withdrawn, and that command's confirmation says so)."""
    assert case.response_due is not None
    to_go = new_date_letter_to_go(case.response_due)
    return Headline(f"{runs.en} {to_go}", f"{runs.cy} {to_go.cy}")


def notice_for_holder(
    app: App, session: Session, case: CaseRow, dedup_key: str, *, now: datetime
) -> outbox.Rewritten | None:
    """The officer's notice of mail in the case's thread (queued under `dedup_key` by
    thread_senders.tell_officer: "reopened" or "update"), written again for whoever holds
    the case now (else the stand-in, case_notice): a case passed on since is new to its
    officer, whose assignment quotes only the first message. An update says again what
    the message is (the member writing again, someone else, or mail that may be forged),
    without "the clock you paused": that was the last officer's pause. None if nobody is
    to be told or the message can no longer be read (erased, say). `now`: when it goes."""
    purpose, _, message_id = dedup_key.partition(":")
    raw = session.scalar(select(MessageRow.raw).where(MessageRow.message_id == message_id))
    if case_notice.reader(app, case) is None or not raw:
        return None
    message = parse_message(raw)
    if isinstance(message, ParseFailure) or message.sender is None:
        return None
    sender = message.sender.email
    headline = REOPENED if purpose == "reopened" else WROTE_AGAIN
    if purpose != "reopened":
        if forged := failed_checks_of(app, case, message):
            headline = untrusted(sender, forged)
        elif not same_member(app.directory, sender, case.member_email):
            headline = thread_senders.headline_for(app, session, case, message)
    return case_notice.notice(app, case, headline, message, UPDATE, now=now)


# What an officer is told when a member writes again about a case of theirs.
WROTE_AGAIN = Headline(
    "The member has written again about this case.",
    "Mae'r aelod wedi ysgrifennu eto am yr achos hwn.",
)


WROTE_AGAIN_CLOCK_RUNS = Headline(
    f"{WROTE_AGAIN.en} The clock you paused is running again: see the new date below.",
    f"{WROTE_AGAIN.cy} Mae'r cloc a oedwyd gennych yn rhedeg eto: gweler y dyddiad newydd isod.",
)


# An FOI request's clarification, which the member has been sent the new date for.
WROTE_AGAIN_CLARIFIED = Headline(
    f"{WROTE_AGAIN.en} It is taken for the clarification the case was paused for: a fresh "
    "20 working days run from it (see the new date below). The member will be sent the "
    "new date unless the case is answered or paused again before it goes. If it does not "
    'make the request clear, reply PAUSE "clarification: ..." again.',
    f"{WROTE_AGAIN.cy} Fe'i cymerir yn eglurhad yr oedd yr achos wedi'i oedi ar ei gyfer: "
    "mae 20 diwrnod gwaith newydd yn rhedeg ohono (gweler y dyddiad newydd isod). Bydd yr "
    "aelod yn cael y dyddiad newydd oni bai bod yr achos yn cael ei ateb neu ei oedi eto "
    "cyn iddo fynd. Os nad yw'n gwneud y cais yn glir, atebwch PAUSE "
    '"clarification: ..." eto.',
)


# An FOI request held by a fees notice: the member writing is not the fee received.
WROTE_AGAIN_FEE_AWAITED = Headline(
    f"{WROTE_AGAIN.en} Its clock stays paused for the fees notice: reply RESUME on the day "
    "the fee is received (the days until then do not count).",
    f"{WROTE_AGAIN.cy} Mae ei gloc yn dal wedi'i oedi ar gyfer yr hysbysiad ffioedd: "
    "atebwch RESUME ar y diwrnod y daw'r ffi i law (nid yw'r diwrnodau tan hynny yn cyfrif).",
)


REOPENED = Headline(
    "The member has written again after the answer, so the case is open again with a new "
    "response date.",
    "Mae'r aelod wedi ysgrifennu eto ar ôl yr ateb, felly mae'r achos ar agor eto gyda "
    "dyddiad ymateb newydd.",
)
