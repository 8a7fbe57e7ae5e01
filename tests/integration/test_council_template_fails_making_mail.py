"""A council template that Jinja reads but that fails while a mail is made from it: here
`{{ case.refernce }}`, a value mailbot does not give the acknowledgement. check-config's
compile finds nothing, so the daemon starts on it. Before, every member's enquiry failed
at its acknowledgement and was quarantined (no case, no reply) and nobody was told. Now
the mail is made from mailbot's own templates, both its parts, the failure is logged once
and the admins are emailed once. The daemon's jobs in this process, on a Maildir."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import deliver_to_maildir, maildir_answers, maildir_council, maildir_outbox, rows

from mailbot import template_fallback
from mailbot.app import App, build_app
from mailbot.health import MailboxHealth
from mailbot.model import MessageStatus
from mailbot.render import Renderer
from mailbot.scheduler import daemon_jobs
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, MessageRow

pytestmark = pytest.mark.timeout(120)

MAILBOX = "memberenquiries@council.gov.uk"
MEMBER = "bea.cole@council.gov.uk"
ADMIN = "it.admin@council.gov.uk"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday

# Line 3 asks for a value the acknowledgement is not given (its name misspelt).
MISSPELT_ACK = (
    "Subject: Re: {{ reply_subject }}\n\n"
    "COUNCIL WORDING: thank you. Your reference is {{ case.refernce }}.\n"
)
COUNCIL_ACK_TEXT = "Subject: Re: {{ reply_subject }}\n\nCOUNCIL WORDING: ref {{ case.ref }}.\n"
# Arithmetic on what cannot take it: a number plus the member's details.
FAILING_ACK_HTML = (
    "<p>COUNCIL WORDING</p>\n<p>{{ case.response_due|long_date|length + member }}</p>\n"
)


def _home(tmp_path: Path, templates: dict[str, str]) -> Path:
    return maildir_council(
        tmp_path, address=MAILBOX, member=MEMBER, admin=ADMIN, templates=templates,
        officers="name,email,service\nSam Patel,sam.patel@council.gov.uk,highways\n",
    )


def _run_jobs(app: App, now: datetime) -> None:
    """One poll and one flush, as the daemon's scheduler runs them."""
    jobs = daemon_jobs(app, MailboxHealth(app), lambda: now)
    jobs["poll"]()
    jobs["flush"]()


def _deliver(home: Path, number: int) -> str:
    return deliver_to_maildir(home, number, sender=f"Cllr Bea Cole <{MEMBER}>", to=MAILBOX,
                              tag="making")


def _to_admins(home: Path) -> list[EmailMessage]:
    return [m for m in maildir_outbox(home) if m["To"] == ADMIN]


def _text(mail: EmailMessage, kind: str) -> str:
    part = mail.get_body((kind,))
    assert part is not None, mail
    return str(part.get_content())


