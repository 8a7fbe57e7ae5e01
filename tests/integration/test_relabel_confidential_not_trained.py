"""Relabelling a case copies the member's message, with its right kind, into the
classifier corrections file for the next `mailbot train`. For a confidential case that
put the content the protocol keeps out of every notification (Wiltshire 11.9-11.11; the
pack's [confidentiality] minimise_content) into a file kept 730 days and trained on. It
is now left out, the timeline says why, and `mailbot relabel` says so; other cases are
copied as before."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from helpers import JO, AppFactory, rows, run
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.model import Classification, Kind, ParsedMessage, Priority
from mailbot.store.tables import CaseRow, EventRow
from mailbot.triage import relabel_case

SECRET = "the tenant at 4 Bramble Court owes rent and is being evicted"
LATER = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


class Unsure:
    def classify(self, message: ParsedMessage) -> Classification:
        return Classification(Kind.ENQUIRY, False, Priority.NORMAL, confidence=0.31)


def deliver(server, subject: str, body: str) -> None:  # type: ignore[no-untyped-def]
    server.deliver(
        (
            f"From: Cllr Jo Bloggs <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
            f"Subject: {subject}\r\nMessage-ID: <conf-1@wiltshire.gov.uk>\r\n"
            "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\n"
            f"Please keep this between us: {body}.\r\n"
        ).encode()
    )


def corrections(app) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    path = app.settings.corrections_path
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def opened(app_factory: AppFactory, subject: str, body: str):  # type: ignore[no-untyped-def]
    """An app whose one case, from the member's mail, waits in triage; and that case."""
    app, server = app_factory()
    app.classifier_override = Unsure()
    deliver(server, subject, body)
    run(app)
    [case] = rows(app, CaseRow)
    return app, case


def relabel(app, ref: str, kind: str) -> str:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["relabel", ref, kind, "--config",
                                      str(app.settings.config_path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_case_relabelled_confidential_is_not_copied_for_training(
    app_factory: AppFactory,
) -> None:
    app, case = opened(app_factory, "A tenant's circumstances", SECRET)
    output = relabel(app, case.ref, "confidentiality")
    assert "not copied to the corrections file" in output
    assert corrections(app) == []
    assert SECRET not in (app.settings.corrections_path.read_text()
                          if app.settings.corrections_path.exists() else "")
    [case] = rows(app, CaseRow)
    assert case.kind == "confidentiality" and case.confidential
    [kept_out] = [e for e in rows(app, EventRow) if e.action == "not kept for training"]
    assert "confidential" in kept_out.detail and SECRET not in kept_out.detail


def test_a_confidential_case_relabelled_again_is_still_not_copied(
    app_factory: AppFactory,
) -> None:
    app, case = opened(app_factory, "A tenant's circumstances", SECRET)
    relabel_case(app, case.ref, Kind.CONFIDENTIALITY, who="triage@wiltshire.gov.uk", now=LATER)
    relabel_case(app, case.ref, Kind.COMPLAINT, who="triage@wiltshire.gov.uk", now=LATER)
    assert corrections(app) == []


def test_an_ordinary_case_is_still_copied(app_factory: AppFactory) -> None:
    app, case = opened(app_factory, "Records about Mill Lane", "copies of the traffic surveys held")
    assert "not copied" not in relabel(app, case.ref, "foi")
    [line] = corrections(app)
    assert line["kind"] == "foi" and "traffic surveys" in line["text"]
