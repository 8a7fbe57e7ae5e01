"""The weekly digest lists paused cases: how many, and for each (the oldest `list_limit`)
its reference, who holds it, since when and why (an out-of-office waiting for REASSIGN, or
an officer's PAUSE and its reason), with the subject and reason of a confidential case
left out; in Welsh and English for a bilingual council. Judged by the digest that is
queued, plain text and HTML."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, rows
from test_paused_cases import (
    NOW,
    SAM,
    SECRET,
    THURSDAY,
    _away,
    _open_case,
    _sweep,
    _text,
)
from test_paused_cases import _council as paused_council

from mailbot import jobs
from mailbot.store.tables import OutboxRow

CHIEF = "chief.executive@council.gov.uk"
MONDAY_DIGEST = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _council(home: Path, policy: str, list_limit: int = 50) -> Council:
    return paused_council(
        home, policy, f'[digest]\nrecipients = ["{CHIEF}"]\nlist_limit = {list_limit}\n')


@pytest.fixture
def colchester(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "colchester", "colchester") as made:
        yield made


@pytest.fixture
def wiltshire(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "wiltshire", "wiltshire") as made:
        yield made


def _digest_text(council: Council) -> str:
    """The whole council's digest of Monday 30 November: subject, plain text and HTML."""
    jobs.send_digests(council.app, MONDAY_DIGEST)
    [row] = rows(council.app, OutboxRow, OutboxRow.purpose == "digest",
                 OutboxRow.recipients == CHIEF)
    message = email.message_from_bytes(row.mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = f"{message['Subject']}\n{body_text(message, 'plain')}\n{body_text(message, 'html')}"
    return text.replace("\r\n", "\n")


def test_the_digest_lists_paused_cases_with_holder_since_and_why(colchester: Council) -> None:
    first = _open_case(colchester)
    away_ref = colchester.case().ref
    second = _open_case(colchester, subject="Street light out")
    _away(colchester, first)
    paused_at = THURSDAY.replace(hour=10)
    colchester.deliver(
        colchester.reply(second, SAM, 'PAUSE "asked the member which lamp"', date=paused_at),
        paused_at,
    )
    own_ref = colchester.case().ref
    assert colchester.case().status == "paused"
    text = _digest_text(colchester)
    assert "Paused:               2" in text
    assert "Paused (2), longest paused first" in text
    # The absence first (paused on Wednesday), then the PAUSE (Thursday).
    assert text.index(f"  {away_ref}  paused since") < text.index(f"  {own_ref}  paused since")
    assert f"{away_ref}  paused since Wed 25 Nov (3 wd)  Sam Patel (Highways)" in text
    assert "Why: Sam Patel is out of the office; waiting to be redirected" in text
    # What to do, once under the heading; beside the case where it differs.
    assert ("What to do, unless a case's own line says otherwise: give it to someone who can "
            f"answer (REASSIGN name@{colchester.mailbox.partition('@')[2]})") in text
    assert f"{own_ref}  paused since Thu 26 Nov (2 wd)  Sam Patel (Highways)" in text
    assert ("Why: PAUSE by Sam Patel: asked the member which lamp\n      What to do: ask its "
            "officer whether it is still waiting, and to RESUME it") in text
    # The HTML part too.
    assert "<h2 style=\"font-size: 12pt;\">Paused (2)</h2>" in text
    assert "<em>Why:</em> Sam Patel is out of the office; waiting to be redirected" in text


def test_a_confidential_paused_case_shows_neither_subject_nor_reason(
    wiltshire: Council,
) -> None:
    assignment = _open_case(wiltshire, subject=f"CONFIDENTIAL: {SECRET}")
    assert wiltshire.case().confidential
    wiltshire.deliver(
        wiltshire.reply(assignment, SAM, f'PAUSE "checking {SECRET} with legal"'), NOW
    )
    text = _digest_text(wiltshire)
    assert f"{wiltshire.case().ref}  paused since" in text
    assert "(Highways)  Enquiry: confidential\n" in text
    assert "Why: PAUSE by Sam Patel\n" in text
    assert "Elm Road" not in text
    out = _sweep(wiltshire, datetime(2026, 12, 9, 10, tzinfo=UTC))
    [reminder] = [m for m in out if str(m["Subject"]).startswith("Case still paused")]
    mail = f"{reminder['Subject']}\n{_text(reminder)}\n{body_text(reminder, 'html')}"
    assert "Elm Road" not in mail and "Content:   not repeated here" in mail


def test_a_welsh_council_digest_lists_paused_cases_in_both_languages(tmp_path: Path) -> None:
    with _council(tmp_path, "cardiff") as cardiff:
        assignment = _open_case(cardiff)
        cardiff.deliver(cardiff.reply(assignment, SAM, 'PAUSE "aros am yr aelod"'), NOW)
        text = _digest_text(cardiff)
        ref = cardiff.case().ref
        assert "Wedi'u hoedi / Paused: 1" in text or "Paused / Wedi'u hoedi: 1" in text
        assert f"{ref}  " in text
        assert "Pam: PAUSE gan Sam Patel: aros am yr aelod" in text
        assert "Why: PAUSE by Sam Patel: aros am yr aelod" in text
        assert "\n  Beth i'w wneud: gofynnwch i'w swyddog a yw'n dal i aros" in text


def test_past_the_list_limit_the_rest_are_counted(tmp_path: Path) -> None:
    town = _council(tmp_path, "wiltshire", list_limit=1)
    with town:
        for subject, when in (("Pothole on Castle Road", THURSDAY), ("Street light out", NOW)):
            assignment = _open_case(town, subject=subject)
            town.deliver(town.reply(assignment, SAM, 'PAUSE "waiting"', date=when), when)
        text = _digest_text(town)
        assert "Paused:               2" in text
        # The one paused longest (the second, on Wednesday) is listed; the other counted.
        assert "MB-2026-00002  paused since Wed 25 Nov" in text
        assert "MB-2026-00001  paused since" not in text
        assert "  ...and 1 more." in text
