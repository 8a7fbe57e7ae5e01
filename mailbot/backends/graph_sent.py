"""Sent Items of the shared mailbox on Graph: watched for the replies officers send as the
shared mailbox (watch_sent), and asked after a crash mid-send whether a mail went out.

The first round only finds our place: years of old sent mail are not news. Walking a
whole delta round over 200,000 sent items would take thousands of requests, so it asks
only for mail received after the newest item there now (the one filter message delta
takes); the delta link keeps that filter, and everything sent from then on passes it.
The place is `seen|<newest receivedDateTime seen>|<link>`: if Graph forgets the link
(410), a new round from that time finds the replies sent in between. A plain link, as
stored by earlier versions, goes on working. `seen|<time>|` with no link yet is a first
round from that time: where another backend left off (see GraphMailbox.fresh_cursor).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from mailbot.backends.base import BackendError, CursorExpired, TransientError
from mailbot.backends.graph_delta import DeltaQuery
from mailbot.backends.graph_http import GraphClient

log = logging.getLogger(__name__)

SEEN = "seen"  # a Sent Items place: seen|<newest receivedDateTime seen>|<delta link>
SEEN_SEPARATOR = "|"  # only the first two are split off: the link keeps any of its own


class SentItems:
    """Sent Items through the mailbox's Graph client and delta query."""

    def __init__(self, client: GraphClient, delta: DeltaQuery) -> None:
        self._client = client
        self._delta = delta

    def new_items(self, place: str | None) -> tuple[list[str], str]:
        """New Sent Items (officers' replies sent as the shared mailbox) since `place`, and
        the place after them; without a place, only the place (old sent mail is history)."""
        kind, _, rest = (place or "").partition(SEEN_SEPARATOR)
        newest, link = rest.partition(SEEN_SEPARATOR)[::2] if kind == SEEN else ("", place)
        if not link and newest:  # where another backend left off: no link of ours yet
            return self._since(newest)
        if link:
            times = [newest] if newest else []
            try:
                found, after = self._delta.round("sentitems", link, times=times)
                return found, _seen(times, after)
            except CursorExpired:
                if newest:
                    log.warning("graph: the Sent Items cursor expired; reading Sent Items "
                                "again from the newest item seen before")
                    return self._since(newest)
                log.warning(
                    "graph: the Sent Items cursor expired; replies sent since the "
                    "last poll may be missed, the Inbox is unaffected"
                )
        return [], self._start()

    def _since(self, newest: str) -> tuple[list[str], str]:
        """Everything received in Sent Items after `newest`: replies sent while Graph
        forgot our place. Falls back to starting afresh if the filter is refused."""
        times = [newest]
        try:
            found, link = self._delta.round(
                "sentitems", None, start=self._delta.start("sentitems", newest), to_end=True,
                times=times,
            )
        except BackendError as error:
            if isinstance(error, TransientError):
                raise
            return [], self._start()
        return found, _seen(times, link)

    def _start(self) -> str:
        newest = self._newest()
        try:
            _, place = self._delta.round(
                "sentitems", None, start=self._delta.start("sentitems", newest), to_end=True
            )
        except BackendError as error:
            if newest is None or isinstance(error, TransientError):
                raise
            log.warning("graph: Sent Items refused the receivedDateTime filter; reading the "
                        "whole folder once to find our place")
            _, place = self._delta.round("sentitems", None, to_end=True)
        return _seen([newest] if newest else [], place)

    def _newest(self) -> str | None:
        """receivedDateTime of the newest item in Sent Items, None if it is empty."""
        reply = self._client.call(
            "GET",
            f"{self._client.user}/mailFolders/sentitems/messages",
            what="find the newest item in Sent Items",
            params={
                "$orderby": "receivedDateTime desc",
                "$top": "1",
                "$select": "receivedDateTime",
            },
        )
        if reply.status != 200:
            raise self._client.failure(reply, "read Sent Items")
        newest = reply.json().get("value") or [{}]
        when = newest[0].get("receivedDateTime") if isinstance(newest[0], dict) else None
        return when if isinstance(when, str) and when else None

    def was_sent(self, message_id: str, since: datetime | None = None) -> bool | None:
        """After a crash mid-send: True if the Sent Items copy is there. Exchange files it
        a moment after it accepts sendMail, so its absence proves nothing: None then.

        The server is asked for that one message ($filter on internetMessageId): it does
        the looking, and no page of the folder comes back. `since` is not added to the
        filter: Graph refuses some filters that combine properties of messages
        (InefficientFilter), and a refusal here would leave every such mail uncertain."""
        del since  # see above
        quoted = message_id.replace("'", "''")
        reply = self._client.call(
            "GET",
            f"{self._client.user}/mailFolders/sentitems/messages",
            what="look in Sent Items",
            params={"$filter": f"internetMessageId eq '{quoted}'", "$select": "id"},
        )
        if reply.status != 200:
            raise self._client.failure(reply, "look in Sent Items")
        return True if reply.json().get("value") else None


def _seen(times: list[str], link: str) -> str:
    """A Sent Items place: the newest receivedDateTime among `times`, and the link."""
    parsed = [(t, _instant(t)) for t in times]
    known = [(t, when) for t, when in parsed if when is not None]
    newest = max(known, key=lambda pair: pair[1])[0] if known else ""
    return SEEN_SEPARATOR.join((SEEN, newest, link))


def _instant(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
