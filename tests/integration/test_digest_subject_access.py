"""The weekly digest names a subject access request as one, with data protection law's
date: listed as 'Enquiry: Mrs Smith's records', overdue on the protocol's date, a manager
could not tell it from any other enquiry, nor see that the law's month (which no clock of
the case keeps) ends in Christmas week. Real app on the memory mailbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers import body_text, queued_digests
from test_subject_access_reminders import SENT, at_ten, council, open_sar

CEO = "ceo@wiltshire.gov.uk"
MONDAY = datetime(2026, 12, 14, 8, 5, tzinfo=UTC)


def line_of(text: str, ref: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(ref))


def test_the_digest_names_a_subject_access_request_and_the_law_s_date(tmp_path: Path) -> None:
    with council(tmp_path, config=f'[digest]\nrecipients = ["{CEO}"]\n') as place:
        case, assignment = open_sar(place)
        later = SENT + timedelta(minutes=5)
        place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mill Lane light",
                                 "The streetlight on Mill Lane is out. Can it be fixed?",
                                 date=later), later)
        plain = place.case()
        assert not plain.subject_access
        digest = queued_digests(place, MONDAY)[CEO]
        text = body_text(digest, "plain")
        # Both are overdue on the protocol's date (Friday 11 December).
        sar_line = line_of(text, case.ref)
        assert ("Enquiry (subject access request, law's date Tue 29 Dec): Mrs Smith's records"
                ) in sar_line
        assert "subject access" not in line_of(text, plain.ref)
        html = " ".join(body_text(digest, "html").split())
        assert "subject access request, law&#39;s date Tue 29 Dec" in html
        # Once the two further months are taken, the later date.
        given = at_ten(date(2026, 12, 15))
        place.deliver(place.reply(assignment, str(assignment["To"]),
                                  'EXTEND 1/3/2027 "complex request: three archives"',
                                  date=given), given)
        # Listed in the week its (protocol) date falls due.
        digest = queued_digests(place, datetime(2027, 3, 1, 8, 5, tzinfo=UTC))[CEO]
        assert ("Enquiry (subject access request, law's date Mon 1 Mar)"
                ) in line_of(body_text(digest, "plain"), case.ref)


def test_the_welsh_digest_names_it_too(tmp_path: Path) -> None:
    with council(tmp_path, pack="cardiff",
                 config=f'[digest]\nrecipients = ["{CEO.replace("wiltshire", "cardiff")}"]\n'
                 ) as place:
        case, _ = open_sar(place, sender="Cllr Ann Lee <ann@cardiff.gov.uk>")
        digest = queued_digests(place, MONDAY)["ceo@cardiff.gov.uk"]
        text = " ".join(body_text(digest, "plain").split())
        assert "cais gwrthrych am wybodaeth, dyddiad y gyfraith Maw 29 Rhag" in text
        assert "subject access request, law's date Tue 29 Dec" in text
