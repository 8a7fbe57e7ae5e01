"""App-only tokens for Graph: caching, renewal, errors in words, certificate credentials.

Microsoft Entra ID cannot run here, so msal's application object is replaced by a stub
that answers acquire_token_for_client the way msal does (a dict with access_token and
expires_in, or error and error_description). Everything around it is real, including a
GraphMailbox talking to the loopback fake Graph with the tokens the provider hands out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msal
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fakes.graph_server import FakeGraph

from mailbot.backends.base import BackendError, SendingBlocked, TransientError
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import MsalTokenProvider, client_credential
from mailbot.backends.retry import Backoff
from mailbot.model import OutgoingMail

MAILBOX = "memberenquiries@council.example"


class StubMsalApp:
    """Answers like msal.ConfidentialClientApplication.acquire_token_for_client."""

    def __init__(self, *answers: dict[str, Any] | Exception) -> None:
        self.answers = list(answers)
        self.scopes_asked: list[list[str]] = []

    def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]:
        self.scopes_asked.append(scopes)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def provider(app: StubMsalApp, clock: Clock | None = None) -> MsalTokenProvider:
    return MsalTokenProvider(
        tenant_id="contoso.onmicrosoft.com",
        client_id="11111111-2222-3333-4444-555555555555",
        app=app,
        clock=clock or Clock(),
    )


def test_token_is_cached_until_shortly_before_expiry() -> None:
    clock = Clock()
    app = StubMsalApp(
        {"access_token": "first", "expires_in": 3599, "token_type": "Bearer"},
        {"access_token": "second", "expires_in": 3599, "token_type": "Bearer"},
    )
    tokens = provider(app, clock)

    assert tokens.token() == "first"
    clock.now += 3000  # 599 s left, more than the 300 s margin
    assert tokens.token() == "first"
    clock.now += 300  # 299 s left: renew now rather than risk a 401 mid-poll
    assert tokens.token() == "second"
    assert app.scopes_asked == [["https://graph.microsoft.com/.default"]] * 2


def test_invalidate_forces_a_new_token() -> None:
    app = StubMsalApp(
        {"access_token": "a", "expires_in": 3600}, {"access_token": "b", "expires_in": 3600}
    )
    tokens = provider(app)
    assert tokens.token() == "a"
    tokens.invalidate()
    assert tokens.token() == "b"


class EntraOverHttp:
    """The two things real msal asks Entra ID over HTTP for a client-credentials token: the
    tenant's OpenID metadata, and a token (a new one each time, counted)."""

    TENANT = "https://login.microsoftonline.com/contoso.onmicrosoft.com"

    class Reply:
        def __init__(self, body: dict[str, Any]) -> None:
            self.status_code, self.text, self.headers = 200, json.dumps(body), {}

        def raise_for_status(self) -> None:
            """Always 200."""

    def __init__(self) -> None:
        self.issued = 0

    def get(self, url: str, **_: Any) -> EntraOverHttp.Reply:
        return self.Reply({
            "token_endpoint": f"{self.TENANT}/oauth2/v2.0/token",
            "authorization_endpoint": f"{self.TENANT}/oauth2/v2.0/authorize",
            "issuer": f"{self.TENANT}/v2.0",
        })

    def post(self, url: str, **_: Any) -> EntraOverHttp.Reply:
        self.issued += 1
        return self.Reply(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": f"t{self.issued}"}
        )

    def close(self) -> None:
        """Nothing to close."""


