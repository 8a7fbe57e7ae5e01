"""`mailbot poll --once` on EWS when Exchange refuses what mailbot needs to do: the
service account may not send as the shared mailbox (CreateItem answers ErrorSendAsDenied),
sending is taken away from it (ErrorAccessDenied), or it may not move mail out of the Inbox
(MoveItem answers ErrorAccessDenied). As on Graph and IMAP, the run ends with one line per
kind of refusal (what, how many, Exchange's words, what to change) and exits 4; nothing is
lost, and once the right is given the next run sends each mail once and moves the
message. Against the loopback fake EWS server, through the command itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.ews_council import ADDRESS, ews_config
from fakes.ews_server import FakeExchange, running
from helpers import pothole_report
from refused_poll import outbox, poll_once, refusals

pytestmark = pytest.mark.timeout(120)

MEMBER = "jo.bloggs@councillors.example.gov.uk"
REFUSED = 4


@pytest.fixture
def exchange(tmp_path: Path) -> Iterator[tuple[FakeExchange, Path]]:
    """The fake Exchange and a mailbot.toml whose service account logs in to it."""
    with running(FakeExchange(mailbox_address=ADDRESS)) as (server, base):
        path = ews_config(tmp_path, f"{base}/EWS/Exchange.asmx")
        yield server, path


def to_member(server: FakeExchange) -> list[bytes]:
    return [raw for recipients, raw in server.delivered if MEMBER in recipients]


def in_folder(server: FakeExchange, name: str) -> int:
    folder = server.folder_named(name, server.inbox) if name != "Inbox" else server.inbox
    return 0 if folder is None else len(folder.items)


def test_an_account_without_send_as_exits_4_and_sends_each_mail_once_when_granted(
    exchange: tuple[FakeExchange, Path],
) -> None:
    server, path = exchange
    server.send_as = set()  # FullAccess only: it reads the mailbox, may not send as it
    server.deliver(pothole_report(ADDRESS, "Pothole on Castle Street"))

    refused = poll_once(path)

    assert refused.exit_code == REFUSED, refused.output
    queued = outbox(path)
    assert queued and set(queued) == {"pending"}, queued
    assert server.delivered == []
    assert in_folder(server, "Processed") == 1  # moving was allowed: it moved
    (line,) = refusals(refused)
    assert line.startswith(f"mailbot: refused: sending mail: {len(queued)} mail(s) wait "
                           "in the outbox"), line
    assert ("(ErrorSendAsDenied: The user account which was used to submit this request does "
            "not have the right to send mail on behalf of the specified sending account.)"
            ) in line  # Exchange's code and its own words
    assert '-ExtendedRights "Send As"' in line  # what to change

    server.send_as = {"svc-mailbot"}  # the administrator grants Send As
    fixed = poll_once(path)

    assert fixed.exit_code == 0, fixed.output
    assert refusals(fixed) == []
    assert outbox(path) == ["sent"] * len(queued)
    assert len(server.delivered) == len(queued)
    (ack,) = to_member(server)
    assert b"Pothole on Castle Street" in ack

    again = poll_once(path)
    assert again.exit_code == 0, again.output
    assert len(server.delivered) == len(queued)  # never sent twice


def test_sending_denied_exits_4_with_advice_about_sending(
    exchange: tuple[FakeExchange, Path],
) -> None:
    server, path = exchange
    server.refuse_sending = "ErrorAccessDenied"
    server.deliver(pothole_report(ADDRESS, "Streetlight out on Mill Lane"))

    refused = poll_once(path)

    assert refused.exit_code == REFUSED, refused.output
    queued = outbox(path)
    assert queued and set(queued) == {"pending"}, queued
    assert server.delivered == []
    assert in_folder(server, "Processed") == 1  # it could open and change the mailbox
    (line,) = refusals(refused)
    assert line.startswith(f"mailbot: refused: sending mail: {len(queued)} mail(s) wait "
                           "in the outbox"), line
    assert "ErrorAccessDenied" in line
    assert "Access is denied" in line
    assert "may not send as the shared mailbox" in line  # what was refused: sending
    assert "Send As" in line  # what to change
    assert "may not open" not in line  # it opened it: it read and moved the mail

    server.refuse_sending = None
    fixed = poll_once(path)
    assert fixed.exit_code == 0, fixed.output
    assert outbox(path) == ["sent"] * len(queued)
    assert len(to_member(server)) == 1


def test_moving_denied_exits_4_and_the_message_is_moved_when_granted(
    exchange: tuple[FakeExchange, Path],
) -> None:
    server, path = exchange
    server.can_move = False
    server.deliver(pothole_report(ADDRESS, "Bins not collected on Mill Lane"))

    refused = poll_once(path)

    assert refused.exit_code == REFUSED, refused.output
    assert in_folder(server, "Inbox") == 1  # left where it was
    assert len(to_member(server)) == 1  # sending was allowed: the member was acknowledged
    (line,) = refusals(refused)
    assert line.startswith("mailbot: refused: moving to Processed: 1 handled message(s) "
                           "stay in the Inbox"), line
    assert "ErrorAccessDenied" in line
    assert "may not move" in line  # what was refused: the move, not opening the mailbox
    assert "may not open" not in line
    assert "FullAccess" in line  # what to change

    server.can_move = True
    fixed = poll_once(path)

    assert fixed.exit_code == 0, fixed.output
    assert refusals(fixed) == []
    assert in_folder(server, "Inbox") == 0
    assert in_folder(server, "Processed") == 1
    assert len(to_member(server)) == 1  # not acknowledged twice
