"""One recipient's digest that cannot be made (a fault in its team's figures) stopped every
digest after it: the loop ended at the exception, so the whole council and the other
managers got nothing that week, and the job failed again each quarter of an hour. Now
the others are queued; the job still fails, naming how many were not made, and its next
run tries only the one not made."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import PLAIN_UTF8, Council, rows

from mailbot import jobs
from mailbot.digest import send
from mailbot.digest.send import DigestNotMade
from mailbot.store.tables import OutboxRow

DOMAIN = "bath.gov.uk"
MAILBOX = f"memberenquiries@{DOMAIN}"
MEMBER = f"jo.bloggs@{DOMAIN}"
SAM, LEE = f"sam.patel@{DOMAIN}", f"lee.wong@{DOMAIN}"
HIGHWAYS, WASTE = f"dana.reed@{DOMAIN}", f"kit.hale@{DOMAIN}"
CHIEF = f"chief.executive@{DOMAIN}"
RECEIVED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _digest_recipients(place: Council) -> list[str]:
    return sorted(row.recipients for row in rows(place.app, OutboxRow,
                                                 OutboxRow.purpose == "digest"))


def test_one_digest_that_fails_leaves_the_others_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with Council(
        tmp_path, mailbox=MAILBOX, name="Bath and North East Somerset Council",
        members=[("Cllr Jo Bloggs", MEMBER, "Abbey", "en")],
        officers=[("Sam Patel", SAM, "Highways", HIGHWAYS, ""),
                  ("Lee Wong", LEE, "Waste", WASTE, ""),
                  ("Dana Reed", HIGHWAYS, "Highways", "", ""),
                  ("Kit Hale", WASTE, "Waste", "", "")],
        config=f'[digest]\nrecipients = ["{CHIEF}"]\n', mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(MEMBER, "Pothole on Pulteney Road", "A deep one by no. 12.",
                                 cc=SAM, date=RECEIVED), RECEIVED)
        real = send.build_digest

        def highways_fails(
            app: Any, session: Any, scope: Any, now: datetime, recipient: str = ""
        ) -> Any:
            if scope.officers is not None and SAM in scope.officers:
                raise ValueError("a fault in the Highways team's figures")
            return real(app, session, scope, now, recipient)

        monkeypatch.setattr(send, "build_digest", highways_fails)
        with caplog.at_level(logging.ERROR, logger="mailbot"), pytest.raises(
            DigestNotMade, match="1 of 3 digest"
        ):
            jobs.send_digests(place.app, MONDAY)
        # The whole council's and the Waste manager's, though Highways came between them.
        assert _digest_recipients(place) == [CHIEF, WASTE]
        [said] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert said == (f"digest: the digest for {HIGHWAYS} (team) was not made, the others "
                        "go on: ValueError: a fault in the Highways team's figures")

        # Put right, the next run queues only the one not made.
        monkeypatch.setattr(send, "build_digest", real)
        jobs.send_digests(place.app, MONDAY.replace(minute=15))
        assert _digest_recipients(place) == [CHIEF, HIGHWAYS, WASTE]
