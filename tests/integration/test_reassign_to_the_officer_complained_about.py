"""A complaint about Sam goes up Sam's line to Pat Moss (Wiltshire 16.2). Pat could pass
it to Sam with 'REASSIGN sam@...' (or an administrator with `mailbot reassign`) with no
warning: Sam was sent the complaint about himself and the member was told Sam is dealing
with it. Now REASSIGN to an officer the complaint is about is refused, and Pat is told why
(the complaint is about that officer, and the protocol's paragraph); `mailbot reassign`
refuses with an error naming the case and the officer, unless run with
--even-if-complained-about."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from complaint_council import at, complain, complaint_council, words
from helpers import Council, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.store.tables import EventRow

LATER = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
SAM, PAT, LEE = at("sam"), at("pat"), at("lee")
RUDE = ("I wish to make a formal complaint about Sam Patel, who was rude and dismissive "
        "to my constituent on the phone on Monday and put the phone down on her.")


def _council(home: Path) -> Council:
    """Lee, the default officer, is the complaints route too (no complaints team)."""
    return complaint_council(
        home, default_officer=LEE, complaints_team=False,
        officers=[("Sam Patel", SAM, "Highways", PAT, ""),
                  ("Lee Wong", LEE, "Highways", PAT, ""),
                  ("Pat Moss", PAT, "Place", "", "")],
        config=f'[policy.routing]\ncomplaints = "{LEE}"\n',
    )


def _complaint(council: Council) -> EmailMessage:
    out = complain(council, "Complaint about an officer", RUDE)
    assert council.case().officer_email == PAT
    return next(m for m in out if m["To"] == PAT)


def test_reassign_to_the_officer_complained_about_is_refused(tmp_path: Path) -> None:
    with _council(tmp_path) as council:
        assignment = _complaint(council)
        out = council.deliver(council.reply(assignment, f"Pat Moss <{PAT}>",
                                            f"REASSIGN {SAM}", date=LATER), LATER)
        case = council.case()
        moved = rows(council.app, EventRow, EventRow.action == "reassigned")
    assert case.officer_email == PAT and moved == []
    assert [m["To"] for m in out] == [PAT]
    text = words(out[0])
    assert f"{case.ref} is a complaint about Sam Patel ({SAM})" in text
    assert "16.2" in text and "nothing changed" in text


def test_reassign_to_another_officer_still_works(tmp_path: Path) -> None:
    with _council(tmp_path) as council:
        assignment = _complaint(council)
        out = council.deliver(council.reply(assignment, f"Pat Moss <{PAT}>",
                                            f"REASSIGN {LEE}", date=LATER), LATER)
        case = council.case()
    assert case.officer_email == LEE
    assert SAM not in [m["To"] for m in out]


def _cli(council: Council, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [
        "reassign", council.case().ref, "--to", SAM, "--by", PAT, *extra,
        "--config", str(council.home / "mailbot.toml")])
    return result.exit_code, result.output


def test_mailbot_reassign_refuses_unless_told_it_is_known(tmp_path: Path) -> None:
    with _council(tmp_path) as council:
        _complaint(council)
        code, output = _cli(council)
        assert code != 0
        assert council.case().officer_email == PAT
        assert "MB-2026-00001 is a complaint about Sam Patel" in output
        assert "--even-if-complained-about" in output
        assert council.flush(datetime.now(UTC)) == []
        code, output = _cli(council, "--even-if-complained-about")
        assert code == 0, output
        assert council.case().officer_email == SAM


RAJ, COMPLAINTS = at("raj"), at("complaints")
RUDE_MR_PATEL = RUDE.replace("Sam Patel", "Mr Patel")


def _two_patels(home: Path) -> Council:
    """Sam Patel and Raj Patel: 'Mr Patel' may be either, so the complaint goes by the
    complaints route and is perhaps about each of them."""
    return complaint_council(
        home, default_officer=LEE,
        officers=[("Sam Patel", SAM, "Highways", PAT, ""),
                  ("Raj Patel", RAJ, "Housing", PAT, ""),
                  ("Lee Wong", LEE, "Highways", PAT, ""),
                  ("Pat Moss", PAT, "Place", "", "")],
    )


def _complaint_about_mr_patel(council: Council) -> EmailMessage:
    out = complain(council, "Complaint about an officer", RUDE_MR_PATEL)
    assert council.case().officer_email == COMPLAINTS
    return next(m for m in out if m["To"] == COMPLAINTS)


@pytest.mark.parametrize("patel", [SAM, RAJ])
def test_reassign_to_an_officer_it_may_be_about_is_refused(tmp_path: Path, patel: str) -> None:
    with _two_patels(tmp_path) as council:
        assignment = _complaint_about_mr_patel(council)
        out = council.deliver(council.reply(assignment, f"Jamie Fox <{COMPLAINTS}>",
                                            f"REASSIGN {patel}", date=LATER), LATER)
        case = council.case()
        moved = rows(council.app, EventRow, EventRow.action == "reassigned")
    assert case.officer_email == COMPLAINTS and moved == []
    assert [m["To"] for m in out] == [COMPLAINTS]
    text = words(out[0])
    name = "Sam Patel" if patel == SAM else "Raj Patel"
    assert f"{case.ref} is a complaint that may be about {name} ({patel})" in text
    assert "nothing changed" in text


def test_reassign_of_a_complaint_perhaps_about_two_patels_to_someone_else_works(
    tmp_path: Path
) -> None:
    with _two_patels(tmp_path) as council:
        assignment = _complaint_about_mr_patel(council)
        council.deliver(council.reply(assignment, f"Jamie Fox <{COMPLAINTS}>",
                                      f"REASSIGN {PAT}", date=LATER), LATER)
        assert council.case().officer_email == PAT


def test_mailbot_reassign_refuses_an_officer_it_may_be_about(tmp_path: Path) -> None:
    with _two_patels(tmp_path) as council:
        _complaint_about_mr_patel(council)
        code, output = _cli(council)
        assert code != 0
        assert council.case().officer_email == COMPLAINTS
        assert "MB-2026-00001 is a complaint that may be about Sam Patel" in output
        assert "--even-if-complained-about" in output
        assert council.flush(datetime.now(UTC)) == []
        code, output = _cli(council, "--even-if-complained-about")
        assert code == 0, output
        assert council.case().officer_email == SAM
