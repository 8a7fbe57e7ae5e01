"""The Graph backend against the loopback fake Graph: the Graph-specific behaviour that the
shared contract suite does not reach (paging, throttling, resync, permissions, folders)."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterator

import pytest
from fakes.graph_server import FakeGraph, Request

from mailbot.backends.base import (
    BackendError,
    CursorExpired,
    MaybeSent,
    SendingBlocked,
    TransientError,
)
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider
from mailbot.backends.retry import Backoff, Cooldown
from mailbot.model import OutgoingMail

MAILBOX = "memberenquiries@council.example"

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with FakeGraph(MAILBOX) as server:
        yield server


class Client:
    """Builds GraphMailbox clients whose backoff waits are recorded, not slept."""

    def __init__(self, fake: FakeGraph) -> None:
        self.fake = fake
        self.sleeps: list[float] = []
        self.made: list[GraphMailbox] = []

    def __call__(self, **overrides: object) -> GraphMailbox:
        arguments: dict[str, object] = {
            "mailbox": MAILBOX,
            "base_url": self.fake.base_url,
            "token_provider": StaticTokenProvider(self.fake.token),
            "backoff": Backoff(attempts=5, sleep=self.sleeps.append),
        }
        arguments.update(overrides)
        client = GraphMailbox(**arguments)  # type: ignore[arg-type]
        self.made.append(client)
        return client


@pytest.fixture
def client(fake: FakeGraph) -> Iterator[Client]:
    made = Client(fake)
    yield made
    for mailbox in made.made:
        mailbox.close()


def message(label: str) -> bytes:
    return (
        "From: Cllr Ann Example <ann.example@members.test.invalid>\r\n"
        f"To: {MAILBOX}\r\n"
        f"Subject: Graph test {label}\r\n"
        f"Message-ID: <{label}@members.test.invalid>\r\n"
        "\r\n"
        f"Body of {label}.\r\n"
    ).encode("ascii")


def message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.compat32)["Message-ID"])


def delta_requests(fake: FakeGraph) -> list[str]:
    return [r.path for r in fake.requests if "/messages/delta" in r.path]


# ---------------------------------------------------------------- delta paging and cursor


def test_delta_pages_are_followed_to_the_delta_link(fake: FakeGraph, client: Client) -> None:
    """A first run over a full Inbox comes a page at a time: each fetch returns one page of
    messages and the round's nextLink, so 10,000 messages are never in memory together."""
    for i in range(23):
        fake.deliver(message(f"page{i}"))
    mailbox = client(page_size=5)

    sizes: list[int] = []
    seen: list[str] = []
    cursor = None
    for _ in range(5):  # 5 + 5 + 5 + 5 + 3
        fetched, cursor = mailbox.fetch_new(cursor)
        sizes.append(len(fetched))
        seen += [message_id(m.raw) for m in fetched]

    assert sizes == [5, 5, 5, 5, 3]
    assert sorted(seen) == sorted(f"<page{i}@members.test.invalid>" for i in range(23))
    pages = delta_requests(fake)
    assert len(pages) == 5
    assert all("$skiptoken=" in path for path in pages[1:])
    assert cursor is not None and "$deltatoken=" in cursor
    assert mailbox.fetch_new(cursor)[0] == []
    # Every request asked for immutable ids; the delta ones also for the page size.
    assert all('IdType="ImmutableId"' in r.headers.get("Prefer", "") for r in fake.requests)
    first = fake.requests[0]
    assert "odata.maxpagesize=5" in first.headers["Prefer"]
    assert "$select=id,internetMessageId" in first.path


def test_removed_entries_are_skipped(fake: FakeGraph, client: Client) -> None:
    fake.deliver(message("stays"))
    fake.deliver(message("goes"))
    mailbox = client()
    _, cursor = mailbox.fetch_new(None)

    fake.delete_message("<goes@members.test.invalid>")
    fake.deliver(message("new"))
    fetched, _ = mailbox.fetch_new(cursor)

    # The replay carried an "@removed" entry for "goes"; only the new message comes back.
    assert [message_id(m.raw) for m in fetched] == ["<new@members.test.invalid>"]


