"""Reading what is new in a mail folder of the shared mailbox with Graph's delta query.

A round pages through `/messages/delta` and ends with an `@odata.deltaLink`: the place
to go on from, which Graph says to treat as opaque and replay as is. A link Graph no
longer knows (410, syncStateNotFound, or a 400 for a stale skip token) is CursorExpired,
so the caller starts afresh; Message-ID dedup keeps that safe."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from mailbot.backends.base import BackendError, CursorExpired
from mailbot.backends.graph_http import IMMUTABLE_IDS, GraphClient

# Error codes Graph uses when a delta token can no longer be replayed.
EXPIRED_SYNC_CODES = frozenset({"syncstatenotfound", "syncstateinvalid", "resyncrequired"})


class DeltaQuery:
    """Delta rounds over the folders of one mailbox (Graph's well-known folder names:
    "inbox", "sentitems"), `page_size` messages a page."""

    def __init__(self, client: GraphClient, page_size: int) -> None:
        self._client = client
        self.page_size = page_size

    def round(
        self,
        folder: str,
        link: str | None,
        *,
        start: str = "",
        to_end: bool = False,
        times: list[str] | None = None,
    ) -> tuple[list[str], str]:
        """Ids now in the folder that are new since `link`, and the link to go on from.

        Unless `to_end`, this stops once a page's worth of ids is found and returns the
        round's nextLink: the poll asks again, so a first run over 10,000 messages never
        holds them all in memory. `start` is the first request of a fresh round. The
        receivedDateTime of each message found is added to `times`, if given.
        """
        if link is not None and not _is_web_address(link):
            # An EWS sync state or an IMAP "UIDVALIDITY:UID" stored before the mailbox moved
            # to Graph: httpx would refuse it as a URL on every poll ("cannot reach Graph").
            raise CursorExpired(
                "graph: the stored cursor is not a Graph delta link (another backend wrote "
                "it); starting afresh"
            )
        url = link or start or self.start(folder)
        present: dict[str, bool] = {}  # id -> still in the folder; the last word wins
        while True:
            page = self._page(url, folder, replaying=link is not None)
            for item in page.get("value", []):
                if not isinstance(item, dict) or "id" not in item:
                    continue
                # "@removed": deleted or moved away; we have nothing to fetch for it.
                present[str(item["id"])] = "@removed" not in item
                received = item.get("receivedDateTime")
                if times is not None and "@removed" not in item and isinstance(received, str):
                    times.append(received)
            found = [i for i, here in present.items() if here]
            next_link = page.get("@odata.nextLink")
            if isinstance(next_link, str):
                if not to_end and len(found) >= self.page_size:
                    return found, next_link
                url = next_link
                continue
            delta_link = page.get("@odata.deltaLink")
            if not isinstance(delta_link, str):
                raise BackendError("Graph ended a delta round without a deltaLink")
            return found, delta_link

    def start(self, folder: str, received_after: str | None = None) -> str:
        """The first request of a fresh round; with `received_after`, only mail received
        after that time is in it."""
        url = (
            f"{self._client.user}/mailFolders/{folder}/messages/delta"
            "?$select=id,internetMessageId,receivedDateTime"
        )
        if received_after is not None:
            # gt, not ge: imported or migrated mail can share one time by the thousand
            url += f"&$filter=receivedDateTime gt {received_after}"
        return url

    def _page(self, url: str, folder: str, *, replaying: bool) -> dict[str, Any]:
        shown = "the Inbox" if folder == "inbox" else "Sent Items"
        reply = self._client.call(
            "GET",
            url,
            what=f"delta query on {shown}",
            headers={"Prefer": f"{IMMUTABLE_IDS}, odata.maxpagesize={self.page_size}"},
        )
        if reply.status == 200:
            return reply.json()
        expired = reply.status == 410 or reply.error_code().lower() in EXPIRED_SYNC_CODES
        # A stored link is Graph's own URL: a 400 for it means its token is stale (a skip
        # token kept across a long stop, say). Starting afresh is always safe (Message-ID
        # dedup), where failing would fail every poll after it.
        if (expired or reply.status == 400) and replaying:
            raise CursorExpired(
                f"Graph no longer knows this delta token ({reply.status} "
                f"{reply.error_code() or 'Gone'}); a full resync is needed"
            )
        raise self._client.failure(reply, f"read {shown}")


def _is_web_address(link: str) -> bool:
    """True for an absolute http(s) URL, as every delta link Graph hands back is."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)