def test_invalidate_gets_a_new_token_past_msals_own_cache() -> None:
    """msal (1.23 and later) answers acquire_token_for_client from its own token cache, so
    after Graph refused a token (revoked early), asking msal again handed back the same
    refused token and the 'one fresh try' was no try at all."""
    entra = EntraOverHttp()
    app = msal.ConfidentialClientApplication(
        "11111111-2222-3333-4444-555555555555",
        client_credential="secret",
        authority=EntraOverHttp.TENANT,
        http_client=entra,
    )
    tokens = MsalTokenProvider(
        tenant_id="contoso.onmicrosoft.com",
        client_id="11111111-2222-3333-4444-555555555555",
        app=app,
        clock=Clock(),
    )
    first = tokens.token()
    tokens.invalidate()
    second = tokens.token()
    assert (first, second) == ("t1", "t2")
    assert entra.issued == 2


@pytest.mark.parametrize(
    ("description", "words"),
    [
        ("AADSTS7000215: Invalid client secret provided.",
         "client secret is wrong: put the secret's Value, not its ID, in "
         "MAILBOT_MAILBOX__GRAPH__CLIENT_SECRET"),
        ("AADSTS7000222: The provided client secret keys are expired.",
         "has expired; create a new one under Certificates & secrets and put its Value in "
         "MAILBOT_MAILBOX__GRAPH__CLIENT_SECRET"),
        ("AADSTS700016: Application with identifier 'x' was not found.",
         r"no app with this client_id exists in the tenant: check \[mailbox.graph\] client_id"),
        ("AADSTS90002: Tenant 'contoso' not found.", "tenant_id does not name"),
        ("AADSTS700027: Client assertion contains an invalid signature.", "certificate"),
        ("AADSTS50000: Something new.\r\nTrace ID: 1", "AADSTS50000: Something new."),
    ],
)
def test_sign_in_failures_are_in_words(description: str, words: str) -> None:
    app = StubMsalApp({"error": "invalid_client", "error_description": description})
    with pytest.raises(BackendError, match=words) as caught:
        provider(app).token()
    assert "11111111-2222-3333-4444-555555555555" in str(caught.value)
    assert "Trace ID" not in str(caught.value)


def test_unreachable_authority_is_transient() -> None:
    app = StubMsalApp(ConnectionError("Name or service not known"))
    with pytest.raises(TransientError, match="cannot reach Microsoft Entra ID"):
        provider(app).token()


def test_mailbox_uses_the_providers_token_and_renews_it_after_a_401() -> None:
    app = StubMsalApp(
        {"access_token": "revoked-early", "expires_in": 3600},
        {"access_token": "fresh", "expires_in": 3600},
    )
    with FakeGraph(MAILBOX, token="fresh") as fake:
        fake.deliver(b"Message-ID: <t@members.test.invalid>\r\nSubject: t\r\n\r\nx\r\n")
        mailbox = GraphMailbox(
            mailbox=MAILBOX,
            base_url=fake.base_url,
            token_provider=provider(app),
            backoff=Backoff(sleep=lambda _: None),
        )
        try:
            fetched, _ = mailbox.fetch_new(None)
        finally:
            mailbox.close()
    assert len(fetched) == 1
    assert [r.headers["Authorization"] for r in fake.requests[:2]] == [
        "Bearer revoked-early",
        "Bearer fresh",
    ]


ACK = OutgoingMail(
    "<ack.7@council.test.invalid>",
    ("ann.example@members.test.invalid",),
    b"From: memberenquiries@council.example\r\nTo: ann.example@members.test.invalid\r\n"
    b"Subject: We have your enquiry\r\nMessage-ID: <ack.7@council.test.invalid>\r\n\r\nx\r\n",
)


