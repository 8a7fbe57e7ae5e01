"""What a manager reading the digest should do about a case due this week, in English and
Welsh: usually nothing, unless it will not be answered by its date, when the time to
agree more with the member (EXTEND) is before it is late. A case with no officer, with
one who has left, or of a kind never confirmed is said as in the overdue list
(case_lists._what_to_do); this is the rest. An FOI request's date is the one its law
sets, unless an extension the law gives moved it (the public interest test, FOIA s.10(3);
EIR reg 7's 40 working days): then the line says it is that later date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.clock import eir_extension, public_interest_extension
from mailbot.digest.figures import AnyRow
from mailbot.digest.naming import FOI_LAWS
from mailbot.model import Kind

if TYPE_CHECKING:
    from mailbot.app import App


def before_due(app: App, row: AnyRow, *, yours: bool) -> dict[str, str]:
    """`todo` and `todo_cy` for a case due this week; `yours` when the reader holds it."""
    if row.kind == Kind.FOI.value:
        which, which_cy = _foi_date(app, row.extension)
        if yours:
            return {
                "todo": f"it is yours: answer it by its date, {which}.",
                "todo_cy": f"eich achos chi yw hwn: atebwch ef erbyn ei ddyddiad, {which_cy}.",
            }
        return {
            "todo": f"nothing unless it will not be answered by its date, {which}: then ask "
            "its officer about it now.",
            "todo_cy": f"dim oni bai na chaiff ei ateb erbyn ei ddyddiad, {which_cy}: yna "
            "gofynnwch i'w swyddog amdano nawr.",
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


def _foi_date(app: App, extension: str | None) -> tuple[str, str]:
    """Whose date an FOI request's is, in English and Welsh: the later one an extension the
    law gives set (`extension`, the reason of its latest since its clock last restarted,
    extended.last_extension), else its law's; the clock ignores any other extension of an
    FOI request, so its date is still its law's."""
    if extension is not None and eir_extension(extension):
        return ("the later date EIR reg 7 sets (40 working days)",
                "y dyddiad hwyrach a osodir gan reoliad 7 EIR (40 diwrnod gwaith)")
    if extension is not None and public_interest_extension(extension):
        return ("the later date given for the public interest test (FOIA s.10(3))",
                "y dyddiad hwyrach a roddwyd ar gyfer prawf budd y cyhoedd (FOIA a.10(3))")
    law, law_cy = FOI_LAWS[app.policy.foi_regime]
    return f"the date {law} sets", f"y dyddiad a osodir gan {law_cy}"
