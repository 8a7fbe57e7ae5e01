"""What the officer's acknowledgement must contain (`[ack.KIND] must_say`): Hackney's
protocol (11.3) says the Director acknowledges a complaint saying what action will be taken
or how long an investigation takes; another council that makes the officer acknowledge is
not made to claim the same of its own protocol. Real app on the memory mailbox; the
assertions are on the mail that left."""

from __future__ import annotations

from pathlib import Path

from helpers import Council, body_text

JO = "jo.bloggs@council.gov.uk"
SIAN = "sian.evans@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
MEMBERS = [("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Siân Evans", SIAN, "Llandaff", "cy")]
OFFICERS = [("Sam Patel", SAM, "highways", DANA, ""), ("Dana Reed", DANA, "highways", "", "")]
HACKNEY_WORDS = ("investigation", "ymchwil")


def _council(home: Path, policy: str, config: str = "") -> Council:
    return Council(
        home, name="Test Council", policy=policy, mailbox="memberenquiries@council.gov.uk",
        members=MEMBERS, officers=OFFICERS, threshold=0.0,
        config='[routing]\ndefault_officer = "triage@council.gov.uk"\n' + config,
    )


def _complaint(council: Council, sender: str) -> dict[str, str]:
    out = council.deliver(council.mail(
        sender, "Complaint about how my pothole reports were handled",
        "I wish to make a formal complaint: three reports were ignored. I want this "
        "investigated.", cc=SAM,
    ))
    return {str(m["To"]): body_text(m, "plain") + body_text(m, "html") for m in out}


def test_a_pack_without_must_say_claims_nothing_of_its_protocol(tmp_path: Path) -> None:
    officer_acks = '[policy.ack.complaint]\nby = "officer"\n'
    with _council(tmp_path, "cardiff", officer_acks) as cardiff:
        sent = _complaint(cardiff, f"Cllr Siân Evans <{SIAN}>")
        member = sent.pop(SIAN)
        [officer] = [text for text in sent.values() if "must acknowledge" in text]
        assert "will acknowledge it by" in member and "yn cydnabod y gŵyn erbyn" in member
        assert "must acknowledge it by" in officer
        for words in HACKNEY_WORDS:
            assert words not in member.replace("I want this investigated", "")
            assert words not in officer.split("> I wish")[0]


def test_hackney_says_what_its_protocol_asks_in_both_mails(tmp_path: Path) -> None:
    with _council(tmp_path, "hackney") as hackney:
        sent = _complaint(hackney, f"Cllr Jo Bloggs <{JO}>")
        assert "saying whether action will be taken or how long an investigation needs" in (
            sent[JO])
        [officer] = [text for to, text in sent.items() if to != JO]
        assert "saying whether action will be taken or how long an investigation needs" in (
            officer)


def test_a_pack_s_own_must_say_is_what_member_and_officer_read(tmp_path: Path) -> None:
    own = ('[policy.ack.complaint]\nby = "officer"\n'
           'must_say = "naming who will look into it"\n'
           'must_say_cy = "gan enwi pwy fydd yn edrych arni"\n')
    with _council(tmp_path, "cardiff", own) as cardiff:
        sent = _complaint(cardiff, f"Cllr Siân Evans <{SIAN}>")
        member = sent.pop(SIAN)
        assert "naming who will look into it" in member
        assert "gan enwi pwy fydd yn edrych arni" in member
        [officer] = [text for text in sent.values() if "must acknowledge" in text]
        assert "naming who will look into it" in officer
        assert "gan enwi pwy fydd yn edrych arni" in officer
        assert "investigation" not in officer.split("> I wish")[0]
