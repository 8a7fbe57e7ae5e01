"""`mailbot digest` run by hand (an administrator trying the digest before the managers
get it): what it writes and what it says must be what the daemon's job would send.

The command reads the clock, so the dates here are worked out from today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, by_recipient, parse_sent
from typer.testing import CliRunner

from mailbot import jobs
from mailbot.cli import app as cli

MAILBOX = "memberenquiries@wiltshire.gov.uk"
JO = "jo.bloggs@wiltshire.gov.uk"
SAM = "sam.patel@wiltshire.gov.uk"
DANA = "dana.reed@wiltshire.gov.uk"
CHIEF = "chief.executive@wiltshire.gov.uk"


def council(home: Path, digest_table: str, manager: str = DANA) -> Council:
    return Council(
        home, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", manager, "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n{digest_table}',
        mail_headers=PLAIN_UTF8,
    )


def mailbot(place: Council, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, [*args, "--config", str(place.home / "mailbot.toml")])
    return result.exit_code, result.output.splitlines()


def test_a_preview_after_closure_days_were_added_shows_the_due_dates_they_give(
    tmp_path: Path,
) -> None:
    """An enquiry received five weeks ago is overdue. The council then adds closure days
    from the day after it came to three weeks from now (a long closure, to be sure of it
    whatever today is), and the administrator previews the digest before the daemon's
    next job. The preview listed the case as overdue by the date stored before the
    closure ('0 wd overdue', counted on the new calendar); the daemon's digest would work
    the date out again first. Now the preview does too: nothing overdue, the case due
    after the closure; and, a preview, it writes none of it (the stored date is moved by
    the next real run)."""
    today = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    received = today - timedelta(days=35)
    closure_end = (today + timedelta(days=21)).date()
    with council(tmp_path, f'[digest]\nrecipients = ["{CHIEF}"]\nmanagers = false\n') as place:
        left = by_recipient(place.deliver(
            place.mail(JO, "Pothole on Castle Road", "A deep one by no. 12.", date=received),
            received))
        assert SAM in left
        jobs.send_reminders(place.app, received + timedelta(hours=1))  # as the daemon does
        assert place.case().response_due < today.date()
        config = place.home / "mailbot.toml"
        config.write_text(
            config.read_text(encoding="utf-8")
            + f'[policy.calendar]\nclosures = [{{ start = {(received + timedelta(days=1)).date()}, '
            f'end = {closure_end}, name = "Office move" }}]\n', encoding="utf-8")
        preview = tmp_path / "preview.eml"
        code, output = mailbot(place, "digest", "--preview", "--out", str(preview))
        assert code == 0, output
        message = parse_sent(preview.read_bytes())
        text = body_text(message, "plain")
        assert "0 overdue" in str(message["Subject"])
        assert "Overdue (0)" in text
        assert "wd overdue" not in text
        assert place.case().response_due < today.date()  # as stored: the preview wrote nothing


def test_with_no_one_to_send_it_to_the_command_says_so(tmp_path: Path) -> None:
    """No [digest] recipients and no officer with a manager_email: no digest is sent (as
    docs/digest.md says). The command said 'this week's digests were already queued',
    sending an administrator to look for mail that never existed."""
    with council(tmp_path, "[digest]\nrecipients = []\n", manager="") as place:
        code, lines = mailbot(place, "digest")
    assert code == 0, lines
    assert lines == [
        "no digest queued: no one to send it to ([digest] recipients is empty, and no "
        "officer in officers.csv has a manager_email)"
    ]


def test_with_managers_turned_off_and_no_recipients_the_command_says_so(
    tmp_path: Path,
) -> None:
    with council(tmp_path, "[digest]\nrecipients = []\nmanagers = false\n") as place:
        code, lines = mailbot(place, "digest")
    assert code == 0, lines
    assert lines == [
        "no digest queued: no one to send it to ([digest] recipients is empty, and "
        "managers = false)"
    ]


def test_a_preview_can_show_each_recipients_own_digest(tmp_path: Path) -> None:
    """The chief executive reads the whole council's digest, Dana her team's. The preview
    wrote the first recipient's only, and did not say whose it was or that others get
    their own: a manager's could not be looked at before it went. Now it says whose it
    wrote and who else gets one, and --for picks the recipient."""
    table = f'[digest]\nrecipients = ["{CHIEF}"]\nmanagers = true\n'
    with council(tmp_path, table) as place:
        place.deliver(place.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Mill Lane",
                                 "Could the pothole on Mill Lane be filled please?"))
        first, second = tmp_path / "first.eml", tmp_path / "dana.eml"
        result = CliRunner().invoke(cli, ["digest", "--preview", "--out", str(first),
                                          "--config", str(place.home / "mailbot.toml")])
        assert result.exit_code == 0, result.output
        assert (f"the digest for {CHIEF} (the whole council); also sent to {DANA} (Highways)"
                in result.stderr), result.stderr
        assert str(parse_sent(first.read_bytes())["To"]) == CHIEF
        code, output = mailbot(place, "digest", "--preview", "--for", DANA.upper(),
                               "--out", str(second))
        assert code == 0, output
        dana = parse_sent(second.read_bytes())
        assert str(dana["To"]) == DANA
        assert "Highways" in body_text(dana, "plain")
        code, output = mailbot(place, "digest", "--preview", "--for", JO)
        assert code == 2
        assert any(f"--for {JO}: no digest goes to that address" in line
                   and CHIEF in line and DANA in line for line in output), output
