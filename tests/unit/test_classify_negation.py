"""Complaint and FOI wording the member negates ("this is not a formal complaint", "this
isn't an FOI request", "nid cwyn ffurfiol yw hon") is no complaint or FOI request: taken
for one, the member is thanked for a complaint or an FOI request and a statutory clock
starts that nobody asked for. A "not" elsewhere in the mail ("I am not happy and wish to
make a formal complaint", "why has my FOI request not been answered") leaves the request
what it is. Both paths: the rules alone (before a model is trained) and the trained model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.classify import load_classifier, rules_classifier
from mailbot.classify.classifier import Classifier
from mailbot.model import Kind, ParsedMessage, Priority

NOT_A_COMPLAINT = [
    ("Bins on Elm Road", "Hi team,\n\nThis is not a formal complaint, but could you look at the "
     "bins on Elm Road? Two households say their green bins were missed on Tuesday.\n\n"
     "Thanks,\nCllr Jo Bloggs"),
    ("Mill Lane resurfacing", "Hello,\n\nI'm not making a complaint, just asking when the "
     "resurfacing of Mill Lane is due to start. Residents have seen the signs go up.\n\n"
     "Cllr Sam Patel"),
    ("Round change?", "I don't want to make a complaint about the crew, they are always "
     "polite. Has the collection day for Orchard Close changed?\n\nCllr Dee Marsh"),
    ("Biniau Ffordd y Llwyfen", "Nid cwyn ffurfiol yw hon, ond allech chi edrych ar y biniau ar "
     "Ffordd y Llwyfen? Mae dau dŷ wedi colli'r casgliad ddydd Mawrth.\n\nDiolch,\nCyng. Eleri "
     "Jones"),
    ("Golau stryd", "Dydw i ddim yn gwneud cwyn ffurfiol, dim ond gofyn pryd bydd y golau stryd "
     "ar Heol y Bryn yn cael ei drwsio.\n\nCofion,\nCyng. Huw Rees"),
    # Asking that it not be taken as one: a negated "should" (or "need", "want") before
    # "logged as", where "was not logged as a formal complaint" complains of its handling.
    ("Bins on Elm Road", "Hi team,\n\nThis shouldn't be logged as a formal complaint, but "
     "could you look at the bins on Elm Road? Two households say their green bins were "
     "missed on Tuesday.\n\nThanks,\nCllr Jo Bloggs"),
    ("Hedges on Mill Lane", "I don't want this recorded as a formal complaint: when will the "
     "hedges on Mill Lane be cut back?\n\nCllr Dee Marsh"),
]

NOT_AN_FOI_REQUEST = [
    ("Park Street library", "This isn't an FOI request, I just want to know when the library "
     "on Park Street reopens after the roof works.\n\nThanks\nCllr Amir Khan"),
    ("Play area", "Hi,\n\nI don't need this under FOI - a rough idea of when the works at the "
     "Brook Street play area will finish is fine, so I can tell parents.\n\nCllr Lou Grant"),
    ("Allotments", "This isn’t a freedom of information request - could you tell me who I "
     "should speak to about the allotment waiting list?\n\nCllr Pat Hughes"),
    ("Bank holiday", "Not an FOI request, just a quick question: is the recycling centre open "
     "on bank holiday Monday?\n\nCllr Bea Lowe"),
    ("Llyfrgell", "Nid cais rhyddid gwybodaeth yw hwn - pryd fydd y llyfrgell yn ailagor ar ôl "
     "y gwaith ar y to?\n\nDiolch,\nCyng. Siân Morgan"),
    ("Skate park", "Please don't treat this as an FOI request. Who at the council should the skate "
     "park group talk to about a new ramp?\n\nCllr Jon Mills"),
]

STILL_A_COMPLAINT = [
    ("Housing repair", "I am not happy and wish to make a formal complaint about how my "
     "mother's housing repair was handled. The damp was reported in June.\n\nCllr Ray Long"),
    ("Underpass", "This is not the first time I have complained about the underpass. I want "
     "to make a formal complaint about the council's failure to clean it.\n\nCllr Ann Pope"),
    ("Cais parcio", "Nid wyf yn hapus o gwbl a hoffwn gwyno am y ffordd y deliwyd â chais parcio "
     "fy etholwr.\n\nCyng. Gareth Lloyd"),
    ("Re: Mr Dyer's fence", "My email in August was not treated as a formal complaint, although "
     "it asked for one. Mr Dyer wants to know why, and he wants it looked at now.\n\n"
     "Cllr Kay Bird"),
    # Unable to use the online form: a complaint all the same, sent here instead.
    ("Housing repair", "I cannot make a formal complaint online, the form keeps failing, so "
     "I am sending it here. My resident's housing repair has been left since June.\n\n"
     "Cllr Ray Long"),
    ("Parking permit", "I can't lodge a formal complaint through your website. Mrs Ahmed's "
     "parking permit was refused twice without a reason.\n\nCllr Tom Wade"),
]

STILL_FOI = [
    ("FOI overdue", "Why has my FOI request not been answered? I sent it on 2 October asking "
     "for the car park income figures and have heard nothing.\n\nCllr Nia Price"),
    ("Street lighting", "I have not had a reply to my Freedom of Information request about "
     "street lighting energy costs, sent seven weeks ago.\n\nCllr Tom Wade"),
    ("Fly-tipping", "Under FOI, please send the number of fly-tipping prosecutions in each of "
     "the last three years. I do not need names.\n\nCllr Kit Moss"),
]

# Never a complaint rule match, negated or not: the model's to find.
UNANSWERED_COMPLAINT = (
    "Planning officer", "The council has not replied to my complaint about the way the planning "
    "officer spoke to residents at the site meeting. It has been five weeks.\n\nCllr Lee Shaw",
)


def mail(subject: str, text: str) -> ParsedMessage:
    return ParsedMessage(message_id="<n@example.org>", subject=subject, sender=None, text=text)


@pytest.fixture(scope="module")
def rules() -> Classifier:
    return rules_classifier()


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    path: Path = tmp_path_factory.mktemp("negation") / "model"
    load_classifier(path)  # first use trains on the shipped data
    return load_classifier(path, train_if_missing=False)


@pytest.mark.parametrize("path", ["rules", "model"])
@pytest.mark.parametrize(("subject", "text"), NOT_A_COMPLAINT + NOT_AN_FOI_REQUEST)
def test_negated_complaint_or_foi_wording_is_an_enquiry(
    request: pytest.FixtureRequest, path: str, subject: str, text: str
) -> None:
    classifier: Classifier = request.getfixturevalue(path)
    assert classifier.classify(mail(subject, text)).kind == Kind.ENQUIRY


@pytest.mark.parametrize("path", ["rules", "model"])
@pytest.mark.parametrize(("subject", "text"), STILL_A_COMPLAINT)
def test_a_complaint_with_a_not_nearby_is_a_complaint(
    request: pytest.FixtureRequest, path: str, subject: str, text: str
) -> None:
    classifier: Classifier = request.getfixturevalue(path)
    assert classifier.classify(mail(subject, text)).kind == Kind.COMPLAINT


@pytest.mark.parametrize("path", ["rules", "model"])
@pytest.mark.parametrize(("subject", "text"), STILL_FOI)
def test_foi_wording_with_a_not_nearby_is_no_enquiry(
    request: pytest.FixtureRequest, path: str, subject: str, text: str
) -> None:
    # Chasing an unanswered FOI request is about the request (an FOI matter or a complaint
    # about its handling): either way it goes to a statutory clock, never to enquiries.
    classifier: Classifier = request.getfixturevalue(path)
    assert classifier.classify(mail(subject, text)).kind in (Kind.FOI, Kind.COMPLAINT)


def test_the_model_reads_an_unanswered_complaint_as_a_complaint(model: Classifier) -> None:
    assert model.classify(mail(*UNANSWERED_COMPLAINT)).kind == Kind.COMPLAINT


def test_urgency_negated_with_a_curly_apostrophe_is_not_urgency(rules: Classifier) -> None:
    # Outlook types ’ for ': "isn’t" is "is" + "n’t", a negator like "n't".
    text = "This isn’t urgent: could the bench on the green be repaired?\n\nCllr Ann Pope"
    assert rules.classify(mail("Bench", text)).priority == Priority.NORMAL


@pytest.mark.parametrize(("text", "negated"), [
    ("This shouldn't be logged as a formal complaint.", True),
    ("This should not be treated as a formal complaint.", True),
    ("It does not need to be recorded as a formal complaint.", True),
    ("My email was not logged as a formal complaint.", False),
    ("It is not being treated as a formal complaint.", False),
    ("I cannot make a formal complaint online.", False),
    ("I can't submit a formal complaint on your website.", False),
    ("This cannot be treated as a formal complaint.", True),
])
def test_which_not_governs_the_complaint_wording(
    rules: Classifier, text: str, negated: bool
) -> None:
    # The rules' own counts: negated wording is NOT_COMPLAINT, a signal the model reads.
    from mailbot.classify.classifier import RulesClassifier
    from mailbot.classify.features import prepare

    assert isinstance(rules, RulesClassifier)
    counts = prepare(rules.nlp, rules.rules, mail("Test", text)).counts
    assert (counts["NOT_COMPLAINT"], counts["COMPLAINT"]) == ((1, 0) if negated else (0, 1))


# Asked after the event ("shouldn't have been logged as"), or with the words of handling
# it ("dealt with under FOI", "handled as"): found only by the rules since this was written.
NOT_ONE_AFTER_ALL = [
    ("Re: Bins on Elm Road", "This shouldn't have been logged as a formal complaint. I only "
     "asked when the missed bins on Elm Road will be collected.\n\nCllr Jo Bloggs"),
    ("Library hours", "This should not have been treated as a formal complaint; it was a "
     "question about the library's opening hours over Christmas.\n\nCllr Amir Khan"),
    ("Fence", "I do not want this dealt with as a formal complaint: could someone call Mrs "
     "Ahmed about her fence?\n\nCllr Tom Wade"),
    ("Play area", "I don't need this dealt with under FOI - could you just let me know "
     "roughly when the Brook Street play area works will finish?\n\nCllr Lou Grant"),
    ("Car park", "This doesn't need to be handled as an FOI request: how many spaces will "
     "the new car park on Mill Lane have?\n\nCllr Bea Lowe"),
]


@pytest.mark.parametrize(("subject", "text"), NOT_ONE_AFTER_ALL)
def test_rules_read_negations_after_the_event_or_of_handling(
    rules: Classifier, subject: str, text: str
) -> None:
    assert rules.classify(mail(subject, text)).kind == Kind.ENQUIRY


def _counts(rules: Classifier, text: str) -> tuple[int, int, int, int]:
    from mailbot.classify.classifier import RulesClassifier
    from mailbot.classify.features import prepare

    assert isinstance(rules, RulesClassifier)
    counts = prepare(rules.nlp, rules.rules, mail("Test", text)).counts
    return counts["NOT_COMPLAINT"], counts["COMPLAINT"], counts["NOT_FOI"], counts["FOI"]


@pytest.mark.parametrize(("text", "negated"), [
    ("This shouldn't have been logged as a formal complaint.", True),
    ("I would not have to make a formal complaint if the fence had been mended.", False),
    ("I do not want this dealt with as a formal complaint.", True),
    ("It has not been logged as a formal complaint.", False),
    ("My email was not dealt with as a formal complaint.", False),
    ("It hasn't been handled as a formal complaint.", False),
    ("I have not been able to make a formal complaint online.", False),
])
def test_which_not_governs_after_the_event(rules: Classifier, text: str, negated: bool) -> None:
    assert _counts(rules, text)[:2] == ((1, 0) if negated else (0, 1))


@pytest.mark.parametrize(("text", "negated"), [
    ("I don't need this dealt with under FOI.", True),
    ("This doesn't need to be handled as an FOI request.", True),
    ("It shouldn't have been processed under FOI.", True),
    ("My request was not dealt with under FOI.", False),
    ("It has not been handled under FOI.", False),
])
def test_which_not_governs_the_foi_wording(rules: Classifier, text: str, negated: bool) -> None:
    # "an FOI request" is matched twice ("foi", "foi request"): how many does not matter.
    not_foi, foi = _counts(rules, text)[2:]
    assert (bool(not_foi), bool(foi)) == (negated, not negated)
