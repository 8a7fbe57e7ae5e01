"""A Scottish council's overdue FOI request in the digest names the Act it is late under:
the Freedom of Information (Scotland) Act 2002, as the FOI team's assignment does
(FOISA). The digest told a Scottish manager that "the date the FOI Act sets has passed"
(the UK Act, which does not apply to them)."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, rows

from mailbot import jobs
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@council.gov.scot"
JO = "jo.bloggs@council.gov.scot"
FOI_TEAM = "foi@council.gov.scot"
CHIEF = "chief.executive@council.gov.scot"
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("region", "law"), [
    ("scotland", "the Freedom of Information (Scotland) Act 2002"),
    ("england-and-wales", "the FOI Act"),
])
def test_an_overdue_foi_request_names_the_act_it_is_late_under(
    tmp_path: Path, region: str, law: str
) -> None:
    regime = "foisa" if region == "scotland" else "foia"
    with Council(
        tmp_path, mailbox=MAILBOX, name="Test Council",
        members=[("Cllr Jo Bloggs", JO, "Leith", "en")],
        officers=[("FOI Team", FOI_TEAM, "Information governance", "", "")],
        threshold=0.0,
        config=f'[digest]\nrecipients = ["{CHIEF}"]\n'
        f'[policy]\nregion = "{region}"\nfoi_regime = "{regime}"\n'
        f'[policy.routing]\nfoi_team = "{FOI_TEAM}"\n',
    ) as place:
        place.deliver(place.mail(
            f"Cllr Jo Bloggs <{JO}>", "Freedom of Information request: road budgets",
            "Under the Freedom of Information Act please send me the road budgets.",
            date=RECEIVED), RECEIVED)
        assert place.case().kind == "foi"
        assert place.case().response_due < MONDAY.date()
        jobs.send_digests(place.app, MONDAY)
        [row] = rows(place.app, OutboxRow, OutboxRow.purpose == "digest")
    message = email.message_from_bytes(row.mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = body_text(message, "plain")
    assert (f"What to do: ask its officer to answer it now: the date {law} sets has passed."
            in text), text
    assert law in body_text(message, "html")
