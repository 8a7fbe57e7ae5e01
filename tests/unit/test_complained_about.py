"""Which officer a complaint names: full name or address in the member's own words or
the subject; not a first name, not a team the pack routes to, not the quoted thread."""

from __future__ import annotations

from mailbot.complained_about import named_officer
from mailbot.directory import Directory, Officer
from mailbot.model import Address, ParsedMessage

DIRECTORY = Directory(
    members={},
    officers={
        "sam@c.gov.uk": Officer("Sam Patel", "sam@c.gov.uk", "highways", "dana@c.gov.uk"),
        "dana@c.gov.uk": Officer("Dana Reed", "dana@c.gov.uk", "highways"),
        "team@c.gov.uk": Officer("Complaints Team", "team@c.gov.uk", "complaints"),
        "reception@c.gov.uk": Officer("Reception", "reception@c.gov.uk", "front desk"),
    },
)


def _named(text: str, subject: str = "Complaint") -> str | None:
    message = ParsedMessage(message_id="<m@x>", subject=subject,
                            sender=Address("", "jo@c.gov.uk"), text=text)
    found = named_officer(message, DIRECTORY, ("team@c.gov.uk",))
    return found.email if found else None


def test_full_name_in_any_case_and_spacing_or_address() -> None:
    assert _named("Sam Patel was rude to my resident.") == "sam@c.gov.uk"
    assert _named("I complain about SAM\n  PATEL's attitude.") == "sam@c.gov.uk"
    assert _named("The officer (sam@c.gov.uk) never replied.") == "sam@c.gov.uk"
    assert _named("Nobody named.", subject="Complaint about Dana Reed") == "dana@c.gov.uk"


def test_the_first_named_of_several() -> None:
    assert _named("Dana Reed ignored it after Sam Patel was rude.") == "dana@c.gov.uk"


def test_not_a_first_name_a_longer_name_a_team_or_a_one_word_name() -> None:
    assert _named("Dear Sam, the bins were missed again.") is None
    assert _named("Sam Patelson was rude.") is None
    assert _named("I wrote to the Complaints Team and heard nothing.") is None
    assert _named("Reception was closed all day.") is None
    assert _named("Write to xsam@c.gov.uk.") is None


def test_not_in_the_quoted_thread() -> None:
    text = ("The bins were missed again.\n\n> On 1 Nov 2026, Sam Patel wrote:\n"
            "> I have passed this on.")
    assert _named(text) is None
