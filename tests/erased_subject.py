"""The council and the two cases the erased-subject tests start from.

Cllr Ann Lee (ann.lee@ at the pack's domain, policy.gov.uk) writes twice on Wednesday 11
November 2026, copying Sam Patel in: "Noise from Pat Quinn's house", and a mail sent
without a subject. Pat Quinn is then erased on request (`mailbot person erase --name "Pat
Quinn" --in-text --include-open`), which blanks the first case's subject.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from helpers import PLAIN_UTF8, Council
from typer.testing import CliRunner

from mailbot.cli import app as cli

RECEIVED = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)

Officer = tuple[str, str, str, str, str]  # name, email, service, manager_email, deputy_email


def addresses(policy: str) -> tuple[str, str, str]:
    """Ann Lee's, Sam Patel's and Dana Reed's addresses at `policy`'s council."""
    domain = f"{policy}.gov.uk"
    return f"ann.lee@{domain}", f"sam.patel@{domain}", f"dana.reed@{domain}"


def ann_lees_council(home: Path, policy: str, officers: Sequence[Officer], *,
                     language: str = "en", config: str = "") -> Council:
    """`policy`'s council with these `officers`, Cllr Ann Lee (writing in `language`) its
    member; rules as Council's, the member's mail in plain UTF-8."""
    member, _, _ = addresses(policy)
    return Council(
        home, mailbox=f"memberenquiries@{policy}.gov.uk", policy=policy,
        members=[("Cllr Ann Lee", member, "Abbey", language)], officers=list(officers),
        config=config, mail_headers=PLAIN_UTF8,
    )


def run_cli(place: Council, *args: str) -> None:
    """`mailbot ARGS --config` the council's own; it must succeed."""
    result = CliRunner().invoke(cli, [*args, "--config", str(place.home / "mailbot.toml")])
    assert result.exit_code == 0, result.output


def named_and_erased(place: Council, member: str, sam: str) -> tuple[str, str]:
    """The member's two mails, copied to `sam`, then Pat Quinn's erasure: (the reference
    of the case whose subject was erased, the reference of the one sent without)."""
    place.deliver(place.mail(member, "Noise from Pat Quinn's house",
                             "The music goes on all night.", cc=sam, date=RECEIVED), RECEIVED)
    named = place.case().ref
    place.deliver(place.mail(member, "", "https://maps.example/abbey-road-drain",
                             cc=sam, date=RECEIVED), RECEIVED)
    blank = place.case().ref
    run_cli(place, "person", "erase", "--name", "Pat Quinn", "--in-text", "--include-open",
            "--yes")
    assert place.case(named).subject == ""
    return named, blank
