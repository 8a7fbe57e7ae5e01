"""Issue 2, "Bad input": each bad .eml goes through poll + flush on a real app, and we look
at what left the system (the sent MIME) and what was recorded (the messages table).

Each file is either acknowledged exactly once, with a safe, threaded, automatic-marked
reply, or recorded with a reason and answered never. Nothing raises, the raw bytes are
kept, and delivering the same bytes again changes nothing.
"""

from __future__ import annotations

import re

import pytest
from helpers import (
    JO,
    NEVER_MAILED,
    NOW,
    OUTGOING_HEADERS,
    AppFactory,
    all_recipients,
    body_text,
    eml,
    header_block,
    message_id_in,
    rows,
    run,
    sent_to,
    top_level_header_names,
)

from mailbot.store.tables import CaseRow, EventRow, MessageRow, OutboxRow

ACK = "ack"  # a case and exactly one acknowledgement to the member
EXPECTED: dict[str, tuple[str, str]] = {
    # file: (outcome, what the messages table must say)
    "long_subject.eml": (ACK, "processed"),
    "jinja_in_subject_and_body.eml": (ACK, "processed"),
    "crlf_in_encoded_name.eml": (ACK, "processed"),
    "raw_cr_in_from_name.eml": ("no-ack", "quarantined"),
    "charset_lies_ascii.eml": (ACK, "processed"),
    "charset_lies_utf8.eml": (ACK, "processed"),
    "charset_unknown.eml": (ACK, "processed"),
    "nul_bytes.eml": (ACK, "processed"),
    "no_message_id.eml": (ACK, "processed"),
    "no_date.eml": (ACK, "processed"),
    "html_only_script.eml": (ACK, "processed"),
    "image_only.eml": (ACK, "processed"),
    "malformed_mime.eml": (ACK, "processed"),
    "ooo_welsh_no_headers.eml": ("no-ack", "automatic"),
    "own_ack_returned.eml": ("no-ack", "automatic"),
    "spam_flagged.eml": ("no-ack", "ignored"),
    "forged_tag_stranger.eml": ("no-ack", "processed"),
}
ACKED = [name for name, (outcome, _) in EXPECTED.items() if outcome == ACK]
NOT_ACKED = [name for name, (outcome, _) in EXPECTED.items() if outcome != ACK]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_with_its_raw_bytes_and_a_status(app_factory: AppFactory, name: str) -> None:
    app, server = app_factory()
    raw = eml(name)
    server.deliver(raw)
    report, _ = run(app)
    assert len(report.outcomes) == 1
    [row] = rows(app, MessageRow)
    assert row.raw == raw
    assert row.message_id == message_id_in(raw) or row.status == "quarantined"
    assert row.status == EXPECTED[name][1], row.reason
    assert row.reason.strip(), "every outcome is recorded with a reason"
    assert server.inbox == {}, "marked processed in the mailbox after the commit"


@pytest.mark.parametrize("name", NOT_ACKED)
def test_nothing_is_sent_for_mail_we_must_not_answer(app_factory: AppFactory, name: str) -> None:
    app, server = app_factory()
    server.deliver(eml(name))
    run(app)
    assert not all_recipients(server) & (NEVER_MAILED | {JO[1]})
    assert [r for r in rows(app, OutboxRow) if r.purpose == "ack"] == []
    if not rows(app, CaseRow):
        assert server.outgoing == []  # no case: nothing at all leaves


def test_quarantine_and_automatic_reasons_say_why(app_factory: AppFactory) -> None:
    app, server = app_factory()
    for name in ("raw_cr_in_from_name.eml", "ooo_welsh_no_headers.eml",
                 "own_ack_returned.eml", "spam_flagged.eml"):
        server.deliver(eml(name))
    run(app)
    reasons = {row.status: row.reason for row in rows(app, MessageRow)} | {
        row.automatic: row.reason for row in rows(app, MessageRow) if row.automatic
    }
    assert reasons["quarantined"] == "no usable From address"
    assert "subject or body pattern" in reasons["auto_reply"] or "loop header" in reasons[
        "auto_reply"]
    assert "X-Spam-Flag" in reasons["ignored"]
    assert rows(app, CaseRow) == []
    assert {e.action for e in rows(app, EventRow)} >= {"automatic"}


