"""Mail a council's shared mailbox gets from Microsoft 365, mail filters, bulletin
services and members' phones, in forms the real-mail corpus does not have: a Teams
invitation and the answers to one (Outlook, Google), a OneDrive share,
a Microsoft Forms response, Proofpoint and Mimecast digests of held mail, a GovDelivery
bulletin whose list headers were stripped, and a councillor's photo sent from a phone or
from Windows' "Send to > Mail recipient".

Robots are recorded and never answered, even with unknown senders acknowledged (so only
the loop guard can stop the reply); the councillor's photo is a case.
"""

from __future__ import annotations

import pytest
from helpers import JO, SAM, AppFactory, body_text, eml, never_answered, rows, run, sent_to

from mailbot.store.tables import CaseRow


def copied_to_sam(raw: bytes) -> bytes:
    """The member copies in the officer, so the case is assigned to Sam."""
    return raw.replace(b"\r\nTo: ", f"\r\nCc: {SAM[1]}\r\nTo: ".encode(), 1)


ROBOTS = {
    # file: the kind of automatic mail it must be recorded as
    "teams_meeting_invitation_from_officer.eml": "calendar",
    "calendar_accepted_by_member_outlook.eml": "calendar",
    "calendar_declined_by_member_google.eml": "calendar",
    # (a member's Outlook recall: test_member_recalls_a_message.py)
    "onedrive_share_notification.eml": "bulk",
    "ms_forms_response_notification.eml": "bulk",
    "quarantine_digest_proofpoint.eml": "bulk",
    "held_messages_digest_mimecast.eml": "bulk",
    "govdelivery_bulletin_no_list_headers.eml": "bulk",
}


@pytest.mark.parametrize("name", sorted(ROBOTS))
def test_office_robots_are_recorded_and_never_answered(
    app_factory: AppFactory, name: str
) -> None:
    never_answered(app_factory, eml(name), ROBOTS[name])


def test_a_councillors_photo_from_a_phone_is_a_case_whose_kind_is_a_guess(
    app_factory: AppFactory,
) -> None:
    # iPhone Mail: the photo inline, then a text part that is only "Sent from my iPhone".
    app, server = app_factory()
    server.deliver(copied_to_sam(eml("member_phone_photo_only.eml")))
    run(app)
    [case] = rows(app, CaseRow)
    assert case.member_email == JO[1]
    assert case.status == "needs_triage" and case.confidence <= 0.2
    [(ack, _)] = sent_to(server, JO[1])
    assert "Fly tipping behind the Co-op on Mill Lane again" in str(ack["Subject"])
    [(assignment, _)] = sent_to(server, SAM[1])
    text = " ".join(body_text(assignment, "plain").split())
    assert "has no text of its own, only attachments" in text
    assert "is a guess from the subject line alone" in text


def test_a_photo_sent_from_windows_send_to_mail_recipient_is_attachments_only(
    app_factory: AppFactory,
) -> None:
    # Windows Explorer's "Send to > Mail recipient": Windows' own note and the file name
    app, server = app_factory()
    server.deliver(copied_to_sam(eml("member_windows_send_to_mail_recipient_photo.eml")))
    run(app)
    [case] = rows(app, CaseRow)
    assert case.status == "needs_triage" and case.confidence <= 0.2
    assert len(sent_to(server, JO[1])) == 1
    [(assignment, _)] = sent_to(server, SAM[1])
    assert "has no text of its own, only attachments" in " ".join(
        body_text(assignment, "plain").split()
    )


@pytest.mark.parametrize("note", [
    "Photo attached - the pile is getting bigger.\r\n\r\nSent from my iPhone",
    "Ffoto ynghlwm.\r\n\r\nAnfonwyd o fy iPhone",
])
def test_a_photo_with_words_of_the_members_own_is_read_as_usual(
    app_factory: AppFactory, note: str
) -> None:
    app, server = app_factory()
    server.deliver(copied_to_sam(eml("member_phone_photo_only.eml")).replace(
        b"\r\n\r\n\r\nSent from my iPhone", b"\r\n" + note.encode()
    ))
    run(app)
    [case] = rows(app, CaseRow)
    [(assignment, _)] = sent_to(server, SAM[1])
    assert "only attachments" not in body_text(assignment, "plain")
    assert note.split("\r\n")[0] in body_text(assignment, "plain")
