"""Rendering: message content is data in a sandbox, never a template; HTML is escaped;
a missing value is an error, not a blank; dates read like a letter."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import JO, AppFactory
from jinja2.exceptions import SecurityError, UndefinedError

from mailbot.acknowledgement import ack_context
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message
from mailbot.render import Renderer, long_date
from mailbot.store.tables import CaseRow

HOSTILE = "{{ config }} {% for x in range(9) %}x{% endfor %} <script>alert(1)</script> {{ 7*7 }}"


@pytest.mark.parametrize(("value", "expected"), [
    (date(2026, 12, 9), "Wednesday 9 December 2026"),
    (date(2026, 12, 4), "Friday 4 December 2026"),
    (date(2027, 1, 1), "Friday 1 January 2027"),
    (date(2026, 11, 30), "Monday 30 November 2026"),
])
def test_long_date_reads_like_a_letter(value: date, expected: str) -> None:
    assert long_date(value) == expected


def probe_renderer(tmp_path: Path, files: dict[str, str]) -> Renderer:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return Renderer(tmp_path)


def test_values_are_never_rendered_as_templates(tmp_path: Path) -> None:
    renderer = probe_renderer(tmp_path, {
        "probe.txt": "Subject: {{ v }}\n{{ v }}\n",
        "probe.html": "<p>{{ v }}</p>\n",
    })
    out = renderer.render("probe", {"v": HOSTILE})
    assert out.subject == HOSTILE
    assert out.text == HOSTILE + "\n"
    assert "49" not in out.text + out.html and "xxxxxxxxx" not in out.text + out.html


def test_html_is_autoescaped_and_text_is_not(tmp_path: Path) -> None:
    renderer = probe_renderer(tmp_path, {
        "probe.txt": "Subject: s\n{{ v }}\n",
        "probe.html": "<p>{{ v }}</p>\n",
    })
    out = renderer.render("probe", {"v": "<script>alert('x')</script> & {{ config }}"})
    assert "<script>" not in out.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; {{ config }}" in out.html
    assert "<script>alert('x')</script> & {{ config }}" in out.text


def test_the_sandbox_stops_a_template_reaching_python_internals(tmp_path: Path) -> None:
    # Only a council's own template files are templates; even they cannot escape.
    renderer = probe_renderer(tmp_path, {
        "probe.txt": "Subject: s\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n",
        "probe.html": "<p></p>\n",
    })
    with pytest.raises(SecurityError):
        renderer.render("probe", {})


def test_a_missing_value_is_an_error_not_a_blank(tmp_path: Path) -> None:
    renderer = probe_renderer(tmp_path, {
        "probe.txt": "Subject: s\nDear {{ member.name }},\n",
        "probe.html": "<p></p>\n",
    })
    with pytest.raises(UndefinedError):
        renderer.render("probe", {"member": {}})


def test_language_is_picked_per_part_with_english_as_the_fallback(tmp_path: Path) -> None:
    renderer = probe_renderer(tmp_path, {
        "probe.txt": "Subject: Hello\nEnglish\n",
        "probe.cy.txt": "Subject: Helo\nCymraeg\n",
        "probe.html": "<p>English</p>\n",
    })
    welsh = renderer.render("probe", {}, ("cy", "en"))
    assert (welsh.subject, welsh.text, welsh.html) == ("Helo", "Cymraeg\n", "<p>English</p>\n")
    english = renderer.render("probe", {}, ("en",))
    assert (english.subject, english.text) == ("Hello", "English\n")


def test_a_council_override_is_found_before_the_packaged_template(tmp_path: Path) -> None:
    renderer = probe_renderer(tmp_path, {
        "ack.txt": "Subject: {{ reply_subject }}\nOur own words.\n",
        "ack.html": "<p>Our own words.</p>\n",
    })
    out = renderer.render("ack", {"reply_subject": "Re: x [MB-2026-00001]"})
    assert out.text == "Our own words.\n" and out.subject == "Re: x [MB-2026-00001]"


def hostile_message() -> ParsedMessage:
    raw = (f"From: =?utf-8?Q?Jo_=3Cscript=3E?= <stranger@example.net>\r\nSubject: {HOSTILE}\r\n"
           "Message-ID: <h1@example.net>\r\n\r\n{{ config }}\r\n").encode()
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    return message


def case_for(message: ParsedMessage, *, known: bool, confidential: bool = False) -> CaseRow:
    assert message.sender is not None
    received = datetime(2026, 11, 25, 9, 14, tzinfo=UTC)
    return CaseRow(
        id=1, ref="MB-2026-00001", kind="enquiry", priority="normal", confidential=confidential,
        confidence=0.9, status="open",
        member_email=JO[1] if known else message.sender.email,
        member_name=JO[0] if known else message.sender.name,
        known_member=known, officer_email=None, subject=message.subject[:300],
        policy="wiltshire", received_at=received, ack_due=date(2026, 11, 27),
        response_due=date(2026, 12, 9), root_message_id=message.message_id,
        created_at=received, updated_at=received,
    )


def test_the_real_ack_quotes_a_hostile_subject_as_text(app_factory: AppFactory) -> None:
    app, _ = app_factory(acknowledge_unknown_senders=True)
    message = hostile_message()
    case = case_for(message, known=False)
    out = app.renderer.render("ack", ack_context(app, case, message), ("en",))
    assert "{{ config }}" in out.text and "{{ config }}" in out.html
    assert "{% for x in range(9) %}x{% endfor %}" in out.text
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html
    assert "49" not in out.text + out.html
    assert "Wednesday 9 December 2026" in out.text and "Wednesday 9 December 2026" in out.html
    assert out.subject.endswith("[MB-2026-00001]") and "\n" not in out.subject


def test_a_confidential_case_does_not_quote_the_subject(app_factory: AppFactory) -> None:
    app, _ = app_factory()
    message = hostile_message()
    case = case_for(message, known=True, confidential=True)
    out = app.renderer.render("ack", ack_context(app, case, message), ("en",))
    assert "{{ config }}" not in out.text and "{{ config }}" not in out.html
    assert "alert(1)" not in out.text + out.html
