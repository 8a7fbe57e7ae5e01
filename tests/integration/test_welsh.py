"""Welsh-language treatment end to end: a bilingual council (Cardiff, policy language
"cy-en") and a member anywhere who has chosen Welsh. Real app (config file, CSV directory,
SQLite with migrations) on the memory mailbox; every assertion is on the MIME that left,
decoded as a mail client would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, by_recipient

from mailbot import jobs
from mailbot.backends.base import TransientError
from mailbot.health import MailboxHealth

MAILBOX = "ymholiadau@council.gov.uk"
SIAN = "sian.evans@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
ADMIN = "it.admin@council.gov.uk"
# Wednesday 25 November 2026, noon.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WELCOME_CY = (
    "Rydym yn croesawu gohebiaeth yn Gymraeg. Byddwn yn ateb gohebiaeth Gymraeg yn Gymraeg, "
    "ac ni fydd gohebu yn Gymraeg yn arwain at oedi."
)
WELCOME_EN = "We welcome correspondence in Welsh."
REPLIED = NOW - timedelta(minutes=5)  # when the officers' replies here were written
MEMBERS = [("Cllr Siân Evans", SIAN, "Llandaf", "cy"), ("Cllr Jo Bloggs", JO, "Castle", "en")]
OFFICERS = [("Sam Patel", SAM, "Priffyrdd", DANA, ""), ("Dana Reed", DANA, "Priffyrdd", "", "")]


def council(home: Path, policy: str, config: str = "") -> Council:
    """Cardiff's people under `policy`, writing as Outlook does: UTF-8, 8-bit, the subject
    an RFC 2047 encoded word."""
    return Council(
        home, name="Cyngor Caerdydd", policy=policy, mailbox=MAILBOX, members=MEMBERS,
        officers=OFFICERS, admins=[ADMIN], threshold=0.0, config=config, message_ids="cy",
        mail_headers=(*PLAIN_UTF8, "Content-Transfer-Encoding: 8bit"), encoded_subjects=True,
    )


@pytest.fixture
def cardiff(tmp_path: Path) -> Iterator[Council]:
    with council(tmp_path / "cardiff", "cardiff") as made:
        yield made


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


def _html(message: EmailMessage) -> str:
    return body_text(message, "html").replace("\r\n", "\n")


SUBJECT = "Twll yn y ffordd ger Ŵyr a'r Bŷs-stop â"


def test_a_welsh_members_letters_name_the_officer_and_welcome_welsh(cardiff: Council) -> None:
    """Welsh Language Standards 6 and 7: the Welsh part names the officer as the English
    part does, and every letter to a member of a Welsh council says Welsh is welcome."""
    out = by_recipient(cardiff.deliver(
        cardiff.mail(f"Cllr Siân Evans <{SIAN}>", SUBJECT, "Mae twll mawr ger yr ysgol.", cc=SAM)
    ))
    ack = out[SIAN]
    # On the wire: 7-bit, the subject RFC 2047-encoded, the bodies quoted-printable UTF-8,
    # so ŵ, ŷ and â survive any relay; decoded, they are as the member wrote them.
    assert all(max(mime) < 128 for _, mime in cardiff.server.outgoing)
    assert str(ack["Subject"]) == f"Re: {SUBJECT} [MB-2026-00001]"
    text, html = _text(ack), _html(ack)
    assert ack.get_body(("plain",)).get_content_charset() == "utf-8"
    assert text.startswith("(English below)\n\nAnnwyl Cllr Siân Evans,")
    assert "a ddaeth i law ar ddydd Mercher 25 Tachwedd 2026" in text
    assert "Bydd Sam Patel (Priffyrdd) yn ymateb erbyn dydd Mercher 9 Rhagfyr 2026." in text
    assert "Sam Patel (Priffyrdd) will respond by Wednesday 9 December 2026." in text
    assert "Bydd Sam Patel (Priffyrdd) yn ymateb erbyn" in html
    assert f'Pwnc eich neges: "{SUBJECT}"' in text and "Ŵyr a&#39;r Bŷs-stop â" in html
    for body in (text, html):
        assert WELCOME_CY in body and WELCOME_EN in body
        assert body.index(WELCOME_CY) < body.index(WELCOME_EN)

    assignment = out[SAM]
    extended = by_recipient(cardiff.deliver(
        cardiff.reply(assignment, SAM, 'EXTEND 5 "mae\'r contractwr yn dod ddydd Llun"',
                      date=REPLIED)
    ))[SIAN]
    text = _text(extended)
    assert "erbyn dydd Mercher 9 Rhagfyr 2026 fel y dywedon ni" in text
    assert "mae'r contractwr yn dod ddydd Llun" in text
    assert "erbyn dydd Mercher 16 Rhagfyr 2026." in text
    assert WELCOME_CY in text and WELCOME_CY in _html(extended)


def test_an_english_member_of_a_welsh_council_is_told_welsh_is_welcome(cardiff: Council) -> None:
    ack = by_recipient(
        cardiff.deliver(cardiff.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole", "A pothole.", cc=SAM))
    )[JO]
    text = _text(ack)
    assert text.startswith("(Cymraeg isod)\n\nDear Cllr Jo Bloggs,")
    assert text.index(WELCOME_EN) < text.index(WELCOME_CY)  # English first, both there


def test_an_english_council_makes_no_welsh_promise_but_names_the_officer(tmp_path: Path) -> None:
    """Wiltshire writes Welsh first to a member who chose Welsh, but is not bound by the
    Standards and promises nothing about answering in Welsh."""
    with council(tmp_path / "wiltshire", "wiltshire") as wiltshire:
        ack = by_recipient(wiltshire.deliver(
            wiltshire.mail(f"Cllr Siân Evans <{SIAN}>", SUBJECT, "Mae twll.", cc=SAM)
        ))[SIAN]
        text = _text(ack)
        assert "Bydd Sam Patel (Priffyrdd) yn ymateb erbyn dydd Mercher 9 Rhagfyr 2026." in text
        assert "croesawu gohebiaeth" not in text and WELCOME_EN not in text


def _parts(text: str) -> tuple[str, str]:
    """(first language part, second) of a bilingual plain-text mail."""
    first, _, second = text.partition("-" * 60)
    return first, second


def test_a_welsh_council_answers_officers_in_both_languages(cardiff: Council) -> None:
    """Cardiff's officer mail is bilingual; so are the routing reason, the answers to
    commands and the list of commands, Welsh first when the member chose Welsh."""
    out = by_recipient(cardiff.deliver(
        cardiff.mail(f"Cllr Siân Evans <{SIAN}>", SUBJECT, "Mae twll mawr ger yr ysgol.", cc=SAM)
    ))
    welsh, english = _parts(_text(out[SAM]))
    assert f"Pam chi:   ysgrifennodd yr aelod at {SAM}" in welsh
    assert f"Why you:   the member wrote to {SAM}" in english
    assert f"ysgrifennodd yr aelod at {SAM}" in _html(out[SAM])

    answer = by_recipient(cardiff.deliver(
        cardiff.reply(out[SAM], SAM, 'EXTEND 5 "aros am y contractwr"', date=REPLIED)
    ))[SAM]
    welsh, english = _parts(_text(answer))
    assert welsh.startswith("(English below)\n\nWedi'i wneud.")
    assert (
        "Dyddiad ymateb MB-2026-00001 nawr yw dydd Mercher 16 Rhagfyr 2026 "
        "(yn lle dydd Mercher 9 Rhagfyr 2026)." in welsh
    )
    assert (
        f'Achos MB-2026-00001 (ymholiad gan Cllr Siân Evans, ward Llandaf: "{SUBJECT}"): ar '
        "agor, ateb erbyn dydd Mercher 16 Rhagfyr 2026" in " ".join(welsh.split())
    )
    assert "The response date of MB-2026-00001 is now Wednesday 16 December 2026" in english
    html = _html(answer)
    assert html.index("Wedi'i wneud.") < html.index("Done.")
    assert "Mae&#39;r aelod wedi cael eich rheswm a&#39;r dyddiad newydd." in html

    refused = by_recipient(
        cardiff.deliver(cardiff.reply(out[SAM], SAM, "EXTEND 99 \"rhy hir\"", date=REPLIED))
    )[SAM]
    welsh, english = _parts(_text(refused))
    assert "Ni chafodd hynny ei weithredu: mae EXTEND yn cymryd rhwng 1 a 60 diwrnod gwaith." in (
        welsh
    )
    assert "That was not applied: EXTEND takes 1 to 60 working days." in english

    jo = by_recipient(
        cardiff.deliver(cardiff.mail(f"Cllr Jo Bloggs <{JO}>", "Bins", "Bins missed.", cc=SAM))
    )
    done = by_recipient(cardiff.deliver(cardiff.reply(jo[SAM], SAM, "DONE", date=REPLIED)))[SAM]
    text = _text(done)
    assert text.startswith("(Cymraeg isod)\n\nDone.")  # English first: Jo chose English
    assert "Mae MB-2026-00002 wedi'i nodi fel wedi'i ateb" in text


def test_an_english_council_answers_officers_in_english_only(tmp_path: Path) -> None:
    with council(tmp_path / "wiltshire", "wiltshire") as wiltshire:
        out = by_recipient(wiltshire.deliver(
            wiltshire.mail(f"Cllr Siân Evans <{SIAN}>", SUBJECT, "Mae twll.", cc=SAM)
        ))
        done = _text(by_recipient(
            wiltshire.deliver(wiltshire.reply(out[SAM], SAM, "DONE", date=REPLIED))
        )[SAM])
        assert done.startswith("Done.\n\nMB-2026-00001 is marked as answered")
        assert "Wedi'i wneud" not in done and "Cymraeg" not in done


def test_a_welsh_council_reminds_an_officer_to_acknowledge_in_both_languages(
    tmp_path: Path,
) -> None:
    """Cardiff with officers acknowledging complaints themselves (as Hackney's protocol
    has it): the one reminder to acknowledge is bilingual, Welsh first for Siân's case."""
    with council(
        tmp_path / "cardiff", "cardiff", '[policy.ack.complaint]\nby = "officer"\n'
    ) as cardiff:
        cardiff.deliver(
            cardiff.mail(
                f"Cllr Siân Evans <{SIAN}>",
                "Cwyn: adroddiadau am dwll yn y ffordd",
                "I wish to make a formal complaint: three reports were ignored and nobody "
                "replied. I want this investigated.",
                cc=SAM,
            )
        )
        friday = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
        jobs.send_reminders(cardiff.app, friday)
        [reminder] = by_recipient(cardiff.flush(friday)).values()
        assert str(reminder["Subject"]) == (
            "Cydnabod heddiw / Acknowledge today: cwyn / complaint - Cllr Siân Evans "
            "[MB-2026-00001]"
        )
        welsh, english = _parts(_text(reminder))
        assert (
            "mae angen cydnabod cwyn MB-2026-00001 gan Cllr Siân Evans heddiw, "
            "dydd Gwener 27 Tachwedd 2026." in welsh
        )
        assert "Derbyniwyd: dydd Mercher 25 Tachwedd 2026" in welsh
        assert "is to be acknowledged today, Friday 27 November 2026." in english
        html = _html(reminder)
        assert html.index("Annwyl") < html.index("Dear") and "Sut i gydnabod" in html


