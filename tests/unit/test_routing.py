"""Routing: the pack's routes for FOI, complaints and confidentiality, then the officer
the member wrote to, then the config's rules, then the default officer."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.directory import Directory, Member, Officer
from mailbot.model import Address, Kind, ParsedMessage
from mailbot.policy import load_policy
from mailbot.routing import RouteInput, assign
from mailbot.settings import ConfigError, RoutingRule, RoutingSettings, load_settings

DIRECTORY = Directory(
    members={
        "jo@c.gov.uk": Member("Cllr Jo", "jo@c.gov.uk", "Castle"),
        "amy@c.gov.uk": Member("Cllr Amy", "amy@c.gov.uk", "Riverside"),
    },
    officers={
        "sam@c.gov.uk": Officer("Sam", "sam@c.gov.uk", "highways", "dana@c.gov.uk"),
        "dana@c.gov.uk": Officer("Dana", "dana@c.gov.uk", "highways", "dir@c.gov.uk"),
        "dir@c.gov.uk": Officer("Director", "dir@c.gov.uk", "highways"),
        "alex@c.gov.uk": Officer("Alex", "alex@c.gov.uk", "waste"),
        "ward@c.gov.uk": Officer("Ward officer", "ward@c.gov.uk", "neighbourhoods"),
    },
)
RULES = RoutingSettings(
    default_officer="triage@c.gov.uk",
    rules=[
        RoutingRule(name="highways", officer="sam@c.gov.uk", keywords=["pothole", "street light"]),
        RoutingRule(name="waste", officer="alex@c.gov.uk", keywords=["bin", "recycling"]),
        RoutingRule(name="riverside", officer="ward@c.gov.uk", wards=["Riverside"]),
    ],
)


def _route(
    kind: Kind,
    subject: str,
    *,
    sender: str = "jo@c.gov.uk",
    cc: tuple[str, ...] = (),
    policy: str = "wiltshire",
    settings: RoutingSettings = RULES,
    text: str = "Please look into it.",
) -> str | None:
    message = ParsedMessage(
        message_id="<m@x>",
        subject=subject,
        sender=Address("", sender),
        to=[Address("", "memberenquiries@c.gov.uk")],
        cc=[Address("", a) for a in cc],
        text=text,
    )
    return assign(
        RouteInput(
            kind=kind,
            message=message,
            member_email=sender,
            known_member=DIRECTORY.member(sender) is not None,
            directory=DIRECTORY,
            policy=load_policy(policy),
            settings=settings,
        )
    ).officer_email


def test_keywords_as_whole_words_and_phrases() -> None:
    assert _route(Kind.ENQUIRY, "Pothole on Castle Road") == "sam@c.gov.uk"
    assert _route(Kind.ENQUIRY, "Broken street light") == "sam@c.gov.uk"
    assert _route(Kind.ENQUIRY, "Missed bin on Friday") == "alex@c.gov.uk"
    assert _route(Kind.ENQUIRY, "Cabinet meeting papers") == "triage@c.gov.uk"  # "bin" inside


def test_ward_rule_and_the_officer_the_member_wrote_to() -> None:
    assert _route(Kind.ENQUIRY, "Noise", sender="amy@c.gov.uk") == "ward@c.gov.uk"
    assert _route(Kind.ENQUIRY, "Pothole", cc=("alex@c.gov.uk",)) == "alex@c.gov.uk"


def test_foi_goes_to_the_foi_team_whatever_matches() -> None:
    assert _route(Kind.FOI, "Pothole repair data", cc=("sam@c.gov.uk",)) == "foi@wiltshire.example"


def test_complaints_follow_the_pack() -> None:
    assert _route(Kind.COMPLAINT, "Pothole ignored") == "complaints@wiltshire.example"
    # Hackney 11.3: the Director of the service where the fault lies.
    assert _route(Kind.COMPLAINT, "Pothole ignored", policy="hackney") == "dir@c.gov.uk"
    assert _route(Kind.COMPLAINT, "Rude reply", policy="hackney") == "triage@c.gov.uk"


def test_confidentiality_goes_to_the_named_officer_else_the_monitoring_officer() -> None:
    assert _route(Kind.CONFIDENTIALITY, "Private", cc=("sam@c.gov.uk",)) == "sam@c.gov.uk"
    assert _route(Kind.CONFIDENTIALITY, "Private") == "monitoring.officer@wiltshire.example"


def test_strangers_go_to_triage_and_cannot_choose_an_officer() -> None:
    assert (
        _route(Kind.ENQUIRY, "Pothole", sender="someone@else.example", cc=("sam@c.gov.uk",))
        == "triage@c.gov.uk"
    )
    assert (
        _route(Kind.ENQUIRY, "Pothole", sender="someone@else.example", settings=RoutingSettings())
        is None
    )


def test_no_default_leaves_the_case_unassigned() -> None:
    assert _route(Kind.ENQUIRY, "Cabinet papers", settings=RoutingSettings()) is None


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[routing.rules]]\nofficer = "sam"\nkeywords = ["x"]\n', "is not an email address"),
        ('[[routing.rules]]\nofficer = "sam@c.gov.uk"\n', "a rule needs keywords, wards or both"),
        (
            '[[routing.rules]]\nofficer = "sam@c.gov.uk"\nkeywords = ["x"]\nservise = "y"\n',
            "unknown key",
        ),
        ('[routing]\ndefault_officer = "triage"\n', "not an email address"),
    ],
)
def test_bad_routing_config_names_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    text = str(caught.value)
    assert "routing" in text and message in text and str(path) in text


def test_check_routing_names_addresses_missing_from_the_directory() -> None:
    from mailbot.routing import check_routing

    problems = check_routing(RULES, DIRECTORY, admins=["jo@c.gov.uk", "it@c.gov.uk"])
    assert problems == [
        "routing.default_officer: triage@c.gov.uk is not in the officers directory",
        "directory.admins: jo@c.gov.uk is in the members directory; admins must be staff",
    ]
    bad = RoutingSettings(rules=[RoutingRule(name="x", officer="gone@c.gov.uk", wards=["A"])])
    assert check_routing(bad, DIRECTORY, admins=[]) == [
        "routing.rules (number 1).officer: gone@c.gov.uk ('x') is not in the officers directory"
    ]


def test_a_complaint_about_an_officer_never_goes_to_them() -> None:
    rude = "The officer, sam@c.gov.uk, was rude to my resident."
    # Up the named officer's line, whatever route the pack gives other complaints.
    assert _route(Kind.COMPLAINT, "Complaint", text=rude) == "dir@c.gov.uk"
    assert _route(Kind.COMPLAINT, "Complaint", text=rude, policy="hackney",
                  cc=("alex@c.gov.uk",)) == "dir@c.gov.uk"
    # Merseyside's complaints route is its Director already (13.3): that route.
    assert _route(Kind.COMPLAINT, "Complaint", text=rude, policy="mwda") == (
        load_policy("mwda").routing.complaints)
    # The head of the line named, and the service route (Hackney: the officer written to,
    # up to their Director) would give it to them: the default officer instead.
    about_head = "dir@c.gov.uk did nothing about it."
    assert _route(Kind.COMPLAINT, "Complaint", text=about_head, policy="hackney",
                  cc=("sam@c.gov.uk",)) == "triage@c.gov.uk"
    # An enquiry naming an officer is routed as any enquiry.
    assert _route(Kind.ENQUIRY, "Pothole", text="sam@c.gov.uk said he would look.") == (
        "sam@c.gov.uk")
