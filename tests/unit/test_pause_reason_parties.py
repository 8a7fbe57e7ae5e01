"""A pause's reason is read for the party it names, wherever the words put them.

'awaiting info from resident' was read as waiting for someone else (any 'from ...' was),
while 'awaiting resident's consent' was read as the member's: the same resident, two
readings. The member is a councillor passing on their resident's matter, so whatever is
asked of the resident, the constituent, the tenant, the complainant, the requester or the
applicant comes back through the member: a pause for any of them waits for the member. The
party is read where the reason names it: after 'from', 'for', 'with' or 'on', as who was
asked or is to act, or as the owner of what is awaited ('the tenant's consent'); anyone
else named there (Highways, Kier, the planning officer) makes it wait for someone else, and
both at once leave it unclear."""

from __future__ import annotations

import pytest

from mailbot.pause_reason import waits_for

# Officers' reasons as written in trials and in the councils' shared mailboxes.
READINGS = [
    # The resident and the member's other people, after 'from' and elsewhere.
    ("awaiting info from resident", "member"),
    ("awaiting information from the resident", "member"),
    ("awaiting resident's consent", "member"),
    ("need photos from the constituent", "member"),
    ("waiting for details from the tenant", "member"),
    ("awaiting the tenant's consent to share", "member"),
    ("asked the complainant for dates and times", "member"),
    ("waiting for the complainant to send the letter", "member"),
    ("asked the requester to clarify", "member"),
    ("waiting for the applicant", "member"),
    ("awaiting a reply from the applicant", "member"),
    ("checking with the resident which lamp", "member"),
    ("need the constituent's address", "member"),
    ("waiting for info from them", "member"),
    ("awaiting signed authority from the tenant", "member"),
    ("aros am wybodaeth gan y preswylydd", "member"),
    ("aros am wybodaeth oddi wrth y preswylydd", "member"),
    ("aros am ganiatâd y tenant", "member"),
    ("wedi gofyn i'r achwynydd am luniau", "member"),
    ("aros am fanylion gan yr etholwr", "member"),
    ("aros am gyfeiriad gan breswylydd", "member"),
    # Someone else after 'from', 'with', 'for': who it is, not the word before it.
    ("awaiting info from the planning officer", "other"),
    ("awaiting a quote from Kier", "other"),
    ("photos from the contractor", "other"),
    ("waiting for a reply from Network Rail", "other"),
    ("checking with Streetscene", "other"),
    ("checking with the landlord", "other"),
    ("awaiting the landlord's consent", "other"),
    ("waiting for Kier", "other"),
    ("waiting on Openreach", "other"),
    ("aros am adroddiad gan y contractwr", "other"),
    ("aros am wybodaeth oddi wrth Briffyrdd", "other"),
    ("gwirio gyda'r adran gyfreithiol", "other"),
    # Both, or neither.
    ("awaiting info from the resident and a quote from Kier", "unclear"),
    ("asked the tenant; Highways to inspect too", "unclear"),
    ("on hold", "unclear"),
    ("waiting", "unclear"),
]


@pytest.mark.parametrize(("why", "whom"), READINGS)
def test_a_pause_is_read_for_the_party_it_names(why: str, whom: str) -> None:
    assert waits_for(why) == whom
