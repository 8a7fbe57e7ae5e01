"""`mailbot deadlines`: the single and --batch contracts of DESIGN.md, and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["deadlines", *args], input=stdin)


def test_single() -> None:
    result = run(
        "--policy",
        "colchester",
        "--kind",
        "enquiry",
        "--priority",
        "important",
        "--received",
        "2026-11-02T10:00:00Z",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"ack_due": "2026-11-03", "response_due": "2026-11-09"}


def test_single_without_ack_clock_prints_null() -> None:
    result = run(
        "--policy",
        "mwda",
        "--kind",
        "complaint",
        "--priority",
        "normal",
        "--received",
        "2026-11-02T10:00:00+00:00",
    )
    assert json.loads(result.stdout) == {"ack_due": None, "response_due": "2026-11-09"}


def test_single_with_a_path_and_explain() -> None:
    pack = REPO / "config" / "policies" / "wiltshire.toml"
    result = run(
        "--policy",
        str(pack),
        "--kind",
        "foi",
        "--priority",
        "normal",
        "--received",
        "2026-03-16T10:00:00Z",
        "--explain",
    )
    assert result.exit_code == 0
    first, rest = result.stdout.split("\n", 1)
    assert json.loads(first)["response_due"] == "2026-04-16"
    assert "Saint Patrick's Day (Northern Ireland)" in rest
    assert "statutory FOI calendar" in rest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--policy", "york", "--kind", "enquiry", "--received", "2026-11-02T10:00:00Z"],
            "unknown policy 'york'",
        ),
        (
            ["--policy", "wiltshire", "--kind", "letter", "--received", "2026-11-02T10:00:00Z"],
            "kind: unknown kind 'letter'",
        ),
        (
            [
                "--policy",
                "wiltshire",
                "--kind",
                "enquiry",
                "--priority",
                "urgent",
                "--received",
                "2026-11-02T10:00:00Z",
            ],
            "priority: unknown priority 'urgent'",
        ),
        (
            ["--policy", "wiltshire", "--kind", "enquiry", "--received", "2026-11-02T10:00:00"],
            "received: '2026-11-02T10:00:00' has no UTC offset",
        ),
        (
            ["--policy", "wiltshire", "--kind", "enquiry", "--received", "yesterday"],
            "received: 'yesterday' is not an ISO 8601 time",
        ),
        (["--kind", "enquiry"], "missing --policy, --received"),
    ],
)
def test_single_user_errors_are_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("mailbot: error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_pack_file_is_named(tmp_path: Path) -> None:
    pack = tmp_path / "bad.toml"
    text = (REPO / "config" / "policies" / "hackney.toml").read_text()
    pack.write_text(text.replace("[ack.complaint]\ndays = 3", "[ack.complaint]\ndays = -3"))
    result = run("--policy", str(pack), "--kind", "enquiry", "--received", "2026-11-02T10:00Z")
    assert result.exit_code != 0
    assert f"{pack}: ack.complaint.days: must be >= 0" in result.stderr


def test_batch_keeps_fields_and_reports_bad_lines_by_number(tmp_path: Path) -> None:
    lines = [
        {
            "id": 1,
            "policy": "colchester",
            "kind": "enquiry",
            "priority": "normal",
            "received": "2026-11-02T10:00:00Z",
        },
        {
            "id": 2,
            "policy": "mwda",
            "kind": "foi",
            "priority": "normal",
            "received": "2026-03-16T10:00:00Z",
        },
        {
            "id": 3,
            "policy": "colchester",
            "kind": "enquiry",
            "priority": "normal",
            "received": "2026-11-02T10:00:00",
        },
        "not json",
        {
            "id": 5,
            "policy": "nowhere",
            "kind": "enquiry",
            "priority": "normal",
            "received": "2026-11-02T10:00:00Z",
        },
        {"id": 6, "kind": "enquiry", "priority": "normal"},
        {
            "id": 7,
            "policy": "hackney",
            "kind": "complaint",
            "priority": "normal",
            "received": "2026-11-02T10:00:00Z",
            "note": "kept",
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    result = run("--batch", str(path))
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 7
    assert out[0] == {**lines[0], "ack_due": "2026-11-03", "response_due": "2026-11-16"}
    assert out[1]["ack_due"] is None and out[1]["response_due"] == "2026-04-16"
    assert out[2]["error"].startswith("line 3: received:")
    assert out[3]["error"].startswith("line 4: not JSON")
    assert out[4]["error"].startswith("line 5: policy: unknown policy 'nowhere'")
    assert out[5]["error"] == "line 6: missing field(s): policy, received"
    assert out[6] == {**lines[6], "ack_due": "2026-11-05", "response_due": "2026-11-16"}
    assert result.exit_code == 1
    assert "4 of 7 lines had errors" in result.stderr


def test_batch_from_stdin_with_default_policy_and_explain() -> None:
    row = {"kind": "enquiry", "priority": "important", "received": "2026-11-02T10:00:00Z"}
    result = run("--batch", "-", "--policy", "colchester", "--explain", stdin=json.dumps(row))
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["response_due"] == "2026-11-09" and out["policy"] == "colchester"
    assert any("16(2)" in line for line in out["explanation"])


def test_batch_missing_file() -> None:
    result = run("--batch", "/nonexistent/rows.jsonl")
    assert result.exit_code == 2
    assert "cannot read /nonexistent/rows.jsonl" in result.stderr


def test_installed_command_works_from_any_directory(tmp_path: Path) -> None:
    exe = shutil.which("mailbot", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("console script not installed")
    done = subprocess.run(
        [
            exe,
            "deadlines",
            "--policy",
            "cardiff",
            "--kind",
            "confidentiality",
            "--priority",
            "normal",
            "--received",
            "2026-12-24T16:00:00Z",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ack_due": "2026-12-30", "response_due": "2027-01-12"}


def test_batch_line_in_a_year_the_calendar_cannot_answer_for_does_not_stop_the_batch(
    tmp_path: Path,
) -> None:
    good = {"policy": "colchester", "kind": "enquiry", "received": "2026-11-02T10:00:00Z"}
    rows = [
        {"id": "far", "policy": "colchester", "kind": "foi", "received": "2201-01-05T10:00:00Z"},
        {"id": "end", "policy": "colchester", "kind": "foi", "received": "9999-12-31T23:59:59Z"},
        {"id": "ok", **good},
    ]
    path = tmp_path / "years.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run("--batch", str(path))
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["far", "end", "ok"]
    assert out[0]["error"].startswith("line 1: received: ")
    assert "2201" in out[0]["error"]
    assert out[1]["error"].startswith("line 2: received: ")
    assert out[2]["response_due"] == "2026-11-16"
    assert result.exit_code == 1
    assert "2 of 3 lines had errors" in result.stderr


def test_single_in_an_unsupported_year_is_a_one_line_input_error() -> None:
    result = run(
        "--policy", "wiltshire", "--kind", "enquiry", "--received", "2201-01-05T10:00:00Z"
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("mailbot: error: received: ")
    assert "2201" in result.stderr


def test_batch_saved_by_excel_with_a_byte_order_mark_and_empty_priorities(tmp_path: Path) -> None:
    rows = [
        {"policy": "colchester", "kind": "enquiry", "received": "2026-11-02T10:00:00Z"},
        {"policy": "colchester", "kind": "enquiry", "received": "2026-11-02T10:00:00Z",
         "priority": None},
        {"policy": "colchester", "kind": "enquiry", "received": "2026-11-02T10:00:00Z",
         "priority": ""},
    ]
    text = "\ufeff" + "".join(json.dumps(r) + "\r\n" for r in rows)
    path = tmp_path / "export.jsonl"
    path.write_bytes(text.encode("utf-8"))
    for args, stdin in ((["--batch", str(path)], None), (["--batch", "-"], text)):
        result = run(*args, stdin=stdin)
        assert result.exit_code == 0, result.stdout + result.stderr
        out = [json.loads(line) for line in result.stdout.splitlines()]
        assert [o["response_due"] for o in out] == ["2026-11-16"] * 3


def test_rfc_3339_lower_case_t_and_z_are_accepted() -> None:
    result = run(
        "--policy", "colchester", "--kind", "enquiry", "--received", "2026-11-02t10:00:00z"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["response_due"] == "2026-11-16"


def _council_config(home: Path, overrides: str) -> Path:
    config = home / "mailbot.toml"
    config.write_text('[council]\nname = "Borsetshire"\npolicy = "wiltshire"\n' + overrides,
                      encoding="utf-8")
    return config


SHUTDOWN = ('[policy.calendar]\nclosures = [{ start = 2026-12-29, end = 2026-12-31, '
            'name = "Christmas shutdown" }]\n')


def test_a_councils_config_gives_the_dates_its_letters_give(tmp_path: Path) -> None:
    """`--policy wiltshire` is the pack as shipped: a council whose config adds a Christmas
    shutdown would read 31 Dec there while its letters say 6 Jan. `--config` counts as the
    daemon does, with the config's [policy] overrides."""
    config = _council_config(tmp_path, SHUTDOWN)
    asked = ["--kind", "enquiry", "--received", "2026-12-15T10:00:00Z"]
    shipped = run("--policy", "wiltshire", *asked)
    council = run("--config", str(config), *asked, "--explain")
    assert json.loads(shipped.stdout)["response_due"] == "2026-12-31"
    assert council.exit_code == 0, council.stderr
    first, *explanation = council.stdout.splitlines()
    assert json.loads(first) == {"ack_due": "2026-12-17", "response_due": "2027-01-06"}
    assert "  Skipped Tue 29 Dec 2026: Christmas shutdown (closure)." in explanation
    lines = '{"kind": "enquiry", "received": "2026-12-15T10:00:00Z"}\n' \
        '{"policy": "wiltshire", "kind": "enquiry", "received": "2026-12-15T10:00:00Z"}\n'
    batch = run("--config", str(config), "--batch", "-", stdin=lines)
    assert batch.exit_code == 0, batch.stderr
    got = [json.loads(line) for line in batch.stdout.splitlines()]
    # A line naming a pack gets the pack as shipped; a line without, the council's.
    assert [(g["policy"], g["response_due"]) for g in got] == [
        ("wiltshire", "2027-01-06"), ("wiltshire", "2026-12-31")]


def test_config_mistakes_are_one_line_naming_the_file_and_key(tmp_path: Path) -> None:
    config = _council_config(tmp_path, '[policy]\nregion = "wales"\n')
    asked = ["--kind", "enquiry", "--received", "2026-12-15T10:00:00Z"]
    bad = run("--config", str(config), *asked)
    assert bad.exit_code == 2
    assert bad.stderr.count("\n") == 1, bad.stderr
    assert str(config) in bad.stderr and "region" in bad.stderr, bad.stderr
    both = run("--config", str(config), "--policy", "wiltshire", *asked)
    assert both.exit_code == 2
    assert "not both" in both.stderr
