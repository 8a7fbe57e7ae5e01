"""Mail passed on as an attachment that mailbot reads (an Outlook .msg, an attached email,
winmail.dat) but cannot, under a covering note from the member: the officer's assignment
names the file and says to open the original, since the note quoted may be all they see.
Every assertion is on the assignment that left, decoded as a mail client would."""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient
from outlook_msg_file import outlook_msg, outlook_msg_streams
from tnef_file import mapi_props, rtf_letter, tnef_object, winmail

from mailbot.attached_mail import MAX_ATTACHED_MESSAGES, MAX_FORWARD_DEPTH
from mailbot.model import ParsedMessage, UnreadAttachment
from mailbot.parse import MAX_UNREAD_LISTED, parse_message
from mailbot.tnef import MAX_RTF_BYTES

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SIAN = "sian.evans@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
MEMBERS = [("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Siân Evans", SIAN, "Llandaf", "cy")]
OFFICERS = [("Sam Patel", SAM, "Highways", "", "")]
NOTE = "Please see the email below from a resident about the streetlight."
LETTER = "The streetlight on Bryn Road has been out for three weeks."
GOOD_MSG = outlook_msg(subject="Streetlight", body=LETTER)
RESIDENTS_MAIL = (
    "From: Pat Resident <pat@example.net>\nSubject: Streetlight\n"
    f"Date: Mon, 23 Nov 2026 08:00:00 +0000\n\n{LETTER}\n"
).encode()


def _part(headers: str, payload: bytes) -> str:
    return f"--b1\r\n{headers}\r\n\r\n{payload.decode('ascii')}\r\n"


def msg_part(item: bytes, name: str = "Streetlight.msg") -> str:
    """An Outlook item dragged into a new mail, as Outlook attaches it."""
    return _part(
        f'Content-Type: application/vnd.ms-outlook; name="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="{name}"',
        base64.encodebytes(item),
    )


def rfc822_part(encoded: bytes) -> str:
    """An attached email as some gateways send it, base64 encoded (against RFC 2046)."""
    return _part(
        "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment",
        encoded,
    )


# A gateway's size limit cut the attached email off in the middle of its base64.
CUT_RFC822 = base64.encodebytes(RESIDENTS_MAIL)[:45]


def mail(council: Council, sender: str, *parts: str, note: str = NOTE) -> bytes:
    body = _part('Content-Type: text/plain; charset="utf-8"', note.encode()) + "".join(parts)
    return council.mail(
        sender, "Streetlight on Bryn Road", body + "--b1--", cc=SAM,
        extra='MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"',
    )


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(tmp_path / "w", mailbox=MAILBOX, members=MEMBERS, officers=OFFICERS,
                 threshold=0.0) as made:
        yield made


@pytest.fixture
def cardiff(tmp_path: Path) -> Iterator[Council]:
    with Council(tmp_path / "c", name="Cyngor Caerdydd", policy="cardiff", mailbox=MAILBOX,
                 members=MEMBERS, officers=OFFICERS, threshold=0.0) as made:
        yield made


def assignment(council: Council, raw: bytes) -> tuple[str, str]:
    """The officer's assignment for this mail: its plain text (unwrapped) and its HTML."""
    sent = by_recipient(council.deliver(raw))[SAM]
    return " ".join(body_text(sent, "plain").split()), " ".join(body_text(sent, "html").split())


OPEN_IT = f"Open the original in the shared mailbox ({MAILBOX}) to read it."


