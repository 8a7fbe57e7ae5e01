"""REASSIGN from Outlook desktop, HTML only (no text/plain part), top-posted over the whole
assignment Outlook quotes below its From:/Sent: block, with a reason after a dash: the
colleague gets the case with the reason, the member is told who has it, and nothing in
the quoted assignment (which lists every command) is obeyed."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"


def _outlook_html_reply(to: EmailMessage, paragraphs: list[str]) -> bytes:
    quoted = body_text(to, "plain").replace("\r\n", "\n").replace("\n", "<br>")
    body = (
        '<html><head><meta name="Generator" content="Microsoft Word 15 (filtered medium)">'
        '</head><body lang="EN-GB"><div class="WordSection1">'
        + "".join(f'<p class="MsoNormal">{p}<o:p></o:p></p>' for p in paragraphs)
        + '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        f'<p class="MsoNormal"><b>From:</b> Member Enquiries &lt;{MAILBOX}&gt;<br>'
        "<b>Sent:</b> 25 November 2026 12:00<br><b>To:</b> Patel, Sam &lt;"
        f"{SAM}&gt;<br><b>Subject:</b> {to['Subject']}</p></div>"
        f'<p class="MsoNormal">{quoted}</p></div></body></html>'
    )
    headers = [
        f'From: "Patel, Sam" <{SAM}>', f"To: Member Enquiries <{MAILBOX}>",
        f"Subject: RE: {to['Subject']}", "Date: Wed, 25 Nov 2026 12:30:00 +0000",
        "Message-ID: <AM0PR01MB9999@eurprd01.prod.exchangelabs.com>",
        f"In-Reply-To: {to['Message-ID']}", f"References: {to['Message-ID']}",
        "MIME-Version: 1.0", 'Content-Type: text/html; charset="utf-8"',
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


def test_reassign_from_outlook_html_over_the_quoted_assignment(tmp_path: Path) -> None:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""), ("Lee Wong", LEE, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as council:
        out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                           "A deep pothole by no. 12.", cc=SAM, date=NOW), now=NOW)
        assignment = next(m for m in out if m["To"] == SAM)
        assert "DONE" in body_text(assignment, "plain")  # quoted below the command
        out = council.deliver(_outlook_html_reply(assignment, [
            "Hi,", "&nbsp;", f"REASSIGN {LEE} - Lee covers Castle ward", "&nbsp;", "Thanks",
            "Sam",
        ]), now=NOW)
        case = council.case()
    mails = {str(m["To"]): body_text(m, "plain") for m in out}
    assert sorted(mails) == [JO, LEE, SAM]
    assert case.officer_email == LEE and case.status == "open"
    assert "passed to you by Sam Patel: Lee covers Castle ward" in mails[LEE]
    assert "passed to Lee Wong (Highways)" in mails[JO]
    assert mails[SAM].startswith("Done.")
    assert "The member has been told that Lee Wong is now dealing with it." in mails[SAM]