@pytest.mark.parametrize("name", ACKED)
def test_exactly_one_safe_threaded_ack(app_factory: AppFactory, name: str) -> None:
    app, server = app_factory()
    raw = eml(name)
    server.deliver(raw)
    run(app)
    [(ack, mime)] = sent_to(server, JO[1])
    [case] = rows(app, CaseRow)

    assert not all_recipients(server) & NEVER_MAILED
    assert ack["To"] == JO[1]
    # Only our own headers, each once: nothing from the member's message became a header.
    names = top_level_header_names(mime)
    assert set(names) <= OUTGOING_HEADERS, set(names) - OUTGOING_HEADERS
    assert len(names) == len(set(names))
    assert "bcc" not in names and "cc" not in names
    # Every wire line is short enough for SMTP and the subject is one logical line.
    assert all(len(line) <= 998 for line in mime.split(b"\r\n"))
    subject = str(ack["Subject"])
    assert "\r" not in subject and "\n" not in subject
    assert subject.startswith("Re: ") and subject.endswith(f"[{case.ref}]")
    assert len(subject) <= 250
    # Threaded under the member's message (if it had an ID of its own: mailbot's made-up
    # ledger key names nothing the member has), and marked so other robots stay quiet.
    if message_id_in(raw).endswith("@mailbot.invalid>"):
        assert ack["In-Reply-To"] is None and ack["References"] is None
    else:
        assert ack["In-Reply-To"] == message_id_in(raw)
        assert message_id_in(raw) in str(ack["References"]).split()
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert ack["X-Mailbot-Loop"]
    # The due date as a letter states it: wiltshire, 10 working days from Wed 25 Nov 2026.
    text, html = body_text(ack, "plain"), body_text(ack, "html")
    assert "by Wednesday 9 December 2026" in text
    assert "Wednesday 9 December 2026" in html
    assert case.ref in text and case.ref in html


