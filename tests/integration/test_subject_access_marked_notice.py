"""The officer who holds a case is told when someone else marks it as a subject access
request, or takes the mark off: an administrator's `mailbot subject-access REF`, or a
manager's `SAR` reply. Before, the holder was told nothing and learnt of the law's date
from its first reminder, perhaps days before it. The member is sent nothing (decided:
marking sends the member nothing). Real app on the memory mailbox; assertions on the mail
that left, once, and the CLI's output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text
from test_subject_access_reminders import MONTH, SENT
from typer.testing import CliRunner

from mailbot.cli import app as cli

MISSED = ("Mr Brown would like to see whatever the council has written about him over the "
          "years in his housing file. His consent is attached.")


def council(home: Path, pack: str = "wiltshire") -> Council:
    domain = f"{pack}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{domain}", name=f"{pack.title()} Council", policy=pack,
        members=[("Cllr Ann Lee", f"ann@{domain}", "Castle", "en")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", f"pat@{domain}", ""),
                  ("Pat Moss", f"pat@{domain}", "Highways", "", "")],
        threshold=0.0,
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n',
    )


def run(place: Council, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--config", str(place.home / "mailbot.toml")])
    return result.exit_code, result.output


def after_the_cli() -> datetime:
    """A flush time after the CLI's own clock (it marks at the real now)."""
    return datetime.now(UTC) + timedelta(minutes=1)


def words(mail: EmailMessage, subtype: str = "plain") -> str:
    return " ".join(body_text(mail, subtype).split())


def missed_request(place: Council, pack: str = "wiltshire") -> str:
    place.deliver(place.mail(f"Cllr Ann Lee <ann@{pack}.gov.uk>", "Mr Brown", MISSED,
                             date=SENT), SENT)
    case = place.case()
    assert not case.subject_access and case.officer_email == f"sam@{pack}.gov.uk"
    return case.ref