def test_a_message_deleted_before_download_is_skipped(fake: FakeGraph, client: Client) -> None:
    """The delta lists it, a person deletes it, then $value answers 404: not an error."""
    for i in range(3):
        fake.deliver(message(f"race{i}"))

    def delete_during_first_download(request: Request) -> None:
        if request.path.endswith("/$value") and fake.messages_in("inbox"):
            fake.before_request = None
            fake.delete_message("<race0@members.test.invalid>")

    fake.before_request = delete_during_first_download
    fetched, _ = client().fetch_new(None)

    assert sorted(message_id(m.raw) for m in fetched) == [
        "<race1@members.test.invalid>",
        "<race2@members.test.invalid>",
    ]


def test_expired_delta_token_raises_cursor_expired(fake: FakeGraph, client: Client) -> None:
    fake.deliver(message("before"))
    mailbox = client()
    _, cursor = mailbox.fetch_new(None)
    fake.expire_delta_tokens()

    with pytest.raises(CursorExpired, match="410 syncStateNotFound"):
        mailbox.fetch_new(cursor)
    fetched, new_cursor = mailbox.fetch_new(None)  # what the caller does next: a full round
    assert [message_id(m.raw) for m in fetched] == ["<before@members.test.invalid>"]
    assert mailbox.fetch_new(new_cursor)[0] == []


def test_a_token_pushed_out_of_exchanges_cache_expires(client: Client) -> None:
    """Exchange keeps a bounded cache of delta tokens: an old one stops working."""
    with FakeGraph(MAILBOX, token_capacity=2) as small:
        client.fake = small
        mailbox = client()
        _, oldest = mailbox.fetch_new(None)
        for _ in range(2):  # two more rounds push the first token out
            mailbox.fetch_new(None)
        with pytest.raises(CursorExpired):
            mailbox.fetch_new(oldest)


# ---------------------------------------------------------------- throttling and outages


def test_a_200_with_an_error_body_is_not_taken_for_the_message(
    fake: FakeGraph, client: Client
) -> None:
    """Graph's front end answers 200 with an error document now and then: taken as the
    message's MIME it would be recorded as a broken message and the real one moved to
    Processed unread. It is retried like a 503."""
    raw = message("real")
    fake.deliver(raw)
    seen: list[str] = []

    def gateway_hiccup(request: Request) -> None:
        if request.path.endswith("/$value") and not seen:
            seen.append(request.path)
            fake.lose_next_answers(1, status=200)

    fake.before_request = gateway_hiccup
    fetched, _ = client().fetch_new(None)

    assert [m.raw for m in fetched] == [raw]
    assert seen  # the hiccup happened, and was got over


def test_retry_after_from_a_429_is_honoured(fake: FakeGraph, client: Client) -> None:
    fake.deliver(message("throttled"))
    fake.fail_next(2, status=429, retry_after="7")
    mailbox = client()

    fetched, _ = mailbox.fetch_new(None)

    assert [message_id(m.raw) for m in fetched] == ["<throttled@members.test.invalid>"]
    assert client.sleeps == [7.0, 7.0]  # the server's hint, not our shorter backoff


def test_a_retry_after_longer_than_we_wait_is_obeyed_not_cut_short(
    fake: FakeGraph, client: Client
) -> None:
    """An app that used up its requests is told to come back in minutes. Retrying every
    30 seconds instead only prolongs the throttling: no request leaves until then."""
    fake.deliver(message("patience"))
    fake.fail_next(1, status=429, retry_after="150")
    now = [1000.0]
    mailbox = client(cooldown=Cooldown(clock=lambda: now[0]))

    with pytest.raises(TransientError):
        mailbox.fetch_new(None)
    asked = len(fake.requests)
    now[0] += 60
    with pytest.raises(TransientError, match="pause"):
        mailbox.fetch_new(None)  # the next poll, a minute later
    assert len(fake.requests) == asked == 1
    assert client.sleeps == []

    now[0] += 91
    fetched, _ = mailbox.fetch_new(None)
    assert [message_id(m.raw) for m in fetched] == ["<patience@members.test.invalid>"]


def test_503_without_retry_after_backs_off_exponentially(fake: FakeGraph, client: Client) -> None:
    fake.deliver(message("busy"))
    fake.fail_next(3, status=503, retry_after=None)
    mailbox = client()

    fetched, _ = mailbox.fetch_new(None)

    assert len(fetched) == 1
    assert client.sleeps == [0.5, 1.0, 2.0]


