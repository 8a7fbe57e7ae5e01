"""[loops]: the cap on automatic mail per recipient, and the council's own list relay,
named by its List-Id (normal_list_id reads one as the header or the group's address)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from mailbot.settings.sections import Section


class LoopSettings(Section):
    max_per_recipient: int = Field(default=10, ge=1)
    window_hours: float = Field(default=3.0, gt=0)
    # The council's own relay (a Google Group, a Mailman or Exchange list) that feeds the
    # shared mailbox: its List-Id. Mail that came through it is judged as its sender sent
    # it, not as list mail (mailbot.own_relay.as_sent_before_relay).
    relay_list_ids: list[str] = []
    # DESIGN rule 4 marks all our mail `X-Auto-Response-Suppress: All` and `Auto-Submitted`,
    # which also stops Exchange sending an officer's out-of-office and a dead address's
    # bounce. True: mail to an officer about their case asks for those (absence.py acts on
    # them), and is still known as ours by the loop header if it comes back.
    officer_auto_replies: bool = False

    @field_validator("relay_list_ids")
    @classmethod
    def _list_ids(cls, values: list[str]) -> list[str]:
        return [normal_list_id(value) for value in values]


_LIST_ID = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)+$")


def normal_list_id(value: str) -> str:
    """A List-Id as the header gives it (RFC 2919), lower-cased and without <>; the group's
    address is accepted too (Google Groups and Mailman make the id from it, @ becoming .)."""
    found = value.strip().lower()
    if found.startswith("<") and found.endswith(">"):
        found = found[1:-1].strip()
    if found.count("@") == 1:
        found = found.replace("@", ".")
    if not _LIST_ID.match(found):
        raise ValueError(
            f"{value!r} is not a list id; give the value of the relay's "
            "List-Id header, such as \"memberenquiries.council.gov.uk\", or the group's "
            "address"
        )
    return found
