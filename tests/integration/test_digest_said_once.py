"""The digest says what to do about a list's cases once, under the list's heading, and
beside a case only where it differs for that case.

Every overdue case had its own "What to do: ask Sam Patel to answer the member now, or to
agree more time with them (EXTEND) or pass it on (REASSIGN)." line, and every paused one
"ask Sam Patel whether it is still waiting, and to RESUME it": a manager with twenty
cases read the same sentence twenty times, and the one case that needed something else
(an FOI request past its statutory date) was lost among them. Judged by the digest
queued for the whole council: text and HTML, English and a bilingual council's.
"""

from __future__ import annotations

import html as markup
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, by_recipient, queued_digests

RECEIVED = datetime(2026, 10, 26, 10, 0, tzinfo=UTC)  # enquiries due 9 Nov, FOI 23 Nov
PAUSED_RECEIVED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ASK = "ask its officer to answer the member now, or to agree more time with them (EXTEND) " \
    "or pass it on (REASSIGN)."
ASK_CY = "gofynnwch i'w swyddog ateb yr aelod nawr, neu gytuno ar ragor o amser gyda nhw " \
    "(EXTEND) neu ei drosglwyddo (REASSIGN)."
FOI = "ask its officer to answer it now: the date the FOI Act sets has passed."
STILL_WAITING = "ask its officer whether it is still waiting, and to RESUME it when it " \
    "should run again."
STILL_WAITING_CY = "gofynnwch i'w swyddog a yw'n dal i aros, ac i'w ailgychwyn (RESUME) pan " \
    "ddylai redeg eto."
SUBJECTS = ("Pothole on Castle Road", "Street light out on Mill Lane", "Bins not collected",
            "Graffiti on the underpass")


def whole_council_digest(home: Path, policy: str) -> tuple[EmailMessage, list[str], str]:
    """Four overdue enquiries with Sam, one overdue FOI request with the FOI team, two
    enquiries Sam paused: the whole council's digest of Monday 30 November, the
    overdue enquiries' references and the FOI request's."""
    domain = f"{policy}.gov.uk"
    jo, sam, foi = f"jo.bloggs@{domain}", f"sam.patel@{domain}", f"foi@{domain}"
    chief = f"chief.executive@{domain}"
    with Council(
        home, mailbox=f"memberenquiries@{domain}", policy=policy, threshold=0.0,
        members=[("Cllr Jo Bloggs", jo, "Castle", "en")],
        officers=[("Sam Patel", sam, "Highways", "", ""),
                  ("FOI Team", foi, "Information governance", "", "")],
        config=f'[digest]\nrecipients = ["{chief}"]\n[policy.routing]\nfoi_team = "{foi}"\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        enquiries = []
        for n, subject in enumerate(SUBJECTS):
            when = RECEIVED + timedelta(minutes=n)
            place.deliver(place.mail(jo, subject, "Please help.", cc=sam, date=when), when)
            enquiries.append(place.case().ref)
        place.deliver(place.mail(
            jo, "Freedom of Information request: road budgets",
            "Under the Freedom of Information Act please send me the road budgets.",
            date=RECEIVED), RECEIVED)
        assert place.case().kind == "foi"
        foi_ref = place.case().ref
        for n, subject in enumerate(("Hedge on Elm Road", "Blocked drain on Abbey Road")):
            when = PAUSED_RECEIVED + timedelta(minutes=n)
            assignment = by_recipient(place.deliver(place.mail(
                jo, subject, "Please help.", cc=sam, date=when), when))[sam]
            paused_at = when + timedelta(hours=1)
            place.deliver(place.reply(assignment, sam, 'PAUSE "waiting for the contractor"',
                                      date=paused_at), paused_at)
            assert place.case().status == "paused"
        return queued_digests(place, MONDAY)[chief], enquiries, foi_ref


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])  # English; bilingual
def test_what_to_do_is_said_once_a_list_and_beside_a_case_only_where_it_differs(
    tmp_path: Path, policy: str
) -> None:
    digest, enquiries, foi_ref = whole_council_digest(tmp_path, policy)
    assert "5 overdue" in str(digest["Subject"])
    text, html = body_text(digest, "plain"), markup.unescape(body_text(digest, "html"))
    for body in (one_line(text), one_line(html)):
        # Once for the four enquiries, once for the two paused cases.
        assert body.count(ASK) == 1, body
        assert body.count(STILL_WAITING) == 1, body
        # The FOI request says what differs for it, once.
        assert body.count(FOI) == 1, body
        assert body.count("ask Sam Patel") == 0
        if policy == "cardiff":
            assert body.count(ASK_CY) == 1 and body.count(STILL_WAITING_CY) == 1
    # In the text: under the overdue list's heading, before its cases; the FOI request's
    # own line right under its case.
    lines = text.splitlines()
    heading = next(i for i, line in enumerate(lines)
                   if line.startswith("Overdue") and "(5)" in line)
    said = next(i for i, line in enumerate(lines) if "What to do" in line
                and "answer the member now" in line)
    first_case = next(i for i, line in enumerate(lines) if line.startswith(f"  {enquiries[0]} "))
    assert heading < said < first_case
    foi_case = next(i for i, line in enumerate(lines) if line.startswith(f"  {foi_ref} "))
    assert "What to do" in lines[foi_case + 1] and "the date the FOI Act" in one_line(
        " ".join(lines[foi_case + 1:foi_case + 3]))
    for ref in enquiries:
        row = next(i for i, line in enumerate(lines) if line.startswith(f"  {ref} "))
        assert "What to do" not in lines[row + 1], lines[row + 1]
    # The paused list: each case still says why, and what to do once under its heading.
    paused = next(i for i, line in enumerate(lines)
                  if line.startswith("Paused") and "(2)" in line)
    assert text.count("PAUSE by Sam Patel: waiting for the contractor") == 2
    assert one_line(text).index(STILL_WAITING) > one_line(text).index(lines[paused])
    # The HTML too: the instruction under the heading, and no row of its own per case.
    html = one_line(html)
    assert html.index("<h2") < html.index(ASK) < html.index(f">{enquiries[0]}</a>")
