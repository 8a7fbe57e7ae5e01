"""App-only tokens for Microsoft Graph: the TokenProvider the graph backend asks for a
bearer token, a fixed one (tests, tokens minted elsewhere), and one from Microsoft Entra
ID through msal with a client secret or a certificate, whose refusals are put in words an
administrator can act on."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from mailbot.backends.base import BackendError, TransientError
from mailbot.backends.graph_reach import cannot_reach
from mailbot.settings.mailbox import DEFAULT_AUTHORITY_HOST

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# Graph's national clouds, each with its own token audience (a relay or proxy in front of
# Graph is none of these: its tokens are still for graph.microsoft.com).
NATIONAL_GRAPH_HOSTS = ("graph.microsoft.us", "dod-graph.microsoft.us",
                        "microsoftgraph.chinacloudapi.cn")


def graph_scope(base_url: str) -> str:
    """The scope to ask Entra ID for: the national cloud's Graph that `base_url` names,
    else Microsoft's global Graph."""
    host = (urlsplit(base_url).hostname or "").lower()
    return f"https://{host}/.default" if host in NATIONAL_GRAPH_HOSTS else GRAPH_SCOPE


@runtime_checkable
class TokenProvider(Protocol):
    """Hands out a bearer token for Microsoft Graph."""

    def token(self) -> str: ...

    def invalidate(self) -> None:
        """Forget a cached token (Graph said 401: it may have been revoked early)."""
        ...


class StaticTokenProvider:
    """A fixed token: for tests against the loopback fake, and for tokens minted elsewhere."""

    def __init__(self, token: str) -> None:
        self._token = token

    def token(self) -> str:
        return self._token

    def invalidate(self) -> None:
        """A fixed token cannot be renewed."""


class ConfidentialClient(Protocol):
    """The part of msal.ConfidentialClientApplication we use (tests pass a stub)."""

    def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]: ...


class SignInRefused(BackendError):
    """Entra ID will not issue a token for these credentials: every request, and every
    mail, would be refused the same way until an administrator changes something."""


# OAuth error codes (RFC 6749) and AADSTS codes that pass on their own: try again later.
_PASSING_SIGN_IN_ERRORS = ("temporarily_unavailable", "server_error", "AADSTS90033",
                           "AADSTS50196")

# What msal raises when the authority's tenant discovery answers 400: no such tenant.
_UNKNOWN_TENANT = "Unable to get authority configuration"

# AADSTS codes an administrator is likely to meet, in words they can act on.
_AADSTS_HINTS = {
    "AADSTS7000215": "the client secret is wrong: put the secret's Value, not its ID, in "
    "MAILBOT_MAILBOX__GRAPH__CLIENT_SECRET",
    "AADSTS7000222": "the client secret has expired; create a new one under Certificates & "
    "secrets and put its Value in MAILBOT_MAILBOX__GRAPH__CLIENT_SECRET",
    "AADSTS700016": "no app with this client_id exists in the tenant: check [mailbox.graph] "
    "client_id (the Application (client) ID) and tenant_id",
    "AADSTS90002": "the tenant_id does not name an existing tenant",
    "AADSTS700027": "the certificate is not the one uploaded to the app registration, "
    "or the thumbprint does not match the private key",
    "AADSTS700024": "the certificate assertion is not valid at this time; check the clock",
}


