"""A pause that names a person waits for the member's side when that person is the one the
member wrote about.

'waiting for proof of ID from Mr Brown', 'awaiting Mrs Jones's reply' and 'asked Ms Patel
for her tenancy number' were read as waiting for someone other than the member, because a
name there is someone's: when the member wrote 'my constituent Mr Brown' or 'on behalf of
Mrs Jones', the answer comes back through the member, and their reply should end the
pause. The names the member wrote for are read from their own mail on the case
(written_for); a name not among them is read as before. On a subject access request, proof
of ID is what the requester gives, so a pause for it waits for the member's side."""

from __future__ import annotations

import pytest

from mailbot.pause_reason import waits_for
from mailbot.written_for import names_written_for, one_of

MR_BROWN = "My constituent Mr Brown of 12 Elm Road has asked me to find out why his bins "
MRS_JONES = "I am writing on behalf of Mrs Jones, who is worried about the damp in her flat."
MS_PATEL = "Ms Priya Patel, a tenant at Oak Court, has been without heating for a week."

NAMED = [
    ("waiting for proof of ID from Mr Brown", MR_BROWN),
    ("awaiting Mrs Jones's reply", MRS_JONES),
    ("asked Ms Patel for her tenancy number", MS_PATEL),
    ("waiting for Mr Brown to send a copy of the letter", MR_BROWN),
    ("awaiting signed consent from Mrs Jones", MRS_JONES),
    ("asked Priya Patel for the date the boiler failed", MS_PATEL),
    ("aros am brawf adnabod gan Mr Brown", "Mae fy etholwr Mr Brown wedi gofyn i mi am ei "
     "gais."),
    ("wedi gofyn i Mrs Jones am ei rhif tenantiaeth", "Rwy'n ysgrifennu ar ran Mrs Jones."),
]


@pytest.mark.parametrize(("why", "mail"), NAMED)
def test_a_person_the_member_wrote_about_is_the_member_s_side(why: str, mail: str) -> None:
    assert waits_for(why, theirs=one_of(names_written_for(mail))) == "member"


@pytest.mark.parametrize(("why", "mail"), NAMED)
def test_a_person_not_in_the_member_s_mail_is_someone_else_as_before(why: str,
                                                                     mail: str) -> None:
    assert waits_for(why) == "other"
    assert waits_for(why, theirs=one_of(names_written_for("Please look at the bins."))) == (
        "other")


@pytest.mark.parametrize(("why", "mail", "whom"), [
    # Mr Brown is not Mrs Brown; nor John Brown Peter Brown.
    ("awaiting Mrs Brown's reply", MR_BROWN, "other"),
    ("waiting for Peter Brown", "My resident John Brown says the lamp is out.", "other"),
    # The member's person and someone else: neither side alone.
    ("waiting for Mr Brown and Highways", MR_BROWN, "unclear"),
    ("awaiting a quote from Kier and Mr Brown's consent", MR_BROWN, "unclear"),
    # Someone the member named as someone else's is not theirs.
    ("waiting for Mr Smith", "I spoke to Mr Smith at Highways about it last week.", "other"),
    ("waiting for Mr Smith to inspect", "Mr Smith from Streetscene told me it was fixed.",
     "other"),
])
def test_other_people_are_read_as_before(why: str, mail: str, whom: str) -> None:
    assert waits_for(why, theirs=one_of(names_written_for(mail))) == whom


@pytest.mark.parametrize(("mail", "name"), [
    (MR_BROWN, "Mr Brown"),
    (MRS_JONES, "Mrs Jones"),
    (MS_PATEL, "Ms Priya Patel"),
    ("Mrs Smith has asked me to get a copy of all the records the council holds on her.",
     "Mrs Smith"),
    ("I have been contacted by Mr Alan Hughes about the hedge.", "Mr Alan Hughes"),
    ("Mr and Mrs Evans came to my surgery on Saturday.", "Mrs Evans"),
    ("My constituents, John and Mary Green, have asked me to chase this.", "Mary Green"),
    ("Please can you send me Mr Brown's records (his personal data) under a subject access "
     "request.", "Mr Brown"),
    ("Mae fy etholwr Mr Brown wedi gofyn i mi am ei gais.", "Mr Brown"),
    ("Rwy'n ysgrifennu ar ran Mrs Jones, sy'n byw yn Heol y Bont.", "Mrs Jones"),
    ("Mae Mrs Jones wedi cysylltu â mi am y tamprwydd.", "Mrs Jones"),
])
def test_the_people_a_member_writes_for(mail: str, name: str) -> None:
    assert one_of(names_written_for(mail))(name)


@pytest.mark.parametrize("mail", [
    "I spoke to Mr Smith at Highways about it last week.",
    "Mr Smith from Streetscene told me it was fixed.",
    "Your Highways officer Mr Smith asked me for photos last week.",
    "The housing manager, Mr Smith, has contacted me about it.",
    "Thanks, Cllr Ann Lee",
    "The street light in Church Lane has been out for a week.",
])
def test_no_one_the_member_writes_for(mail: str) -> None:
    assert not one_of(names_written_for(mail))("Mr Smith")
    assert names_written_for(mail) == []


@pytest.mark.parametrize("why", [
    "waiting for proof of ID",
    "awaiting identification",
    "need ID before we can search",
    "waiting for proof of identity and address",
    "aros am brawf adnabod",
])
def test_proof_of_id_on_a_subject_access_request_waits_for_the_requester(why: str) -> None:
    assert waits_for(why, subject_access=True) == "member"
    assert waits_for(why) in ("unclear", "member")


def test_proof_of_id_from_an_unknown_name_is_unclear_on_a_subject_access_request() -> None:
    assert waits_for("waiting for proof of ID from Mr Brown", subject_access=True) == (
        "unclear")
    assert waits_for("waiting for proof of ID from Mr Brown", subject_access=True,
                     theirs=one_of(names_written_for(MR_BROWN))) == "member"


@pytest.mark.parametrize(("mail", "name"), [
    # A request set out as a form: the person's name on a line of its own.
    ("Subject access request\nName: John Brown\nAddress: 12 Elm Road\nDate of birth: 1/2/60",
     "John Brown"),
    ("Please see the details below.\n\nFull name: Mrs Jane Smith\nTel: 01234 567890",
     "Mrs Jane Smith"),
    ("Resident's name: Ms Priya Patel\nProperty: Flat 3, Oak Court", "Ms Priya Patel"),
    ("Data subject: Mr Alan Hughes\nRecords wanted: housing file", "Mr Alan Hughes"),
    ("Constituent: Mary Green\nIssue: missed bins", "Mary Green"),
    ("Enw: Mr Gareth Jones\nCyfeiriad: 4 Heol y Bont", "Mr Gareth Jones"),
])
def test_a_name_given_on_a_form_line(mail: str, name: str) -> None:
    assert one_of(names_written_for(mail))(name)
    assert waits_for(f"waiting for proof of ID from {name}", subject_access=True,
                     theirs=one_of(names_written_for(mail))) == "member"


@pytest.mark.parametrize("mail", [
    "Officer name: Mr Smith\nService: Highways",  # a form line naming the council's officer
    "Contact name: Mr Smith at Kier",
    "Name of the road: Elm Road",
    "The name: Smith is common here.",  # not at the start of a line
])
def test_a_form_line_that_names_no_one_the_member_writes_for(mail: str) -> None:
    assert not one_of(names_written_for(mail))("Mr Smith")
