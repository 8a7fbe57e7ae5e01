"""Mail the council's list relay passed on before [loops] relay_list_ids named it was
recorded as bulk mail and not answered. `mailbot relay list` shows it and `mailbot relay
reread` reads it again once the setting is in place: members' mail is acknowledged and
assigned (its clock counted from when it came), the relay's newsletters stay dropped, and
nothing is read or answered twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import JO, NOW, SAM, AppFactory, all_recipients, eml, rows, run, sent_to
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.jobs import flush_outbox
from mailbot.store.tables import CaseRow, MessageRow

RELAYED = "relay_google_group_member_enquiry.eml"
NEWSLETTER = "relay_google_group_newsletter.eml"
OTHER_LIST = b"List-Id: <councillors.lgafed.example>\nPrecedence: bulk\nMIME-Version: 1.0"


def relay_cli(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["relay", *args, "--config", str(config)])
    return result.exit_code, result.output


def test_mail_dropped_before_the_relay_was_named_is_read_again_once(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, server = app_factory(members=(JO,), officers=(SAM,))
    config = app.settings.config_path
    assert config is not None
    server.deliver(eml(RELAYED))
    server.deliver(eml(NEWSLETTER))
    other = eml("member_enquiry.eml").replace(b"MIME-Version: 1.0", OTHER_LIST, 1)
    server.deliver(other.replace(b"Message-ID: <", b"Message-ID: <other-list-"))
    run(app, NOW)
    assert [r.automatic for r in rows(app, MessageRow)] == ["bulk", "bulk", "bulk"]
    assert server.outgoing == []  # before the setting: nobody answered

    code, output = relay_cli(config, "list")
    assert code == 1
    assert output.strip() == (
        f"mailbot: error: [loops] relay_list_ids is empty in {config}: name the relay (its "
        "List-Id or the group's address) first; see docs/deployment.md"
    )

    monkeypatch.setenv("MAILBOT_LOOPS__RELAY_LIST_IDS", '["memberenquiries@wiltshire.gov.uk"]')
    code, output = relay_cli(config, "list")
    assert code == 0, output
    lines = output.splitlines()
    assert len(lines) == 3  # the member's mail and the relay's newsletter; not the other list
    assert "'Streetlight out on Castle Hill'" in lines[0]
    assert lines[-1] == "2 message(s) to read again"

    code, output = relay_cli(config, "reread")
    assert code == 0, output
    assert "processed as MB-2026-00001" in output
    assert "automatic" in output  # the newsletter, dropped again
    assert output.splitlines()[-1] == (
        "2 message(s) read again; 1 mail(s) queued (sent by the next outbox flush)"
    )
    later = datetime.now(UTC)
    flush_outbox(app, later)
    [(ack, _)] = sent_to(server, JO[1])
    assert str(ack["Subject"]) == "Re: Streetlight out on Castle Hill [MB-2026-00001]"
    assert all_recipients(server) == {JO[1]}  # nothing to the group, which would loop
    [case] = rows(app, CaseRow)
    # The clock counts from when the member wrote, not from when mailbot read it again.
    assert case.received_at.replace(tzinfo=UTC) == datetime(2026, 11, 25, 9, 14, 3, tzinfo=UTC)
    statuses = [(r.status, r.automatic) for r in rows(app, MessageRow)]
    assert statuses == [("processed", None), ("automatic", "bulk"), ("automatic", "bulk")]

    # Once only: the newsletter, dropped again, is not offered again; nothing is sent twice.
    code, output = relay_cli(config, "reread")
    assert (code, output.splitlines()[-1]) == (0, "0 message(s) read again; 0 mail(s) queued "
                                                  "(sent by the next outbox flush)")
    sent = len(server.outgoing)
    flush_outbox(app, datetime.now(UTC))
    assert len(server.outgoing) == sent


def test_mail_the_purge_erased_is_counted_not_lost_silently(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, server = app_factory(members=(JO,), officers=(SAM,))
    assert app.settings.config_path is not None
    server.deliver(eml(RELAYED))
    run(app, NOW)
    with app.store.transaction() as session:
        [row] = session.query(MessageRow).all()
        row.raw, row.purged_at = b"", NOW
    monkeypatch.setenv("MAILBOT_LOOPS__RELAY_LIST_IDS", '["memberenquiries.wiltshire.gov.uk"]')
    code, output = relay_cli(app.settings.config_path, "list", "--since", "2026-11-01")
    assert code == 0, output
    assert output.strip() == (
        "0 message(s) to read again; 1 more dropped list message(s) can no longer be read: "
        "the retention purge erased them ([retention] dropped_mail_days)"
    )
    code, output = relay_cli(app.settings.config_path, "list", "--since", "2026-11-26")
    assert output.strip() == "0 message(s) to read again"
