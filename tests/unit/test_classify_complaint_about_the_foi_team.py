"""A member's formal complaint about the FOI team ("I want to make a formal complaint about
the FOI Team") was filed by the rules alone as an FOI request: the team's name holds the
FOI signal word, and an FOI signal wins over any other. A complaint about how the FOI
team handled something is a complaint. The team's name still counts as FOI wording when
nothing else says what the mail is ("Could the FOI team send me..."), and an FOI request
named as one stays FOI."""

from __future__ import annotations

import pytest

from mailbot.classify import rules_classifier
from mailbot.classify.classifier import Classifier
from mailbot.model import Kind, ParsedMessage

ABOUT_THE_TEAM = [
    ("Complaint", "I want to make a formal complaint about the FOI Team. My resident has "
     "been ignored for two months.\n\nCllr Jo Bloggs"),
    ("Freedom of Information team", "I wish to make a formal complaint about the Freedom of "
     "Information Team and the way they treated my constituent on the phone.\n\n"
     "Cllr Ray Long"),
    ("Formal complaint", "Please log this as a formal complaint about the FOI officer, who "
     "put the phone down on Mrs Ahmed twice.\n\nCllr Tom Wade"),
]

STILL_FOI = [
    ("FOI request", "Please pass this FOI request to the FOI team: how many fly-tipping "
     "prosecutions were there in each of the last three years?\n\nCllr Kit Moss"),
    ("Car park income", "Could the FOI team send me the car park income figures for "
     "2025?\n\nCllr Nia Price"),
    ("FOI overdue", "I wish to make a formal complaint: my FOI request of 2 October about "
     "street lighting costs has not been answered.\n\nCllr Tom Wade"),
]


def mail(subject: str, text: str) -> ParsedMessage:
    return ParsedMessage(message_id="<n@example.org>", subject=subject, sender=None, text=text)


@pytest.fixture(scope="module")
def rules() -> Classifier:
    return rules_classifier()


@pytest.mark.parametrize(("subject", "text"), ABOUT_THE_TEAM)
def test_a_complaint_about_the_foi_team_is_a_complaint(
    rules: Classifier, subject: str, text: str
) -> None:
    assert rules.classify(mail(subject, text)).kind == Kind.COMPLAINT


@pytest.mark.parametrize(("subject", "text"), STILL_FOI)
def test_foi_wording_beside_the_team_is_still_foi(
    rules: Classifier, subject: str, text: str
) -> None:
    assert rules.classify(mail(subject, text)).kind == Kind.FOI
