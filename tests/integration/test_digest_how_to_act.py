"""A manager whose team has paused cases, or cases due this week, and none overdue is told
how to act on one themselves. The digest's paused list says what to do ("give it to
someone who can answer (REASSIGN name@council)"), but how a manager does it (a mail to
the shared mailbox with the reference in the subject and the command on the first line;
not a reply to the digest, which is ignored without a word) was said only under the
overdue list, and only when something was overdue: a manager with paused cases alone was
not told, in English or in a bilingual council's digest, text or HTML. A case due this
week may want a command too (EXTEND, agreed with the member, before it is late): its
reference in the HTML is now a link that starts the mail, as in the other lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, by_recipient, queued_digests, rows

from mailbot.store.tables import CaseRow

RECEIVED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # due Monday 7 December
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
HOW_TEXT = ("To act on a case yourself, write to {mailbox} with its reference in the "
            "subject (as [MB-2026-00001]) and one command on the first line: REASSIGN "
            "name@{domain}, EXTEND 5 \"reason\" or DONE.")
HOW_HTML = ("To act on a case yourself, write to {mailbox} with its reference in the "
            "subject (click the reference)")
HOW_WELSH = "I weithredu ar achos eich hun, ysgrifennwch at {mailbox}"


def digests(place: Council) -> dict[str, EmailMessage]:
    return queued_digests(place, MONDAY)


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])  # English; bilingual
def test_a_manager_with_paused_cases_only_is_told_how_to_act(
    tmp_path: Path, policy: str
) -> None:
    domain = f"{policy}.gov.uk"
    mailbox, sam, manager = (f"memberenquiries@{domain}", f"sam.patel@{domain}",
                             f"dana.reed@{domain}")
    with Council(
        tmp_path, mailbox=mailbox, policy=policy,
        members=[("Cllr Jo Bloggs", f"jo.bloggs@{domain}", "Castle", "en")],
        officers=[("Sam Patel", sam, "Highways", manager, ""),
                  ("Dana Reed", manager, "Highways", "", "")],
        config=f'[digest]\nrecipients = ["chief.executive@{domain}"]\n',
        admins=[f"chief.executive@{domain}"],  # commands from them are acted on
        mail_headers=PLAIN_UTF8,
    ) as place:
        assignment = by_recipient(place.deliver(place.mail(
            f"jo.bloggs@{domain}", "Pothole on Castle Road", "A deep one by no. 12.", cc=sam,
            date=RECEIVED), RECEIVED))[sam]
        paused_at = RECEIVED + timedelta(days=1)
        place.deliver(place.reply(assignment, sam, 'PAUSE "waiting for the photos"',
                                  date=paused_at), paused_at)
        assert place.case().status == "paused"
        assert rows(place.app, CaseRow, CaseRow.response_due < MONDAY.date()) == []
        sent = digests(place)
    assert set(sent) == {manager, f"chief.executive@{domain}"}
    for message in sent.values():
        assert "0 overdue" in str(message["Subject"])
        text, html = body_text(message, "plain"), body_text(message, "html")
        assert "MB-2026-00001" in text
        how = HOW_TEXT.format(mailbox=mailbox, domain=domain)
        assert " ".join(how.split()) in " ".join(text.split())
        assert HOW_HTML.format(mailbox=mailbox) in html
        # Once, after the paused list.
        assert text.count("To act on a case yourself") == 1
        assert text.index("To act on a case yourself") > text.index("Why: PAUSE by Sam")
        if policy == "cardiff":
            assert HOW_WELSH.format(mailbox=mailbox) in text
            assert HOW_WELSH.format(mailbox=mailbox) in html


def test_with_overdue_and_paused_cases_it_is_said_once_under_the_overdue_list(
    tmp_path: Path,
) -> None:
    domain = "wiltshire.gov.uk"
    mailbox, sam = f"memberenquiries@{domain}", f"sam.patel@{domain}"
    with Council(
        tmp_path, mailbox=mailbox, members=[("Cllr Jo Bloggs", f"jo.bloggs@{domain}",
                                             "Castle", "en")],
        officers=[("Sam Patel", sam, "Highways", "", "")],
        config=f'[digest]\nrecipients = ["chief.executive@{domain}"]\n',
        admins=[f"chief.executive@{domain}"],  # commands from them are acted on
        mail_headers=PLAIN_UTF8,
    ) as place:
        early = RECEIVED - timedelta(days=21)  # overdue by Monday 30 November
        for when, subject in ((early, "Bins not collected"), (RECEIVED, "Pothole")):
            assignment = by_recipient(place.deliver(place.mail(
                f"jo.bloggs@{domain}", subject, "Please help.", cc=sam, date=when),
                when))[sam]
        paused_at = RECEIVED + timedelta(days=1)
        place.deliver(place.reply(assignment, sam, 'PAUSE "waiting for the photos"',
                                  date=paused_at), paused_at)
        [message] = digests(place).values()
    text, html = body_text(message, "plain"), body_text(message, "html")
    assert "1 overdue" in str(message["Subject"])
    assert text.count("To act on a case yourself") == 1
    assert html.count("To act on a case yourself") == 1
    assert text.index("To act on a case yourself") < text.index("Due this week (")


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])  # English; bilingual
def test_a_manager_with_cases_due_this_week_only_is_told_how_to_act(
    tmp_path: Path, policy: str
) -> None:
    domain = f"{policy}.gov.uk"
    mailbox, sam = f"memberenquiries@{domain}", f"sam.patel@{domain}"
    received = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # due Monday 30 November
    with Council(
        tmp_path, mailbox=mailbox, policy=policy,
        members=[("Cllr Jo Bloggs", f"jo.bloggs@{domain}", "Castle", "en")],
        officers=[("Sam Patel", sam, "Highways", "", "")],
        config=f'[digest]\nrecipients = ["chief.executive@{domain}"]\n',
        admins=[f"chief.executive@{domain}"],  # commands from them are acted on
        mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(f"jo.bloggs@{domain}", "Pothole on Castle Road",
                                 "A deep one by no. 12.", cc=sam, date=received), received)
        [message] = digests(place).values()
    assert "1 due this week" in str(message["Subject"])
    assert "0 overdue" in str(message["Subject"])
    text, html = body_text(message, "plain"), body_text(message, "html")
    how = HOW_TEXT.format(mailbox=mailbox, domain=domain)
    assert " ".join(how.split()) in " ".join(text.split())
    assert text.count("To act on a case yourself") == 1
    assert text.index("due Mon 30 Nov") < text.index("To act on a case yourself") \
        < text.index("longest paused first")
    assert HOW_HTML.format(mailbox=mailbox) in html
    assert (f'<a href="mailto:{mailbox}?subject=%5BMB-2026-00001%5D">MB-2026-00001</a>'
            in html)


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])  # English; bilingual
def test_a_reader_whose_commands_are_not_acted_on_is_not_offered_them(
    tmp_path: Path, policy: str
) -> None:
    """A chief executive among the whole council's readers, in neither officers.csv nor
    [directory] admins, was told 'To act on a case yourself, write to …': a command from
    them is left alone (commands.authority), so they waited for nothing. They are told
    the digest is theirs to read, and whom to ask; an admin reader is still offered the
    commands, and so is a manager."""
    domain = f"{policy}.gov.uk"
    mailbox, sam, dana = (f"memberenquiries@{domain}", f"sam.patel@{domain}",
                          f"dana.reed@{domain}")
    chief, it_lead = f"chief.executive@{domain}", f"it.lead@{domain}"
    with Council(
        tmp_path, mailbox=mailbox, policy=policy,
        members=[("Cllr Jo Bloggs", f"jo.bloggs@{domain}", "Castle", "en")],
        officers=[("Sam Patel", sam, "Highways", dana, ""),
                  ("Dana Reed", dana, "Highways", "", "")],
        config=f'[digest]\nrecipients = ["{chief}", "{it_lead}"]\n', admins=[it_lead],
        mail_headers=PLAIN_UTF8,
    ) as place:
        received = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # due Monday 30 November
        place.deliver(place.mail(f"jo.bloggs@{domain}", "Pothole on Castle Road",
                                 "A deep one by no. 12.", cc=sam, date=received), received)
        sent = digests(place)
    assert set(sent) == {chief, it_lead, dana}
    for reader, message in sent.items():
        for part in (body_text(message, "plain"), body_text(message, "html")):
            said = " ".join(unescape(part).split())
            offered = "To act on a case yourself" in said
            told = "You are sent this digest to read: commands from your address" in said
            assert (offered, told) == ((False, True) if reader == chief else (True, False))
            if policy == "cardiff" and reader == chief:
                assert "Anfonir y crynodeb hwn atoch i'w ddarllen" in said
