"""mailbot against IMAP servers shaped like the ones councils run, end to end.

Each server is a real Dovecot made to look like another kind (tests/fixtures/dovecot.py
`server_shape`): every folder under "INBOX." as on Courier and Cyrus, "/" or "." as
the hierarchy separator, a bare IMAP4rev1 without MOVE, UIDPLUS, IDLE, CONDSTORE or
NAMESPACE. mailbot polls it with `mailbot poll --once` from a config file, and
`mailbot check-config --connect` must say before the first poll what it will do.
Every time: each member acknowledged once, every message filed, nothing left, nothing
doubled.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.dovecot import (
    DovecotServer,
    ImapUser,
    free_port,
    mailbot_config,
    running_dovecot,
    server_shape,
)
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient
from typer.testing import CliRunner

from mailbot.cli import app

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@example.gov.uk"
MEMBER_MAIL = ["01-pothole.eml", "02-bins.eml"]
MASTER = "master-password-1"
RIGHTS = ["lookup", "read", "write", "write-seen", "write-deleted", "insert", "expunge"]


@pytest.fixture
def courier(dovecot_courier: DovecotServer) -> DovecotServer:
    """Every folder under "INBOX.", separator "." (Courier; Cyrus without altnamespace)."""
    return dovecot_courier


@pytest.fixture(scope="module")
def slash() -> Iterator[DovecotServer]:
    """Separator "/" and no prefix (Cyrus with unixhierarchysep, many hosted servers)."""
    with running_dovecot(server_shape(separator="/")) as server:
        yield server


@pytest.fixture(scope="module")
def shared() -> Iterator[DovecotServer]:
    """Mailboxes shared by ACL under "shared/<owner>/", opened by name but not listed."""
    with running_dovecot(server_shape(shared=True)) as server:
        yield server


@pytest.fixture(scope="module")
def master() -> Iterator[DovecotServer]:
    """Master users: "<owner>*mailbot" logs in to the owner's mailbox (no ACLs)."""
    with running_dovecot(server_shape(master_password=MASTER)) as server:
        yield server


@pytest.fixture(scope="module")
def exchange_like() -> Iterator[DovecotServer]:
    """Its Sent folder is "Sent Items", marked \\Sent in LIST (RFC 6154), as on Exchange
    and Microsoft 365 over IMAP; Gmail's is "[Gmail]/Sent Mail", marked the same way."""
    with running_dovecot(server_shape(marked={"Sent Items": "\\Sent"})) as server:
        yield server


@pytest.fixture
def bare(dovecot_bare: DovecotServer) -> DovecotServer:
    """IMAP4rev1 and nothing else: no MOVE, UIDPLUS, IDLE, CONDSTORE or NAMESPACE."""
    return dovecot_bare


def deliver(server: DovecotServer, user: ImapUser, names: list[str]) -> IMAPClient:
    """Put demo member mail in the user's inbox; return a client logged in as them."""
    person = IMAPClient(server.host, server.port, ssl=False, timeout=30)
    person.login(user.username, user.password)
    for name in names:
        raw = (DEMO / "mail" / name).read_bytes().replace(b"\r\n", b"\n")
        person.append("INBOX", raw.replace(b"\n", b"\r\n"))
    return person


def write_config(
    folder: Path, server: DovecotServer, user: ImapUser, smtp: SmtpServer, folders: str = ""
) -> Path:
    config = mailbot_config(
        folder / "mailbot.toml", server, user, (smtp.host, smtp.port), address=ADDRESS,
        directory=DEMO, extra="[classifier]\ntrain_if_missing = false",
    )
    if folders:
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("[mailbox.smtp]", f"{folders}\n[mailbox.smtp]"), "utf-8")
    return config