def test_a_long_outage_gives_up_after_bounded_attempts(fake: FakeGraph, client: Client) -> None:
    fake.deliver(message("patient"))
    fake.fail_next(5, status=504, retry_after="2")
    mailbox = client()

    with pytest.raises(TransientError, match="504"):
        mailbox.fetch_new(None)
    assert len(client.sleeps) == 4  # five tries, four waits

    fetched, _ = mailbox.fetch_new(None)  # the next poll: nothing was lost
    assert [message_id(m.raw) for m in fetched] == ["<patient@members.test.invalid>"]


def test_a_dropped_connection_is_retried(fake: FakeGraph, client: Client) -> None:
    fake.deliver(message("dropped"))
    fake.fail_next(1, status=0)  # the server goes away without answering
    mailbox = client()

    fetched, _ = mailbox.fetch_new(None)

    assert [message_id(m.raw) for m in fetched] == ["<dropped@members.test.invalid>"]
    assert len(client.sleeps) == 1


def test_throttled_send_goes_out_once(fake: FakeGraph, client: Client) -> None:
    mailbox = client()
    fake.fail_next(1, status=429, retry_after="3")
    mailbox.send(reply_mail())
    assert len(fake.outgoing) == 1
    assert len(fake.messages_in("sentitems")) == 1
    assert client.sleeps == [3.0]


def test_server_down_at_start_is_a_transient_error(client: Client) -> None:
    with FakeGraph(MAILBOX) as gone:
        base_url = gone.base_url
    mailbox = client(base_url=base_url)  # nothing listens there any more
    with pytest.raises(TransientError, match="cannot reach Graph"):
        mailbox.fetch_new(None)


# ---------------------------------------------------------------- the Processed folder


def test_processed_folder_is_created_once_and_found_by_the_next_client(
    fake: FakeGraph, client: Client
) -> None:
    for i in range(2):
        fake.deliver(message(f"p{i}"))
    first = client()
    fetched, _ = first.fetch_new(None)
    first.mark_processed(fetched[0].ref)
    second = client()
    second.mark_processed(fetched[1].ref)

    children = [
        f for f in fake.state.folders.values() if f.parent_id == fake._resolve_folder("inbox")
    ]
    assert [f.display_name for f in children] == ["Processed"]
    assert len(fake.messages_in("Processed")) == 2


def test_immutable_id_stays_valid_through_the_move(fake: FakeGraph, client: Client) -> None:
    fake.deliver(message("immutable"))
    mailbox = client()
    fetched, _ = mailbox.fetch_new(None)
    mailbox.mark_processed(fetched[0].ref)

    moved = fake.state.messages[fetched[0].ref]  # same id after the move
    assert moved.folder_id == fake._child_of_inbox("Processed")


def test_move_of_a_deleted_message_is_not_an_error(fake: FakeGraph, client: Client) -> None:
    fake.deliver(message("deleted"))
    mailbox = client()
    fetched, _ = mailbox.fetch_new(None)
    fake.delete_message("<deleted@members.test.invalid>")

    mailbox.mark_processed(fetched[0].ref)  # 404 ErrorItemNotFound: already gone

    assert fake.messages_in("inbox") == [] and fake.messages_in("Processed") == []


@pytest.mark.parametrize("to", ["deleteditems", "Councillor casework"])
def test_a_message_a_person_moved_after_the_fetch_is_left_where_they_put_it(
    fake: FakeGraph, client: Client, to: str
) -> None:
    """Immutable ids follow a message to any folder: a blind move would pull it back out of
    Deleted Items, or out of the folder an officer filed it in."""
    fake.add_folder("Councillor casework")
    raw = message("filed")
    fake.deliver(raw)
    mailbox = client()
    (fetched,), _ = mailbox.fetch_new(None)
    fake.move_message("<filed@members.test.invalid>", to=to)

    mailbox.mark_processed(fetched.ref)

    assert fake.messages_in(to) == [raw]
    assert fake.messages_in("Processed") == []


def test_processed_folder_deleted_at_once_is_made_again(fake: FakeGraph, client: Client) -> None:
    for i in range(2):
        fake.deliver(message(f"f{i}"))
    mailbox = client()
    fetched, _ = mailbox.fetch_new(None)
    mailbox.mark_processed(fetched[0].ref)
    fake.delete_folder("Processed", hard=True)  # Shift+Delete, in the middle of a batch

    mailbox.mark_processed(fetched[1].ref)

    assert [message_id(raw) for raw in fake.messages_in("Processed")] == [
        message_id(fetched[1].raw)
    ]
    assert fake.messages_in("inbox") == []