@pytest.mark.parametrize(
    ("answer", "raised"),
    [
        ({"error": "invalid_client",
          "error_description": "AADSTS7000222: The provided client secret keys are expired."},
         SendingBlocked),
        ({"error": "temporarily_unavailable",
          "error_description": "AADSTS90033: A transient error has occurred."},
         TransientError),
    ],
    ids=["secret-expired", "entra-hiccup"],
)
def test_a_token_refused_while_sending_holds_or_defers_the_mail(
    answer: dict[str, Any], raised: type[Exception]
) -> None:
    """An expired secret (secrets last two years at most) made each acknowledgement fail
    for good, one by one: it now holds every mail until the secret is renewed. A passing
    hiccup at Entra ID defers the mail instead."""
    with FakeGraph(MAILBOX) as fake:
        mailbox = GraphMailbox(
            mailbox=MAILBOX,
            base_url=fake.base_url,
            token_provider=provider(StubMsalApp(answer)),
            backoff=Backoff(attempts=1, sleep=lambda _: None),
        )
        try:
            with pytest.raises(raised) as caught:
                mailbox.send(ACK)
        finally:
            mailbox.close()
        assert fake.outgoing == []
    assert type(caught.value) is raised
    assert "Microsoft Entra ID" in str(caught.value)


# ---------------------------------------------------------------- credentials for msal


@pytest.fixture
def certificate(tmp_path: Path) -> Iterator[tuple[Path, Path, str]]:
    """A self-signed certificate: (key+cert PEM, key-only PEM, SHA-1 thumbprint)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mailbot test")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=730))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    both, key_only = tmp_path / "mailbot.pem", tmp_path / "mailbot.key"
    both.write_bytes(cert_pem + key_pem)
    key_only.write_bytes(key_pem)
    yield both, key_only, cert.fingerprint(hashes.SHA1()).hex().upper()


def test_secret_credential_is_passed_as_is() -> None:
    assert client_credential("s3cret", None, None) == "s3cret"


def test_certificate_thumbprint_is_worked_out_from_the_pem(
    certificate: tuple[Path, Path, str],
) -> None:
    both, _, thumbprint = certificate
    credential = client_credential(None, both, None)
    assert isinstance(credential, dict)
    assert credential["thumbprint"] == thumbprint
    assert credential["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert "CERTIFICATE" not in credential["private_key"]


def test_certificate_preferred_over_a_secret_and_thumbprint_checked(
    certificate: tuple[Path, Path, str],
) -> None:
    both, _, thumbprint = certificate
    colons = ":".join(thumbprint[i : i + 2] for i in range(0, len(thumbprint), 2)).lower()
    credential = client_credential("ignored", both, colons)
    assert isinstance(credential, dict) and credential["thumbprint"] == thumbprint
    with pytest.raises(BackendError, match="does not match the certificate"):
        client_credential(None, both, "00" * 20)


def test_key_only_file_needs_the_thumbprint(certificate: tuple[Path, Path, str]) -> None:
    _, key_only, thumbprint = certificate
    with pytest.raises(BackendError, match="set certificate_thumbprint"):
        client_credential(None, key_only, None)
    credential = client_credential(None, key_only, thumbprint)
    assert isinstance(credential, dict) and credential["thumbprint"] == thumbprint


def test_unreadable_or_keyless_certificate_files_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pem"
    with pytest.raises(BackendError, match=f"cannot read certificate_path {missing}"):
        client_credential(None, missing, None)
    keyless = tmp_path / "keyless.pem"
    keyless.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(BackendError, match=r"holds no private key, only what is uploaded to "
                       r"Entra; put the key made with the certificate in the same file "
                       r"\(cat cert.pem key.pem > graph.pem\)"):
        client_credential(None, keyless, None)


def test_an_encrypted_private_key_is_named_as_encrypted(
    tmp_path: Path, certificate: tuple[Path, Path, str]
) -> None:
    """A key kept with a passphrase: mailbot said the file 'holds no unencrypted PEM
    private key', which reads as if the key were missing."""
    both, key_only, _ = certificate
    key = serialization.load_pem_private_key(key_only.read_bytes(), password=None)
    encrypted = tmp_path / "graph.pem"
    encrypted.write_bytes(
        both.read_bytes().replace(key_only.read_bytes(), b"")
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(b"Winter2026"))
    )
    with pytest.raises(BackendError, match=f"certificate_path {encrypted} holds an encrypted "
                       "private key; mailbot needs it unencrypted"):
        client_credential(None, encrypted, None)


