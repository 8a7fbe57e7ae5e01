"""A message left unread for a person is tried again once a day, on every backend, without a
restart. Before, Graph and EWS forgot one only when 1,000 others pushed it out of memory,
the maildir tried a file again only after a restart, and IMAP never (its place had moved
past it): a member's enquiry whose file an administrator gave back to the right owner, or
that Exchange could convert again, sat in the Inbox unanswered until someone restarted
mailbot or dealt with it by hand.

Now, through the real poll: the message is read once its day has come, processed once
(one case, one acknowledgement), and comes off `mailbot status`; a retry that fails again
makes no new row and no new alert; one a person marked dealt with is never answered."""

from __future__ import annotations

import contextlib
import mailbox
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from test_unreadable_mail_left_for_a_person import (
    NOW,
    alerts,
    left_rows,
    member_email,
    on_ews,
    on_graph,
    recorded,
    settings_for,
)

from mailbot.app import App, build_app
from mailbot.backends.base import BackendError
from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.retry import Backoff
from mailbot.classify import rules_classifier
from mailbot.jobs import poll
from mailbot.model import MessageStatus
from mailbot.quarantine import mark_dealt_with
from mailbot.settings import load_settings
from mailbot.status import format_status, gather_status
from mailbot.store.tables import OutboxRow

pytestmark = pytest.mark.timeout(120)

BAD_ID = "<bad@councillors.example.gov.uk>"


def acknowledgements_of(app: App, message_id: str) -> int:
    with app.store.transaction() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.purpose == "ack"))
        return sum(message_id in row.mime.decode(errors="replace") for row in rows)


def poll_quietly(app: App, minutes: int) -> None:
    # the first failure of a message alone fails the fetch (maildir, Graph)
    with contextlib.suppress(BackendError):
        poll(app, NOW + timedelta(minutes=minutes))


@pytest.fixture
def maildir(tmp_path: Path) -> Iterator[tuple[Path, App]]:
    config = settings_for(tmp_path, "maildir")
    backend = MaildirMailbox(tmp_path / "mail", outbox=tmp_path / "outbox",
                             backoff=Backoff(attempts=1, sleep=lambda _: None))
    app = build_app(load_settings(config), backend=backend, classifier=rules_classifier())
    inbox = mailbox.Maildir(tmp_path / "mail", create=True)
    inbox.add(member_email("first"))
    bad = tmp_path / "mail" / "new" / "1764150000.M1P1.mailhost"
    bad.symlink_to(tmp_path / "restored-later.eml")  # a file not there (yet)
    inbox.add(member_email("third"))
    for minute in range(2):
        poll_quietly(app, minute)
    assert len(left_rows(app)) == 1 and len(alerts(app)) == 1
    try:
        yield tmp_path, app
    finally:
        app.close()


def test_maildir_a_file_put_right_is_read_within_a_day_and_once(
    maildir: tuple[Path, App],
) -> None:
    tmp_path, app = maildir
    (tmp_path / "restored-later.eml").write_bytes(member_email("bad"))
    poll_quietly(app, 60)
    assert BAD_ID not in recorded(app)  # not hammered: once a day
    poll_quietly(app, 60 * 25)
    assert recorded(app)[BAD_ID] != MessageStatus.QUARANTINED
    assert acknowledgements_of(app, BAD_ID) == 1
    poll_quietly(app, 60 * 25 + 1)
    poll_quietly(app, 60 * 50)
    assert acknowledgements_of(app, BAD_ID) == 1
    (row,) = left_rows(app)
    assert row.status == MessageStatus.IGNORED  # off the list: mailbot has answered it
    assert "could not read" not in format_status(gather_status(app, NOW + timedelta(days=3)))
    assert len(alerts(app)) == 1
    assert list((tmp_path / "mail" / "new").iterdir()) == []


def test_maildir_a_retry_that_fails_again_makes_no_new_row_and_no_alert(
    maildir: tuple[Path, App],
) -> None:
    _tmp_path, app = maildir
    for day in range(1, 4):
        poll_quietly(app, 60 * 24 * day)
    (row,) = left_rows(app)
    assert row.status == MessageStatus.QUARANTINED
    assert len(alerts(app)) == 1
    assert "1 message(s) mailbot could not read" in format_status(
        gather_status(app, NOW + timedelta(days=4)))


def test_maildir_one_a_person_dealt_with_is_not_answered_when_it_becomes_readable(
    maildir: tuple[Path, App],
) -> None:
    tmp_path, app = maildir
    (row,) = left_rows(app)
    mark_dealt_with(app.store, row.id, NOW, by="admin:test")  # answered by hand, left there
    (tmp_path / "restored-later.eml").write_bytes(member_email("bad"))
    poll_quietly(app, 60 * 25)
    poll_quietly(app, 60 * 26)
    assert BAD_ID not in recorded(app)
    assert acknowledgements_of(app, BAD_ID) == 0


def test_graph_a_message_exchange_can_give_again_is_read_the_next_day(tmp_path: Path) -> None:
    with on_graph(tmp_path) as (fake, app):
        fake.deliver(member_email("first"))
        broken = fake.deliver(member_email("bad"))
        fake.deliver(member_email("third"))
        moved = fake.deliver(member_email("moved"))
        fake.broken.update({broken, moved})
        for minute in range(2):
            poll_quietly(app, minute)
        assert len(left_rows(app)) == 2
        fake.broken.clear()  # Exchange gives both now
        # a person deals with one in Outlook: moves it out of the Inbox
        fake.move_message("<moved@councillors.example.gov.uk>", "deleteditems")
        poll_quietly(app, 60 * 25)
        poll_quietly(app, 60 * 26)
        assert recorded(app)[BAD_ID] != MessageStatus.QUARANTINED
        assert acknowledgements_of(app, BAD_ID) == 1
        assert "<moved@councillors.example.gov.uk>" not in recorded(app)
        assert fake.messages_in("inbox") == []
        assert [r.status for r in left_rows(app)].count(MessageStatus.QUARANTINED) == 1
        assert len(alerts(app)) == 2


def test_ews_an_item_exchange_can_convert_again_is_read_the_next_day(tmp_path: Path) -> None:
    with on_ews(tmp_path) as (fake, app):
        fake.deliver(member_email("first"))
        unconvertible = fake.deliver(member_email("bad"))
        failing = fake.deliver(member_email("failing"))
        moved = fake.deliver(member_email("moved"))
        fake.unconvertible.add(unconvertible)
        fake.item_errors[failing] = "ErrorInternalServerError"
        fake.item_errors[moved] = "ErrorInternalServerError"
        for minute in range(3):
            poll_quietly(app, minute)
        assert len(left_rows(app)) == 3
        fake.unconvertible.clear()  # Exchange converts it now
        fake.item_errors.pop(moved)
        # a person deals with one in Outlook: moves it (it gets a new id there)
        new_id = fake._new_id("AAMkMoved")
        fake.add_folder("Dealt with").items[new_id] = fake.inbox.items.pop(moved)
        poll_quietly(app, 60 * 25)
        poll_quietly(app, 60 * 26)
        assert acknowledgements_of(app, BAD_ID) == 1
        assert "<moved@councillors.example.gov.uk>" not in recorded(app)
        assert "<failing@councillors.example.gov.uk>" not in recorded(app)
        assert list(fake.inbox.items) == [failing]  # the rest read and moved
        open_rows = [r for r in left_rows(app) if r.status == MessageStatus.QUARANTINED]
        assert [r.backend_ref for r in open_rows] == [failing, moved]
        assert len(alerts(app)) == 3
