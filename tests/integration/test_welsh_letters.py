"""Welsh wording in letters as they leave a bilingual council (Cardiff, policy language
"cy-en"): judged on the MIME that left the memory mailbox, decoded as a mail client would."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, by_recipient

D = "cardiff.gov.uk"
SIAN, SAM, DANA = f"sian.evans@{D}", f"sam.patel@{D}", f"dana.reed@{D}"
COMPLAINTS = "complaints@cardiff.example"  # where Cardiff's pack sends complaints
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_complaint_the_officer_must_acknowledge_is_yn_gwyn_mutated(tmp_path: Path) -> None:
    """Cardiff with officers acknowledging complaints themselves: the assignment to the
    complaints contact says "Mae hwn yn gŵyn" (soft mutation after predicative "yn"),
    not "yn cwyn"."""
    with Council(
        tmp_path, name="Cyngor Caerdydd", policy="cardiff", mailbox=f"ymholiadau@{D}",
        members=[("Cllr Siân Evans", SIAN, "Llandaf", "cy")],
        officers=[("Sam Patel", SAM, "Priffyrdd", DANA, ""), ("Dana Reed", DANA, "", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8, config='[policy.ack.complaint]\nby = "officer"\n',
    ) as cardiff:
        out = by_recipient(cardiff.deliver(cardiff.mail(
            f"Cllr Siân Evans <{SIAN}>", "Cwyn: adroddiadau am dwll yn y ffordd",
            "I wish to make a formal complaint: three reports were ignored and nobody "
            "replied. I want this investigated.", cc=SAM, date=NOW), NOW))
    for subtype in ("plain", "html"):
        words = " ".join(unescape(body_text(out[COMPLAINTS], subtype)).split())
        assert "Mae hwn yn gŵyn. O dan brotocol" in words
        assert "yn cwyn" not in words


def test_mail_in_a_welsh_members_name_that_may_be_forged_says_why_in_welsh(
    tmp_path: Path,
) -> None:
    """The headline of the officer's mail gives the receiving server's reason in each
    language: the Welsh part read "(dmarc=fail in Authentication-Results: the sender's
    domain disowns this mail)" inside a Welsh sentence."""
    with Council(
        tmp_path, name="Cyngor Caerdydd", policy="cardiff", mailbox=f"ymholiadau@{D}",
        members=[("Cllr Siân Evans", SIAN, "Llandaf", "cy")],
        officers=[("Sam Patel", SAM, "Priffyrdd", DANA, ""), ("Dana Reed", DANA, "", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as cardiff:
        out = by_recipient(cardiff.deliver(cardiff.mail(
            f"Cllr Siân Evans <{SIAN}>", "Twll yn y ffordd", "Mae twll mawr ger yr ysgol.",
            cc=SAM, date=NOW,
            extra=f"Authentication-Results: mx.{D}; dmarc=fail header.from={D}"), NOW))
    assert SIAN not in out  # not acknowledged: it may not be hers
    text = body_text(out[SAM], "plain").replace("\r\n", "\n")
    welsh, _, english = text.partition("-" * 60)
    assert ("Ni ellid gwirio bod y neges hon yn enw Cllr Siân Evans yn dod ganddynt "
            "(dmarc=fail yn Authentication-Results: nid yw parth yr anfonwr yn arddel y neges "
            "hon), felly gallai fod yn ffug") in " ".join(welsh.split())
    assert "disowns" not in welsh
    assert ("(dmarc=fail in Authentication-Results: the sender's domain disowns this mail)"
            in " ".join(english.split()))