def test_processed_folder_deleted_to_the_bin_gets_no_more_mail(
    fake: FakeGraph, client: Client
) -> None:
    """Outlook's Delete moves a folder, id and all, into Deleted Items, where the retention
    policy empties it. Moving handled mail on into it by its id would send that mail to
    the bin: the next poll looks for Processed under the Inbox again, and makes it."""
    first, second = message("binned"), message("kept")
    fake.deliver(first)
    mailbox = client()
    fetched, cursor = mailbox.fetch_new(None)
    mailbox.mark_processed(fetched[0].ref)
    fake.delete_folder("Processed")

    fake.deliver(second)
    fetched, _ = mailbox.fetch_new(cursor)
    mailbox.mark_processed(fetched[0].ref)

    assert fake.messages_in("Processed") == [second]
    assert fake.in_deleted_items("Processed") == [first]


def test_a_renamed_processed_folder_is_left_as_an_archive(fake: FakeGraph, client: Client) -> None:
    """Renaming Processed (to keep last year's mail apart, say) leaves it alone: from the
    next poll on, handled mail goes to a new folder with the configured name."""
    old, new = message("last-year"), message("this-year")
    fake.deliver(old)
    mailbox = client()
    fetched, cursor = mailbox.fetch_new(None)
    mailbox.mark_processed(fetched[0].ref)
    fake.rename_folder("Processed", "Processed 2025")

    fake.deliver(new)
    fetched, _ = mailbox.fetch_new(cursor)
    mailbox.mark_processed(fetched[0].ref)

    assert fake.messages_in("Processed 2025") == [old]
    assert fake.messages_in("Processed") == [new]
    assert fake.messages_in("inbox") == []


def test_custom_processed_folder_name_with_a_quote(fake: FakeGraph, client: Client) -> None:
    fake.deliver(message("quote"))
    mailbox = client(processed_folder="Member's done")
    fetched, _ = mailbox.fetch_new(None)
    mailbox.mark_processed(fetched[0].ref)
    other = client(processed_folder="Member's done")  # finds it through $filter, no duplicate
    other.mark_processed(fetched[0].ref)
    assert len(fake.messages_in("Member's done")) == 1


@pytest.mark.parametrize("name", ["Traité & fini", "Processed #2", "Wedi’u prosesu (50%)"])
def test_custom_processed_folder_name_with_characters_special_in_a_url(
    fake: FakeGraph, client: Client, name: str
) -> None:
    """The name went into the $filter of the URL as it was: "&" cut the query short and
    "#" ended it, so Graph refused the lookup (400) and no handled message was ever moved
    out of the Inbox."""
    fake.deliver(message("special"))
    mailbox = client(processed_folder=name)
    fetched, _ = mailbox.fetch_new(None)
    mailbox.mark_processed(fetched[0].ref)
    other = client(processed_folder=name)  # finds it through $filter, no duplicate
    other.mark_processed(fetched[0].ref)
    assert len(fake.messages_in(name)) == 1 and fake.messages_in("inbox") == []


# ---------------------------------------------------------------- sending


def reply_mail(recipients: tuple[str, ...] = ("ann.example@members.test.invalid",)) -> OutgoingMail:
    mime = (
        f"From: Member Enquiries <{MAILBOX}>\r\n"
        "To: Cllr Ann Example <ann.example@members.test.invalid>\r\n"
        "Subject: [MB-2026-0042] We have your enquiry\r\n"
        "Message-ID: <ack.42@council.test.invalid>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "\r\n"
        "Your reference is MB-2026-0042.\r\n"
    ).encode("ascii")
    return OutgoingMail(
        message_id="<ack.42@council.test.invalid>", recipients=recipients, mime=mime
    )


def test_send_posts_base64_mime_as_text_plain(fake: FakeGraph, client: Client) -> None:
    mail = reply_mail()
    client().send(mail)

    (sent,) = [r for r in fake.requests if r.path.endswith("/sendMail")]
    assert sent.headers["Content-Type"] == "text/plain"
    assert fake.outgoing == [(("ann.example@members.test.invalid",), mail.mime)]
    assert fake.messages_in("sentitems") == [mail.mime]