def test_template_syntax_arrives_as_text_and_never_runs(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(eml("jinja_in_subject_and_body.eml"))
    run(app)
    [(ack, _)] = sent_to(server, JO[1])
    subject = str(ack["Subject"])
    text, html = body_text(ack, "plain"), body_text(ack, "html")
    original = ("Pothole on {{ config }} Road {% for x in range(3) %}again{% endfor %} "
                "{{ ''.__class__ }}")
    assert subject == f"Re: {original} [MB-2026-00001]"
    assert f'"{original}"' in text
    assert "{{ config }}" in html and "{% for x in range(3) %}again{% endfor %}" in html
    assert "{{ &#39;&#39;.__class__ }}" in html  # autoescaped as text in HTML
    for rendered in (subject, text, html):
        assert "againagain" not in rendered  # the loop did not run
        assert "<class" not in rendered and "&lt;class" not in rendered
        assert "Config" not in rendered and "SECRET" not in rendered
        assert "root:" not in rendered


ENCODED_NAME = b"=?UTF-8?Q?Cllr_Jo_Bloggs=0D=0ABcc=3A_victim=40evil=2Eexample?= "


def test_encoded_crlf_in_the_subject_injects_no_header(app_factory: AppFactory) -> None:
    # With the display-name half removed (its own tests are below), the encoded CRLF +
    # "Bcc:" in the subject must stay inside Subject.
    app, server = app_factory()
    server.deliver(eml("crlf_in_encoded_name.eml").replace(ENCODED_NAME, b""))
    run(app)
    [(ack, mime)] = sent_to(server, JO[1])
    assert not all_recipients(server) & NEVER_MAILED
    names = top_level_header_names(mime)
    assert "bcc" not in names and "x-injected" not in names
    assert set(names) <= OUTGOING_HEADERS
    subject = str(ack["Subject"])
    assert subject == (
        "Re: Pothole on Castle Street Bcc: victim@evil.example X-Injected: yes [MB-2026-00001]"
    )
    assert b"evil.example" not in header_block(mime).replace(
        b"Bcc: victim@evil.example X-Injected", b"")


def test_an_address_inside_a_display_name_is_never_mailed(app_factory: AppFactory) -> None:
    app, server = app_factory(acknowledge_unknown_senders=True)
    server.deliver(eml("crlf_in_encoded_name.eml"))
    run(app)
    assert all("victim@evil.example" not in recipients for recipients, _ in server.outgoing)


def test_encoded_crlf_in_name_still_acknowledges_the_member(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(eml("crlf_in_encoded_name.eml"))
    run(app)
    assert len(sent_to(server, JO[1])) == 1


def test_two_thousand_character_subject_is_bounded_in_the_ack(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(eml("long_subject.eml"))
    run(app)
    [(ack, _)] = sent_to(server, JO[1])
    [case] = rows(app, CaseRow)
    subject = str(ack["Subject"])
    assert subject.startswith("Re: Parking enforcement on Castle Street")
    assert "…" in subject and subject.endswith("[MB-2026-00001]")
    assert len(case.subject) <= 300


def test_no_date_uses_the_time_we_saw_it(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(eml("no_date.eml"))
    run(app)
    [case] = rows(app, CaseRow)
    assert case.received_at == NOW
    [(ack, _)] = sent_to(server, JO[1])
    assert "received on Wednesday 25 November 2026" in body_text(ack, "plain")


def test_no_message_id_is_keyed_on_a_synthetic_id_and_the_reply_still_threads(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    raw = eml("no_message_id.eml")
    server.deliver(raw)
    run(app)
    [row] = rows(app, MessageRow)
    assert re.fullmatch(r"<[0-9a-f]{40}@mailbot\.invalid>", row.message_id)
    [(ack, _)] = sent_to(server, JO[1])
    # The ack claims to answer no message the member never had...
    assert ack["In-Reply-To"] is None and ack["References"] is None
    # ...and the member's reply to it, which names the ack, joins the case.
    ack_id = str(ack["Message-ID"])
    reply = raw.replace(b"Subject: Overgrown", b"In-Reply-To: " + ack_id.encode() +
                        b"\r\nReferences: " + ack_id.encode() + b"\r\nMessage-ID: <r1@x.example>"
                        b"\r\nSubject: Re: Overgrown").replace(b"The hedge", b"Also the hedge")
    server.deliver(reply)
    run(app)
    [case] = rows(app, CaseRow)
    assert {m.case_id for m in rows(app, MessageRow)} == {case.id}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_same_bytes_again_change_nothing(app_factory: AppFactory, name: str) -> None:
    app, server = app_factory()
    raw = eml(name)
    server.deliver(raw)
    run(app)
    before = (len(rows(app, CaseRow)), len(server.outgoing), len(rows(app, MessageRow)))
    server.deliver(raw)
    report, flushed = run(app)
    assert [o.status for o in report.outcomes] == ["duplicate"]
    assert flushed.sent == []
    after = (len(rows(app, CaseRow)), len(server.outgoing), len(rows(app, MessageRow)))
    assert after == before
    [row] = rows(app, MessageRow)
    assert row.duplicates == 1


def test_all_bad_input_in_one_poll_nothing_lost(app_factory: AppFactory) -> None:
    app, server = app_factory(max_per_recipient=100)
    for name in sorted(EXPECTED):
        server.deliver(eml(name))
    report, _ = run(app)
    assert len(report.outcomes) == len(EXPECTED)
    stored = rows(app, MessageRow)
    assert sorted(r.raw for r in stored) == sorted(eml(n) for n in EXPECTED)
    assert all(r.status != "received" and r.reason for r in stored)
    assert len(sent_to(server, JO[1])) == len(ACKED)
    assert not all_recipients(server) & NEVER_MAILED
    assert len([r for r in rows(app, OutboxRow) if r.purpose == "ack"]) == len(ACKED)


@pytest.mark.parametrize(("name", "quoted"), [
    ("charset_lies_ascii.eml", "Café licence – “late hours” on Market Place"),
    ("charset_lies_utf8.eml", "Façade of the old library"),
    ("charset_unknown.eml", "Bin collection missed on Brook Road"),
])
def test_the_ack_quotes_a_mis_labelled_subject_readably(
    app_factory: AppFactory, name: str, quoted: str
) -> None:
    app, server = app_factory()
    server.deliver(eml(name))
    run(app)
    [(ack, _)] = sent_to(server, JO[1])
    assert str(ack["Subject"]) == f"Re: {quoted} [MB-2026-00001]"
    assert f'"{quoted}"' in body_text(ack, "plain")