class MsalTokenProvider:
    """App-only tokens from Microsoft Entra ID with the client-credentials grant.

    Give either `client_secret`, or `certificate_path`: a PEM file with the private key
    and, ideally, the certificate too, from which the thumbprint is worked out. With a
    key-only file, give `certificate_thumbprint` (the SHA-1 thumbprint the Entra portal
    shows). A certificate is preferred to a secret: it never travels, and it cannot be
    pasted into a chat. Tokens are cached until `refresh_margin` seconds before they
    expire. The msal application is built on the first token, not here, because
    building one contacts the authority.
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str | None = None,
        certificate_path: str | Path | None = None,
        certificate_thumbprint: str | None = None,
        authority_host: str = DEFAULT_AUTHORITY_HOST,
        scope: str = GRAPH_SCOPE,
        app: ConfidentialClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        refresh_margin: float = 300.0,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        # A secret pasted with a space or a line break around it is refused as wrong.
        self._secret_padded = bool(client_secret) and client_secret != (client_secret or "").strip()
        self._credential: str | dict[str, str] | None = None
        if app is None:
            self._credential = client_credential(
                client_secret, certificate_path, certificate_thumbprint
            )
        self._authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self._own_authority = authority_host.rstrip("/") != DEFAULT_AUTHORITY_HOST
        self._scopes = [scope]
        self._app = app
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._cached: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._cached is not None and now < self._expires_at - self._refresh_margin:
                return self._cached
            result = self._acquire()
            access_token = result.get("access_token")
            if not isinstance(access_token, str):
                failure = _token_failure(result, self.tenant_id, self.client_id)
                if self._secret_padded and "AADSTS7000215" in failure:
                    failure += ("; the secret mailbot was given begins or ends with a space or "
                                "a line break: remove it")
                said = f"{result.get('error', '')} {result.get('error_description', '')}"
                if any(code in said for code in _PASSING_SIGN_IN_ERRORS):
                    raise TransientError(failure)
                raise SignInRefused(failure)
            self._cached = access_token
            self._expires_at = now + float(result.get("expires_in", 3600))
            return access_token

    def invalidate(self) -> None:
        """Forget the token, ours and msal's: msal (1.23 on) answers from its own cache and
        refuses force_refresh for client credentials, so without this the 'fresh' token
        after a 401 would be the one Graph just refused."""
        with self._lock:
            self._cached = None
            cache = getattr(self._app, "token_cache", None)
            if cache is None:
                return
            import msal

            for token in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(token)

    def _acquire(self) -> dict[str, Any]:
        try:
            return self._application().acquire_token_for_client(scopes=self._scopes)
        except OSError as error:  # requests' connection errors are OSErrors
            raise TransientError(cannot_reach(
                "Microsoft Entra ID", self._authority, "(to get a token)", "authority_host",
                error,
            )) from None
        except ValueError as error:  # msal: bad authority or unreadable key
            if _UNKNOWN_TENANT in str(error):
                raise SignInRefused(
                    f"Microsoft Entra ID knows no tenant {self.tenant_id!r}: set "
                    "[mailbox.graph] tenant_id to the Directory (tenant) ID on the app "
                    "registration's Overview page, or the tenant's *.onmicrosoft.com name"
                ) from None
            raise SignInRefused(f"Microsoft Entra ID sign-in is misconfigured: {error}") from None

    def _application(self) -> ConfidentialClient:
        if self._app is None:
            import msal  # imported here so the rest of mailbot never pays for it

            # Another sign-in host than Microsoft's global one is the council's choice
            # (a national cloud msal knows, or its own relay): no look-up of it at
            # login.microsoftonline.com, which a server kept off the internet cannot reach.
            self._app = msal.ConfidentialClientApplication(
                self.client_id, client_credential=self._credential, authority=self._authority,
                instance_discovery=False if self._own_authority else None,
            )
        return self._app


_PEM_KEY = re.compile(r"-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----.+?-----END \1-----", re.DOTALL)
_PEM_CERTIFICATE = re.compile(
    r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL
)


def client_credential(
    secret: str | None, certificate_path: str | Path | None, thumbprint: str | None
) -> str | dict[str, str]:
    """The `client_credential` msal wants: the secret, or the private key and thumbprint."""
    if certificate_path:
        return _certificate_credential(Path(certificate_path), thumbprint)
    if secret:
        return secret
    raise BackendError(
        "graph: give either client_secret or certificate_path (a PEM file with the private key)"
    )


def _certificate_credential(path: Path, thumbprint: str | None) -> dict[str, str]:
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError:
        raise BackendError(
            f"graph: certificate_path {path} is not a PEM file (a .pfx, .p12 or .cer "
            "exported from Windows is binary): convert it with `openssl pkcs12 -in FILE "
            f"-nodes -out {path.with_suffix('.pem').name}` and point certificate_path at that"
        ) from None
    except OSError as error:
        raise BackendError(f"graph: cannot read certificate_path {path}: {error}") from None
    key = _PEM_KEY.search(text)
    if key is None:
        raise BackendError(_no_key(path, text))
    given = (thumbprint or "").replace(":", "").replace(" ", "").upper()
    certificate = _PEM_CERTIFICATE.search(text)
    if certificate is not None:
        der = base64.b64decode("".join(certificate.group(1).split()))
        actual = hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()
        if given and given != actual:
            raise BackendError(
                f"graph: certificate_thumbprint {given} does not match the certificate in "
                f"{path} (its thumbprint is {actual})"
            )
        given = actual
    if not given:
        raise BackendError(
            f"graph: {path} has no certificate in it; add it, or set certificate_thumbprint"
        )
    return {"private_key": key.group(0), "thumbprint": given}


def _no_key(path: Path, text: str) -> str:
    """Why a PEM file gives no private key mailbot can use, and what to do about it."""
    if "ENCRYPTED" in text:
        return (
            f"graph: certificate_path {path} holds an encrypted private key; mailbot needs it "
            "unencrypted (openssl pkey -in FILE -out key.pem, then cat cert.pem key.pem "
            "into the file, chmod 600)"
        )
    return (
        f"graph: certificate_path {path} holds no private key, only what is uploaded to "
        "Entra; put the key made with the certificate in the same file "
        "(cat cert.pem key.pem > graph.pem)"
    )


def _token_failure(result: Mapping[str, Any], tenant_id: str, client_id: str) -> str:
    description = str(result.get("error_description") or result.get("error") or "no token")
    first_line = description.splitlines()[0] if description else ""
    for code, hint in _AADSTS_HINTS.items():
        if code in description:
            return (
                f"Microsoft Entra ID refused to sign in app {client_id} in tenant "
                f"{tenant_id}: {hint} ({code})"
            )
    return (
        f"Microsoft Entra ID refused to sign in app {client_id} in tenant {tenant_id}: {first_line}"
    )
