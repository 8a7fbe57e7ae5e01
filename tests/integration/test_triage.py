"""Low-confidence cases open as needs_triage (still acknowledged, with the most likely
kind's clock); a person relabels them and the correction becomes training data."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from helpers import JO, AppFactory, rows, run, sent_to
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.model import Classification, Kind, ParsedMessage, Priority
from mailbot.store.tables import CaseRow, EventRow
from mailbot.triage import relabel_case


class Unsure:
    """A classifier that is never confident: every case needs a person."""

    def classify(self, message: ParsedMessage) -> Classification:
        return Classification(Kind.ENQUIRY, False, Priority.NORMAL, confidence=0.31)


def _deliver(server, n: int) -> None:  # type: ignore[no-untyped-def]
    server.deliver(
        (
            f"From: Cllr Jo Bloggs <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
            f"Subject: Records about the Mill Lane closure ({n})\r\n"
            f"Message-ID: <triage-{n}@wiltshire.gov.uk>\r\n"
            "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\n"
            "Could I have copies of the traffic surveys held for the Mill Lane closure?\r\n"
        ).encode()
    )


def test_unsure_case_is_triaged_acknowledged_and_relabelled(app_factory: AppFactory) -> None:
    app, server = app_factory()
    app.classifier_override = Unsure()
    _deliver(server, 1)
    run(app)
    [case] = rows(app, CaseRow)
    assert case.status == "needs_triage" and case.kind == "enquiry"
    assert case.response_due == date(2026, 12, 9)  # the enquiry clock: 10 working days
    assert len(sent_to(server, JO[1])) == 1  # still acknowledged

    triaged = CliRunner().invoke(
        cli, ["cases", "--triage", "--json", "--config", str(app.settings.config_path)]
    )
    assert triaged.exit_code == 0, triaged.output
    assert [json.loads(line)["ref"] for line in triaged.output.splitlines()] == [case.ref]

    later = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    relabel_case(app, case.ref, Kind.FOI, who="triage.officer@wiltshire.gov.uk", now=later)
    [case] = rows(app, CaseRow)
    assert case.kind == "foi" and case.status == "open"
    # The statutory FOI clock: 20 UK working days, so St Andrew's Day (30 Nov) is skipped.
    assert case.response_due == date(2026, 12, 24)
    [event] = [e for e in rows(app, EventRow) if e.action == "relabelled"]
    assert event.actor == "triage.officer@wiltshire.gov.uk" and "enquiry → foi" in event.detail

    [correction] = app.settings.corrections_path.read_text().splitlines()
    record = json.loads(correction)
    assert record["kind"] == "foi" and "traffic surveys" in record["text"]


def test_relabel_command_names_an_unknown_case(app_factory: AppFactory) -> None:
    app, _ = app_factory()
    result = CliRunner().invoke(
        cli, ["relabel", "MB-2026-09999", "complaint", "--config", str(app.settings.config_path)]
    )
    assert result.exit_code == 1
    assert "no case MB-2026-09999" in result.output