@pytest.mark.parametrize("lost", [0, 504], ids=["connection-dropped", "gateway-timeout"])
def test_a_send_whose_answer_is_lost_is_not_sent_twice(
    fake: FakeGraph, client: Client, lost: int
) -> None:
    """Exchange sent the mail, but the answer never came back (a dropped connection, or a
    504 from the gateway that gave up waiting): sending again would give the member a
    second copy. It is MaybeSent, and Sent Items settles it afterwards."""
    mailbox = client()
    fake.lose_next_answers(1, status=lost)

    with pytest.raises(MaybeSent):
        mailbox.send(reply_mail())

    assert len(fake.outgoing) == 1
    assert mailbox.was_sent("<ack.42@council.test.invalid>") is True


def test_envelope_recipients_missing_from_headers_get_a_bcc(
    fake: FakeGraph, client: Client
) -> None:
    mail = reply_mail(("ann.example@members.test.invalid", "officer@council.test.invalid"))
    client().send(mail)

    ((recipients, delivered),) = fake.outgoing
    assert set(recipients) == {"ann.example@members.test.invalid", "officer@council.test.invalid"}
    assert b"officer@council.test.invalid" not in delivered  # Bcc is not shown to anyone


# ---------------------------------------------------------------- permissions and addresses


def test_missing_read_permission_is_explained(fake: FakeGraph, client: Client) -> None:
    fake.denied.add("read")
    with pytest.raises(BackendError) as caught:
        client().fetch_new(None)
    text = str(caught.value)
    assert "403 ErrorAccessDenied" in text
    assert "Mail.ReadWrite" in text and "RBAC for Applications" in text
    assert MAILBOX in text


def test_missing_send_permission_is_explained(fake: FakeGraph, client: Client) -> None:
    fake.denied.add("send")
    with pytest.raises(SendingBlocked, match=r"Mail\.Send application permission"):
        client().send(reply_mail())  # refused for every mail: the outbox holds them all
    assert fake.outgoing == []


def test_a_rejected_token_is_explained_after_one_fresh_try(fake: FakeGraph, client: Client) -> None:
    fake.revoke_tokens()
    with pytest.raises(BackendError, match="did not accept the app's token") as caught:
        client().check_connection()
    assert "tenant_id and client_id" in str(caught.value)
    assert len(fake.requests) == 2  # the request, then once more with a fresh token


def test_unknown_mailbox_is_named(fake: FakeGraph, client: Client) -> None:
    with pytest.raises(BackendError) as caught:
        client(mailbox="nobody@council.example").check_connection()
    assert str(caught.value) == (
        "Graph cannot find the mailbox nobody@council.example (404 ErrorInvalidUser): check "
        "[mailbox] address and that it is an Exchange Online mailbox")


def test_check_connection_lists_the_folders(fake: FakeGraph, client: Client) -> None:
    mailbox = client()
    folders = mailbox.check_connection()
    assert folders[:4] == ["Inbox", "Sent Items", "Drafts", "Deleted Items"]
    assert folders[4].startswith("Inbox/Processed (missing: created on first poll")
    fake.deliver(message("folders"))
    mailbox.mark_processed(mailbox.fetch_new(None)[0][0].ref)
    assert mailbox.check_connection()[-1] == "Inbox/Processed"


def test_check_connection_finds_an_app_that_may_read_but_not_move(
    fake: FakeGraph, client: Client
) -> None:
    """Mail.Read granted where Mail.ReadWrite was meant: listing folders works, so the check
    passed, and then every move failed. The check now tries a write that changes nothing."""
    fake.add_folder("Processed")
    fake.denied.add("write")

    with pytest.raises(BackendError) as refused:
        client().check_connection()

    assert "read" in str(refused.value) and "not change it" in str(refused.value)
    assert "Mail.ReadWrite" in str(refused.value)
    assert fake.messages_in("Processed") == [] and fake._child_of_inbox("Processed")


def test_constructor_needs_credentials() -> None:
    with pytest.raises(BackendError, match="tenant_id and client_id"):
        GraphMailbox(mailbox=MAILBOX)
    with pytest.raises(BackendError, match="client_secret or certificate_path"):
        GraphMailbox(mailbox=MAILBOX, tenant_id="t", client_id="c")


# ---------------------------------------------------------------- Sent Items (officer replies)