def test_a_welsh_councils_weekly_digest_is_bilingual(tmp_path: Path) -> None:
    """The digest goes to many managers at once (Welsh Language Standard 4's 'same
    correspondence to several persons'): in a bilingual council, every label, date and
    kind in both languages, text and HTML saying the same; the chart has a Welsh alt text."""
    with council(
        tmp_path / "cardiff", "cardiff", f'[digest]\nrecipients = ["{ADMIN}"]\nmanagers = true\n'
    ) as cardiff:
        cardiff.deliver(cardiff.mail(f"Cllr Siân Evans <{SIAN}>", SUBJECT, "Mae twll.", cc=SAM))
        monday = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)  # the case is 3 working days late
        jobs.send_digests(cardiff.app, monday)
        out = by_recipient(cardiff.flush(monday))
        assert set(out) == {ADMIN, DANA}  # the council-wide recipient and Sam's manager
        digest = out[ADMIN]
        assert str(digest["Subject"]) == (
            "Weekly digest / Crynodeb wythnosol, week of Monday 14 December 2026 / wythnos yn "
            "dechrau dydd Llun 14 Rhagfyr 2026: 1 overdue / yn hwyr, "
            "0 due this week / i'w hateb yr wythnos hon"
        )
        text, html = _text(digest), _html(digest)
        assert text.startswith(
            "Member enquiries: weekly digest for the whole council\n"
            "Ymholiadau aelodau: crynodeb wythnosol ar gyfer y cyngor cyfan\n"
            "Week beginning Monday 14 December 2026 (2026-W51)\n"
            "Wythnos yn dechrau dydd Llun 14 Rhagfyr 2026 (2026-W51)\n"
        )
        overdue = (
            "MB-2026-00001  3 wd overdue / diwrnod gwaith yn hwyr  due Wed 9 Dec / erbyn Mer 9 "
            "Rhag  "
            f"Sam Patel (Priffyrdd)  Enquiry / Ymholiad: {SUBJECT}"
        )
        assert overdue in text
        assert "Acknowledgement target / Targed cydnabod: 2 working days / 2 ddiwrnod gwaith" in (
            text
        )
        assert WELCOME_CY not in text  # a staff report, not a letter to a member
        for body in (text, html):
            assert "Overdue / Yn hwyr" in body and "Total / Cyfanswm" in body
            assert "Since mailbot began on" in body and "Ers i mailbot ddechrau ar" in body
        assert "Wythnos yn dechrau dydd Llun 14 Rhagfyr 2026 (2026-W51)" in html
        assert 'alt="Chart: cases opened' in html and "/ Siart: achosion a agorwyd" in html
        assert "Ymholiadau aelodau: crynodeb wythnosol ar gyfer Priffyrdd" in _text(out[DANA])


