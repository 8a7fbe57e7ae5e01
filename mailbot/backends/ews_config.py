"""Settings for the ews backend turned into exchangelib's Configuration: which login
(NTLM, basic, or an app's OAuth2 token), which endpoint (given, Exchange Online's, or
autodiscovered) and which access (delegate or impersonation). Pure: no network."""

from __future__ import annotations

from typing import Any

from exchangelib import (
    BASIC,
    DELEGATE,
    IMPERSONATION,
    NTLM,
    OAUTH2,
    Configuration,
    Credentials,
    FailFast,
    OAuth2Credentials,
)

from mailbot.backends.base import BackendError

EXCHANGE_ONLINE_ENDPOINT = "https://outlook.office365.com/EWS/Exchange.asmx"
AUTH_TYPES = {"ntlm": NTLM, "basic": BASIC, "oauth2": OAUTH2, "oauth": OAUTH2}
ACCESS_TYPES = {"delegate": DELEGATE, "impersonation": IMPERSONATION}


class TokenEndpointCredentials(OAuth2Credentials):
    """OAuth2 client credentials whose token endpoint can be set: a national cloud's
    authority, or a loopback endpoint in tests. None keeps Microsoft's global one."""

    def __init__(self, *, token_endpoint: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token_endpoint = token_endpoint

    @property
    def token_url(self) -> str:
        return self.token_endpoint or super().token_url


def build_configuration(
    *,
    primary_smtp_address: str,
    service_endpoint: str | None,
    auth_type: str,
    username: str | None,
    password: str | None,
    tenant_id: str | None,
    client_id: str | None,
    client_secret: str | None,
    token_endpoint: str | None,
    access_type: str | None,
) -> tuple[Configuration, str, bool]:
    """The exchangelib Configuration, access type and autodiscover flag for these settings.

    Pure: no network. Raises BackendError naming the missing or wrong setting.
    """
    kind = auth_type.lower()
    if kind not in AUTH_TYPES:
        raise BackendError(
            f"ews auth_type {auth_type!r} is not one of: {', '.join(sorted(AUTH_TYPES))}"
        )
    if "@" not in primary_smtp_address:
        raise BackendError(
            f"ews primary_smtp_address {primary_smtp_address!r} is not an email address"
        )
    credentials: Credentials | OAuth2Credentials
    endpoint: str | None
    if AUTH_TYPES[kind] == OAUTH2:
        missing = [
            name
            for name, value in (
                ("tenant_id", tenant_id),
                ("client_id", client_id),
                ("client_secret", client_secret),
            )
            if not value
        ]
        if missing:
            raise BackendError(f"ews auth_type {kind!r} needs {', '.join(missing)}")
        credentials = TokenEndpointCredentials(
            client_id=client_id,
            client_secret=client_secret,
            tenant_id=tenant_id,
            token_endpoint=token_endpoint,
        )
        # App-only tokens act for no user: the app must impersonate the shared mailbox.
        access = IMPERSONATION
        endpoint = service_endpoint or EXCHANGE_ONLINE_ENDPOINT
    else:
        missing = [
            name for name, value in (("username", username), ("password", password)) if not value
        ]
        if missing:
            raise BackendError(f"ews auth_type {kind!r} needs {', '.join(missing)}")
        credentials = Credentials(username=username, password=password)
        access = ACCESS_TYPES.get((access_type or "delegate").lower(), "")
        if not access:
            raise BackendError(
                f"ews access_type {access_type!r} is not one of: delegate, impersonation"
            )
        endpoint = service_endpoint
    autodiscover = endpoint is None
    config = Configuration(
        credentials=credentials,
        service_endpoint=endpoint,
        auth_type=AUTH_TYPES[kind],
        retry_policy=FailFast(),  # we retry ourselves, with our Backoff and sleep
    )
    return config, access, autodiscover
