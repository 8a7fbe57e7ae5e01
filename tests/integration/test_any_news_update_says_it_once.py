"""When a member only asked for news while a pause waited for them, the officer's update
said 'They only ask for news, so the clock stays paused: their mail does not give what
the pause waits for, and they have not been sent a new date. If it does, reply RESUME
18/12/2026': it said the mail does not give it, then 'if it does'. mailbot only judges
that the mail asks for news; the officer decides. Now the update says 'They seem only to
ask for news, so the clock stays paused and they have not been sent a new date. If their
mail does give what the pause waits for, reply RESUME 18/12/2026 (the day they wrote).',
and the Welsh beside it says the same. Ann's enquiry (Wiltshire) is received on Monday 14
December 2026 and paused on Wednesday 16 December; she writes 'Any news?' on Friday 18
December."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from paused_council import (
    ANN,
    ANN_LEE,
    SAM,
    SAM_PATEL,
    SIAN,
    SIAN_EVANS,
    THE_FOI_TEAM,
    foi_and_highways,
    opened_and_paused,
    words,
)

RECEIVED = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
PAUSED = datetime(2026, 12, 16, 14, 0, tzinfo=UTC)
WRITES = datetime(2026, 12, 18, 11, 0, tzinfo=UTC)

SAID = ("The member has written again about this case. They seem only to ask for news, so the "
        "clock stays paused and they have not been sent a new date. If their mail does give "
        "what the pause waits for, reply RESUME 18/12/2026 (the day they wrote).")
DYWEDWYD = ("Mae'r aelod wedi ysgrifennu eto am yr achos hwn. Mae'n ymddangos mai dim ond gofyn "
            "am newyddion y maent, felly mae'r cloc yn dal wedi'i oedi ac nid ydynt wedi cael "
            "dyddiad newydd. Os yw eu neges yn rhoi'r hyn y mae'r oedi'n aros amdano, atebwch "
            "RESUME 18/12/2026 (y diwrnod yr ysgrifennon nhw).")


def _update(home: Path, policy: str, member: str) -> str:
    with foi_and_highways(home, policy=policy, members=(ANN_LEE, SIAN_EVANS),
                          officers=(SAM_PATEL, THE_FOI_TEAM)) as council:
        ack, _ = opened_and_paused(
            council, member=member, subject="Fly-tipping in Church Lane",
            body="There is a pile of fly-tipped mattresses in Church Lane again.",
            received=RECEIVED, officer=SAM, reason="asked the member for photos",
            paused=PAUSED)
        out = council.deliver(council.reply(ack, member, "Any news?", date=WRITES), now=WRITES)
        assert council.case().status == "paused"
    [update] = [m for m in out if m["To"] == SAM]
    return words(update)


def test_the_update_does_not_say_the_mail_both_does_not_and_may_give_it(
        tmp_path: Path) -> None:
    said = _update(tmp_path, "wiltshire", ANN)
    assert SAID in said, said
    assert "does not give what the pause waits for" not in said


def test_and_in_welsh_the_same(tmp_path: Path) -> None:
    said = _update(tmp_path, "cardiff", SIAN)
    assert DYWEDWYD in said, said
    assert SAID in said
    assert "nid yw eu neges yn rhoi" not in said