def _fail() -> None:
    raise TransientError("connection refused by imap.council.gov.uk:993")


def test_a_welsh_councils_mailbox_alert_is_bilingual(cardiff: Council) -> None:
    """Sent to every administrator at once, in both languages; the server's own words
    (the problem and the advice) are given once, in English, and said to be English."""
    health = MailboxHealth(cardiff.app)
    health.run("poll", _fail, NOW)  # 12:00 UTC, 12:00 in London in November
    later = NOW + timedelta(minutes=2)
    # `mailbot flush` by hand during the outage: the alert as queued (one that goes after
    # the outage says it has ended: test_stale_alerts)
    alert = by_recipient(cardiff.flush(later))[ADMIN]
    assert str(alert["Subject"]) == (
        "mailbot cannot use the shared mailbox / Ni all mailbot ddefnyddio'r blwch post a "
        f"rennir {MAILBOX}"
    )
    english, welsh = _parts(_text(alert))
    assert welsh.lstrip().startswith(
        "Ni all mailbot, gwasanaeth ymholiadau aelodau Cyngor Caerdydd, ddefnyddio'r blwch "
        f"post a rennir {MAILBOX} (maildir) ers dydd Mercher 25 Tachwedd 2026 am 12:00 "
        "(amser y DU)."
    )
    assert "Y broblem (yn Saesneg, fel y daeth gan y gweinydd): " in welsh
    assert "connection refused by imap.council.gov.uk:993" in welsh
    assert "since 25 Nov 2026 12:00 (UK time)" in english
    html = _html(alert)
    assert html.index("cannot use the shared mailbox") < html.index("Ni all mailbot")


