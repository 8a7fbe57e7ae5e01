"""Sent Items of the shared mailbox on EWS: watched for the replies officers send as the
shared mailbox (watch_sent), and asked after a crash mid-send whether a mail went out.

Watching is SyncFolderItems on Sent Items (folder "sent", never moved). The first sync
only finds our place there: old sent mail is history. EWS cannot start a sync "from
now", and paging through 200,000 sent items in one poll is slow and heavy, so that first
sync is spread over polls (a few pages each, only ids and creation times) and, meanwhile,
reports the items created after the newest one it found at the start: no officer's reply
is missed while it catches up.

A place is a string kept inside the backend's cursor (see folder_cursor):
`catchup|<since>|<sync state>` while catching up, `seen|<newest creation time seen>|<sync
state>` once caught up, or a plain sync state as stored by earlier versions. Sync states
are base64, so they never contain "|".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from exchangelib import EWSDateTime
from exchangelib.folders import Folder

from mailbot.backends.base import CursorExpired

T = TypeVar("T")
NewItem = tuple[str, str, int]  # (item id, change key, size in bytes) of a new item
Found = list[NewItem]
Changes = list[tuple[str, Any]]  # (change kind, item) of one SyncFolderItems call
Page = Callable[[Folder, str | None, list[str], int], tuple[Changes, str | None, bool]]

log = logging.getLogger(__name__)

SEPARATOR = "|"
CATCH_UP_PAGES = 8  # SyncFolderItems pages per poll while the first Sent Items sync catches up
CATCH_UP = "catchup"  # a Sent Items place still catching up: catchup|since|sync state
WATCHING = "seen"  # a Sent Items place caught up: seen|newest creation time seen|sync state
# was_sent looks at Sent Items created from a day before the mail was queued: our clock and
# Exchange's may disagree, and a missed copy would hold a sent mail as uncertain.
CLOCK_SLACK = timedelta(days=1)


class Retry(Protocol):
    """The mailbox's way of running one server conversation, with retries for what
    passes and its errors turned into mailbot's kinds (CursorExpired among them)."""

    def __call__(self, what: str, operation: Callable[[], T], /) -> T: ...


