"""A shared mailbox fed through the council's own Google Group (or another list relay): the
relay adds List-Id, Precedence: list and the other list headers to every message, and puts
its own address in From for members whose domain has a strict DMARC policy. With the
relay named in [loops] relay_list_ids, members' mail is judged as they sent it; list mail
and robots that came through the relay are still dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import DATA, JO, NOW, SAM, AppFactory, all_recipients, eml, rows, run, sent_to
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.settings import ConfigError, load_settings
from mailbot.status import format_status, gather_status
from mailbot.store.tables import CaseRow, MessageRow

RELAYED = "relay_google_group_member_enquiry.eml"
REWRITTEN_FROM = (
    b"From: \"'Cllr Jo Bloggs' via Member Enquiries\" <memberenquiries@wiltshire.gov.uk>"
)


@pytest.fixture
def relay(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given as the group's address, as an administrator may: the id is made from it.
    monkeypatch.setenv("MAILBOT_LOOPS__RELAY_LIST_IDS", '["memberenquiries@wiltshire.gov.uk"]')


def test_without_the_setting_a_relayed_members_mail_is_dropped(app_factory: AppFactory) -> None:
    """What a council sees before naming its relay (and why the setting exists)."""
    app, server = app_factory()
    server.deliver(eml(RELAYED).replace(REWRITTEN_FROM, f"From: {JO[0]} <{JO[1]}>".encode()))
    run(app)
    [row] = rows(app, MessageRow)
    assert (row.status, row.reason) == ("automatic", "bulk: Precedence header")
    assert server.outgoing == []


@pytest.mark.usefixtures("relay")
@pytest.mark.parametrize("from_line", [REWRITTEN_FROM, f"From: {JO[0]} <{JO[1]}>".encode()])
def test_a_members_mail_through_the_relay_opens_a_case_for_the_member(
    app_factory: AppFactory, from_line: bytes
) -> None:
    app, server = app_factory(members=(JO,), officers=(SAM,))
    server.deliver(eml(RELAYED).replace(REWRITTEN_FROM, from_line))
    run(app)
    [row] = rows(app, MessageRow)
    assert (row.status, row.automatic, row.sender) == ("processed", None, JO[1]), row.reason
    [case] = rows(app, CaseRow)
    assert (case.member_email, case.known_member) == (JO[1], True)
    [(ack, _)] = sent_to(server, JO[1])
    assert str(ack["Subject"]) == "Re: Streetlight out on Castle Hill [MB-2026-00001]"
    assert all_recipients(server) == {JO[1]}  # nothing to the group, which would loop


@pytest.mark.usefixtures("relay")
@pytest.mark.parametrize(("name", "automatic"), [
    ("relay_google_group_newsletter.eml", "bulk"),
    ("relay_google_group_member_out_of_office.eml", "auto_reply"),
])
def test_list_mail_and_robots_through_the_relay_are_still_dropped(
    app_factory: AppFactory, name: str, automatic: str
) -> None:
    app, server = app_factory()
    server.deliver(eml(name))
    run(app)
    [row] = rows(app, MessageRow)
    assert (row.status, row.automatic) == ("automatic", automatic), row.reason
    assert server.outgoing == []


@pytest.mark.usefixtures("relay")
def test_another_lists_mail_is_dropped_when_a_relay_is_named(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml").replace(
        b"MIME-Version: 1.0", b"List-Id: <councillors.lgafed.example>\nMIME-Version: 1.0"
    ))
    run(app)
    [row] = rows(app, MessageRow)
    assert (row.status, row.automatic) == ("automatic", "bulk")


def test_a_list_id_that_is_not_one_is_refused_naming_key_and_file(tmp_path: Path) -> None:
    config = tmp_path / "mailbot.toml"
    config.write_text('[loops]\nrelay_list_ids = ["Member Enquiries"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    [line] = caught.value.lines()
    assert line.startswith(f"{config}: loops.relay_list_ids: 'Member Enquiries' is not a list id")


@pytest.mark.usefixtures("relay")
def test_classify_on_the_command_line_judges_relayed_mail_as_the_daemon_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILBOT_CONFIG", raising=False)
    files = [str(DATA / RELAYED), str(DATA / "relay_google_group_newsletter.eml")]
    result = CliRunner().invoke(cli, ["classify", "--json", "--rules-only", *files])
    assert result.exit_code == 0, result.output
    member, newsletter = (json.loads(line) for line in result.output.splitlines())
    assert (member["automatic"], member["kind"]) == (None, "enquiry")
    assert newsletter["automatic"] == "bulk"


def _relayed(number: int) -> bytes:
    return eml(RELAYED).replace(
        b"<LO2P265MB5123A1B2C3D4E5F6@", f"<relay-{number}-LO2P265MB5123@".encode()
    )


def test_status_says_when_nearly_all_mail_is_dropped_as_list_mail(
    app_factory: AppFactory,
) -> None:
    """Before the relay is named every member's mail is bulk and nobody is answered: the
    administrator's check says so and exits 1, instead of 'OK'."""
    app, server = app_factory()
    for number in range(12):
        server.deliver(_relayed(number))
    run(app)
    status = gather_status(app, NOW)
    assert not status.healthy
    text = format_status(status)
    assert "12 of the 12 messages of the last 14 days were recorded as bulk" in text
    assert "[loops] relay_list_ids (now: none)" in text
    assert server.outgoing == []


def test_status_is_quiet_about_the_odd_newsletter(app_factory: AppFactory) -> None:
    app, server = app_factory(members=(JO,), officers=(SAM,))
    server.deliver(eml("relay_google_group_newsletter.eml"))
    for number in range(11):
        server.deliver(eml("member_enquiry.eml").replace(
            b"Message-ID: <", f"Message-ID: <own-{number}-".encode()
        ))
    run(app)
    status = gather_status(app, NOW)
    assert status.mostly_bulk is None
    assert "bulk" not in format_status(status)