def officer_reply(label: str) -> bytes:
    return (
        f"From: Member Enquiries <{MAILBOX}>\r\n"
        "To: Cllr Ann Example <ann.example@members.test.invalid>\r\n"
        f"Subject: RE: [MB-2026-0042] {label}\r\n"
        f"Message-ID: <{label}@council.test.invalid>\r\n"
        "\r\n"
        "The pothole is booked for repair on Friday.\r\n"
    ).encode("ascii")


def test_sent_items_are_fetched_when_watched(fake: FakeGraph, client: Client) -> None:
    fake.deliver(officer_reply("old-reply"), folder="sentitems")  # before mailbot started
    fake.deliver(message("first"))
    mailbox = client(watch_sent=True)

    first, cursor = mailbox.fetch_new(None)
    assert [(m.folder, message_id(m.raw)) for m in first] == [
        ("inbox", "<first@members.test.invalid>")  # old sent mail is not news
    ]

    fake.deliver(officer_reply("new-reply"), folder="sentitems")
    fake.deliver(message("second"))
    second, cursor = mailbox.fetch_new(cursor)
    assert [(m.folder, message_id(m.raw)) for m in second] == [
        ("inbox", "<second@members.test.invalid>"),
        ("sent", "<new-reply@council.test.invalid>"),
    ]

    for fetched in second:
        mailbox.mark_processed(fetched.ref)
    assert len(fake.messages_in("sentitems")) == 2  # Sent Items are left where they are
    assert [message_id(r) for r in fake.messages_in("Processed")] == [
        "<second@members.test.invalid>"
    ]
    assert mailbox.fetch_new(cursor)[0] == []


def test_a_large_sent_items_is_not_walked_on_the_first_poll(
    fake: FakeGraph, client: Client
) -> None:
    """Years of sent mail (200,000 items is not unusual) are history: the first poll must
    find its place in Sent Items without paging through them all, and still see every
    reply sent after it."""
    fake.fill("sentitems", 500, officer_reply("old-reply"))
    mailbox = client(watch_sent=True)

    first, cursor = mailbox.fetch_new(None)

    assert first == []
    assert len(delta_requests(fake)) == 2  # the Inbox and Sent Items: not 500 / 50 pages
    fake.deliver(officer_reply("new-reply"), folder="sentitems")
    second, cursor = mailbox.fetch_new(cursor)
    assert [(m.folder, message_id(m.raw)) for m in second] == [
        ("sent", "<new-reply@council.test.invalid>")
    ]
    assert mailbox.fetch_new(cursor)[0] == []


def test_sent_items_without_the_delta_filter_are_read_once_to_find_the_place(
    fake: FakeGraph, client: Client
) -> None:
    fake.fill("sentitems", 60, officer_reply("old-reply"))
    fake.delta_filter = False
    mailbox = client(watch_sent=True)

    first, cursor = mailbox.fetch_new(None)
    fake.deliver(officer_reply("new-reply"), folder="sentitems")
    second, _ = mailbox.fetch_new(cursor)

    assert first == []
    assert [message_id(m.raw) for m in second] == ["<new-reply@council.test.invalid>"]


def test_a_stored_link_graph_answers_400_for_means_a_resync(
    fake: FakeGraph, client: Client
) -> None:
    """A nextLink kept as the cursor across a long stop may be refused with a 400: starting
    afresh is safe (the caller dedups by Message-ID); failing would fail every poll."""
    for i in range(3):
        fake.deliver(message(f"waiting{i}"))
    mailbox = client(page_size=1)
    _, part_way = mailbox.fetch_new(None)
    assert part_way is not None and "$skiptoken=" in part_way

    fake.fail_next(1, status=400, retry_after=None)
    with pytest.raises(CursorExpired):
        mailbox.fetch_new(part_way)


def test_an_expired_sent_items_cursor_does_not_resync_the_inbox(
    fake: FakeGraph, client: Client
) -> None:
    mailbox = client(watch_sent=True)
    _, cursor = mailbox.fetch_new(None)
    fake.expire_delta_tokens(folder="sentitems")
    fake.deliver(message("after"))

    fetched, cursor = mailbox.fetch_new(cursor)  # no CursorExpired: only Sent Items restart

    assert [message_id(m.raw) for m in fetched] == ["<after@members.test.invalid>"]
    fake.deliver(officer_reply("later-reply"), folder="sentitems")
    assert [m.folder for m in mailbox.fetch_new(cursor)[0]] == ["sent"]


