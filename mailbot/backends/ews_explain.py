"""What exchangelib, requests and oauthlib raise, sorted into mailbot's error kinds
(TransientError to try again, CursorExpired, MaybeSent, BackendError in words an
administrator can act on). exchangelib often wraps the real cause, so the whole chain of
causes is looked at."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests.exceptions
import urllib3.exceptions
from exchangelib import IMPERSONATION, Configuration, OAuth2Credentials
from exchangelib import errors as ews_errors
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from mailbot.backends.base import BackendError, CursorExpired, TransientError, Unreachable

RETIREMENT = (
    "Microsoft is retiring EWS in Exchange Online (disablement phased from 1 October 2026, "
    'fully off on 1 April 2027): for Exchange Online set [mailbox] backend = "graph"'
)

# Server states that pass: worth waiting and trying again.
TRANSIENT = (
    ews_errors.ErrorServerBusy,
    ews_errors.ErrorTimeoutExpired,
    ews_errors.ErrorInternalServerTransientError,
    ews_errors.ErrorTooManyObjectsOpened,
    ews_errors.ErrorMailboxStoreUnavailable,
    ews_errors.ErrorMailboxMoveInProgress,
    ews_errors.ErrorConnectionFailedTransientError,
    ews_errors.RateLimitError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
)
NO_PERMISSION = (
    ews_errors.ErrorAccessDenied,
    ews_errors.ErrorImpersonateUserDenied,
    ews_errors.ErrorImpersonationDenied,
)


# A request that went out and whose answer never came: Exchange may have carried it out.
ANSWER_LOST = (
    requests.exceptions.ReadTimeout,
    urllib3.exceptions.ProtocolError,
    http.client.RemoteDisconnected,
    ConnectionResetError,
)
# ... unless the connection was never made: then nothing reached Exchange.
NEVER_ARRIVED = (
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.ConnectTimeoutError,
    requests.exceptions.ConnectTimeout,
)
# A load balancer or proxy in front of Exchange that gave up waiting or failed (500, 502,
# 504: Exchange may have gone on and done it) or has no server to offer (503).
GATEWAY_STATUSES = frozenset({500, 502, 503, 504})
UNSURE_STATUSES = frozenset({500, 502, 504})

# No connection was made at all (refused, no route, name not found, no answer to it).
NEVER_CONNECTED = (
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.ConnectTimeoutError,
    requests.exceptions.ConnectTimeout,
    ConnectionRefusedError,
)

REFUSES_EVERY_MAIL = (
    *NO_PERMISSION,
    ews_errors.ErrorSendAsDenied,
    ews_errors.UnauthorizedError,
    oauth_errors.OAuth2Error,
)


def explain(
    error: Exception, what: str, *, config: Configuration, access_type: str, address: str
) -> Exception:
    """Turn an exchangelib/HTTP error into our error kinds, in words an admin can act on."""
    who = config.credentials
    where = config.service_endpoint or "the autodiscovered endpoint"
    if any(isinstance(e, requests.exceptions.SSLError) for e in chain(error)):
        return BackendError(
            f"TLS certificate of {where} was not accepted: if Exchange uses the council's "
            "own certificate authority, set REQUESTS_CA_BUNDLE to its PEM file")
    if isinstance(error, (oauth_errors.TemporarilyUnavailableError, oauth_errors.ServerError)):
        return TransientError(
            f"Microsoft Entra ID could not issue a token just now ({error.error}): {what} "
            "is tried again later"
        )
    # exchangelib sometimes wraps the real cause (e.g. a refused connection while it
    # probes the server version) in a plain TransportError: look at the whole chain.
    cause = next((e for e in chain(error) if isinstance(e, TRANSIENT)), None)
    if cause is not None and not isinstance(error, ews_errors.ErrorServerBusy):
        reason = network_reason(error)
        at = f" at {_host(config.service_endpoint)}" if config.service_endpoint else ""
        if any(isinstance(e, NEVER_CONNECTED) for e in chain(error)):
            return Unreachable(f"cannot reach Exchange{at} ({what}): {reason or cause}")
        return TransientError(f"Exchange{at} did not answer ({what}): {reason or cause}")
    status = http_status(error)
    if status in GATEWAY_STATUSES:
        return TransientError(f"the web server in front of Exchange answered {status} ({what})")
    if isinstance(error, ews_errors.ErrorInvalidSyncStateData):
        return CursorExpired(f"Exchange no longer accepts the stored sync state ({what})")
    if isinstance(error, ews_errors.ErrorServerBusy):
        return TransientError(
            f"Exchange is busy ({what}): {error}", retry_after=_server_hint(error)
        )
    if isinstance(error, ews_errors.UnauthorizedError) and access_type == IMPERSONATION \
            and isinstance(who, OAuth2Credentials):
        return BackendError(
            f"Exchange refused the token of app {who.client_id} (HTTP 401) at {where}, "
            "even a new one: the app lacks the full_access_as_app permission (or the "
            "Application EWS.AccessAsApp role), admin consent is missing, or tenant_id "
            "names another tenant"
        )
    if isinstance(error, ews_errors.UnauthorizedError):
        password = getattr(who, "password", None)
        padded = isinstance(password, str) and password != password.strip()
        return BackendError(
            f"Exchange refused the login (HTTP 401) for {who} at {where}: "
            "wrong user name or password, or the account is locked or its password expired: "
            "check [mailbox.ews] username (DOMAIN\\user or the UPN) and the password in "
            "MAILBOT_MAILBOX__EWS__PASSWORD"
            + ("; the password mailbot was given begins or ends with a space or a line "
               "break" if padded else "")
        )
    if isinstance(error, oauth_errors.OAuth2Error):
        return BackendError(
            f"Microsoft Entra ID refused a token for app {who} ({error.error}): check "
            "tenant_id, client_id and client_secret (secrets expire)"
        )
    if isinstance(error, ews_errors.ErrorNonExistentMailbox):
        return BackendError(
            f"Exchange has no mailbox {address} (ErrorNonExistentMailbox): check "
            "the shared mailbox address ([mailbox] address)"
        )
    if isinstance(error, ews_errors.ErrorSendAsDenied):
        return BackendError(
            f"{who} may not send as the shared mailbox {address} (ErrorSendAsDenied: {error}): "
            f"grant it Send As (Add-ADPermission -Identity <the shared mailbox> -User {who} "
            '-ExtendedRights "Send As"; in Exchange Online Add-RecipientPermission '
            "-AccessRights SendAs); FullAccess alone does not let it send"
        )
    if isinstance(error, NO_PERMISSION):
        return BackendError(
            f"{who} may not open the shared mailbox {address} "
            f"({type(error).__name__}): grant {_rights(config, access_type)}"
        )
    if isinstance(error, ews_errors.ErrorFolderNotFound):
        return BackendError(f"a folder of {address} is missing ({what}): {error}")
    if status == 404:
        return BackendError(
            f"Exchange answered 404 Not Found at {where}: there is no EWS at that URL. "
            "Set [mailbox.ews] service_endpoint to the EWS URL, ending in "
            "/EWS/Exchange.asmx (Get-WebServicesVirtualDirectory shows it as "
            "InternalUrl and ExternalUrl)"
        )
    if isinstance(error, ews_errors.CASError) or http_status(error) == 403:
        return BackendError(
            f"Exchange answered 403 Forbidden at {where}: EWS is switched off for this "
            f"mailbox or organisation. {RETIREMENT}; on-premises, ask for "
            "Set-CASMailbox -EwsEnabled $true on the mailbox"
        )
    if isinstance(error, ews_errors.AutoDiscoverFailed):
        return BackendError(
            f"autodiscover found no Exchange for {address} ([mailbox.ews] service_endpoint "
            "is empty, so mailbot looked it up): set service_endpoint to the EWS URL, ending "
            "in /EWS/Exchange.asmx (Get-WebServicesVirtualDirectory shows it)"
        )
    if isinstance(error, ews_errors.MalformedResponseError) and status is None:
        # 200 with no SOAP in it: the URL copied from the browser is Outlook on the web's
        # sign-in page, or a reverse proxy's login form in front of Exchange.
        return BackendError(
            f"{where} answered with a web page, not Exchange Web Services (a sign-in page, "
            "or the Outlook on the web address): set [mailbox.ews] service_endpoint to the "
            "EWS URL, ending in /EWS/Exchange.asmx (Get-WebServicesVirtualDirectory shows "
            "it as InternalUrl and ExternalUrl); a reverse proxy must pass /EWS/ through "
            "to Exchange without its own login"
        )
    if isinstance(error, ews_errors.EWSError):
        return BackendError(f"Exchange refused to {what}: {type(error).__name__}: {error}")
    return error


def _rights(config: Configuration, access_type: str) -> str:
    """The rights on the shared mailbox the account or app needs, and how to grant them."""
    who = config.credentials
    if isinstance(who, OAuth2Credentials):
        # Exchange Online removed the ApplicationImpersonation role in February 2025:
        # an app now needs full_access_as_app, or the RBAC for Applications role.
        return (
            "the app full_access_as_app (with admin consent), or the 'Application "
            "EWS.AccessAsApp' role with a management scope that includes this mailbox"
        )
    if access_type == IMPERSONATION:
        return f"ApplicationImpersonation to {who}, with a scope that includes this mailbox"
    return f"FullAccess and SendAs on the mailbox for {who}"


def send_refused(
    error: ews_errors.ErrorAccessDenied, *, config: Configuration, access_type: str, address: str
) -> BackendError:
    """CreateItem refused with ErrorAccessDenied: the account opened the mailbox (it read
    the mail), so what it lacks is the right to send from it, not to open it."""
    who = config.credentials
    if isinstance(who, OAuth2Credentials) or access_type == IMPERSONATION:
        how = _rights(config, access_type)
    else:
        how = (f"it Send As (Add-ADPermission -Identity <the shared mailbox> -User {who} "
               '-ExtendedRights "Send As"; in Exchange Online Add-RecipientPermission '
               "-AccessRights SendAs)")
    return BackendError(
        f"{who} may not send as the shared mailbox {address} (ErrorAccessDenied: {error}): "
        f"grant {how}, and check that no role or policy takes sending away from it"
    )


def move_refused(
    error: ews_errors.ErrorAccessDenied, *, config: Configuration, access_type: str,
    address: str, processed: str,
) -> BackendError:
    """MoveItem refused with ErrorAccessDenied: the account reads the Inbox but may not
    change it (a folder permission such as Reviewer, not FullAccess on the mailbox)."""
    who = config.credentials
    if isinstance(who, OAuth2Credentials) or access_type == IMPERSONATION:
        how = _rights(config, access_type)
    else:
        how = (f"it FullAccess (Add-MailboxPermission -Identity <the shared mailbox> -User "
               f"{who} -AccessRights FullAccess); a read-only folder permission such as "
               "Reviewer lets it read the Inbox but not move mail out of it")
    return BackendError(
        f"{who} may not move messages from the Inbox of {address} to {processed!r} "
        f"(ErrorAccessDenied: {error}): grant {how}"
    )


def network_reason(error: BaseException) -> str | None:
    """The network's own reason, in words, from the bottom of requests' and urllib3's
    wrapping ("HTTPSConnectionPool(...): Max retries exceeded ... [Errno 111] ...");
    None if there is none to find."""
    for seen in chain(error):
        if isinstance(seen, socket.gaierror):
            return ("the host name is not known to DNS: check [mailbox.ews] "
                    "service_endpoint and this machine's DNS")
        if isinstance(seen, ConnectionRefusedError):
            return ("the connection was refused: check [mailbox.ews] service_endpoint "
                    "(the port too) and that Exchange is running")
        if isinstance(seen, TimeoutError):  # socket.timeout too
            return ("no answer in time: a firewall may be dropping the connection, or "
                    "Exchange is overloaded")
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
    return None


def _host(url: str) -> str:
    """host:port of an endpoint URL, the port filled in from the scheme."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number: the URL as written
        return url
    return f"{parts.hostname}:{port}"


def chain(error: BaseException) -> Iterator[BaseException]:
    """The error, then its causes, the one it was raised from or during first."""
    seen: BaseException | None = error
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _server_hint(error: ews_errors.ErrorServerBusy) -> float | None:
    """The server's BackOffMilliseconds, in seconds; None when exchangelib made one up
    (it fills in its own default wait when it re-raises other failures as busy)."""
    back_off = getattr(error, "back_off", None)
    text = str(error)
    if back_off is None or text.startswith(("Reraised from", "Caused by")):
        return None
    return float(back_off)


def answer_lost(error: Exception) -> bool:
    """The request went out and no answer came: Exchange may have carried it out."""
    causes = list(chain(error))
    if any(isinstance(e, NEVER_ARRIVED) for e in causes):
        return False
    return any(isinstance(e, ANSWER_LOST) for e in causes) or http_status(error) in UNSURE_STATUSES


def http_status(error: Exception) -> int | None:
    """The HTTP status exchangelib reports in a MalformedResponseError, if any."""
    text = str(error)
    marker = "Code: "
    if isinstance(error, ews_errors.MalformedResponseError) and marker in text:
        digits = text.split(marker, 1)[1][:3]
        return int(digits) if digits.isdigit() else None
    return None
