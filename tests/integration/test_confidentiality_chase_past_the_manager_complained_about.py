"""A member's complaint asked to be kept confidential: its officer is asked to answer
CONFIDENTIAL OK or NO, and if they do not, the question is escalated to their manager,
else the monitoring officer. Lee Wong, the complaints route, holds Cllr Jo Bloggs's
confidential complaint about Pat Moss, Lee's own Director: Pat must not be asked to see
the confidentiality of the complaint against them settled (told a complaint from Jo
exists, under its reference, and that they may answer it). The escalation passes over
Pat to the monitoring officer."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from pathlib import Path

from complaint_council import (
    LEE_UNDER_PAT,
    PAT_MOSS,
    SAM_UNDER_PAT,
    at,
    complain,
    lees_council,
    swept_daily,
    words,
)
from helpers import Council

LEE, PAT, MO, SAM, JO = at("lee"), at("pat"), at("mo"), at("sam"), at("jo")
CONFIDENTIAL = ("Please keep this confidential. I wish to make a formal complaint about "
                "Pat Moss, who ignored my constituent's letters about the flooding.")


def _council(home: Path) -> Council:
    return lees_council(
        home, routes={"monitoring_officer": MO},
        officers=(LEE_UNDER_PAT, SAM_UNDER_PAT, PAT_MOSS, ("Morgan Owen", MO, "Legal", "", "")))


def _swept_for_a_week(council: Council) -> list[EmailMessage]:
    return swept_daily(council, date(2026, 11, 9), 10, 5)


def test_the_confidentiality_escalation_passes_over_the_director_complained_about(
    tmp_path: Path,
) -> None:
    with _council(tmp_path) as council:
        complain(council, "Confidential: a complaint about a Director", CONFIDENTIAL)
        case = council.case()
        assert (case.kind, case.confidential, case.officer_email) == ("complaint", True, LEE)
        council.left()
        sent = _swept_for_a_week(council)
        escalated = council.events("confidentiality escalated")
    assert not any(PAT in f"{m['To']} {m['Cc']}" for m in sent), [m["To"] for m in sent]
    chases = [m for m in sent if case.ref in str(m["Subject"])]
    assert {str(m["To"]) for m in chases} == {LEE, MO}
    [escalation] = [m for m in chases if str(m["To"]) == MO]
    assert "Pat Moss" not in words(escalation) and "flooding" not in words(escalation)
    assert [e.detail for e in escalated] == [f"escalation to {MO}"]
