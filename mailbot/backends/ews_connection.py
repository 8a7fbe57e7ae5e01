"""One session with Exchange over EWS for the shared mailbox: made on first use (at the
endpoint given, or autodiscovered), let go by close(), and every call through it retried
for what passes, with exchangelib's errors told in mailbot's kinds and plain words; an
app's token Exchange refuses is renewed once, and a send whose answer was lost is never
tried again.

mailbot.backends.ews.EwsMailbox is this session and what mailbot does with it; its
__init__ sets the settings and state declared here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from exchangelib import UTC, Account, Configuration, OAuth2Credentials
from exchangelib import errors as ews_errors
from exchangelib.folders import Folder
from exchangelib.protocol import Protocol

from mailbot.backends.base import BackendError, MaybeSent
from mailbot.backends.ews_explain import answer_lost, explain, http_status
from mailbot.backends.retry import Backoff, Cooldown, call_with_retry

T = TypeVar("T")

log = logging.getLogger(__name__)


class EwsConnection:
    """The session's settings and state (set by EwsMailbox.__init__) and handling."""

    config: Configuration
    access_type: str
    autodiscover: bool
    address: str
    backoff: Backoff
    cooldown: Cooldown
    _account: Account | None
    _processed: Folder | None  # the Processed folder found: looked for again once closed

    def close(self) -> None:
        if self._account is not None:
            protocol = self._account.protocol
            protocol.close()
            # exchangelib caches one Protocol per endpoint + credentials; drop ours
            with suppress(KeyError):
                del Protocol[protocol.config]
        self._account = None
        self._processed = None

    def _connect(self) -> Account:
        if self._account is None:
            if self.autodiscover:
                self._account = Account(
                    self.address,
                    credentials=self.config.credentials,
                    autodiscover=True,
                    access_type=self.access_type,
                    default_timezone=UTC,
                )
            else:
                self._account = Account(
                    self.address,
                    config=self.config,
                    autodiscover=False,
                    access_type=self.access_type,
                    default_timezone=UTC,
                )
        return self._account

    def _retry(self, what: str, operation: Callable[[], T], *, once: bool = False) -> T:
        """`operation` with retries for what passes. With `once` (sending), a request that
        went out and got no answer is MaybeSent, never tried again: Exchange may have sent
        it, and a second try would give the member a second copy."""

        def attempt() -> T:
            try:
                return self._with_fresh_token(operation)
            except BackendError:
                raise
            except Exception as error:  # exchangelib, requests and oauthlib raise many kinds
                if once and answer_lost(error):
                    status = http_status(error)
                    answer = (f"the web server in front of Exchange answered {status}"
                              if status else "the connection closed with no answer")
                    raise MaybeSent(
                        f"{answer} after the request to {what} went out; not tried again, "
                        "in case Exchange sent it (Sent Items will tell)"
                    ) from error
                raise explain(
                    error,
                    what,
                    config=self.config,
                    access_type=self.access_type,
                    address=self.address,
                ) from error

        return call_with_retry(attempt, self.backoff, what=f"ews: {what}", cooldown=self.cooldown)

    def _with_fresh_token(self, operation: Callable[[], T]) -> T:
        """Run `operation`; if Exchange refuses an app's token (401), get a new token and run
        it once more. exchangelib renews a token only when its own clock says it expired,
        so a token revoked or refused early would otherwise fail every poll until a
        restart. A 401 means nothing was done, so running it again sends nothing twice."""
        try:
            return operation()
        except ews_errors.UnauthorizedError:
            credentials = self.config.credentials
            if not isinstance(credentials, OAuth2Credentials):
                raise  # a password is not renewed by asking again
            log.info("ews: Exchange refused the app's token; getting a new one")
            credentials.access_token = None
            self.close()  # the next connection starts a session, and so fetches a token
            return operation()