@pytest.mark.parametrize(
    "thanks",
    ["Diolch am eich ateb", "Diolch o galon, Sam", "Diolch yn fawr am y wybodaeth"],
)
def test_a_welsh_thank_you_after_the_answer_reopens_nothing(cardiff: Council, thanks: str) -> None:
    """A Welsh member's thanks is thanks, as an English 'Thanks for your answer' is: no
    'we have reopened it' letter to the member, no update to the officer."""
    ack = by_recipient(cardiff.deliver(
        cardiff.mail(f"Cllr Siân Evans <{SIAN}>", SUBJECT, "Mae twll mawr.", cc=SAM)
    ))[SIAN]
    answered = NOW + timedelta(days=1)
    cardiff.deliver(
        cardiff.mail(f"Sam Patel <{SAM}>", f"RE: {ack['Subject']}", "Mae wedi'i drwsio.",
                     cc=SIAN, in_reply_to=ack["Message-ID"], date=answered),
        now=answered,
    )
    later = NOW + timedelta(days=2)
    out = by_recipient(cardiff.deliver(
        cardiff.mail(f"Cllr Siân Evans <{SIAN}>", f"Re: {ack['Subject']}", thanks,
                     in_reply_to=ack["Message-ID"], date=later),
        now=later,
    ))
    assert out == {}
    with cardiff.app.store.transaction() as session:
        from mailbot.store.tables import CaseRow

        [case] = session.query(CaseRow).all()
        assert case.status == "responded"