def shared_with_officer(
    shared: DovecotServer, smtp: SmtpServer, folder: Path, rights: dict[str, list[str]]
) -> tuple[IMAPClient, ImapUser, str, Path]:
    """An owner's mailbox holding the member mail, shared by ACL with a new officer's
    login: each folder in `rights` but INBOX is made, then each is given to the officer
    with its rights. Returns the owner's client, the officer, the mailbox's home as the
    officer sees it, and a config polling it as the officer."""
    owner, officer = shared.new_user(), shared.new_user()
    person = deliver(shared, owner, MEMBER_MAIL)
    for name in rights:
        if name != "INBOX":
            person.create_folder(name)
    for name, granted in rights.items():
        shared.doveadm("acl", "set", "-u", owner.username, name, f"user={officer.username}",
                       *granted)  # fmt: skip
    home = f"shared/{owner.username}"
    config = write_config(folder, shared, officer, smtp, f'inbox = "{home}/INBOX"')
    return person, officer, home, config


def mailbot(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def counts(person: IMAPClient) -> dict[str, int]:
    return {
        str(name): int(person.folder_status(name, [b"MESSAGES"])[b"MESSAGES"])
        for flags, _delimiter, name in person.list_folders()
        if b"\\Noselect" not in flags
    }


def acknowledged(smtp: SmtpServer) -> list[str]:
    return sorted(
        address for item in smtp.received for address in item.recipients
        if address.endswith("@councillors.example.gov.uk")
    )


def poll_twice_and_check(
    config: Path, person: IMAPClient, smtp: SmtpServer, processed: str, sent: str
) -> None:
    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 0, output
    first = acknowledged(smtp)
    assert first == [
        "jo.bloggs@councillors.example.gov.uk", "priya.shah@councillors.example.gov.uk"
    ]
    folders = counts(person)
    assert folders["INBOX"] == 0
    assert folders[processed] == len(MEMBER_MAIL)
    assert folders[sent] == len(smtp.received)

    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 0, output
    assert acknowledged(smtp) == first  # nothing doubled
    assert counts(person) == folders


def test_a_server_with_every_folder_under_inbox_gets_inbox_dot_processed(
    courier: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = courier.new_user()
    person = deliver(courier, user, MEMBER_MAIL)
    config = write_config(tmp_path, courier, user, smtp_server)  # processed = "Processed"

    code, output = mailbot("check-config", "--config", str(config), "--connect")
    assert code == 0, output
    assert "INBOX.Processed (missing: created on first poll)" in output
    assert "INBOX.Sent (missing: created on first poll)" in output
    assert set(counts(person)) == {"INBOX"}  # a check changes nothing

    poll_twice_and_check(config, person, smtp_server, "INBOX.Processed", "INBOX.Sent")
    person.logout()


def test_an_existing_folder_under_the_prefix_is_used_not_made_again(
    courier: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = courier.new_user()
    person = deliver(courier, user, MEMBER_MAIL)
    person.create_folder("INBOX.Done")
    person.create_folder("INBOX.Sent Items")
    config = write_config(
        tmp_path, courier, user, smtp_server, 'processed = "Done"\nsent = "Sent Items"'
    )
    code, output = mailbot("check-config", "--config", str(config), "--connect")
    assert code == 0, output
    assert "missing" not in output

    poll_twice_and_check(config, person, smtp_server, "INBOX.Done", "INBOX.Sent Items")
    assert set(counts(person)) == {"INBOX", "INBOX.Done", "INBOX.Sent Items"}
    person.logout()


def test_the_servers_own_sent_folder_is_used_when_the_configured_one_is_not_there(
    exchange_like: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """sent is left at "Sent", which this server does not have: its Sent folder is "Sent
    Items". A "Sent" made beside it would hold mailbot's copies where nobody looks, and
    (watch_sent) be watched in vain for the officers' answers sent as the mailbox."""
    user = exchange_like.new_user()
    person = deliver(exchange_like, user, MEMBER_MAIL)
    person.create_folder("Sent Items")
    config = write_config(tmp_path, exchange_like, user, smtp_server)  # sent = "Sent"

    code, output = mailbot("check-config", "--config", str(config), "--connect")
    assert code == 0, output
    assert ("Sent Items (the server's Sent folder: used, as [mailbox.imap] sent = 'Sent' "
            "is not there)") in output
    assert "Processed (missing: created on first poll)" in output
    assert "Sent (missing" not in output

    poll_twice_and_check(config, person, smtp_server, "Processed", "Sent Items")
    assert set(counts(person)) == {"INBOX", "Processed", "Sent Items"}
    person.logout()


def test_a_configured_sent_folder_is_used_even_where_another_is_marked_sent(
    exchange_like: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = exchange_like.new_user()
    person = deliver(exchange_like, user, MEMBER_MAIL)
    person.create_folder("Sent Items")
    person.create_folder("Member Enquiries Sent")
    config = write_config(tmp_path, exchange_like, user, smtp_server,
                          'sent = "Member Enquiries Sent"')
    poll_twice_and_check(config, person, smtp_server, "Processed", "Member Enquiries Sent")
    assert counts(person)["Sent Items"] == 0
    person.logout()


@pytest.mark.parametrize("shape", ["courier", "slash", "dovecot"])
def test_sub_folders_written_with_a_slash_land_under_the_inbox_on_any_server(
    shape: str, request: pytest.FixtureRequest, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    server: DovecotServer = request.getfixturevalue(shape)
    user = server.new_user()
    person = deliver(server, user, MEMBER_MAIL)
    config = write_config(
        tmp_path, server, user, smtp_server,
        'processed = "INBOX/Processed"\nsent = "INBOX/Sent"',
    )
    separator = "/" if shape == "slash" else "."
    poll_twice_and_check(
        config, person, smtp_server, f"INBOX{separator}Processed", f"INBOX{separator}Sent"
    )
    person.logout()


def test_welsh_folder_names_are_made_and_used(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    person = deliver(dovecot, user, MEMBER_MAIL)
    processed, sent = "Wedi'u prosesu – ŵ", "Anfonwyd ŷ"
    config = write_config(
        tmp_path, dovecot, user, smtp_server, f'processed = "{processed}"\nsent = "{sent}"'
    )
    poll_twice_and_check(config, person, smtp_server, processed, sent)
    # On the wire the names are modified UTF-7 (RFC 3501 5.1.3), as other clients expect.
    person.folder_encode = False
    raw = {name for _flags, _delimiter, name in person.list_folders()}
    assert b"Wedi'u prosesu &IBM- &AXU-" in raw
    assert b"Anfonwyd &AXc-" in raw
    person.logout()


def test_a_bare_imap4rev1_server_is_polled_the_same(
    bare: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = bare.new_user()
    person = deliver(bare, user, MEMBER_MAIL)
    assert person.capabilities() == (b"IMAP4REV1",)
    config = write_config(tmp_path, bare, user, smtp_server)
    code, output = mailbot("check-config", "--config", str(config), "--connect")
    assert code == 0, output
    poll_twice_and_check(config, person, smtp_server, "Processed", "Sent")
    person.logout()


def with_attachment(number: int, megabytes: float) -> bytes:
    """A member's message with a PDF of about `megabytes` MB (base64, 76-column lines)."""
    line = b"JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29k\r\n"
    body = line * int(megabytes * 1024 * 1024 / len(line))
    return (
        b"From: Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>\r\n"
        b"To: memberenquiries@example.gov.uk\r\n"
        b"Subject: Drawings for the Mill Lane application " + str(number).encode() + b"\r\n"
        b"Message-ID: <drawings-" + str(number).encode() + b"@councillors.example.gov.uk>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=part\r\n\r\n"
        b"--part\r\nContent-Type: text/plain\r\n\r\n"
        b"Could someone check the attached drawings against the approved plans?\r\n"
        b"--part\r\nContent-Type: application/pdf; name=drawings.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + body + b"--part--\r\n"
    )


def test_a_20_mb_message_is_recorded_acknowledged_and_filed(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    person = deliver(dovecot, user, [])
    big = with_attachment(1, 20)
    person.append("INBOX", big)
    config = write_config(tmp_path, dovecot, user, smtp_server)

    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 0, output
    assert acknowledged(smtp_server) == ["jo.bloggs@councillors.example.gov.uk"]
    assert counts(person) == {"INBOX": 0, "Processed": 1, "Sent": 1}
    person.select_folder("Processed", readonly=True)
    (stored,) = person.fetch(person.search("ALL"), ["RFC822.SIZE"]).values()
    assert stored[b"RFC822.SIZE"] == len(big)  # moved whole, not re-encoded or cut
    person.logout()


def test_big_mail_is_read_in_batches_that_fit_the_byte_budget(dovecot: DovecotServer) -> None:
    """A backlog of large messages is handed over a few at a time (memory stays bounded)
    and every message comes exactly once, in order, across the batches."""
    from mailbot.backends.imap import ImapMailbox

    user = dovecot.new_user()
    person = deliver(dovecot, user, [])
    for number, megabytes in enumerate([0.4, 0.4, 0.4, 1.5, 0.1, 0.1]):
        person.append("INBOX", with_attachment(number, megabytes))
    mailbox = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none", username=user.username,
        password=user.password, batch_bytes=1024 * 1024,
    )
    batches: list[list[int]] = []
    cursor = None
    while True:
        fetched, cursor = mailbox.fetch_new(cursor)
        if not fetched:
            break
        batches.append([len(item.raw) // 100_000 for item in fetched])
    mailbox.close()
    # 1 MB budget: two 0.4 MB messages, then 0.4 (1.5 would not fit), then the 1.5 MB one
    # alone (bigger than the budget, so never skipped), then the two small ones.
    assert batches == [[4, 4], [4], [15], [1, 1]]
    person.logout()


def test_a_shared_mailbox_opened_with_an_officers_login_keeps_its_mail_in_it(
    shared: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    person, officer, home, config = shared_with_officer(
        shared, smtp_server, tmp_path, {"INBOX": RIGHTS, "Processed": RIGHTS, "Sent": RIGHTS}
    )

    code, output = mailbot("check-config", "--config", str(config), "--connect")
    assert code == 0, output
    assert f"{home}/INBOX (not listed by the server)" in output
    assert f"{home}/Processed (not listed by the server)" in output

    poll_twice_and_check(config, person, smtp_server, "Processed", "Sent")
    own = deliver(shared, officer, [])
    assert counts(own) == {"INBOX": 0}  # nothing went to the officer's own folders
    own.logout()
    person.logout()


def test_a_shared_mailbox_without_a_processed_folder_says_who_may_not_make_it(
    shared: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    person, officer, home, config = shared_with_officer(
        shared, smtp_server, tmp_path, {"INBOX": RIGHTS}
    )

    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 3
    assert (
        f"would not create the folder '{home}/Processed' ([mailbox.imap] processed): "
        f"[NOPERM] Permission denied; create it by hand and give user "
        f"'{officer.username}' access to it"
    ) in output.replace("\n", "")
    assert smtp_server.received == []
    assert counts(person) == {"INBOX": len(MEMBER_MAIL)}  # nothing lost, nothing moved
    person.logout()


def test_a_master_user_reads_the_shared_mailbox_as_its_owner(
    master: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    owner = master.new_user()
    person = deliver(master, owner, MEMBER_MAIL)
    config = write_config(tmp_path, master, owner, smtp_server)
    text = config.read_text(encoding="utf-8")
    text = text.replace(f'username = "{owner.username}"', f'username = "{owner.username}*mailbot"')
    config.write_text(text.replace(f'password = "{owner.password}"', f'password = "{MASTER}"'))
    poll_twice_and_check(config, person, smtp_server, "Processed", "Sent")
    person.logout()


def test_mail_sent_but_not_filed_in_sent_is_not_sent_again(
    shared: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """The SMTP server took the acknowledgement, then the Sent folder refused the copy
    (here: the login may read Sent but not add to it). The mail has gone: it must count
    as sent, not as failed, or a retry or a person's resend would deliver it twice."""
    person, _officer, _home, config = shared_with_officer(
        shared, smtp_server, tmp_path,
        {"INBOX": RIGHTS, "Processed": RIGHTS, "Sent": ["lookup", "read"]},
    )

    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 0, output
    assert "sent 2" in output
    assert "was sent, but no copy of it could be kept in 'Sent'" in output
    assert "[NOPERM]" in output
    assert len(acknowledged(smtp_server)) == 2
    code, listed = mailbot("outbox", "list", "--config", str(config))
    assert "failed" not in listed  # nothing for a person to resend

    code, output = mailbot("poll", "--config", str(config), "--once")
    assert len(acknowledged(smtp_server)) == 2  # not sent again
    assert counts(person) == {"INBOX": 0, "Processed": 2, "Sent": 0}
    person.logout()


def test_a_send_whose_sent_copy_meets_a_dead_imap_server_still_counts_as_sent(
    smtp_server: SmtpServer,
) -> None:
    from mailbot.backends.imap import ImapMailbox
    from mailbot.backends.retry import Backoff
    from mailbot.backends.smtp import SmtpSettings
    from mailbot.model import OutgoingMail

    nobody_home = free_port()
    mailbox = ImapMailbox(
        host="127.0.0.1", port=nobody_home, security="none", username="x", password="y",
        smtp=SmtpSettings(smtp_server.host, smtp_server.port, security="none"),
        address=ADDRESS, backoff=Backoff(attempts=2, sleep=lambda _: None),
    )
    mime = (
        f"From: {ADDRESS}\r\nTo: jo.bloggs@councillors.example.gov.uk\r\n"
        "Subject: Your enquiry\r\nMessage-ID: <ack-1@example.gov.uk>\r\n\r\nThank you.\r\n"
    ).encode()
    mailbox.send(OutgoingMail("<ack-1@example.gov.uk>", ("jo.bloggs@councillors.example.gov.uk",),
                              mime))  # fmt: skip
    mailbox.close()
    assert len(smtp_server.received) == 1


def test_without_uidplus_a_persons_deleted_marks_survive_our_expunge(bare: DovecotServer) -> None:
    """On a server without UIDPLUS the only EXPUNGE removes every \\Deleted message; a
    message a person marked deleted (and mailbot never read) must still be there."""
    from mailbot.backends.imap import ImapMailbox

    user = bare.new_user()
    person = deliver(bare, user, ["01-pothole.eml", "02-bins.eml", "03-foi.eml"])
    person.select_folder("INBOX")
    marked = person.search(["SUBJECT", "bins"])
    person.add_flags(marked, [b"\\Deleted"])
    mailbox = ImapMailbox(
        host=bare.host, port=bare.port, security="none", username=user.username,
        password=user.password,
    )
    fetched, _ = mailbox.fetch_new(None)
    assert len(fetched) == 2  # the marked one is left to the person
    for item in fetched:
        mailbox.mark_processed(item.ref)
    mailbox.close()

    person.noop()
    assert person.search("ALL") == marked
    assert b"\\Deleted" in person.get_flags(marked)[marked[0]]
    assert counts(person) == {"INBOX": 1, "Processed": 2, "Sent": 0}
    person.logout()


def test_a_shared_inbox_the_login_may_only_read_is_named_not_retried(
    shared: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    person, officer, home, config = shared_with_officer(
        shared, smtp_server, tmp_path,
        {"INBOX": ["lookup", "read"], "Processed": RIGHTS, "Sent": RIGHTS},
    )
    expected = (
        f"user '{officer.username}' may only read the inbox '{home}/INBOX' (it opens "
        "read-only); mailbot moves each message it has recorded out of it, so that login "
        "needs the rights to write, delete and expunge there"
    )

    code, output = mailbot("check-config", "--config", str(config), "--connect")
    assert code == 3
    assert expected in output.replace("\n", "")

    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 3
    assert expected in output.replace("\n", "")
    assert "retry" not in output  # a person must act; trying again changes nothing
    assert smtp_server.received == []
    assert counts(person)["INBOX"] == len(MEMBER_MAIL)
    person.logout()


def test_missing_rights_on_processed_are_named_before_the_first_poll(
    shared: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """A Processed folder the login may read but not add to: check-config --connect
    names the folder and the right; a poll anyway records and acknowledges the mail,
    leaves it in the inbox, and says why it could not move it."""
    person, officer, home, config = shared_with_officer(
        shared, smtp_server, tmp_path,
        {"INBOX": RIGHTS, "Processed": ["lookup", "read"], "Sent": RIGHTS},
    )

    code, output = mailbot("check-config", "--config", str(config), "--connect")
    assert code == 3
    assert (
        f"user '{officer.username}' lacks rights mailbot needs: '{home}/Processed': add "
        "messages; an administrator of the mail server can grant them"
    ) in output.replace("\n", "")

    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 4, output  # the move was refused: poll --once says so
    assert "2 message(s) recorded but not moved" in output
    assert f"user '{officer.username}' is not allowed to do this: [NOPERM]" in output
    assert len(acknowledged(smtp_server)) == 2
    assert counts(person) == {"INBOX": 2, "Processed": 0, "Sent": 2}
    person.logout()


def test_a_message_the_server_cannot_read_does_not_stop_the_mail_behind_it(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """Dovecot hangs up (BYE "Internal error") on a FETCH of a message whose file it
    cannot open; Exchange answers NO for one it cannot convert. The other messages are
    read, recorded and acknowledged in the same poll; that one stays in the inbox, named
    in the log, and is tried again at later polls (it is left for a person, and listed by
    `mailbot status`, once it has failed in two polls of the daemon: see
    test_imap_unreadable_same_poll)."""
    import os

    user = dovecot.new_user()
    person = deliver(dovecot, user, ["01-pothole.eml", "02-bins.eml", "03-foi.eml"])
    (broken,) = [
        path for path in (user.home / "Maildir").glob("*/*")
        if path.parent.name in ("cur", "new") and b"Missed bins" in path.read_bytes()
    ]
    os.chmod(broken, 0)
    config = write_config(tmp_path, dovecot, user, smtp_server)

    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 0, output
    assert "fetched: 2 processed" in output
    assert "cannot read message UID 2 in 'INBOX'" in output
    assert "it is tried again at a later poll" in output
    assert acknowledged(smtp_server) == [
        "jo.bloggs@councillors.example.gov.uk", "tom.hughes@councillors.example.gov.uk"
    ]
    assert counts(person) == {"INBOX": 1, "Processed": 2, "Sent": len(smtp_server.received)}

    # The next poll tries it again, and reads nothing twice.
    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 0, output
    assert "cannot read message UID 2 in 'INBOX'" in output
    assert len(acknowledged(smtp_server)) == 2
    assert counts(person)["INBOX"] == 1
    person.logout()


def test_a_mail_some_recipients_refused_is_kept_in_sent_and_not_sent_again(
    dovecot: DovecotServer, caplog: pytest.LogCaptureFixture
) -> None:
    """An assignment to an officer, copied to a manager who has left (550 user unknown):
    it went to the officer, so it is kept in Sent and counts as sent."""
    from typing import Any

    from aiosmtpd.controller import Controller

    from mailbot.backends.imap import ImapMailbox
    from mailbot.backends.smtp import SmtpSettings
    from mailbot.model import OutgoingMail

    delivered: list[list[str]] = []

    class ManagerHasLeft:
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address.startswith("former.manager@"):
                return "550 5.1.1 <former.manager@example.gov.uk>: user unknown"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            delivered.append(list(envelope.rcpt_tos))
            return "250 OK"

    port = free_port()
    controller = Controller(ManagerHasLeft(), hostname="127.0.0.1", port=port)
    controller.start()
    user = dovecot.new_user()
    mailbox = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none", username=user.username,
        password=user.password, address=ADDRESS,
        smtp=SmtpSettings("127.0.0.1", port, security="none"),
    )
    recipients = ("lee.wong@example.gov.uk", "former.manager@example.gov.uk")
    mime = (
        f"From: {ADDRESS}\r\nTo: lee.wong@example.gov.uk\r\n"
        "Cc: former.manager@example.gov.uk\r\nSubject: Case assigned to you\r\n"
        "Message-ID: <assign-1@example.gov.uk>\r\n\r\nPlease look at this case.\r\n"
    ).encode()
    try:
        mailbox.send(OutgoingMail("<assign-1@example.gov.uk>", recipients, mime))
    finally:
        mailbox.close()
        controller.stop()
    assert delivered == [["lee.wong@example.gov.uk"]]
    assert "refused ['former.manager@example.gov.uk']" in caplog.text
    person = deliver(dovecot, user, [])
    assert counts(person)["Sent"] == 1
    person.logout()
