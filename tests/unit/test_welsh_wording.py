"""Welsh a Welsh reader would stumble over, put right: soft mutation after predicative
"yn" and after "ar", "ag" before a vowel, "Mae'r" for "Mae y", Welsh ordinals. Each
Welsh partial is rendered (text and HTML) as the letters include it."""

from __future__ import annotations

from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from helpers import body_text, make_app, sent, shared_rules_classifier
from test_digest import CHIEF, MAX, MONDAY_8AM, SAM, add_case

from mailbot import jobs
from mailbot.app import build_app
from mailbot.backends.memory import MemoryMailbox
from mailbot.languages import kind_label_cy, mae_cy, ordinal_cy, preposition_cy, with_cy
from mailbot.render import Renderer
from mailbot.settings import load_settings

COUNCIL = {"name": "Cyngor Caerdydd", "mailbox": "ymholiadau@cardiff.gov.uk",
           "domain": "cardiff.gov.uk"}


def said(partial: str, context: dict[str, Any]) -> dict[str, str]:
    """The partial's text and HTML, whitespace folded and entities read (&#39; is '), as a
    reader takes them in."""
    env = Renderer().env
    return {ext: " ".join(unescape(env.get_template(f"_partials/{partial}.cy.{ext}").render(
        context)).split()) for ext in ("txt", "html")}


@pytest.mark.parametrize(("name", "word", "expected"), [
    ("Sam Patel", "â", "â Sam Patel"),
    ("Alun Jones", "â", "ag Alun Jones"),
    ("eleri@cardiff.gov.uk", "â", "ag eleri@cardiff.gov.uk"),
    ("y Swyddog Monitro", "â", "â'r Swyddog Monitro"),
    ("Owain Rees (sam@cardiff.gov.uk)", "gyda", "gydag Owain Rees (sam@cardiff.gov.uk)"),
    ("Sam Patel (sam@cardiff.gov.uk)", "gyda", "gyda Sam Patel (sam@cardiff.gov.uk)"),
    ("y tîm rhyddid gwybodaeth", "i", "i'r tîm rhyddid gwybodaeth"),
])
def test_a_name_after_a_preposition(name: str, word: str, expected: str) -> None:
    assert with_cy(name, word) == expected


def test_the_small_words() -> None:
    assert preposition_cy("Ifan") == "ag" and preposition_cy("Dana") == "â"
    assert mae_cy("y tîm rhyddid gwybodaeth") == "Mae'r tîm rhyddid gwybodaeth"
    assert mae_cy("Sam Patel (Priffyrdd)") == "Mae Sam Patel (Priffyrdd)"
    assert [ordinal_cy(n) for n in (1, 2, 3, 5, 7, 11, 20)] == [
        "1af", "2il", "3ydd", "5ed", "7fed", "11eg", "20fed"]
    assert [kind_label_cy(k, mutate=True) for k in ("complaint", "foi", "enquiry")] == [
        "gŵyn", "gais am wybodaeth", "ymholiad"]
    assert kind_label_cy("complaint") == "cwyn"


def test_an_answered_case_was_answered_on_a_day_mutated_after_ar() -> None:
    for text in said("command_help", {
        "answered_on": date(2026, 12, 4), "ref": "MB-2026-00001", "problem": "",
        "not_a_command": False, "asked": True, "problem_cy": "", "line": "",
        "council": COUNCIL, "extendable": True, "today_typed": "27/11/2026",
        "extend_typed": "11/12/2026",
    }).values():
        assert "Atebwyd MB-2026-00001 ar ddydd Gwener 4 Rhagfyr 2026:" in text


def test_the_last_unread_alert_of_the_day_is_the_fifth_in_welsh() -> None:
    for text in said("left_unread_alert", {
        "council": COUNCIL, "folder": "INBOX", "mailbox": "ymholiadau@cardiff.gov.uk",
        "problem": "x", "sender": "", "subject": "", "backend": "imap", "ref": "42",
        "last_today": 5,
    }).values():
        assert "Dyma'r 5ed e-bost o'r fath mewn 24 awr" in text
        assert "5fed" not in text


