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