def test_the_holder_is_told_when_an_administrator_marks_and_unmarks(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        ref = missed_request(place)
        code, output = run(place, "subject-access", ref, "--by", "Dee Okafor")
        assert code == 0, output
        later = after_the_cli()
        [notice] = place.flush(later)
        assert notice["To"] == "sam@wiltshire.gov.uk"
        assert notice["Subject"] == f"Now a subject access request: Mr Brown [{ref}]"
        text = words(notice)
        assert (f"Dee Okafor has marked {ref} (the enquiry from Cllr Ann Lee, Castle ward: "
                "\"Mr Brown\") as a subject access request (UK GDPR Article 15)") in text
        assert (f"data protection law's one calendar month from receipt ends on {MONTH}"
                ) in text
        assert "It stays with you" in text
        assert "The member has not been written to" in text
        assert "reply SAR NO" in text
        html = words(notice, "html")
        assert MONTH in html and "SAR NO" in html and "Dee Okafor" in html
        # Once: a second flush sends nothing more, and marking again changes nothing.
        assert place.flush(later + timedelta(minutes=5)) == []
        assert "nothing changed" in run(place, "subject-access", ref, "--by", "Dee Okafor")[1]
        assert place.flush(later + timedelta(minutes=10)) == []

        code, output = run(place, "subject-access", ref, "--not", "--by", "Dee Okafor")
        assert code == 0, output
        [cleared] = place.flush(after_the_cli() + timedelta(minutes=15))
        assert cleared["To"] == "sam@wiltshire.gov.uk"
        assert cleared["Subject"] == f"No longer a subject access request: Mr Brown [{ref}]"
        text = words(cleared)
        assert (f"Dee Okafor has taken the subject access request mark off {ref}") in text
        assert "no reminders of data protection law's date will be sent" in text
        assert "reply SAR" in text
        assert place.flush(after_the_cli() + timedelta(minutes=20)) == []


def test_the_holder_is_told_when_their_manager_marks_by_reply(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        ref = missed_request(place)
        later = SENT + timedelta(hours=2)
        out = place.deliver(place.mail("Pat Moss <pat@wiltshire.gov.uk>", f"Mr Brown [{ref}]",
                                       "SAR", date=later), later)
        assert sorted(str(m["To"]) for m in out) == ["pat@wiltshire.gov.uk",
                                                     "sam@wiltshire.gov.uk"]
        [notice] = [m for m in out if m["To"] == "sam@wiltshire.gov.uk"]
        assert notice["Subject"] == f"Now a subject access request: Mr Brown [{ref}]"
        assert f"Pat Moss has marked {ref}" in words(notice)
        [reply] = [m for m in out if m["To"] == "pat@wiltshire.gov.uk"]
        assert f"{ref} is now marked as a subject access request" in words(reply)
        # Pat is told who holds it and that Sam has been told, not that Pat is reminded.
        assert "you will be reminded" not in words(reply)
        assert ("It stays with its officer, Sam Patel, who has been sent a notice of it and "
                "will be reminded of that date") in words(reply)
        # The holder undoes it by replying to the notice.
        out = place.deliver(place.reply(notice, "sam@wiltshire.gov.uk", "SAR NO",
                                        date=later + timedelta(hours=1)),
                            later + timedelta(hours=1))
        assert not place.case(ref).subject_access
        # Sam took it off himself: only his own confirmation, no notice.
        assert [str(m["To"]) for m in out] == ["sam@wiltshire.gov.uk"]
        assert "is no longer marked" in words(out[0])
        assert "has been sent a notice" not in words(out[0])
        # Pat marks it again and Pat's own mark is taken off by Pat: Sam is told of both.
        again = later + timedelta(hours=2)
        place.deliver(place.mail("Pat Moss <pat@wiltshire.gov.uk>", f"Mr Brown [{ref}]",
                                 "SAR", date=again), again)
        out = place.deliver(place.mail("Pat Moss <pat@wiltshire.gov.uk>", f"Mr Brown [{ref}]",
                                       "SAR NO", date=again + timedelta(hours=1)),
                            again + timedelta(hours=1))
        [reply] = [m for m in out if m["To"] == "pat@wiltshire.gov.uk"]
        assert "Sam Patel, who holds it, has been sent a notice of it" in words(reply)


def test_the_welsh_notice(tmp_path: Path) -> None:
    with council(tmp_path, "cardiff") as place:
        ref = missed_request(place, "cardiff")
        code, output = run(place, "subject-access", ref, "--by", "Dee Okafor")
        assert code == 0, output
        [notice] = place.flush(after_the_cli())
    assert notice["To"] == "sam@cardiff.gov.uk"
    text = words(notice)
    assert f"Dee Okafor has marked {ref}" in text
    assert (f"Mae Dee Okafor wedi marcio {ref}") in text
    assert "dydd Mawrth 29 Rhagfyr 2026" in text and MONTH in text
    assert "SAR NO" in words(notice, "html")


def test_the_welsh_confirmation_to_a_manager_names_the_officer(tmp_path: Path) -> None:
    with council(tmp_path, "cardiff") as place:
        ref = missed_request(place, "cardiff")
        later = SENT + timedelta(hours=2)
        out = place.deliver(place.mail("Pat Moss <pat@cardiff.gov.uk>", f"Mr Brown [{ref}]",
                                       "SAR", date=later), later)
        [reply] = [m for m in out if m["To"] == "pat@cardiff.gov.uk"]
    text = words(reply)
    assert ("Mae'n aros gyda'i swyddog, Sam Patel, sydd wedi cael hysbysiad amdano ac a "
            "gaiff ei atgoffa o'r dyddiad hwnnw") in text
    assert "Cewch eich atgoffa" not in text and "you will be reminded" not in text


PAUSED = SENT + timedelta(hours=1)
CLOCK_PAUSED = ("The protocol's response clock is paused (waiting for the archive to send "
                "the file, since Friday 27 November 2026): it has no reply-by date until it "
                "runs again")


def _paused_by_sam(place: Council, pack: str = "wiltshire") -> str:
    ref = missed_request(place, pack)
    out = place.deliver(place.mail(f"Sam Patel <sam@{pack}.gov.uk>", f"Mr Brown [{ref}]",
                                   'PAUSE "waiting for the archive to send the file"',
                                   date=PAUSED), PAUSED)
    assert place.case(ref).status == "paused", [words(m) for m in out]
    return ref


def test_the_notice_of_a_paused_case_says_its_clock_is_paused(tmp_path: Path) -> None:
    """The notice said 'The protocol's reply-by date is still ...' of a running clock and
    nothing at all of a paused one: the holder was not told that the protocol's clock was
    stopped while the law's month runs. Now it says so, with the pause's reason and day,
    as the assignment and the law's reminders do."""
    with council(tmp_path) as place:
        ref = _paused_by_sam(place)
        code, output = run(place, "subject-access", ref, "--by", "Dee Okafor")
        assert code == 0, output
        [notice] = place.flush(after_the_cli())
        for subtype in ("plain", "html"):
            text = words(notice, subtype)
            assert (f"{CLOCK_PAUSED}, but data protection law's month does not stop with "
                    "it.") in text.replace("&#39;", "'")
            assert "reply-by date is still" not in text
        code, output = run(place, "subject-access", ref, "--not", "--by", "Dee Okafor")
        assert code == 0, output
        [cleared] = place.flush(after_the_cli() + timedelta(minutes=15))
        assert f"{CLOCK_PAUSED}." in words(cleared)
        assert "law's month does not stop" not in words(cleared)


def test_the_notice_of_a_running_clock_still_gives_its_date(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        ref = missed_request(place)
        run(place, "subject-access", ref, "--by", "Dee Okafor")
        [notice] = place.flush(after_the_cli())
    assert "The protocol's reply-by date is still Friday 11 December 2026." in words(notice)
    assert "is paused" not in words(notice)


def test_the_welsh_notice_of_a_paused_case(tmp_path: Path) -> None:
    with council(tmp_path, "cardiff") as place:
        ref = _paused_by_sam(place, "cardiff")
        run(place, "subject-access", ref, "--by", "Dee Okafor")
        [notice] = place.flush(after_the_cli())
    text = words(notice)
    assert ("Mae cloc ymateb y protocol wedi'i oedi (waiting for the archive to send the "
            "file, ers dydd Gwener 27 Tachwedd 2026): nid oes ganddo ddyddiad ateb nes iddo "
            "redeg eto, ond nid yw mis cyfraith diogelu data yn stopio gydag ef.") in text
    assert CLOCK_PAUSED in text