def test_provider_checks_credentials_when_built(certificate: tuple[Path, Path, str]) -> None:
    both, _, _ = certificate
    built = MsalTokenProvider(tenant_id="t", client_id="c", certificate_path=both)
    assert built.client_id == "c"  # no network: msal's app is only made on the first token
    with pytest.raises(BackendError, match="client_secret or certificate_path"):
        MsalTokenProvider(tenant_id="t", client_id="c")


def test_a_tenant_entra_does_not_know_is_named_with_the_key_to_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A misspelt tenant_id: msal's tenant discovery gets a 400 and msal raises a ValueError
    about authority formats, ciamlogin.com and b2clogin.com, which mailbot passed on as it
    was. It now says which tenant is unknown and where the right value is found."""

    def no_such_tenant(client_id: str, **kwargs: Any) -> None:
        authority = kwargs["authority"]
        raise ValueError(  # msal 1.39's words, from msal/authority.py
            f"Unable to get authority configuration for {authority}. Authority would "
            "typically be in a format of https://login.microsoftonline.com/your_tenant or "
            "https://tenant_name.ciamlogin.com or https://tenant_name.b2clogin.com/"
            "tenant.onmicrosoft.com/policy.  Also please double check your tenant name or "
            "GUID is correct."
        )

    monkeypatch.setattr(msal, "ConfidentialClientApplication", no_such_tenant)
    tokens = MsalTokenProvider(
        tenant_id="marshvaIe.onmicrosoft.com", client_id="c", client_secret="s"
    )
    with pytest.raises(BackendError) as caught:
        tokens.token()
    text = str(caught.value)
    assert text.startswith("Microsoft Entra ID knows no tenant 'marshvaIe.onmicrosoft.com': ")
    assert "[mailbox.graph] tenant_id" in text and "Directory (tenant) ID" in text
    assert "b2clogin" not in text


def test_a_pfx_file_is_named_as_not_pem_with_how_to_convert_it(tmp_path: Path) -> None:
    """A certificate exported from Windows' certificate store is a binary .pfx; mailbot said
    "'ascii' codec can't decode byte 0x82 in position 1"."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mailbot")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(start).not_valid_after(start + dt.timedelta(days=730))
        .sign(key, hashes.SHA256())
    )
    pfx = tmp_path / "graph.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(
        b"mailbot", key, certificate, None, serialization.NoEncryption()))
    with pytest.raises(BackendError) as caught:
        client_credential(None, pfx, None)
    text = str(caught.value)
    assert f"certificate_path {pfx} is not a PEM file" in text
    assert "openssl pkcs12 -in FILE -nodes -out graph.pem" in text
    assert "codec" not in text


@pytest.mark.parametrize("padded", ["s3cr3t~value\n", " s3cr3t~value", "s3cr3t~value "])
def test_a_secret_with_a_space_or_line_break_around_it_is_named(padded: str) -> None:
    """A secret copied with a trailing line break (an EnvironmentFile written with echo, a
    paste from the portal with a space): Entra answers AADSTS7000215 and mailbot said only
    that the secret is wrong, so the administrator pasted the same Value again."""
    refused = {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid "
               "client secret provided."}
    tokens = MsalTokenProvider(tenant_id="marshvale.onmicrosoft.com", client_id="c",
                               client_secret=padded, app=StubMsalApp(refused))
    with pytest.raises(BackendError) as caught:
        tokens.token()
    assert str(caught.value).endswith(
        "(AADSTS7000215); the secret mailbot was given begins or ends with a space or a line "
        "break: remove it")

    clean = MsalTokenProvider(tenant_id="marshvale.onmicrosoft.com", client_id="c",
                              client_secret="s3cr3t~value", app=StubMsalApp(refused))
    with pytest.raises(BackendError) as caught:
        clean.token()
    assert "line break" not in str(caught.value)