def test_a_broken_msg_under_a_covering_note_is_named_to_the_officer(council: Council) -> None:
    text, html = assignment(council, mail(council, JO, msg_part(GOOD_MSG[: len(GOOD_MSG) // 2])))
    assert (
        'mailbot could not read the attachment "Streetlight.msg", so it is missing from this'
        " email and the member's message quoted here may be only a covering note. " + OPEN_IT
    ) in text
    assert "mailbot could not read the attachment &ldquo;Streetlight.msg&rdquo;" in html
    assert NOTE in text  # the covering note is still quoted


def test_a_cut_attached_email_is_named_and_its_base64_not_quoted(council: Council) -> None:
    text, _ = assignment(council, mail(council, JO, rfc822_part(CUT_RFC822)))
    assert "mailbot could not read an attached email, so it is missing" in text
    assert OPEN_IT in text
    assert CUT_RFC822.decode().strip()[:20] not in text  # no block of base64 for the officer


def test_what_was_read_is_quoted_and_what_was_not_is_named(council: Council) -> None:
    text, _ = assignment(council, mail(
        council, JO, msg_part(GOOD_MSG, "Good.msg"), msg_part(b"%PDF-1.7 " * 50, "Bad.msg"),
    ))
    assert LETTER in text
    assert 'mailbot could not read the attachment "Bad.msg", so it is missing' in text
    assert "Good.msg" not in text


def test_attachments_that_were_read_give_no_such_line(council: Council) -> None:
    text, _ = assignment(council, mail(
        council, JO, msg_part(GOOD_MSG), rfc822_part(base64.encodebytes(RESIDENTS_MAIL)),
    ))
    assert text.count(LETTER) == 2
    assert "could not read" not in text and "shared mailbox (" not in text


def test_the_welsh_part_names_the_attachment_too(cardiff: Council) -> None:
    text, html = assignment(cardiff, mail(
        cardiff, SIAN, rfc822_part(CUT_RFC822), msg_part(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk"),
        note="Gweler yr e-bost isod gan breswylydd.",
    ))
    assert (
        'Ni allai mailbot ddarllen e-bost atodedig, yr atodiad "Streetlight.msg", felly maen nhw'
        " ar goll o'r e-bost hwn, ac efallai mai dim ond nodyn eglurhaol yw neges yr aelod a"
        f" ddyfynnir yma. Agorwch y neges wreiddiol yn y blwch post a rennir ({MAILBOX}) i'w"
        " darllen."
    ) in text
    assert "e-bost atodedig, yr atodiad &ldquo;Streetlight.msg&rdquo;, felly maen nhw" in html
    assert (
        'mailbot could not read an attached email, the attachment "Streetlight.msg", so they'
        " are missing from this email"
    ) in text


def test_an_unreadable_winmail_dat_beside_the_text_is_named() -> None:
    raw = (
        "From: Jo <jo@council.gov.uk>\nSubject: Bins\nMessage-ID: <w@x>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n'
        "--b1\nContent-Type: text/plain\n\nThe bins were not emptied.\n"
        "--b1\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{base64.b64encode(b'not TNEF at all').decode()}\n--b1--\n"
    ).encode()
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert message.text.strip() == "The bins were not emptied."
    assert message.unread_attachments == [UnreadAttachment("winmail.dat")]


# Past mailbot's limits (MAX_ATTACHED_MESSAGES attached emails per message, MAX_FORWARD_DEPTH
# forwards deep) the rest are not read: the officer is told which, and why, as for a broken one.
TOO_MANY = f"(not read: more than {MAX_ATTACHED_MESSAGES} attached emails)"
TOO_DEEP = f"(not read: attached more than {MAX_FORWARD_DEPTH} emails deep)"


def resident_mail(subject: str, words: str, inner: bytes = b"") -> bytes:
    """A resident's email as an attached message/rfc822, itself carrying `inner` if given."""
    head = f"From: Pat Resident <pat@example.net>\nSubject: {subject}\n"
    if not inner:
        return f"{head}Date: Mon, 23 Nov 2026 08:00:00 +0000\n\n{words}\n".encode()
    return (
        f'{head}MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="{subject}"\n\n'
        f"--{subject}\nContent-Type: text/plain\n\n{words}\n"
        f"--{subject}\nContent-Type: message/rfc822\n\n"
    ).encode() + inner + f"\n--{subject}--\n".encode()


def test_attached_emails_past_the_limit_are_named_with_the_reason(council: Council) -> None:
    count = MAX_ATTACHED_MESSAGES + 2
    parts = [rfc822_part(base64.encodebytes(resident_mail(f"Letter {n}", f"Words {n}.")))
             for n in range(1, count + 1)]
    text, html = assignment(council, mail(council, JO, *parts))
    assert all(f"Words {n}." in text for n in range(1, MAX_ATTACHED_MESSAGES + 1))
    assert f"Words {count}." not in text
    assert (
        f'mailbot could not read the attachment "Letter {count - 1}" {TOO_MANY}, the attachment'
        f' "Letter {count}" {TOO_MANY}, so they are missing from this email'
    ) in text
    assert f"the attachment &ldquo;Letter {count}&rdquo; {TOO_MANY}" in html


def test_an_email_attached_too_deep_is_named_with_the_reason(council: Council) -> None:
    inner = resident_mail("Deepest", "The deepest words.")
    for level in range(MAX_FORWARD_DEPTH, 0, -1):
        inner = resident_mail(f"Level {level}", f"Words at level {level}.", inner)
    text, _ = assignment(council, mail(council, JO, rfc822_part(base64.encodebytes(inner))))
    assert f"Words at level {MAX_FORWARD_DEPTH}." in text
    assert "The deepest words." not in text
    assert f'mailbot could not read the attachment "Deepest" {TOO_DEEP}, so it is missing' in text


def test_outlook_items_past_the_limit_are_named_too(council: Council) -> None:
    count = MAX_ATTACHED_MESSAGES + 1
    items = tuple(outlook_msg_streams(subject=f"Item {n}", body=f"Item words {n}.", embedded=True)
                  for n in range(1, count + 1))
    text, _ = assignment(council, mail(council, JO, msg_part(outlook_msg(
        subject="Bundle", body="Here they all are.", attached=items))))
    assert "Item words 1." in text and f"Item words {count}." not in text
    assert f"mailbot could not read an attached email {TOO_MANY}, so it is missing" in text


def test_the_welsh_part_gives_the_reason_too(cardiff: Council) -> None:
    count = MAX_ATTACHED_MESSAGES + 1
    parts = [rfc822_part(base64.encodebytes(resident_mail(f"Llythyr {n}", f"Geiriau {n}.")))
             for n in range(1, count + 1)]
    text, _ = assignment(cardiff, mail(cardiff, SIAN, *parts, note="Gweler isod."))
    assert (
        f'Ni allai mailbot ddarllen yr atodiad "Llythyr {count}" (heb ei ddarllen: mwy na'
        f" {MAX_ATTACHED_MESSAGES} e-bost atodedig), felly mae ar goll"
    ) in text


def _tnef(letter: str, *attachments: bytes) -> bytes:
    """A winmail.dat as Outlook writes one: the letter in the message's MAPI properties, then
    each attachment's objects."""
    body = (letter + "\0").encode("utf-16-le")
    body += b"\0" * (-len(body) % 4)
    props = struct.pack("<I", 1) + struct.pack("<HHII", 0x001F, 0x1000, 1,
                                               len(letter) * 2 + 2) + body
    return winmail(tnef_object(1, 0x9003, 0x0006, props), *attachments)


def _tnef_attachment(title: str, data: bytes, *, method: int = 1) -> bytes:
    """One attachment: rendering data, its title, its bytes, and its MAPI properties
    (PR_ATTACH_METHOD: 1 a file, 5 an Outlook item embedded as a message)."""
    mapi = struct.pack("<I", 1) + struct.pack("<HHI", 0x0003, 0x3705, method)
    return (
        tnef_object(2, 0x9002, 0x0006, b"\0" * 14)
        + tnef_object(2, 0x8010, 0x0001, title.encode("cp1252") + b"\0")
        + tnef_object(2, 0x800F, 0x0006, data)
        + tnef_object(2, 0x9005, 0x0006, mapi)
    )


def winmail_part(data: bytes) -> str:
    return _part(
        'Content-Type: application/ms-tnef; name="winmail.dat"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="winmail.dat"',
        base64.encodebytes(data),
    )


def test_an_email_inside_winmail_dat_is_named(council: Council) -> None:
    data = _tnef(
        "Please see the two emails from residents attached.",
        _tnef_attachment("Resident letter.eml", RESIDENTS_MAIL),
        _tnef_attachment("Streetlight", b"\0" * 40, method=5),
        _tnef_attachment("Plan.pdf", b"%PDF-1.7 plan"),
    )
    text, _ = assignment(council, mail(council, JO, winmail_part(data), note=""))
    assert "Please see the two emails from residents attached." in text
    assert (
        'mailbot could not read the attachment "Resident letter.eml" (not read: an email inside'
        ' winmail.dat), the attachment "Streetlight" (not read: an email inside winmail.dat),'
        " so they are missing from this email"
    ) in text
    assert "Plan.pdf" not in text


# All the Rich Text (RTF) letters in one mail are read from one budget (mailbot.tnef's
# RtfBudget): what is past it is read in part or not at all, and named with the reason.
TOO_MUCH_RTF = "(not read in full: more Rich Text than mailbot reads in one email)"


def rtf_mail_part(n: int, picture_bytes: int) -> str:
    """A resident's email passed on as an attachment, its letter (with a photo pasted in)
    only in winmail.dat as compressed RTF."""
    data = winmail(mapi_props(0x0102, 0x1009, rtf_letter(n, picture_bytes)))
    inner = (
        f"From: Pat Resident <pat@example.net>\nSubject: Bins {n}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="w"\n\n--w\n'
        'Content-Type: application/ms-tnef; name="winmail.dat"\n'
        "Content-Transfer-Encoding: base64\n\n"
    ).encode() + base64.encodebytes(data) + b"--w--\n"
    return rfc822_part(base64.encodebytes(inner))


def test_rtf_letters_past_the_mails_budget_are_named_with_the_reason(council: Council) -> None:
    """Two letters of 400 KB are quoted in full; the third only in part, and the Outlook
    item after it not at all: the officer is told to open both in the original."""
    item = outlook_msg(subject="Bins 4", rtf_compressed=rtf_letter(4, 400_000))
    parts = [rtf_mail_part(n, 400_000) for n in (1, 2, 3)]
    text, html = assignment(council, mail(council, JO, *parts, msg_part(item, "Bins 4.msg")))
    assert NOTE in text
    for n in (1, 2):
        assert f"Letter {n}: the bins on Bryn Road were not emptied." in text
        assert f"End of letter {n}." in text
    assert "Letter 3: the bins" in text and "End of letter 3." not in text
    assert "Letter 4: the bins" not in text
    assert (
        f'mailbot could not read the attachment "winmail.dat" {TOO_MUCH_RTF}, the attachment'
        f' "Bins 4.msg" {TOO_MUCH_RTF}, so they are missing from this email'
    ) in text
    assert f"the attachment &ldquo;Bins 4.msg&rdquo; {TOO_MUCH_RTF}" in html


def test_an_rtf_letter_within_the_budget_gives_no_such_line(council: Council) -> None:
    item = outlook_msg(subject="Bins 2", rtf_compressed=rtf_letter(2, 20_000))
    text, _ = assignment(council, mail(council, JO, rtf_mail_part(1, 20_000), msg_part(item)))
    for n in (1, 2):
        assert f"Letter {n}: the bins on Bryn Road were not emptied." in text
        assert f"End of letter {n}." in text
    assert "could not read" not in text and "shared mailbox (" not in text


def test_the_welsh_part_says_the_rtf_was_not_read_in_full(cardiff: Council) -> None:
    text, _ = assignment(cardiff, mail(
        cardiff, SIAN, rtf_mail_part(1, MAX_RTF_BYTES + 1000), note="Gweler isod."))
    assert "Letter 1: the bins" in text and "End of letter 1." not in text
    assert (
        'Ni allai mailbot ddarllen yr atodiad "winmail.dat" (heb ei ddarllen yn llawn: mwy o'
        " Destun Cyfoethog nag y mae mailbot yn ei ddarllen mewn un e-bost), felly mae ar goll"
    ) in text


# The kind of a case passed on under a covering note is the kind of what was passed on
# (a resident's FOI request, a complaint): when that could not be read, the kind rests on
# the note alone and is a guess, so the case goes to triage (the member is still answered).
@pytest.fixture
def council_with_triage(tmp_path: Path) -> Iterator[Council]:
    with Council(tmp_path / "t", mailbox=MAILBOX, members=MEMBERS, officers=OFFICERS,
                 threshold=0.5) as made:
        yield made


@pytest.mark.parametrize("unread", [
    msg_part(GOOD_MSG[: len(GOOD_MSG) // 2]), rfc822_part(CUT_RFC822),
])
def test_a_kind_judged_from_the_covering_note_alone_goes_to_triage(
    council_with_triage: Council, unread: str
) -> None:
    council = council_with_triage
    sent = by_recipient(council.deliver(mail(council, JO, unread)))
    case = council.case()
    assert case.status == "needs_triage" and case.confidence <= 0.2
    assert JO in sent and SAM in sent  # acknowledged, and the officer told what to open


def test_attached_mail_that_was_read_leaves_the_kind_to_the_classifier(
    council_with_triage: Council,
) -> None:
    council = council_with_triage
    council.deliver(mail(council, JO, rfc822_part(base64.encodebytes(RESIDENTS_MAIL))))
    case = council.case()
    assert case.status == "open" and case.confidence >= 0.5


def test_thousands_of_attached_emails_name_only_the_first_few(council: Council) -> None:
    many = "".join(rfc822_part(base64.encodebytes(RESIDENTS_MAIL)) for _ in range(500))
    raw = mail(council, JO, many)
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert len(message.unread_attachments) == MAX_UNREAD_LISTED
    sent = by_recipient(council.deliver(raw))[SAM]
    assert len(body_text(sent, "plain")) < 20_000
