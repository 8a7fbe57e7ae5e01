"""An IMAP server that answers a FETCH with OK but leaves a message's content out (or gives
it as NIL) while the message is still in the folder. The reader took that for "deleted
since the SEARCH" and moved its place past it: the member's mail was never read and never
reported. Now it counts as a failed read: the place waits before it, and after failing in
two polls it is left for a person (mailbot status lists it).

A stand-in server: Dovecot and Exchange cannot be made to answer so on demand."""

from __future__ import annotations

from typing import Any

import pytest

from mailbot.backends.imap_reading import RETRY_GAP, NewMailReader


class QuietServer:
    """Three messages; the FETCH of their content answers for all but `withheld`."""

    def __init__(self, withheld: int, nil: bool = False) -> None:
        self.uids = [1, 2, 3]
        self.withheld = withheld
        self.nil = nil

    def search(self, criteria: list[str]) -> list[int]:
        wanted = criteria[1]
        if ":" in wanted:
            low = int(wanted.split(":")[0])
            found = [uid for uid in self.uids if uid >= low]
        else:
            found = [uid for uid in self.uids if str(uid) in wanted.split(",")]
        return [] if criteria[-1] == "DELETED" and "NOT" not in criteria else found

    def fetch(self, uids: list[int], items: list[str]) -> dict[int, dict[bytes, Any]]:
        if items == ["RFC822.SIZE"]:
            return {uid: {b"RFC822.SIZE": 100} for uid in uids}
        answer: dict[int, dict[bytes, Any]] = {}
        for uid in uids:
            if uid != self.withheld:
                answer[uid] = {b"BODY[]": f"Subject: {uid}\r\n\r\nbody\r\n".encode()}
            elif self.nil:
                answer[uid] = {b"BODY[]": None}
        return answer


def read(reader: NewMailReader, server: QuietServer, last: int) -> tuple[list[str], int]:
    messages, top = reader.read(server, 7, last, "", "inbox", shown="INBOX",  # type: ignore[arg-type]
                                wait_at_deleted=True)
    return [m.ref for m in messages], top


@pytest.mark.parametrize("nil", [False, True])
def test_a_message_left_out_of_the_answer_holds_the_place_and_is_then_left_for_a_person(
    nil: bool,
) -> None:
    now = [0.0]
    reader = NewMailReader("IMAP server test", 500, 10**9, clock=lambda: now[0])
    server = QuietServer(withheld=2, nil=nil)
    refs, top = read(reader, server, 0)
    assert refs == ["7:1", "7:3"]
    assert top == 1  # not past the message the server did not give
    assert reader.take_left_unread() == []
    server.uids = [2]  # the others were read and moved
    now[0] += RETRY_GAP + 1
    refs, top = read(reader, server, top)
    assert refs == [] and top == 2
    [left] = reader.take_left_unread()
    assert left.ref == "7:2" and "without the message's content" in left.problem


def test_a_message_expunged_since_the_search_is_passed_without_a_word() -> None:
    reader = NewMailReader("IMAP server test", 500, 10**9)
    server = QuietServer(withheld=2)
    real_search = server.search

    def gone_after_listing(criteria: list[str]) -> list[int]:
        found = real_search(criteria)
        return [uid for uid in found if uid != 2] if "," in criteria[1] or \
            criteria[1].isdigit() else found

    server.search = gone_after_listing  # type: ignore[method-assign]
    refs, top = read(reader, server, 0)
    assert refs == ["7:1", "7:3"] and top == 3
    assert reader.take_left_unread() == [] and reader.remembered == 0