class SentItems:
    """Sent Items, through the mailbox's connection: `folder` gives the folder, `page` is
    one SyncFolderItems call (its changes, the state after it, whether that is the end)."""

    def __init__(
        self,
        *,
        retry: Retry,
        folder: Callable[[], Folder],
        page: Page,
        batch: int,
        page_size: int,
        catch_up_pages: int = CATCH_UP_PAGES,
    ) -> None:
        self._retry = retry
        self._folder = folder
        self._page = page
        self.batch = batch
        self.page_size = page_size
        self.catch_up_pages = catch_up_pages

    def new_items(self, place: str | None) -> tuple[Found, str | None]:
        """New Sent Items (officers' replies sent as the shared mailbox) since `place`, and
        the place after them.

        Without a place (first poll) old sent mail is history, not news: a catch-up starts
        from the newest item there now (see _catch_up). Once caught up, the place keeps the
        creation time of the newest item seen, so if Exchange later forgets the sync state
        (a mailbox move), the new catch-up starts from there and no reply sent in between
        is missed.
        """
        kind, _, rest = (place or "").partition(SEPARATOR)
        if kind == WATCHING:
            newest_text, _, state = rest.partition(SEPARATOR)
            try:
                return self._retry("sync Sent Items", lambda: self._watch(newest_text, state))
            except CursorExpired:
                log.warning(
                    "ews: Exchange no longer accepts the Sent Items sync state; reading Sent "
                    "Items again from the newest item seen before (the Inbox is unaffected)"
                )
                place = SEPARATOR.join((CATCH_UP, newest_text, "")) if newest_text else None
        elif place is not None and kind != CATCH_UP:  # a plain sync state, as stored before
            plain = place
            try:
                return self._retry("sync Sent Items", lambda: self._watch("", plain))
            except CursorExpired:
                log.warning(
                    "ews: Exchange no longer accepts the Sent Items sync state; watching "
                    "Sent Items from now on (replies sent since the last poll may be "
                    "missed; the Inbox is unaffected)"
                )
                place = None
        if place is None:
            place = self._retry("find the newest item in Sent Items", self._start_catch_up)
        catch_up = place
        try:
            return self._retry("catch up with Sent Items", lambda: self._catch_up(catch_up))
        except CursorExpired:
            log.warning("ews: Exchange forgot the Sent Items sync state while catching up; "
                        "starting again")
            return [], None

    def was_sent(self, message_id: str, since: datetime | None = None) -> bool | None:
        """After a crash mid-send: True if the copy send_and_save files is in Sent Items.
        Exchange files it just after sending, so its absence proves nothing: None then.

        Exchange is asked for that one item (a FindItem restricted to its Internet
        Message-ID, at most one answer), never for the folder's items: a shared
        mailbox's Sent Items can hold years of mail. `since` (when the mail was queued)
        narrows the search to the items created since, less a day for clocks that
        disagree, so the store has only recent mail to look through."""
        restriction: dict[str, Any] = {"message_id": message_id}
        if since is not None:
            restriction["datetime_created__gte"] = EWSDateTime.from_datetime(
                (since - CLOCK_SLACK).astimezone(UTC)
            )
        found = self._retry(
            "look in Sent Items",
            lambda: self._folder().filter(**restriction).only("id").exists(),
        )
        return True if found else None

    def _start_catch_up(self) -> str:
        by_age = self._folder().all().order_by("-datetime_created")
        newest = list(by_age.only("datetime_created")[:1])
        if not newest:  # Sent Items is empty: everything that comes is new
            return SEPARATOR.join((CATCH_UP, "", ""))
        return SEPARATOR.join((CATCH_UP, newest[0].datetime_created.isoformat(), ""))

    def _catch_up(self, place: str) -> tuple[Found, str | None]:
        """A few pages of the first Sent Items sync (ids and creation times only). Items
        created after the newest one there when it started are new: reported. At the end
        of the folder the place becomes a watching one."""
        _, since_text, state_text = place.split(SEPARATOR, 2)
        since = datetime.fromisoformat(since_text) if since_text else None
        state: str | None = state_text or None
        folder = self._folder()
        new: dict[str, NewItem] = {}
        newest = since
        for _ in range(self.catch_up_pages):
            changes, state, done = self._page(
                folder, state, ["id", "datetime_created", "size"], self.page_size
            )
            for change, item in changes:
                if change == "create" and _created_after(item, since):
                    new[item.id] = new_item(item)
                    newest = _later(newest, item)
                elif change == "delete":
                    new.pop(item.id, None)
            if done:
                return list(new.values()), _watching(newest, state)
        return list(new.values()), SEPARATOR.join((CATCH_UP, since_text, state or ""))

    def _watch(self, newest_text: str, state: str) -> tuple[Found, str]:
        """Items created in Sent Items since `state` (at most about a batch), and the place
        after them, with the newest creation time seen so far."""
        newest = datetime.fromisoformat(newest_text) if newest_text else None
        folder = self._folder()
        new: dict[str, NewItem] = {}
        after: str | None = state
        while len(new) < self.batch:
            size = min(self.page_size, self.batch - len(new))
            changes, after, done = self._page(
                folder, after, ["id", "datetime_created", "size"], size
            )
            for change, item in changes:
                if change == "create":
                    new[item.id] = new_item(item)
                    newest = _later(newest, item)
                elif change == "delete":
                    new.pop(item.id, None)
            if done:
                break
        return list(new.values()), _watching(newest, after)


def new_item(item: Any) -> NewItem:
    """(item id, change key, size) of an item a sync reported: the size, Exchange's own
    (0 if it gave none), lets a fetch stop before its mail outgrows the batch's budget."""
    size = getattr(item, "size", None)
    return (item.id, item.changekey, size if isinstance(size, int) else 0)


def _later(newest: datetime | None, item: Any) -> datetime | None:
    created = getattr(item, "datetime_created", None)
    if created is None or (newest is not None and created <= newest):
        return newest
    return created  # type: ignore[no-any-return]


def _watching(newest: datetime | None, state: str | None) -> str:
    when = newest.isoformat() if newest is not None else ""
    return SEPARATOR.join((WATCHING, when, state or ""))


def _created_after(item: Any, since: datetime | None) -> bool:
    """Created after the catch-up began: later than the newest item seen then. (Not the
    same second: imported or migrated mail can share one creation time by the thousand.)"""
    if since is None:
        return True
    created = getattr(item, "datetime_created", None)
    return created is not None and bool(created > since)