def late_notice(phrase_cy: str, contact: dict[str, str] | None) -> dict[str, str]:
    return said("late_notice", {
        "council": COUNCIL,  # its 'cannot wait' line, as the acknowledgement's
        "member": {"salutation": "Cllr Siân Evans"},
        "case": {"kind_label": "enquiry", "ref": "MB-2026-00001", "officer_known": True,
                 "officer_phrase_cy": phrase_cy},
        "old_due": date(2026, 12, 14), "now_with_email": "foi@cardiff.gov.uk",
        "contact": contact,
    })


def test_a_late_notice_says_maer_tim_and_contacts_with_ag_before_a_vowel() -> None:
    for text in late_notice("y tîm rhyddid gwybodaeth", None).values():
        assert "Mae'r tîm rhyddid gwybodaeth yn delio ag ef" in text
        assert "Mae y " not in text
        assert "cysylltwch â " in text  # foi@...: no name, the address
    alun = {"name": "Alun Jones", "name_cy": "Alun Jones", "email": "alun@cardiff.gov.uk"}
    for text in late_notice("Alun Jones (Priffyrdd)", alun).values():
        assert "Mae Alun Jones (Priffyrdd) yn delio ag ef" in text
        assert "cysylltwch ag Alun Jones (" in text and "â Alun" not in text


def test_an_alternative_contact_with_a_vowel_is_contacted_with_ag() -> None:
    texts = said("alternative_contact", {
        "member": {"salutation": "Cllr Siân Evans"},
        "case": {"kind_label": "enquiry", "ref": "MB-2026-00001", "response_due": None},
        "absent_name": "Sam Patel", "now_with_cy": "Eleri Owen",
        "now_with_email": "eleri@cardiff.gov.uk",
        "contact": {"name": "Eleri Owen", "email": "eleri@cardiff.gov.uk"},
    })
    for text in texts.values():
        assert "cysylltwch ag Eleri Owen (" in text


def test_an_acknowledgement_names_a_contact_with_ag_before_a_vowel() -> None:
    texts = said("ack", {
        "council": COUNCIL,
        "member": {"salutation": "Cllr Siân Evans"},
        "case": {"ref": "MB-2026-00001", "kind": "foi", "kind_label": "request for information",
                 "received": date(2026, 11, 25), "response_due": date(2026, 12, 23),
                 "confidential": False, "subject": "", "officer_phrase": "Ifan Rees",
                 "officer_named": True, "foi_law": "Freedom of Information Act 2000",
                 "statutory_days": 20},
        "contact": {"name": "Ifan Rees", "email": "ifan@cardiff.gov.uk"},
    })
    for text in texts.values():
        assert "cysylltwch ag Ifan Rees (" in text


def test_a_bilingual_digest_says_2_ddiwrnod_gwaith_yn_hwyr(tmp_path: Path) -> None:
    """Dau takes the soft mutation: "2 ddiwrnod gwaith yn hwyr" in the Cardiff digest's
    list of overdue cases; 3 keeps "diwrnod". The digest as it left the memory mailbox."""
    first, server = make_app(tmp_path, policy="cardiff", officers=(MAX, SAM))
    first.close()
    config = tmp_path / "mailbot.toml"
    config.write_text(config.read_text() + f'[digest]\nrecipients = ["{CHIEF}"]\n')
    app = build_app(load_settings(config), backend=MemoryMailbox(server),
                    classifier=shared_rules_classifier())
    try:
        # Due Thursday 10 and Wednesday 9 December: 2 and 3 working days overdue on Monday 14.
        add_case(app, "MB-2026-00001", SAM[1], "Pothole", date(2026, 11, 26), date(2026, 12, 10))
        add_case(app, "MB-2026-00002", SAM[1], "Drain", date(2026, 11, 25), date(2026, 12, 9))
        jobs.send_digests(app, MONDAY_8AM)
        jobs.flush_outbox(app, MONDAY_8AM)
    finally:
        app.close()
    [digest] = [m for _, m in sent(server)
                if "Weekly digest" in str(m["Subject"]) and str(m["To"]) == CHIEF]
    text = body_text(digest, "plain")
    assert "MB-2026-00001  2 wd overdue / ddiwrnod gwaith yn hwyr" in text
    assert "MB-2026-00002  3 wd overdue / diwrnod gwaith yn hwyr" in text
