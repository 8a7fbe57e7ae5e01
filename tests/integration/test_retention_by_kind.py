"""[retention.foi], [retention.complaint], ...: a kind of case kept for its own periods, as
councils' retention schedules keep FOI requests and complaints for other lengths of time
than members' enquiries. Jo's answered enquiry (test_retention's world) is relabelled,
then purged just before and just after each period; judged by the rows left."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from helpers import JO, AppFactory, rows
from test_retention import JO_ENQUIRY, SAM_REPLY, World, _erased, _kept, _with_config, _world
from typer.testing import CliRunner

from mailbot import retention
from mailbot.cli import app as cli
from mailbot.model import Kind
from mailbot.store.tables import CaseRow
from mailbot.triage import relabel_case

DAY = timedelta(days=1)
OWN_PERIODS = """
[retention.foi]
closed_case_mail_days = 730
anonymise_cases_days = 1095
[retention.complaint]
anonymise_cases_days = 0
"""


def _relabelled(app_factory: AppFactory, kind: Kind) -> tuple[World, datetime]:
    """The world with OWN_PERIODS, Jo's answered case relabelled `kind` a day after the
    answer: its last change, from which its periods count."""
    app, server = app_factory()
    world = _world(_with_config(app, OWN_PERIODS), server)
    changed = world.answered + DAY
    relabel_case(world.app, world.case_of(JO[1]).ref, kind, who="triage@wiltshire.gov.uk",
                 now=changed)
    case = world.case_of(JO[1])
    assert (case.kind, case.status, case.updated_at) == (kind.value, "responded", changed)
    return world, changed


def test_an_foi_request_is_kept_for_the_foi_periods(app_factory: AppFactory) -> None:
    world, changed = _relabelled(app_factory, Kind.FOI)
    app = world.app
    try:
        # [retention]'s 365 days for a case's mail do not apply: [retention.foi]'s 730 do.
        at = changed + 366 * DAY
        assert retention.purge(app, at).closed_case_mail == 0
        assert _kept(world.message(JO_ENQUIRY)) and _kept(world.message(SAM_REPLY))
        assert retention.purge(app, changed + 729 * DAY).closed_case_mail == 0
        at = changed + 731 * DAY
        assert retention.purge(app, at).closed_case_mail == 2
        assert _erased(world.message(JO_ENQUIRY), at) and _erased(world.message(SAM_REPLY), at)

        # Three years, not six, and the case is anonymised.
        assert retention.purge(app, changed + 1094 * DAY).cases_anonymised == 0
        assert world.case_of(JO[1]).member_email == JO[1]
        at = changed + 1096 * DAY
        assert retention.purge(app, at).cases_anonymised == 1
        case = world.case_of(JO[1])
        assert (case.member_email, case.subject, case.anonymised_at) == ("", "", at)
        assert case.ref and case.kind == "foi"  # the statistics stay
    finally:
        app.close()


def test_other_kinds_keep_the_retention_periods(app_factory: AppFactory) -> None:
    """Jo's case stays an enquiry: [retention]'s own 365 days and six years apply, though
    FOI requests and complaints have periods of their own."""
    app, server = app_factory()
    world = _world(_with_config(app, OWN_PERIODS), server)
    app = world.app
    try:
        assert retention.purge(app, world.answered + 366 * DAY).closed_case_mail == 2
        assert retention.purge(app, world.answered + 1096 * DAY).cases_anonymised == 0
        at = world.answered + 2191 * DAY
        assert retention.purge(app, at).cases_anonymised == 1
        assert world.case_of(JO[1]).anonymised_at == at
    finally:
        app.close()


def test_a_complaint_set_to_0_is_never_anonymised(app_factory: AppFactory) -> None:
    world, changed = _relabelled(app_factory, Kind.COMPLAINT)
    app = world.app
    try:
        # Its mail still goes with [retention]'s closed_case_mail_days (no own period)...
        assert retention.purge(app, changed + 366 * DAY).closed_case_mail == 2
        # ...but the case itself is kept for ever, twenty years on.
        assert retention.purge(app, changed + 20 * 365 * DAY).cases_anonymised == 0
        [case] = rows(app, CaseRow, CaseRow.kind == "complaint")
        assert case.member_email == JO[1] and case.anonymised_at is None

        lines = retention.describe(retention.purge(app, changed, dry_run=True),
                                   app.settings.retention)
        assert ("would erase      0  member details of answered or closed cases, after 2190 "
                "days; FOI requests after 1095 days; complaints kept for ever "
                "(complaint.anonymise_cases_days = 0)") in lines
        assert ("would erase      0  raw mail of answered or closed cases, after 365 days; "
                "FOI requests after 730 days") in lines
    finally:
        app.close()


def test_purge_prints_each_kinds_period(app_factory: AppFactory) -> None:
    app, _server = app_factory()
    app = _with_config(app, OWN_PERIODS)
    config = app.settings.config_path
    app.close()
    result = CliRunner().invoke(cli, ["purge", "--dry-run", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "after 2190 days; FOI requests after 1095 days; complaints kept for ever" in (
        result.output)


def test_a_kinds_table_is_checked_like_the_rest(tmp_path: Path) -> None:
    config = tmp_path / "mailbot.toml"
    where = f"mailbot: error: {config.resolve()}: "
    for text, error in (
        ("[retention.fois]\nanonymise_cases_days = 1095\n",
         "retention.fois: unknown key; did you mean retention.foi?"),
        ("[retention.foi]\nanonymise_case_days = 1095\n",
         "retention.foi.anonymise_case_days: unknown key; did you mean "
         "retention.foi.anonymise_cases_days?"),
        ("[retention.foi]\nanonymise_cases_days = -1\n",
         "retention.foi.anonymise_cases_days: must be 0 or more"),
        ("[retention.complaint]\nsent_mail_days = 30\n",
         "retention.complaint.sent_mail_days: unknown key"),
    ):
        config.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["check-config", "--config", str(config)])
        assert result.exit_code == 2, text
        assert result.stderr.startswith(where + error), result.stderr


def test_check_config_warns_against_the_shortest_anonymising_period(
    app_factory: AppFactory,
) -> None:
    """Digests and reminder summaries kept longer than FOI requests are anonymised would
    still name the members those requests came from."""
    app, _server = app_factory()
    app = _with_config(app, "[retention]\nsent_mail_days = 1200\n" + OWN_PERIODS)
    config = app.settings.config_path
    app.close()
    result = CliRunner().invoke(cli, ["check-config", "--config", str(config)])
    assert ("retention.sent_mail_days = 1200 keeps officers' reminder summaries and managers' "
            "digests (members' names, addresses and case subjects) 1200 days, after "
            "retention.foi.anonymise_cases_days has anonymised their cases (1095 days): they "
            "still name the member; set sent_mail_days to 1095 or less") in " ".join(
                result.output.split())