def test_an_expired_sent_items_cursor_after_a_reply_loses_no_later_reply(
    fake: FakeGraph, client: Client
) -> None:
    """The Sent Items place remembers the newest item seen, so when Graph forgets the delta
    link (410), the new round starts there: a reply sent in between is still seen."""
    mailbox = client(watch_sent=True)
    _, cursor = mailbox.fetch_new(None)
    fake.deliver(officer_reply("seen-before"), folder="sentitems")
    before, cursor = mailbox.fetch_new(cursor)
    fake.deliver(officer_reply("sent-in-between"), folder="sentitems")
    fake.expire_delta_tokens(folder="sentitems")

    after, cursor = mailbox.fetch_new(cursor)
    again, _ = mailbox.fetch_new(cursor)

    assert [message_id(m.raw) for m in before] == ["<seen-before@council.test.invalid>"]
    assert [message_id(m.raw) for m in after] == ["<sent-in-between@council.test.invalid>"]
    assert again == []


def test_a_sent_items_link_stored_by_an_earlier_version_goes_on(
    fake: FakeGraph, client: Client
) -> None:
    mailbox = client(watch_sent=True)
    _, cursor = mailbox.fetch_new(None)
    assert cursor is not None
    parts = json.loads(cursor)
    parts["sent"] = parts["sent"].split("|", 2)[2]  # the plain delta link earlier versions kept
    fake.deliver(officer_reply("after-upgrade"), folder="sentitems")

    fetched, cursor = mailbox.fetch_new(json.dumps(parts))

    assert [message_id(m.raw) for m in fetched] == ["<after-upgrade@council.test.invalid>"]
    assert cursor is not None and json.loads(cursor)["sent"].startswith("seen|20")


def test_a_plain_inbox_cursor_still_works_after_turning_watch_sent_on(
    fake: FakeGraph, client: Client
) -> None:
    _, plain = client().fetch_new(None)
    fake.deliver(message("carried-over"))
    fetched, cursor = client(watch_sent=True).fetch_new(plain)
    assert [message_id(m.raw) for m in fetched] == ["<carried-over@members.test.invalid>"]
    assert cursor is not None and cursor.startswith("{")


def test_an_expired_inbox_cursor_keeps_the_sent_items_place(
    fake: FakeGraph, client: Client
) -> None:
    """The Inbox token expires while an officer's reply waits in Sent Items: the resync
    of the Inbox must not throw away our place in Sent Items, or the reply is missed."""
    fake.deliver(message("left-unmarked"))  # fetched, never moved: comes back on resync
    mailbox = client(watch_sent=True)
    first, cursor = mailbox.fetch_new(None)
    assert [m.folder for m in first] == ["inbox"]

    fake.deliver(officer_reply("reply-while-expired"), folder="sentitems")
    fake.deliver(message("new-in-inbox"))
    fake.expire_delta_tokens(folder="inbox")

    with pytest.raises(CursorExpired) as expired:
        mailbox.fetch_new(cursor)
    assert expired.value.resume_cursor is not None
    resynced, cursor = mailbox.fetch_new(expired.value.resume_cursor)

    assert sorted((m.folder, message_id(m.raw)) for m in resynced) == [
        ("inbox", "<left-unmarked@members.test.invalid>"),
        ("inbox", "<new-in-inbox@members.test.invalid>"),
        ("sent", "<reply-while-expired@council.test.invalid>"),
    ]
    assert mailbox.fetch_new(cursor)[0] == []  # nothing comes round a second time


def test_without_watch_sent_an_expired_cursor_resumes_from_nothing(
    fake: FakeGraph, client: Client
) -> None:
    mailbox = client()
    _, cursor = mailbox.fetch_new(None)
    fake.expire_delta_tokens(folder="inbox")
    with pytest.raises(CursorExpired) as expired:
        mailbox.fetch_new(cursor)
    assert expired.value.resume_cursor is None


# ---------------------------------------------------------------- throttled on every call