def test_a_misspelt_value_gets_the_member_mailbots_own_letter_and_the_admins_one_alert(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = _home(tmp_path, {"ack.txt": MISSPELT_ACK})
    app = build_app(load_settings(config))
    try:
        first = _deliver(tmp_path, 1)
        with caplog.at_level(logging.ERROR, logger="mailbot"):
            _run_jobs(app, NOW)
        (ack,) = maildir_answers(tmp_path, first)
        assert ack["To"] == MEMBER
        (case,) = rows(app, CaseRow)
        assert ack["Subject"].startswith("Re: Pothole on Mill Lane (1) [MB-"), ack["Subject"]
        for kind in ("plain", "html"):  # both parts in mailbot's wording, none in the council's
            assert case.ref in _text(ack, kind)
            assert "COUNCIL WORDING" not in _text(ack, kind)
        assert [m.status for m in rows(app, MessageRow)] == [MessageStatus.PROCESSED.value]

        problem = (f"{tmp_path / 'templates' / 'ack.txt'}:3: uses a value mailbot does not "
                   "give this letter ('dict object' has no attribute 'refernce')")
        (alert,) = _to_admins(tmp_path)
        assert alert["Subject"] == f"mailbot cannot use a template of Test Council ({MAILBOX})"
        said = " ".join(_text(alert, "plain").split())
        assert "could not make a mail from a template in the council's own templates" in said
        assert f"{problem}; the mail was made from mailbot's own 'ack' templates instead" in said
        assert "was started with" not in said
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and problem in errors[0], errors

        # The next enquiry: answered the same way, and nobody told twice.
        second = _deliver(tmp_path, 2)
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="mailbot"):
            _run_jobs(app, NOW.replace(hour=11))
        assert len(maildir_answers(tmp_path, second)) == 1
        assert len(_to_admins(tmp_path)) == 1
        assert not [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(rows(app, CaseRow)) == 2
    finally:
        app.close()


def test_a_failing_html_part_takes_the_text_part_with_it(tmp_path: Path) -> None:
    """The council's ack.txt works and its ack.html does not: the member gets one letter,
    not the council's text beside mailbot's HTML."""
    config = _home(tmp_path, {"ack.txt": COUNCIL_ACK_TEXT, "ack.html": FAILING_ACK_HTML})
    app = build_app(load_settings(config))
    try:
        message_id = _deliver(tmp_path, 1)
        _run_jobs(app, NOW)
        (ack,) = maildir_answers(tmp_path, message_id)
        assert "COUNCIL WORDING" not in _text(ack, "plain")
        assert "COUNCIL WORDING" not in _text(ack, "html")
        (alert,) = _to_admins(tmp_path)
        said = " ".join(_text(alert, "plain").split())
        assert f"{tmp_path / 'templates' / 'ack.html'}:2: failed: TypeError" in said
    finally:
        app.close()


def test_a_council_template_that_works_is_used(tmp_path: Path) -> None:
    config = _home(tmp_path, {"ack.txt": COUNCIL_ACK_TEXT})
    app = build_app(load_settings(config))
    try:
        message_id = _deliver(tmp_path, 1)
        _run_jobs(app, NOW)
        (ack,) = maildir_answers(tmp_path, message_id)
        (case,) = rows(app, CaseRow)
        assert _text(ack, "plain").strip() == f"COUNCIL WORDING: ref {case.ref}."
        assert _to_admins(tmp_path) == []
    finally:
        app.close()


def test_mailbots_own_template_failing_is_not_hidden(tmp_path: Path) -> None:
    """A value missing from mailbot's own template is mailbot's mistake: it is raised (and
    the message quarantined with it), not papered over."""
    (tmp_path / "ack.txt").write_text(COUNCIL_ACK_TEXT)
    renderer = Renderer(tmp_path)
    with pytest.raises(Exception, match="member"):
        renderer.render("ack", {"reply_subject": "x", "case": {"ref": "MB-1"}})
    assert renderer.faults == []


def test_a_letter_broken_at_start_is_made_from_mailbots_own_in_full(tmp_path: Path) -> None:
    """ack.txt that Jinja cannot read beside an ack.html that it can: the daemon, started
    on them, makes the acknowledgement from mailbot's own ack.txt and ack.html, not the
    council's HTML beside mailbot's text."""
    broken_text = "Subject: Re: {{ reply_subject }}\n\nCOUNCIL WORDING {{ case.ref }.\n"
    config = _home(tmp_path, {"ack.txt": broken_text, "ack.html": "<p>COUNCIL WORDING</p>\n"})
    app = build_app(load_settings(config))
    try:
        assert [t.name for t in template_fallback.use_own_for_broken(app)] == ["ack.txt"]
        message_id = _deliver(tmp_path, 1)
        _run_jobs(app, NOW)
        (ack,) = maildir_answers(tmp_path, message_id)
        (case,) = rows(app, CaseRow)
        for kind in ("plain", "html"):
            assert case.ref in _text(ack, kind)
            assert "COUNCIL WORDING" not in _text(ack, kind)
    finally:
        app.close()
