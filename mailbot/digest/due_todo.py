"""What a manager reading the digest should do about a case due this week, in English and
Welsh: usually nothing, unless it will not be answered by its date, when the time to
agree more with the member (EXTEND) is before it is late. A case with no officer, with
one who has left, or of a kind never confirmed is said as in the overdue list
(case_lists._what_to_do); this is the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.digest.figures import AnyRow
from mailbot.digest.naming import FOI_LAWS
from mailbot.model import Kind

if TYPE_CHECKING:
    from mailbot.app import App


def before_due(app: App, row: AnyRow, *, yours: bool) -> dict[str, str]:
    """`todo` and `todo_cy` for a case due this week; `yours` when the reader holds it."""
    if row.kind == Kind.FOI.value:
        law, law_cy = FOI_LAWS[app.policy.foi_regime]
        if yours:
            return {
                "todo": f"it is yours: answer it by its date, the date {law} sets.",
                "todo_cy": "eich achos chi yw hwn: atebwch ef erbyn ei ddyddiad, y dyddiad a "
                f"osodir gan {law_cy}.",
            }
        return {
            "todo": f"nothing unless it will not be answered by its date, the date {law} "
            "sets: then ask its officer about it now.",
            "todo_cy": "dim oni bai na chaiff ei ateb erbyn ei ddyddiad, y dyddiad a osodir "
            f"gan {law_cy}: yna gofynnwch i'w swyddog amdano nawr.",
        }
    if not app.policy.can_extend(Kind(row.kind)):  # EXTEND would be refused (extend.py)
        council = app.settings.council.name
        if yours:
            return {
                "todo": "it is yours: answer the member by its date, or pass it on "
                f"(REASSIGN): {council}'s protocol does not allow extensions.",
                "todo_cy": "eich achos chi yw hwn: atebwch yr aelod erbyn ei ddyddiad, neu "
                f"trosglwyddwch ef (REASSIGN): nid yw protocol {council} yn caniatáu "
                "estyniadau.",
            }
        return {
            "todo": "nothing unless it will not be answered by its date: then ask its "
            f"officer to pass it on (REASSIGN): {council}'s protocol does not allow "
            "extensions.",
            "todo_cy": "dim oni bai na chaiff ei ateb erbyn ei ddyddiad: yna gofynnwch i'w "
            f"swyddog ei drosglwyddo (REASSIGN): nid yw protocol {council} yn caniatáu "
            "estyniadau.",
        }
    if yours:
        return {
            "todo": "it is yours: answer the member by its date, or agree more time with "
            "them before then (EXTEND) or pass it on (REASSIGN).",
            "todo_cy": "eich achos chi yw hwn: atebwch yr aelod erbyn ei ddyddiad, neu "
            "cytunwch ar ragor o amser gyda nhw cyn hynny (EXTEND) neu trosglwyddwch ef "
            "(REASSIGN).",
        }
    return {
        "todo": "nothing unless it will not be answered by its date: then ask its officer "
        "to agree more time with the member before it is late (EXTEND) or to pass it on "
        "(REASSIGN).",
        "todo_cy": "dim oni bai na chaiff ei ateb erbyn ei ddyddiad: yna gofynnwch i'w "
        "swyddog gytuno ar ragor o amser gyda'r aelod cyn iddo fod yn hwyr (EXTEND) neu ei "
        "drosglwyddo (REASSIGN).",
    }
