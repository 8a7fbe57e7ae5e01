"""The demo's config gives fictional telephone numbers (Ofcom's drama range) so that
`make demo` shows the acknowledgement's "telephone the council on ..." line. A council
that copies the demo's config must be told before members are given a number nobody
answers: check-config names the key, as it does for the demo's name and address."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.demo import DEMO_CONFIG


def _check(tmp_path: Path, config_text: str) -> list[str]:
    (tmp_path / "members.csv").write_text("name,email\nCllr A,a@borsetshire.gov.uk\n")
    config = tmp_path / "mailbot.toml"
    config.write_text(config_text, encoding="utf-8")
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if "telephone" in line]


def _council(telephone: str, night: str) -> str:
    return (
        '[council]\nname = "Borsetshire Council"\npolicy = "wiltshire"\ndata_dir = "var"\n'
        f'telephone = "{telephone}"\nout_of_hours_telephone = "{night}"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "enquiries@borsetshire.gov.uk"\n'
        '[directory]\nmembers = "members.csv"\n'
    )


@pytest.mark.own_database
def test_the_demos_numbers_left_in_a_council_config_are_named(tmp_path: Path) -> None:
    assert 'telephone = "01632 960123"' in DEMO_CONFIG
    lines = _check(tmp_path, _council("01632 960123", "(01632) 960-999"))
    assert [line.partition(": warning: ")[2].partition(": ")[2] for line in lines] == [
        "council.telephone is '01632 960123', the demo's fictional number: members would be "
        "told to ring a number nobody answers; set the council's own",
        "council.out_of_hours_telephone is '(01632) 960-999', the demo's fictional number: "
        "members would be told to ring a number nobody answers; set the council's own",
    ]


@pytest.mark.own_database
def test_a_councils_own_numbers_give_no_warning(tmp_path: Path) -> None:
    assert _check(tmp_path, _council("01225 713000", "0300 456 0100")) == []
