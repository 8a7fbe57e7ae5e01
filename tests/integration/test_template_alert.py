"""The admins' alert that a council template cannot be used (template_fallback.py), as it
leaves: in both languages for a Welsh council, as every other admin alert is; and, still
waiting in the outbox once the file was put right, withdrawn unsent, as the directory
alert is (alerts_at_send.py). The problem coming back is told afresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient, rows

from mailbot import template_fallback
from mailbot.store.tables import OutboxRow

MAILBOX = "ymholiadau@council.gov.uk"
ADMIN = "it.admin@council.gov.uk"
MEMBERS = [("Cllr Siân Evans", "sian.evans@council.gov.uk", "Llandaf", "cy")]
OFFICERS = [("Sam Patel", "sam.patel@council.gov.uk", "Priffyrdd", "", "")]
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BROKEN_ACK = "Subject: Your enquiry {{ ref }}\n\nThank you. Your reference is {{ ref }.\n"


def _council(home: Path, policy: str) -> Council:
    return Council(home, name="Cyngor Caerdydd", policy=policy, mailbox=MAILBOX,
                   members=MEMBERS, officers=OFFICERS, admins=[ADMIN])


@pytest.fixture
def cardiff(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "cardiff", "cardiff") as made:
        yield made


@pytest.fixture
def wiltshire(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "wiltshire", "wiltshire") as made:
        yield made


def _break_ack(council: Council, text: str = BROKEN_ACK) -> Path:
    ack = council.home / "templates" / "ack.txt"
    ack.parent.mkdir(exist_ok=True)
    ack.write_text(text)
    return ack


def _start(council: Council, now: datetime) -> bool:
    """What `mailbot run` does at its start about the council's templates."""
    broken = template_fallback.use_own_for_broken(council.app)
    return template_fallback.alert_if_broken(council.app, broken, now)


def _problem(ack: Path) -> str:
    return (f"{ack}:3: unexpected '}}'; mailbot's own ack.txt is used instead until it is "
            "put right and mailbot restarted (`mailbot check-config` checks it)")


def test_a_welsh_councils_template_alert_is_bilingual(cardiff: Council) -> None:
    ack = _break_ack(cardiff)
    assert _start(cardiff, NOW)
    alert = by_recipient(cardiff.flush(NOW + timedelta(minutes=1)))[ADMIN]
    assert str(alert["Subject"]) == (
        "mailbot cannot use a template of Cyngor Caerdydd / Ni all mailbot ddefnyddio un o "
        f"dempledi Cyngor Caerdydd ({MAILBOX})")
    text = body_text(alert, "plain").replace("\r\n", "\n")
    english, _, welsh = text.partition("-" * 60)
    assert english.startswith("(Cymraeg isod)\n\nmailbot, the member enquiries service of "
                              "Cyngor Caerdydd, was started with a template")
    assert welsh.lstrip().startswith(
        "Cafodd mailbot, gwasanaeth ymholiadau aelodau Cyngor Caerdydd, ei gychwyn gyda "
        "thempled")
    # The problem is given in each part, as mailbot logs it (in English, and said to be).
    assert english.count(_problem(ack)) == 1 and welsh.count(_problem(ack)) == 1
    assert "(yn Saesneg, fel y mae mailbot yn ei gofnodi)" in welsh
    html = body_text(alert, "html")
    assert html.index("was started with a template") < html.index("ei gychwyn gyda thempled")


def test_an_english_councils_template_alert_is_english_only(wiltshire: Council) -> None:
    ack = _break_ack(wiltshire)
    assert _start(wiltshire, NOW)
    alert = by_recipient(wiltshire.flush(NOW + timedelta(minutes=1)))[ADMIN]
    assert str(alert["Subject"]) == f"mailbot cannot use a template of Cyngor Caerdydd ({MAILBOX})"
    text = body_text(alert, "plain")
    assert _problem(ack) in text and "Cymraeg" not in text and "templed" not in text


def test_an_alert_still_waiting_once_the_template_is_put_right_is_withdrawn(
    wiltshire: Council,
) -> None:
    ack = _break_ack(wiltshire)
    assert _start(wiltshire, NOW)
    # The mail server deferred it, say; meanwhile the file is put right and mailbot restarted.
    ack.write_text(BROKEN_ACK.replace("{{ ref }.", "{{ ref }}."))
    assert not _start(wiltshire, NOW + timedelta(minutes=5))
    assert wiltshire.flush(NOW + timedelta(minutes=6)) == []
    [alert] = rows(wiltshire.app, OutboxRow)
    assert (alert.status, alert.last_error) == (
        "withdrawn", "the council's templates can all be used now: the problem has gone "
                     "(the file was put right)")

    # The same mistake made again: the admins were never told of it, so they are now.
    _break_ack(wiltshire)
    assert _start(wiltshire, NOW + timedelta(hours=1))
    [told] = wiltshire.flush(NOW + timedelta(hours=1, minutes=1))
    assert _problem(ack) in body_text(told, "plain")
    assert [a.status for a in rows(wiltshire.app, OutboxRow)] == ["withdrawn", "sent"]


def test_an_alert_about_a_problem_replaced_by_another_is_withdrawn(wiltshire: Council) -> None:
    ack = _break_ack(wiltshire)
    assert _start(wiltshire, NOW)
    # Another mistake in its place before the alert went: that one has its own alert.
    _break_ack(wiltshire, "Your enquiry {{ ref }}\n\nThank you.\n")
    assert _start(wiltshire, NOW + timedelta(minutes=5))
    [told] = wiltshire.flush(NOW + timedelta(minutes=6))
    assert f"{ack}:1: the first line must be the mail's subject" in body_text(told, "plain")
    first, second = rows(wiltshire.app, OutboxRow)
    assert (first.status, second.status) == ("withdrawn", "sent")
    assert first.last_error.startswith("the council's templates have another problem now, "
                                       "which has its own alert: ")


def test_an_alert_about_a_problem_replaced_by_another_not_yet_told_still_goes(
    wiltshire: Council,
) -> None:
    """No restart since the file was changed: the new problem has no alert of its own, and
    a template still cannot be used, so the admins are told."""
    ack = _break_ack(wiltshire)
    assert _start(wiltshire, NOW)
    _break_ack(wiltshire, "Your enquiry {{ ref }}\n\nThank you.\n")
    [told] = wiltshire.flush(NOW + timedelta(minutes=6))
    assert _problem(ack) in body_text(told, "plain")
    assert [a.status for a in rows(wiltshire.app, OutboxRow)] == ["sent"]
