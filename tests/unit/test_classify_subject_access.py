"""A subject access request (someone asking for the personal data the council holds about
them, UK GDPR Article 15; often a councillor asking for a constituent) is not an FOI
request: FOIA s.40(1) leaves a requester's own personal data to data protection law,
with its own time limit (one calendar month). Taken for FOI, the member was told "20
working days under the Freedom of Information Act". It is an enquiry carrying the
subject access mark; a mail that also asks for the council's general records stays FOI,
marked. Statistics about the SARs the council received are an FOI request, unmarked.
Both paths: the rules alone and the trained model.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mailbot.access_request import one_month_due
from mailbot.classify import load_classifier, rules_classifier
from mailbot.classify.classifier import Classifier
from mailbot.model import Kind, ParsedMessage
from mailbot.workdays import WorkingCalendar

SUBJECT_ACCESS = [
    ("Subject access request for a resident",
     "My constituent Mrs Jane Smith would like a copy of all the personal data the council "
     "holds about her, under the Data Protection Act. She has signed an authority for me to "
     "act for her. This is a subject access request.\n\nCllr Ann Lee"),
    ("Mr Patel's housing file",
     "Hi,\n\nMr Patel has asked me to make a SAR on his behalf for everything in his housing "
     "file. He has signed a consent form, which I attach.\n\nThanks\nCllr Dev Shah"),
    ("My records",
     "Hello,\n\nWriting as a resident this time. Under data protection law I would like a copy "
     "of my personal data from the council tax and benefits teams, including notes of calls."
     "\n\nRegards\nLynne Garside"),
    ("Mrs Owen",
     "Could Mrs Owen have a copy of all the information the council holds about her? She "
     "believes officers wrote about her after the neighbour dispute. She has given me written "
     "authority.\n\nCllr Neil Radcliffe"),
    ("Right of access",
     "Mr Kowalski wishes to exercise his right of access under Article 15 of the UK GDPR to "
     "the records adult social care keep on him. Who should he send his ID to?\n\n"
     "Cllr Beth Moran"),
    ("Cais gwrthrych am wybodaeth",
     "Helo,\n\nHoffai fy etholwr, Mr Dafydd Rowlands, wneud cais gwrthrych am wybodaeth am y "
     "cofnodion sydd gan y gwasanaethau cymdeithasol amdano. Mae wedi llofnodi caniatâd i mi."
     "\n\nDiolch,\nCyng. Eleri Jones"),
    ("Cais am fynediad at ddata",
     "Mae Mrs Gwen Price am wneud cais am fynediad at ddata: mae hi eisiau gweld beth mae'r "
     "adran dai wedi'i ysgrifennu amdani.\n\nCofion,\nCyng. Huw Rees"),
    # Records held "on" the person, as councillors write it (a trial: both were an FOI
    # request by the rules, and an unmarked enquiry by the model).
    ("Records request",
     "Dear colleagues,\n\nMy constituent Mrs Joan Parry of 4 Mill Lane has asked me to get a "
     "copy of all the records you hold on her. Her signed consent is attached.\n\n"
     "Cllr Ann Lee"),
    ("Mr Ahmed",
     "Mr Ahmed wants to see the information the council has on him from his homelessness "
     "application. He has signed a consent form for me.\n\nCllr Tariq Khan"),
    # "SAR" as officers and councillors write it, alone: an upper-case word, not inside
    # another (the rules knew only "a SAR", "SAR request", "SAR for my ...").
    ("SAR - Mrs Jones, 4 Elm Road",
     "Please pass this to the right team. Mrs Jones has signed the attached consent.\n\n"
     "Cllr Ann Lee"),
    ("Mr Khan",
     "Hi,\n\nMr Khan's SAR, with his signed consent form attached. Can someone confirm it "
     "has arrived?\n\nThanks\nCllr Dev Shah"),
    ("Re: Housing file",
     "Please log this as SAR. Mrs Begum wants everything in her housing file.\n\n"
     "Cllr Ann Lee"),
]

NOT_SUBJECT_ACCESS = [
    ("Data protection policy",
     "Could you send me a link to the council's data protection policy? A resident asked how "
     "long the council keeps CCTV footage of the market square.\n\nCllr Jo Bloggs"),
    ("DPO",
     "Who is the council's data protection officer? A resident wants to ask how her data is "
     "used by the new parking app.\n\nCllr Sam Long"),
    ("Lane behind Mill Street",
     "Residents want to know whether they have a right of access over the lane behind Mill "
     "Street, now the gate has been locked.\n\nCllr Kay Bird"),
    ("Housing officer",
     "This is not a subject access request - Mrs Hill only wants to know who her housing "
     "officer is now that Dan has left.\n\nCllr Pat Hughes"),
    ("Deputyship account",
     "Mrs Hill's daughter asks how much money the council holds on her behalf in the "
     "deputyship account, and how often statements are sent.\n\nCllr Pat Hughes"),
    ("Noise",
     "The noise from the depot at night is affecting Mrs Dale badly: the effect it has on her "
     "sleep is serious. Can Environmental Health visit?\n\nCllr Kay Bird"),
    # The upper-case word only: not inside another word, not SARS or Sars-CoV, not
    # lower case, not negated.
    ("Booster clinic",
     "Residents ask whether the SARS-CoV-2 booster clinic at the library still runs on "
     "Tuesdays, and whether Sars-CoV vaccines are offered at home.\n\nCllr Kay Bird"),
    ("Sargent Road",
     "Mrs Sarah Jones of Sargent Road reports a pothole outside number 12, by the SARCO "
     "depot.\n\nCllr Kay Bird"),
    ("Sar Lane",
     "The sign for sar lane has been knocked down again. Can it be put back?\n\n"
     "Cllr Kay Bird"),
    ("Mrs Hill",
     "Not SAR - Mrs Hill only wants to know who her housing officer is now that Dan has "
     "left.\n\nCllr Pat Hughes"),
]

# An FOI request about the SARs the council received: statistics, FOI whatever the words.
SAR_STATISTICS = [
    ("FOI: subject access requests",
     "Under the Freedom of Information Act, please tell me how many subject access requests "
     "the council received in each of the last three years, and how many were answered within "
     "one month.\n\nCllr Nia Price"),
    ("SAR figures",
     "How many subject access requests did the council receive in 2025, and how many SARs "
     "took longer than a month to answer?\n\nCllr Tom Wade"),
]

# Own data and the council's general records in one mail: FOI, with the mark.
MIXED = (
    "Two requests",
    "My constituent Mr Green wants a copy of the personal data the council holds about him. "
    "Separately, under the Freedom of Information Act, please send me the council's policy on "
    "CCTV in parks and the number of cameras it runs.\n\nCllr Rob Ellis",
)


def mail(subject: str, text: str) -> ParsedMessage:
    return ParsedMessage(message_id="<s@example.org>", subject=subject, sender=None, text=text)


@pytest.fixture(scope="module")
def rules() -> Classifier:
    return rules_classifier()


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    path: Path = tmp_path_factory.mktemp("subject_access") / "model"
    load_classifier(path)  # first use trains on the shipped data
    return load_classifier(path, train_if_missing=False)


@pytest.mark.parametrize("path", ["rules", "model"])
@pytest.mark.parametrize(("subject", "text"), SUBJECT_ACCESS)
def test_a_subject_access_request_is_a_marked_enquiry(
    request: pytest.FixtureRequest, path: str, subject: str, text: str
) -> None:
    classifier: Classifier = request.getfixturevalue(path)
    found = classifier.classify(mail(subject, text))
    assert (found.kind, found.subject_access) == (Kind.ENQUIRY, True)


@pytest.mark.parametrize("path", ["rules", "model"])
@pytest.mark.parametrize(("subject", "text"), NOT_SUBJECT_ACCESS)
def test_data_protection_words_alone_are_no_subject_access_request(
    request: pytest.FixtureRequest, path: str, subject: str, text: str
) -> None:
    classifier: Classifier = request.getfixturevalue(path)
    assert classifier.classify(mail(subject, text)).subject_access is False


@pytest.mark.parametrize("path", ["rules", "model"])
@pytest.mark.parametrize(("subject", "text"), SAR_STATISTICS)
def test_an_foi_request_for_figures_about_sars_is_foi(
    request: pytest.FixtureRequest, path: str, subject: str, text: str
) -> None:
    classifier: Classifier = request.getfixturevalue(path)
    found = classifier.classify(mail(subject, text))
    assert (found.kind, found.subject_access) == (Kind.FOI, False)


@pytest.mark.parametrize("path", ["rules", "model"])
def test_own_data_and_general_records_together_stay_foi_with_the_mark(
    request: pytest.FixtureRequest, path: str
) -> None:
    classifier: Classifier = request.getfixturevalue(path)
    found = classifier.classify(mail(*MIXED))
    assert (found.kind, found.subject_access) == (Kind.FOI, True)


# Own data and other records, FOI never named: the other request's part still needs the
# FOI clock. Each was an enquiry (a subject access request alone) before other_requests.
MIXED_UNNAMED = [
    ("Mrs Owen",
     "Mrs Owen would like a copy of all the information the council holds about her. Could "
     "you also send me the council's policy on noise nuisance investigations and how many "
     "noise complaints were received in 2025?\n\nCllr Ann Lee"),
    ("Library",
     "Please can I have copies of all the reports and emails about the closure of Elm Road "
     "library, and any personal data you hold about me as a library user.\n\nCllr Jo Hart"),
    ("Two things",
     "Mr Ali wants a copy of everything the council holds about him under the Data "
     "Protection Act.\n\nAlso, could I have the minutes of the last licensing sub-committee "
     "and the officer report on the Red Lion?\n\nCllr Sue Marsh"),
]


@pytest.mark.parametrize(("subject", "text"), MIXED_UNNAMED)
def test_own_data_and_other_records_unnamed_are_foi_with_the_mark(
    model: Classifier, subject: str, text: str
) -> None:
    found = model.classify(mail(subject, text))
    assert (found.kind, found.subject_access) == (Kind.FOI, True)


def test_the_rules_see_other_records_by_their_own_signals(rules: Classifier) -> None:
    found = rules.classify(mail(*MIXED_UNNAMED[0]))
    assert (found.kind, found.subject_access) == (Kind.FOI, True)


def test_an_own_data_clause_alone_is_no_other_request(model: Classifier) -> None:
    # The other pieces are about the person too ("the emails between officers about her",
    # "the notes of her phone calls"): her own data, so still a subject access request.
    found = model.classify(mail(
        "Mrs Hill", "My resident wants a copy of all the personal data the council holds "
        "about her; and the emails between officers about her, and the notes of her phone "
        "calls."))
    assert (found.kind, found.subject_access) == (Kind.ENQUIRY, True)


ENGLAND = WorkingCalendar.for_region("england-and-wales")


@pytest.mark.parametrize(("received", "due"), [
    # the same date next month
    (datetime(2026, 11, 10, 9, 0, tzinfo=UTC), date(2026, 12, 10)),
    # no 31 February: the month's last day (2029 is no leap year, 2028 is); Sunday 28
    # February 2027 is moved to Monday 1 March
    (datetime(2029, 1, 31, 12, 0, tzinfo=UTC), date(2029, 2, 28)),
    (datetime(2027, 1, 31, 12, 0, tzinfo=UTC), date(2027, 3, 1)),
    (datetime(2028, 1, 31, 12, 0, tzinfo=UTC), date(2028, 2, 29)),
    (datetime(2026, 3, 31, 12, 0, tzinfo=UTC), date(2026, 4, 30)),
    # Sunday 27 December 2026, then Monday 28 (the Boxing Day holiday): Tuesday 29
    (datetime(2026, 11, 27, 10, 0, tzinfo=UTC), date(2026, 12, 29)),
    # 23:30 UTC on 30 June is 1 July in London (BST): the month runs from the London
    # date, to Saturday 1 August, so Monday 3 August
    (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), date(2026, 8, 3)),
    # into the next year: Friday 1 January 2027 is a holiday, so Monday 4 January
    (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), date(2027, 1, 4)),
])
def test_one_calendar_month_from_receipt(received: datetime, due: date) -> None:
    assert one_month_due(received, ENGLAND) == due