@pytest.mark.parametrize(
    "call",
    [
        "/mailFolders/inbox/messages/delta",
        "/$value",
        "?$select=parentFolderId",
        "/mailFolders/inbox?$select=id",
        "/childFolders?$filter",
        "/childFolders",
        "/move",
        "/sendMail",
        "/mailFolders/sentitems/messages?",
    ],
)
def test_throttling_on_any_call_loses_and_doubles_nothing(
    fake: FakeGraph, client: Client, call: str
) -> None:
    """A 429 with Retry-After can answer any request of a poll and a send: each is waited
    out as Graph asks, and the result is the same."""
    for label in ("one", "two"):
        fake.deliver(message(label))
    hit: list[str] = []

    def throttle_once(request: Request) -> None:
        creating = call != "/childFolders" or request.method == "POST"
        if not hit and call in request.path and creating:
            hit.append(request.path)
            fake.fail_next(1, status=429, retry_after="3")

    fake.before_request = throttle_once
    mailbox = client()
    fetched, _ = mailbox.fetch_new(None)
    for fetched_message in fetched:
        mailbox.mark_processed(fetched_message.ref)
    mailbox.send(reply_mail())
    went = mailbox.was_sent("<ack.42@council.test.invalid>")

    assert hit  # the 429 was given
    assert client.sleeps == [3.0]
    assert len(fetched) == 2 and fake.messages_in("inbox") == []
    assert len(fake.messages_in("Processed")) == 2
    assert len(fake.outgoing) == 1 and went is True


def test_a_mailbox_whose_folders_are_in_welsh_works_by_well_known_names(
    fake: FakeGraph, client: Client
) -> None:
    """Folders named in Welsh (Mewnflwch, Eitemau a Anfonwyd): mailbot reaches them by
    Graph's well-known names (inbox, sentitems), never by English display names."""
    welsh = {"inbox": "Mewnflwch", "sentitems": "Eitemau a Anfonwyd"}
    for well_known, name in welsh.items():
        fake.state.folders[fake._resolve_folder(well_known) or ""].display_name = name
    raw = message("cymraeg")
    fake.deliver(raw)
    mailbox = client(watch_sent=True)

    fetched, cursor = mailbox.fetch_new(None)
    mailbox.mark_processed(fetched[0].ref)
    mailbox.send(reply_mail())
    ours, _ = mailbox.fetch_new(cursor)

    assert [m.raw for m in fetched] == [raw]
    assert fake.messages_in("Processed") == [raw]
    assert [m.folder for m in ours] == ["sent"]
    assert mailbox.check_connection()[:2] == ["Mewnflwch", "Eitemau a Anfonwyd"]


def test_a_recipient_named_in_to_by_the_ascii_form_of_their_domain_is_sent_one_copy(
    fake: FakeGraph, client: Client
) -> None:
    """compose names cllr.jones@caerdydd-ŵ.cymru in To as its ASCII form: the same person,
    not one missing from the headers, who was sent a Bcc of 'caerdydd-?.cymru' as well."""
    mime = reply_mail().mime.replace(b"ann.example@members.test.invalid",
                                     b"cllr.jones@xn--caerdydd--j9b.cymru")
    client().send(OutgoingMail(
        message_id="<ack.42@council.test.invalid>", mime=mime,
        recipients=("cllr.jones@caerdydd-\u0175.cymru", "sam.patel@caerdydd-\u0175.cymru"),
    ))
    ((recipients, delivered),) = fake.outgoing
    assert recipients == ("cllr.jones@xn--caerdydd--j9b.cymru", "sam.patel@xn--caerdydd--j9b.cymru")
    assert b"sam.patel" not in delivered


def test_an_application_access_policy_that_leaves_the_mailbox_out_is_named(
    fake: FakeGraph, client: Client
) -> None:
    """Councils that scoped their app before RBAC for Applications did it with
    New-ApplicationAccessPolicy; when it leaves the shared mailbox out, Graph answers 403
    with '[RAOP] ... AccessPolicy'. mailbot named only the RBAC scope and dropped Graph's
    own words, so the administrator looked in the wrong place."""
    fake.access_policy_blocks = True
    mailbox = client()
    with pytest.raises(BackendError) as caught:
        mailbox.check_connection()
    text = str(caught.value)
    assert text.startswith(f"Graph refused to list the mailbox's folders in {MAILBOX} "
                           "(403 ErrorAccessDenied): ")
    assert "Mail.ReadWrite" in text and "RBAC for Applications" in text
    assert "New-ApplicationAccessPolicy" in text
    assert text.endswith("Graph says: Access to OData is disabled: [RAOP] : Blocked by tenant "
                         "configured AppOnly AccessPolicy settings.")
    assert client.sleeps == []  # a refusal is not waited on as a busy server
