"""Reading what a bounce says went wrong (mailbot/dsn.py): the failed address, the status,
the server's words and the reason in plain words, from the repository's NDR fixtures and,
when it is there, real bounces of the shared corpus (../shared/corpus/bounce)."""

from __future__ import annotations

import pytest
from helpers import eml, shared_dir

from mailbot.dsn import Failure, failure_for, failures, plain_reason, reason_kind
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message

SHARED = shared_dir()
CORPUS = SHARED / "corpus" / "bounce" if SHARED else None


def _read(raw: bytes) -> list[Failure]:
    parsed = parse_message(raw)
    assert isinstance(parsed, ParsedMessage)
    return failures(raw, parsed.text, parsed.headers.get("x-failed-recipients", ""))


def _corpus(name: str) -> bytes:
    if CORPUS is None or not (CORPUS / name).is_file():
        pytest.skip("the shared corpus is not here (../shared/corpus/bounce)")
    return (CORPUS / name).read_bytes()


def test_gmail_address_not_found() -> None:
    [failure] = _read(eml("ndr_gmail_address_not_found.eml"))
    assert (failure.recipient, failure.status) == ("jo.bloggs.cllr@gmail.example", "5.1.1")
    assert reason_kind(failure) == "unknown" and not failure.temporary
    assert plain_reason(failure) == (
        "no such user: the address does not exist (mistyped, or closed) (5.1.1: 550-5.1.1 "
        "The email account that you tried to reach does not exist.)"
    )


def test_exchange_online_recipient_not_found() -> None:
    [failure] = _read(eml("ndr_exchange_online_undeliverable_to_officer.eml"))
    assert (failure.recipient, failure.status) == ("sam.patel@wiltshire.gov.uk", "5.1.10")
    assert reason_kind(failure) == "unknown"


def test_a_delay_warning_reports_no_failure() -> None:
    assert _read(eml("dsn_delayed_postfix.eml")) == []


def test_welsh_reason() -> None:
    failure = Failure("jo@example.org", "5.2.2")
    assert plain_reason(failure).cy == "mae'r blwch post yn llawn (5.2.2)"


def test_a_bounce_naming_nobody_is_read_for_the_recipient_given() -> None:
    text = "Sorry, I couldn't deliver it.\n\n550 5.2.2 Mailbox full\n"
    failure = failure_for(b"Subject: Returned mail\r\n\r\n" + text.encode(), text, "",
                          ["jo@example.org"], "jo@example.org")
    assert (failure.recipient, failure.status, reason_kind(failure)) == (
        "jo@example.org", "5.2.2", "full")


def test_real_postfix_mailbox_full() -> None:
    [failure] = _read(_corpus("mailgun_flanker__tests_fixtures_messages_bounce_mailbox-full.eml"))
    assert failure == Failure("user@aol.com", "5.2.2", "552 5.2.2 E4.12 user MAILBOX FULL")
    assert reason_kind(failure) == "full"


def test_real_exim_text_bounce_without_a_report_part() -> None:
    """Exim: X-Failed-Recipients and the remote server's reply in the text only."""
    [failure] = _read(_corpus("cfortune_PHP-Bounce-Handler__eml_2.eml"))
    assert failure.recipient == "aranoe22@hotmail.com"
    assert failure.diagnostic.startswith("550 Requested action not taken: mailbox unavailable")
    assert reason_kind(failure) == "unknown"


def test_real_gave_up_after_days_is_temporary() -> None:
    [failure] = _read(_corpus("mailgun_flanker__tests_fixtures_messages_bounce_delayed.eml"))
    assert (failure.recipient, failure.status, failure.temporary) == (
        "foo@example.com", "4.0.0", True)
    assert reason_kind(failure) == "unreachable"


def test_real_still_being_retried_is_no_failure() -> None:
    assert _read(_corpus("mailgun_flanker__tests_fixtures_messages_bounce_no-mx.eml")) == []
