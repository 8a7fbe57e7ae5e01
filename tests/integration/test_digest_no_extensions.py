"""A council whose protocol allows no extensions ([policy.clock] extension_by_agreement =
false: EXTEND on an enquiry is refused, 'Wiltshire Council's protocol does not allow
extensions.') sent its managers a weekly digest whose overdue list said 'What to do: ask
its officer to answer the member now, or to agree more time with them (EXTEND) or pass it
on (REASSIGN).', and whose 'To act on a case yourself' offered 'EXTEND 5 "reason"': a
command the same council refuses. The officers' daily summary was put right in 6a6caa5;
the digest now gives the protocol as the reason and offers no EXTEND (English and a
bilingual council's Welsh, text and HTML). A council that allows extensions is unchanged
(test_digest_said_once, test_digest_how_to_act)."""

from __future__ import annotations

import html as markup
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, queued_digests

RECEIVED = datetime(2026, 10, 26, 10, 0, tzinfo=UTC)  # 10 working days: due Mon 9 Nov
THIS_WEEK = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # due Mon 30 Nov
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
NO_EXTENSIONS = "[policy.clock]\nextension_by_agreement = false\n"


def _digest(home: Path, policy: str, name: str) -> EmailMessage:
    """Two enquiries overdue and one due this week, with Sam: the whole council's digest
    of Monday 30 November."""
    domain = f"{policy}.gov.uk"
    jo, sam, chief = f"jo.bloggs@{domain}", f"sam.patel@{domain}", f"chief.executive@{domain}"
    with Council(
        home, name=name, mailbox=f"memberenquiries@{domain}", policy=policy, threshold=0.0,
        members=[("Cllr Jo Bloggs", jo, "Castle", "en")],
        officers=[("Sam Patel", sam, "Highways", "", "")],
        config=f'[digest]\nrecipients = ["{chief}"]\n' + NO_EXTENSIONS,
        admins=[chief],  # commands from them are acted on
        mail_headers=PLAIN_UTF8,
    ) as place:
        for n, (when, subject) in enumerate(((RECEIVED, "Pothole on Castle Road"),
                                             (RECEIVED, "Bins not collected"),
                                             (THIS_WEEK, "Street light out"))):
            at = when + timedelta(minutes=n)
            place.deliver(place.mail(jo, subject, "Please help.", cc=sam, date=at), at)
        return queued_digests(place, MONDAY)[chief]


def _words(message: EmailMessage, part: str) -> str:
    return " ".join(markup.unescape(body_text(message, part)).split())


@pytest.mark.parametrize("policy,name", [("wiltshire", "Wiltshire Council"),
                                         ("cardiff", "Cyngor Caerdydd")])
def test_the_digest_offers_no_extend_where_the_protocol_allows_none(
    tmp_path: Path, policy: str, name: str
) -> None:
    message = _digest(tmp_path, policy, name)
    assert "2 overdue" in str(message["Subject"])
    assert "1 due this week" in str(message["Subject"])
    for part in ("plain", "html"):
        text = _words(message, part)
        assert "EXTEND" not in text, text
        assert (f"ask its officer to answer the member now, or pass it on (REASSIGN): "
                f"{name}'s protocol does not allow extensions.") in text, text
        assert (f"one command on the first line: REASSIGN name@{policy}.gov.uk or DONE."
                in text), text
        if policy == "cardiff":
            assert ("gofynnwch i'w swyddog ateb yr aelod nawr, neu ei drosglwyddo "
                    f"(REASSIGN): nid yw protocol {name} yn caniatáu estyniadau.") in text
            assert (f"un gorchymyn ar y llinell gyntaf: REASSIGN enw@{policy}.gov.uk neu DONE."
                    in text)
