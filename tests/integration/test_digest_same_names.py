"""Two officers of one name in one service (two David Joneses in a Welsh council's
highways team): the digest is still made, for the manager and the whole council, and its
table tells them apart. It failed with "'<' not supported between instances of 'Tally'
and 'Tally'" as soon as one of them held a case, so no digest went to anyone."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, queued_digests

DOMAIN = "cardiff.gov.uk"
MAILBOX = f"ymholiadau@{DOMAIN}"
SIAN = f"sian.jones@{DOMAIN}"
DAVID = f"david.jones@{DOMAIN}"
DAVID_2 = f"david.jones2@{DOMAIN}"
MANAGER = f"rhian.price@{DOMAIN}"
CHIEF = f"prif.weithredwr@{DOMAIN}"
RECEIVED = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def digests(place: Council) -> dict[str, EmailMessage]:
    return queued_digests(place, MONDAY)


def test_two_officers_of_one_name_each_get_their_own_line(tmp_path: Path) -> None:
    with Council(
        tmp_path, mailbox=MAILBOX, name="Cyngor Caerdydd", policy="cardiff",
        members=[("Cllr Siân Jones", SIAN, "Butetown", "en")],
        officers=[("David Jones", DAVID, "Priffyrdd", MANAGER, ""),
                  ("David Jones", DAVID_2, "Priffyrdd", MANAGER, ""),
                  ("Rhian Price", MANAGER, "Priffyrdd", "", "")],
        config=f'[digest]\nrecipients = ["{CHIEF}"]\n', mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(SIAN, "Pothole on Heol y Castell", "A deep one by no. 12.",
                                 cc=DAVID_2, date=RECEIVED), RECEIVED)
        assert place.case().officer_email == DAVID_2
        sent = digests(place)
    assert set(sent) == {CHIEF, MANAGER}
    for message in sent.values():
        assert "1 overdue" in str(message["Subject"])
        text = body_text(message, "plain")
        # The overdue case says which David Jones has it, and whom to ask.
        assert "due Mon 23 Nov / erbyn Llun 23 Tach  David Jones (david.jones2) (Priffyrdd)" \
            in text
        assert "What to do: ask its officer to answer the member now" in text
        assert "David Jones (david.jones2)" in body_text(message, "html")
        # By service and officer: open, due this week, overdue, answered, on time.
        assert table_line(text, "David Jones (david.jones2)") == ["1", "0", "1", "0", "-"]
    assert table_line(body_text(sent[MANAGER], "plain"), "David Jones (david.jones)") == [
        "0", "0", "0", "0", "-"]


def table_line(text: str, officer: str) -> list[str]:
    """The officer's figures in the digest's table by service and officer."""
    table = text[text.index("By service and officer"):text.index("Protocol KPIs")]
    [line] = [line for line in table.splitlines() if line.startswith(f"  {officer}  ")]
    return line.removeprefix(f"  {officer}").split()
