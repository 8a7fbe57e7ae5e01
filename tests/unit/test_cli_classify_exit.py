"""`mailbot classify` exits 1 when a file could not be classified (missing, unreadable),
after classifying the rest: exit 0 told a script all was well."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app

ENQUIRY = (b"From: Cllr Jo Bloggs <jo.bloggs@council.gov.uk>\r\nSubject: Pothole\r\n"
           b"Message-ID: <p1@council.gov.uk>\r\n\r\nThere is a pothole on Mill Lane.\r\n")


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILBOT_CONFIG", raising=False)


def test_a_missing_file_is_its_line_and_exit_1(tmp_path: Path) -> None:
    good = tmp_path / "pothole.eml"
    good.write_bytes(ENQUIRY)
    missing = tmp_path / "missing.eml"
    result = CliRunner().invoke(app, ["classify", "--json", "--rules-only", str(missing),
                                      str(good)])
    assert result.exit_code == 1, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(line["file"], line["error"]) for line in lines] == [
        (str(missing), "cannot read: No such file or directory"), (str(good), None)
    ]
    assert lines[1]["kind"] == "enquiry"


def test_every_file_classified_is_exit_0(tmp_path: Path) -> None:
    good = tmp_path / "pothole.eml"
    good.write_bytes(ENQUIRY)
    result = CliRunner().invoke(app, ["classify", "--rules-only", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{good}: enquiry")
