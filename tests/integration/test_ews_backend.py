"""The ews backend's own faults and settings, against the loopback fake EWS server.

The shared promises (incremental fetch, move, send, resync, 1,000 messages) are in
tests/contract/; here: throttling hints, wrong password, missing permissions, EWS
switched off, folders missing or renamed, messages deleted mid-fetch, and the
exchangelib objects each kind of login builds.
"""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests.exceptions
from exchangelib import BASIC, DELEGATE, IMPERSONATION, NTLM, OAUTH2, Credentials, OAuth2Credentials
from fakes.ews_server import FakeExchange, running

from mailbot.backends.base import (
    BackendError,
    CursorExpired,
    MaybeSent,
    SendingBlocked,
    TransientError,
)
from mailbot.backends.ews import EwsMailbox
from mailbot.backends.ews_config import EXCHANGE_ONLINE_ENDPOINT, build_configuration
from mailbot.backends.ews_explain import network_reason
from mailbot.backends.retry import Backoff, Cooldown
from mailbot.model import OutgoingMail

pytestmark = pytest.mark.timeout(60)

ADDRESS = "memberenquiries@council.example"


def member_mail(label: str) -> bytes:
    return (
        "From: Cllr Bea Example <bea@members.test.invalid>\r\n"
        f"To: {ADDRESS}\r\n"
        f"Subject: Bins not collected ({label})\r\n"
        f"Message-ID: <{label}.{uuid.uuid4().hex}@members.test.invalid>\r\n"
        "\r\n"
        "The bins on Station Road were missed again.\r\n"
    ).encode()


def message_id(raw: bytes) -> str:
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode()
    raise AssertionError("no Message-ID")


class Sleeps(list[float]):
    def backoff(self, attempts: int = 4) -> Backoff:
        return Backoff(attempts=attempts, base=0.5, factor=2.0, cap=30.0, sleep=self.append)


@pytest.fixture
def server() -> Iterator[tuple[FakeExchange, str]]:
    with running(FakeExchange(mailbox_address=ADDRESS)) as (exchange, base):
        yield exchange, f"{base}/EWS/Exchange.asmx"


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def basic_client(endpoint: str, sleeps: Sleeps, **overrides: object) -> EwsMailbox:
    settings: dict[str, object] = dict(
        primary_smtp_address=ADDRESS, service_endpoint=endpoint, auth_type="basic",
        username="svc-mailbot", password="s3cret", backoff=sleeps.backoff())
    settings.update(overrides)
    return EwsMailbox(**settings)  # type: ignore[arg-type]


def basic_refusal(endpoint: str, sleeps: Sleeps, **overrides: object) -> str:
    """What check-config --connect is told when Exchange refuses a basic-auth client."""
    client = basic_client(endpoint, sleeps, **overrides)
    try:
        with pytest.raises(BackendError) as caught:
            client.check_connection()
    finally:
        client.close()
    return str(caught.value)


def oauth_client(base: str, sleeps: Sleeps, **overrides: object) -> EwsMailbox:
    settings: dict[str, object] = dict(
        primary_smtp_address=ADDRESS, service_endpoint=f"{base}/EWS/Exchange.asmx",
        auth_type="oauth2", tenant_id="contoso-tenant", client_id="app-id",
        client_secret="app-secret", token_endpoint=f"{base}/token", backoff=sleeps.backoff())
    settings.update(overrides)
    return EwsMailbox(**settings)  # type: ignore[arg-type]


# --- throttling and outages ------------------------------------------------------------


def test_server_busy_back_off_milliseconds_is_honoured(server, sleeps) -> None:
    exchange, endpoint = server
    exchange.busy_back_off_ms = 2500
    raw = member_mail("busy")
    exchange.deliver(raw)
    client = basic_client(endpoint, sleeps)
    try:
        exchange.fail_next(2)
        fetched, _ = client.fetch_new(None)
    finally:
        client.close()
    assert [message_id(m.raw) for m in fetched] == [message_id(raw)]
    assert sleeps == [2.5, 2.5]  # the server's hint, longer than our own 0.5 s and 1 s


def test_a_back_off_longer_than_we_wait_is_obeyed_not_cut_short(server, sleeps) -> None:
    """Exchange Online's EWS throttling asks for minutes of quiet. Retrying every 30 seconds
    would only keep the mailbox throttled: nothing is sent to Exchange until then."""
    exchange, endpoint = server
    exchange.busy_back_off_ms = 300_000
    raw = member_mail("quiet")
    exchange.deliver(raw)
    now = [5000.0]
    client = basic_client(endpoint, sleeps, cooldown=Cooldown(clock=lambda: now[0]))
    try:
        client.was_sent("<warm-up@council.example>")
        asked = len(exchange.operations)
        exchange.fail_next(1)
        with pytest.raises(TransientError):
            client.fetch_new(None)
        now[0] += 120
        with pytest.raises(TransientError, match="pause"):
            client.fetch_new(None)
        assert len(exchange.operations) == asked + 1  # the one that was refused, no more
        now[0] += 181
        fetched, _ = client.fetch_new(None)
    finally:
        client.close()
    assert sleeps == []
    assert [message_id(m.raw) for m in fetched] == [message_id(raw)]


def test_busy_for_too_long_is_a_transient_error_and_nothing_is_lost(server, sleeps) -> None:
    exchange, endpoint = server
    raw = member_mail("patience")
    exchange.deliver(raw)
    client = basic_client(endpoint, sleeps)
    try:
        exchange.fail_next(10)
        with pytest.raises(TransientError) as caught:
            client.fetch_new(None)
        assert caught.value.retry_after == pytest.approx(0.2)
        exchange.fail_next(0)
        fetched, _ = client.fetch_new(None)
    finally:
        client.close()
    assert len(sleeps) == 3  # four attempts, three waits
    assert [message_id(m.raw) for m in fetched] == [message_id(raw)]


def test_server_down_at_start_is_transient(sleeps) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = basic_client(f"http://127.0.0.1:{port}/EWS/Exchange.asmx", sleeps)
    try:
        with pytest.raises(TransientError) as caught:
            client.fetch_new(None)
    finally:
        client.close()
    assert sleeps == [0.5, 1.0, 2.0]
    # What the administrator reads: where, and why in words, not urllib3's wrapping.
    assert str(caught.value).startswith(f"cannot reach Exchange at 127.0.0.1:{port} (")
    assert str(caught.value).endswith(
        ": the connection was refused: check [mailbox.ews] service_endpoint (the port too) "
        "and that Exchange is running")


@pytest.mark.parametrize(("cause", "words"), [
    (socket.gaierror(-2, "Name or service not known"), "the host name is not known to DNS"),
    (TimeoutError("timed out"), "no answer in time: a firewall may be dropping"),
    (OSError(113, "No route to host"), "No route to host"),
])
def test_the_network_reason_is_found_under_the_wrapping(cause: OSError, words: str) -> None:
    try:
        try:
            raise cause
        except OSError as inner:
            raise requests.exceptions.ConnectionError("HTTPSConnectionPool(...)") from inner
    except requests.exceptions.ConnectionError as wrapped:
        reason = network_reason(wrapped)
    assert reason is not None and reason.startswith(words)


# --- cursors and messages that vanish ----------------------------------------------------


def test_a_sync_state_exchange_does_not_know_is_cursor_expired(server, sleeps) -> None:
    _, endpoint = server
    client = basic_client(endpoint, sleeps)
    try:
        with pytest.raises(CursorExpired):
            client.fetch_new("H4sIAAAAAAAEAGNgYGBgAAAAAP//AwAAAP//")
    finally:
        client.close()
    assert sleeps == []


def test_a_message_deleted_between_sync_and_download_is_skipped(server, sleeps) -> None:
    exchange, endpoint = server
    kept, deleted = member_mail("kept"), member_mail("deleted")
    exchange.deliver(kept)
    exchange.deliver(deleted)
    exchange.before["GetItem"] = lambda: exchange.delete_message_id(message_id(deleted))
    client = basic_client(endpoint, sleeps)
    try:
        fetched, cursor = client.fetch_new(None)
        again, _ = client.fetch_new(cursor)
    finally:
        client.close()
    assert [message_id(m.raw) for m in fetched] == [message_id(kept)]
    assert again == []


def test_refs_carry_item_id_and_change_key(server, sleeps) -> None:
    exchange, endpoint = server
    item_id = exchange.deliver(member_mail("ref"))
    client = basic_client(endpoint, sleeps)
    try:
        (fetched,), _ = client.fetch_new(None)
        with pytest.raises(BackendError, match="not an EWS message reference"):
            client.mark_processed("no-separator")
    finally:
        client.close()
    assert fetched.ref.split("|") == [item_id, "CQAAAA=="]


# --- folders --------------------------------------------------------------------------------


def test_check_connection_lists_folders_and_says_processed_is_created_later(
    server, sleeps
) -> None:
    exchange, endpoint = server
    exchange.add_folder("Councillor casework")
    client = basic_client(endpoint, sleeps)
    try:
        names = client.check_connection()
    finally:
        client.close()
    assert names == ["Inbox", "Inbox/Processed (missing: created on first poll)",
                     "Inbox/Councillor casework", "Sent Items"]
    assert exchange.folder_named("Processed") is None  # a check changes nothing


def test_missing_processed_folder_is_an_error_when_creating_is_off(server, sleeps) -> None:
    exchange, endpoint = server
    exchange.deliver(member_mail("nofolder"))
    client = basic_client(endpoint, sleeps, create_processed_folder=False)
    try:
        with pytest.raises(BackendError, match="folder 'Processed' is missing under the Inbox"):
            client.check_connection()
        (fetched,), _ = client.fetch_new(None)
        with pytest.raises(BackendError, match="folder 'Processed' is missing"):
            client.mark_processed(fetched.ref)
    finally:
        client.close()
    assert len(exchange.inbox.items) == 1


def test_processed_folder_that_cannot_be_created_is_explained(server, sleeps) -> None:
    exchange, endpoint = server
    exchange.can_create_folders = False
    exchange.deliver(member_mail("denied"))
    client = basic_client(endpoint, sleeps)
    try:
        # check-config --connect changes nothing, so it cannot find this out (the docs'
        # table of its messages listed it): it is the first poll's move that says so.
        assert "Inbox/Processed (missing: created on first poll)" in client.check_connection()
        (fetched,), _ = client.fetch_new(None)
        with pytest.raises(BackendError, match="cannot create folder 'Processed' under the Inbox"):
            client.mark_processed(fetched.ref)
    finally:
        client.close()
    assert len(exchange.inbox.items) == 1
    assert "CreateFolder" in exchange.operations


def test_processed_folder_deleted_by_a_person_is_made_again(server, sleeps) -> None:
    exchange, endpoint = server
    first, second = member_mail("one"), member_mail("two")
    exchange.deliver(first)
    exchange.deliver(second)
    client = basic_client(endpoint, sleeps)
    try:
        fetched, _ = client.fetch_new(None)
        client.mark_processed(fetched[0].ref)
        old = exchange.folder_named("Processed")
        assert old is not None
        del exchange.folders[old.id]
        client.mark_processed(fetched[1].ref)
    finally:
        client.close()
    new = exchange.folder_named("Processed")
    assert new is not None and new.id != old.id
    assert [message_id(raw) for raw in new.items.values()] == [message_id(second)]


def test_processed_folder_deleted_to_the_bin_gets_no_more_mail(server, sleeps) -> None:
    """Outlook's Delete moves a folder, id and all, into Deleted Items, where the retention
    policy empties it: the next poll looks for Processed under the Inbox again."""
    exchange, endpoint = server
    first, second = member_mail("binned"), member_mail("kept")
    exchange.deliver(first)
    client = basic_client(endpoint, sleeps)
    try:
        fetched, cursor = client.fetch_new(None)
        client.mark_processed(fetched[0].ref)
        binned = exchange.folder_named("Processed")
        assert binned is not None
        exchange.delete_folder(binned)
        exchange.deliver(second)
        fetched, _ = client.fetch_new(cursor)
        client.mark_processed(fetched[0].ref)
    finally:
        client.close()
    new = exchange.folder_named("Processed")
    assert new is not None and new.id != binned.id
    assert list(new.items.values()) == [second]
    assert list(binned.items.values()) == [first]


def test_a_renamed_processed_folder_is_left_as_an_archive(server, sleeps) -> None:
    exchange, endpoint = server
    old, new_mail = member_mail("last-year"), member_mail("this-year")
    exchange.deliver(old)
    client = basic_client(endpoint, sleeps)
    try:
        fetched, cursor = client.fetch_new(None)
        client.mark_processed(fetched[0].ref)
        renamed = exchange.folder_named("Processed")
        assert renamed is not None
        renamed.name = "Processed 2025"
        exchange.deliver(new_mail)
        fetched, _ = client.fetch_new(cursor)
        client.mark_processed(fetched[0].ref)
    finally:
        client.close()
    fresh = exchange.folder_named("Processed")
    assert fresh is not None and fresh.id != renamed.id
    assert list(renamed.items.values()) == [old]
    assert list(fresh.items.values()) == [new_mail]
    assert exchange.inbox.items == {}


# --- logins and permissions --------------------------------------------------------------------


def test_wrong_password_is_a_plain_401_error_without_retries(server, sleeps) -> None:
    _, endpoint = server
    client = basic_client(endpoint, sleeps, password="not-it")
    try:
        with pytest.raises(BackendError, match="HTTP 401") as caught:
            client.check_connection()
        with pytest.raises(BackendError, match="wrong user name or password"):
            client.fetch_new(None)
    finally:
        client.close()
    assert not isinstance(caught.value, TransientError)
    assert sleeps == []


def test_a_password_with_a_line_break_after_it_is_named(server, sleeps) -> None:
    """MAILBOT_MAILBOX__EWS__PASSWORD written to an EnvironmentFile with a trailing line
    break (or pasted with a space): Exchange refuses it, and mailbot said only 'wrong user
    name or password', so the same password got typed again."""
    _, endpoint = server
    text = basic_refusal(endpoint, sleeps, password="s3cret\n")
    assert text.endswith(
        "MAILBOT_MAILBOX__EWS__PASSWORD; the password mailbot was given begins or ends with a "
        "space or a line break")
    assert "s3cret" not in text


def test_no_full_access_on_the_shared_mailbox_is_explained(server, sleeps) -> None:
    exchange, endpoint = server
    exchange.users["officer"] = "pw"
    text = basic_refusal(endpoint, sleeps, username="officer", password="pw")
    assert re.search("may not open the shared mailbox .*FullAccess", text)


def test_a_mailbox_that_does_not_exist_is_explained(server, sleeps) -> None:
    _, endpoint = server
    text = basic_refusal(endpoint, sleeps, primary_smtp_address="nobody@council.example")
    assert "no mailbox nobody@council.example" in text


def test_ews_switched_off_points_to_the_retirement_and_graph(server, sleeps) -> None:
    exchange, endpoint = server
    exchange.ews_enabled = False
    text = basic_refusal(endpoint, sleeps)
    assert "403" in text and "1 October 2026" in text and "1 April 2027" in text
    assert 'backend = "graph"' in text


def test_a_service_endpoint_with_no_ews_is_named_with_the_key_to_fix(server, sleeps) -> None:
    """An EWS URL copied without /EWS/Exchange.asmx (or with /owa/) gets a 404 from IIS; it
    was reported as exchangelib's 'MalformedResponseError: Unknown failure in response.
    Code: 404 headers: {...}'."""
    _, endpoint = server
    wrong = endpoint.replace("/EWS/Exchange.asmx", "/owa/")
    text = basic_refusal(wrong, sleeps)
    assert text.startswith(f"Exchange answered 404 Not Found at {wrong}: ")
    assert "service_endpoint" in text and "/EWS/Exchange.asmx" in text
    assert "MalformedResponseError" not in text and "headers" not in text
    assert sleeps == []  # a wrong URL is not waited on as a busy server


# --- TLS with the council's own certificate authority ------------------------------------------


def self_signed(directory: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 signed by itself, as a council's internal CA would."""
    from datetime import UTC, datetime, timedelta
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.council.example")])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "exchange.pem", directory / "exchange.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_untrusted_certificate_is_explained_and_the_ca_bundle_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeps: Sleeps
) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with running(FakeExchange(mailbox_address=ADDRESS), tls=(cert, key)) as (exchange, base):
        endpoint = f"{base}/EWS/Exchange.asmx"
        client = basic_client(endpoint, sleeps)
        try:
            with pytest.raises(BackendError, match="TLS certificate .*REQUESTS_CA_BUNDLE"):
                client.check_connection()
        finally:
            client.close()
        assert sleeps == []  # a certificate problem does not pass by itself: no retries

        monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)
        exchange.deliver(member_mail("tls"))
        client = basic_client(endpoint, sleeps)
        try:
            fetched, _ = client.fetch_new(None)
        finally:
            client.close()
        assert len(fetched) == 1


# --- NTLM (on-premises IIS style) ----------------------------------------------------------------


@pytest.fixture
def ntlm_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeExchange, str]]:
    exchange = FakeExchange(mailbox_address=ADDRESS, ntlm=True)
    users = tmp_path / "ntlm-users"
    users.write_text(exchange.ntlm_user_file())
    monkeypatch.setenv("NTLM_USER_FILE", str(users))  # where pyspnego's acceptor looks
    with running(exchange) as (_, base):
        yield exchange, f"{base}/EWS/Exchange.asmx"


def test_ntlm_login_reads_moves_and_sends(ntlm_server, sleeps) -> None:
    exchange, endpoint = ntlm_server
    raw = member_mail("ntlm")
    exchange.deliver(raw)
    client = basic_client(endpoint, sleeps, auth_type="ntlm", username="COUNCIL\\svc-mailbot")
    try:
        fetched, _ = client.fetch_new(None)
        client.mark_processed(fetched[0].ref)
        client.send(OutgoingMail(message_id="<n@council.example>", recipients=("x@y.example",),
                                 mime=b"To: x@y.example\r\nMessage-ID: <n@council.example>"
                                      b"\r\n\r\nhello\r\n"))
    finally:
        client.close()
    assert [message_id(m.raw) for m in fetched] == [message_id(raw)]
    assert exchange.inbox.items == {}
    assert [r for r, _ in exchange.delivered] == [("x@y.example",)]


def test_ntlm_wrong_password_is_a_plain_401_error(ntlm_server, sleeps) -> None:
    _, endpoint = ntlm_server
    client = basic_client(endpoint, sleeps, auth_type="ntlm", username="COUNCIL\\svc-mailbot",
                          password="Winter2026!")
    try:
        with pytest.raises(BackendError, match=r"HTTP 401.*wrong user name or password.*: "
                           r"check \[mailbox.ews\] username \(DOMAIN\\user or the UPN\) "
                           r"and the password in MAILBOT_MAILBOX__EWS__PASSWORD$"):
            client.check_connection()
    finally:
        client.close()
    assert sleeps == []


# --- OAuth2 app-only with impersonation (Exchange Online style) -------------------------------


@pytest.fixture
def insecure_loopback_oauth(monkeypatch: pytest.MonkeyPatch) -> None:
    # oauthlib insists on https; the fake speaks plain http on 127.0.0.1.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def test_on_premises_impersonation_without_the_role_is_explained(ntlm_server, sleeps) -> None:
    """access_type = "impersonation" for a service account that was never given the
    ApplicationImpersonation role (New-ManagementRoleAssignment ... -Role
    ApplicationImpersonation): Exchange answers ErrorImpersonateUserDenied; once given
    it, the account reads the mailbox without FullAccess."""
    exchange, endpoint = ntlm_server
    exchange.full_access.clear()
    exchange.deliver(member_mail("impersonated"))
    text = basic_refusal(endpoint, sleeps, auth_type="ntlm", username="COUNCIL\\svc-mailbot",
                         access_type="impersonation")
    assert text == (
        f"COUNCIL\\svc-mailbot may not open the shared mailbox {ADDRESS} "
        "(ErrorImpersonateUserDenied): grant ApplicationImpersonation to "
        "COUNCIL\\svc-mailbot, with a scope that includes this mailbox")
    assert sleeps == []  # a missing right is not waited on

    exchange.impersonation.add("svc-mailbot")
    client = basic_client(endpoint, sleeps, auth_type="ntlm", username="COUNCIL\\svc-mailbot",
                          access_type="impersonation")
    try:
        fetched, _ = client.fetch_new(None)
    finally:
        client.close()
    assert len(fetched) == 1


@pytest.mark.usefixtures("insecure_loopback_oauth")
def test_oauth_app_impersonates_the_shared_mailbox(sleeps) -> None:
    with running(FakeExchange(mailbox_address=ADDRESS)) as (exchange, base):
        raw = member_mail("oauth")
        exchange.deliver(raw)
        client = oauth_client(base, sleeps)
        try:
            fetched, _ = client.fetch_new(None)
            client.mark_processed(fetched[0].ref)
        finally:
            client.close()
        assert [message_id(m.raw) for m in fetched] == [message_id(raw)]
        assert len(exchange.tokens) == 1  # one token from the (local) token endpoint
        processed = exchange.folder_named("Processed")
        assert processed is not None and len(processed.items) == 1


@pytest.mark.usefixtures("insecure_loopback_oauth")
def test_an_app_token_refused_mid_run_is_renewed_once(sleeps) -> None:
    """Exchange refuses the app's token before exchangelib thinks it expired (revoked, or
    the clocks disagree): a new token is fetched and the poll goes on; nothing is lost."""
    with running(FakeExchange(mailbox_address=ADDRESS)) as (exchange, base):
        exchange.deliver(member_mail("before"))
        client = oauth_client(base, sleeps)
        try:
            first, cursor = client.fetch_new(None)
            exchange.tokens.clear()  # every token issued so far is refused from now on
            after = member_mail("after")
            exchange.deliver(after)
            second, _ = client.fetch_new(cursor)
            for fetched in first + second:
                client.mark_processed(fetched.ref)
        finally:
            client.close()
        assert [message_id(m.raw) for m in second] == [message_id(after)]
        processed = exchange.folder_named("Processed")
        assert processed is not None and len(processed.items) == 2
        assert exchange.tokens  # a new token was issued and used


@pytest.mark.usefixtures("insecure_loopback_oauth")
def test_an_app_token_that_is_always_refused_is_explained_for_an_app(sleeps) -> None:
    with running(FakeExchange(mailbox_address=ADDRESS, accept_tokens=False)) as (_, base):
        client = oauth_client(base, sleeps)
        try:
            with pytest.raises(BackendError) as refused:
                client.check_connection()
        finally:
            client.close()
    text = str(refused.value)
    assert "token of app app-id" in text and "full_access_as_app" in text
    assert "password" not in text


@pytest.mark.usefixtures("insecure_loopback_oauth")
def test_a_passing_fault_at_the_token_endpoint_defers_and_holds_nothing(sleeps) -> None:
    """Entra ID answering temporarily_unavailable is not a wrong secret: a poll is tried
    again later, and a mail is deferred rather than every mail held."""
    exchange = FakeExchange(mailbox_address=ADDRESS, token_endpoint_down=True)
    with running(exchange) as (_, base):
        client = oauth_client(base, sleeps)
        try:
            with pytest.raises(TransientError, match="could not issue a token just now"):
                client.fetch_new(None)
            with pytest.raises(TransientError):
                client.send(acknowledgement())
        finally:
            client.close()
    assert exchange.delivered == []


@pytest.mark.usefixtures("insecure_loopback_oauth")
def test_oauth_wrong_secret_is_explained(sleeps) -> None:
    with running(FakeExchange(mailbox_address=ADDRESS)) as (_, base):
        client = oauth_client(base, sleeps, client_secret="expired")
        try:
            with pytest.raises(BackendError, match="Entra ID refused a token .*invalid_client"):
                client.check_connection()
        finally:
            client.close()


@pytest.mark.usefixtures("insecure_loopback_oauth")
def test_oauth_app_without_impersonation_right_is_explained(sleeps) -> None:
    exchange = FakeExchange(mailbox_address=ADDRESS, impersonation=set())
    with running(exchange) as (_, base):
        client = oauth_client(base, sleeps)
        try:
            with pytest.raises(BackendError, match="ErrorImpersonateUserDenied") as refused:
                client.check_connection()
            # Exchange Online has no ApplicationImpersonation role for apps since February 2025
            assert "full_access_as_app" in str(refused.value)
            assert "EWS.AccessAsApp" in str(refused.value)
            assert "ApplicationImpersonation" not in str(refused.value)
        finally:
            client.close()


# --- sending -------------------------------------------------------------------------------------


def test_send_adds_envelope_recipients_missing_from_the_headers_as_bcc(server, sleeps) -> None:
    exchange, endpoint = server
    mime = (
        f"From: Member Enquiries <{ADDRESS}>\r\n"
        "To: Cllr Bea Example <bea@members.test.invalid>\r\n"
        "Subject: [MB-2026-0042] We have your enquiry\r\n"
        "Message-ID: <ack.42@council.example>\r\n"
        "\r\n"
        "Your reference is MB-2026-0042.\r\n"
    ).encode()
    mail = OutgoingMail(message_id="<ack.42@council.example>",
                        recipients=("bea@members.test.invalid", "casework@council.example"),
                        mime=mime)
    client = basic_client(endpoint, sleeps)
    try:
        client.send(mail)
    finally:
        client.close()
    assert exchange.delivered == [(("bea@members.test.invalid", "casework@council.example"),
                                   mime)]
    assert list(exchange.sent.items.values()) == [mime]


def acknowledgement() -> OutgoingMail:
    mime = (
        f"From: Member Enquiries <{ADDRESS}>\r\n"
        "To: Cllr Bea Example <bea@members.test.invalid>\r\n"
        "Subject: [MB-2026-0043] We have your enquiry\r\n"
        "Message-ID: <ack.43@council.example>\r\n"
        "\r\n"
        "Your reference is MB-2026-0043.\r\n"
    ).encode()
    return OutgoingMail("<ack.43@council.example>", ("bea@members.test.invalid",), mime)


@pytest.mark.parametrize("lost", [0, 504], ids=["connection-dropped", "gateway-timeout"])
def test_a_send_whose_answer_is_lost_is_not_sent_twice(server, sleeps, lost: int) -> None:
    """Exchange sent the mail, but its answer never came back (the connection dropped, or
    the load balancer in front gave up with a 504): trying again would send a second copy."""
    exchange, endpoint = server
    client = basic_client(endpoint, sleeps)
    try:
        client.was_sent("<warm-up@council.example>")  # connected, as the daemon would be
        exchange.lost_answers["CreateItem"] = lost
        with pytest.raises(MaybeSent):
            client.send(acknowledgement())
        found = client.was_sent("<ack.43@council.example>")
    finally:
        client.close()
    assert len(exchange.delivered) == 1
    assert found is True


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_error_on_reading_is_transient(server, sleeps, status: int) -> None:
    exchange, endpoint = server
    exchange.deliver(member_mail("behind-the-balancer"))
    client = basic_client(endpoint, sleeps)
    try:
        client.was_sent("<warm-up@council.example>")
        exchange.lost_answers["SyncFolderItems"] = status
        fetched, _ = client.fetch_new(None)  # the retry gets through
    finally:
        client.close()
    assert len(fetched) == 1
    assert len(sleeps) == 1


def test_busy_on_send_is_retried_and_sends_once(server, sleeps) -> None:
    exchange, endpoint = server
    client = basic_client(endpoint, sleeps)
    try:
        client.was_sent("<warm-up@council.example>")
        exchange.fail_next(2)  # ErrorServerBusy: answered before anything was done
        client.send(acknowledgement())
    finally:
        client.close()
    assert len(exchange.delivered) == 1
    assert len(sleeps) == 2


# --- settings → exchangelib objects (no network) -----------------------------------------------


def test_ntlm_settings_build_credentials_delegate_and_no_autodiscover() -> None:
    config, access, autodiscover = build_configuration(
        primary_smtp_address=ADDRESS, service_endpoint="https://mail.council.example/EWS/Exchange.asmx",
        auth_type="NTLM", username="COUNCIL\\svc-mailbot", password="pw", tenant_id=None,
        client_id=None, client_secret=None, token_endpoint=None, access_type=None)
    assert isinstance(config.credentials, Credentials)
    assert config.credentials.username == "COUNCIL\\svc-mailbot"
    assert config.auth_type == NTLM
    assert config.service_endpoint == "https://mail.council.example/EWS/Exchange.asmx"
    assert (access, autodiscover) == (DELEGATE, False)


def test_basic_settings_without_endpoint_use_autodiscover_and_may_impersonate() -> None:
    config, access, autodiscover = build_configuration(
        primary_smtp_address=ADDRESS, service_endpoint=None, auth_type="basic",
        username="svc-mailbot@council.example", password="pw", tenant_id=None, client_id=None,
        client_secret=None, token_endpoint=None, access_type="impersonation")
    assert config.auth_type == BASIC
    assert (access, autodiscover) == (IMPERSONATION, True)


def test_autodiscover_finding_nothing_names_service_endpoint() -> None:
    """service_endpoint left empty on-premises: exchangelib's autodiscover fails (no
    autodiscover DNS record for the council's domain, as is usual inside a council), and
    mailbot said 'Exchange refused to connect: AutoDiscoverFailed: All steps in the
    autodiscover protocol failed ... consider doing an official test at
    https://testconnectivity.microsoft.com'. Autodiscover itself would look names up in
    DNS, so the error exchangelib raises is given to the explaining step directly."""
    from exchangelib.errors import AutoDiscoverFailed

    from mailbot.backends.ews_explain import explain

    config, access, _ = build_configuration(
        primary_smtp_address=ADDRESS, service_endpoint=None, auth_type="ntlm",
        username="COUNCIL\\svc-mailbot", password="pw", tenant_id=None, client_id=None,
        client_secret=None, token_endpoint=None, access_type="delegate")
    failed = AutoDiscoverFailed(
        f"All steps in the autodiscover protocol failed for email {ADDRESS}. If you think "
        "this is an error, consider doing an official test at "
        "https://testconnectivity.microsoft.com")
    explained = explain(failed, "connect", config=config, access_type=access, address=ADDRESS)
    assert isinstance(explained, BackendError)
    assert str(explained) == (
        f"autodiscover found no Exchange for {ADDRESS} ([mailbox.ews] service_endpoint is "
        "empty, so mailbot looked it up): set service_endpoint to the EWS URL, ending in "
        "/EWS/Exchange.asmx (Get-WebServicesVirtualDirectory shows it)")


@pytest.mark.parametrize("auth_type", ["oauth2", "oauth"])
def test_oauth_settings_build_client_credentials_with_impersonation(auth_type: str) -> None:
    config, access, autodiscover = build_configuration(
        primary_smtp_address=ADDRESS, service_endpoint=None, auth_type=auth_type, username=None,
        password=None, tenant_id="contoso-tenant", client_id="app-id", client_secret="sh",
        token_endpoint=None, access_type=None)
    credentials = config.credentials
    assert isinstance(credentials, OAuth2Credentials)
    assert (credentials.client_id, credentials.tenant_id) == ("app-id", "contoso-tenant")
    assert credentials.token_url.endswith("/contoso-tenant/oauth2/v2.0/token")
    assert config.auth_type == OAUTH2
    assert config.service_endpoint == EXCHANGE_ONLINE_ENDPOINT
    assert (access, autodiscover) == (IMPERSONATION, False)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (dict(auth_type="kerberos", username="u", password="p"), "auth_type 'kerberos'"),
        (dict(auth_type="ntlm", username="u"), "needs password"),
        (dict(auth_type="oauth2", client_id="x"), "needs tenant_id, client_secret"),
        (dict(auth_type="basic", username="u", password="p", access_type="owner"),
         "access_type 'owner'"),
    ],
)
def test_incomplete_settings_name_the_missing_key(settings: dict[str, str], message: str) -> None:
    with pytest.raises(BackendError, match=message):
        EwsMailbox(primary_smtp_address=ADDRESS, **settings)  # type: ignore[arg-type]


def test_losing_the_right_to_send_holds_every_mail(server, sleeps) -> None:
    """SendAs taken away after start-up: the refusal is for the account, not this mail, so
    it is SendingBlocked and the outbox holds all mail instead of failing each."""
    exchange, endpoint = server
    client = basic_client(endpoint, sleeps)
    try:
        client.fetch_new(None)
        exchange.full_access.discard("svc-mailbot")
        with pytest.raises(SendingBlocked):
            client.send(OutgoingMail(message_id="<held@council.example>",
                                     recipients=("x@y.example",),
                                     mime=b"To: x@y.example\r\nMessage-ID: <held@council.example>"
                                          b"\r\n\r\nhello\r\n"))
    finally:
        client.close()
    assert exchange.delivered == []


def test_full_access_without_send_as_holds_the_mail_and_names_the_right(server, sleeps) -> None:
    """FullAccess given (Add-MailboxPermission) but Send As forgotten (Add-ADPermission):
    check-config --connect passes, as it sends nothing, and the first acknowledgement gets
    ErrorSendAsDenied. It holds every mail and says which right to grant, and how."""
    exchange, endpoint = server
    exchange.send_as.clear()
    client = basic_client(endpoint, sleeps)
    try:
        client.check_connection()
        with pytest.raises(SendingBlocked) as caught:
            client.send(OutgoingMail(message_id="<ack@council.example>",
                                     recipients=("x@y.example",),
                                     mime=b"To: x@y.example\r\nMessage-ID: <ack@council.example>"
                                          b"\r\n\r\nhello\r\n"))
    finally:
        client.close()
    assert str(caught.value) == (
        f"svc-mailbot may not send as the shared mailbox {ADDRESS} (ErrorSendAsDenied: The "
        "user account which was used to submit this request does not have the right to send "
        "mail on behalf of the specified sending account.): grant it Send As (Add-ADPermission "
        '-Identity <the shared mailbox> -User svc-mailbot -ExtendedRights "Send As"; in '
        "Exchange Online Add-RecipientPermission -AccessRights SendAs); FullAccess alone does "
        "not let it send")
    assert exchange.delivered == []
    assert sleeps == []


# --- busy on every operation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    ["GetFolder", "SyncFolderItems", "GetItem", "FindFolder", "CreateFolder", "MoveItem",
     "CreateItem", "FindItem"],
)
def test_server_busy_on_any_operation_loses_and_doubles_nothing(
    server, sleeps, operation: str
) -> None:
    """ErrorServerBusy with BackOffMilliseconds can come on any call of a poll and a send:
    each is waited out as Exchange asks, and the poll's result is the same."""
    exchange, endpoint = server
    exchange.busy_back_off_ms = 1500
    for label in ("one", "two"):
        exchange.deliver(member_mail(label))
    exchange.before[operation] = lambda: exchange.fail_next(1)
    client = basic_client(endpoint, sleeps)
    try:
        fetched, _ = client.fetch_new(None)
        for message in fetched:
            client.mark_processed(message.ref)
        client.send(acknowledgement())
        went = client.was_sent("<ack.43@council.example>")
    finally:
        client.close()
    assert operation not in exchange.before  # the busy answer was given
    assert sleeps == [1.5]  # Exchange's own hint, once
    assert len(fetched) == 2 and exchange.inbox.items == {}
    processed = exchange.folder_named("Processed")
    assert processed is not None and len(processed.items) == 2
    assert len(exchange.delivered) == 1 and went is True


def test_a_mailbox_whose_folders_are_in_welsh_works_by_distinguished_ids(sleeps) -> None:
    """A council whose mailbox was set up in Welsh: Mewnflwch, Eitemau a Anfonwyd. mailbot
    finds the Inbox and Sent Items by their distinguished ids, never by English names."""
    exchange = FakeExchange(mailbox_address=ADDRESS)
    exchange.inbox.name, exchange.sent.name = "Mewnflwch", "Eitemau a Anfonwyd"
    raw = member_mail("cymraeg")
    exchange.deliver(raw)
    with running(exchange) as (_, base):
        client = basic_client(f"{base}/EWS/Exchange.asmx", sleeps, watch_sent=True)
        try:
            folders = client.check_connection()
            fetched, cursor = client.fetch_new(None)
            client.mark_processed(fetched[0].ref)
            client.send(acknowledgement())
            ours, _ = client.fetch_new(cursor)
        finally:
            client.close()
    assert folders[0] == "Mewnflwch" and folders[-1] == "Eitemau a Anfonwyd"
    assert [message_id(m.raw) for m in fetched] == [message_id(raw)]
    assert [m.folder for m in ours] == ["sent"]  # our acknowledgement, seen in Sent Items
    processed = exchange.folder_named("Processed")
    assert processed is not None and list(processed.items.values()) == [raw]


def test_a_recipient_named_in_to_by_the_ascii_form_of_their_domain_is_sent_one_copy(
    server, sleeps
) -> None:
    """compose names cllr.jones@caerdydd-ŵ.cymru in To as its ASCII form: the same person,
    not one missing from the headers, who was sent a second copy as a Bcc."""
    exchange, endpoint = server
    mime = (
        f"From: Member Enquiries <{ADDRESS}>\r\n"
        "To: Cllr Eleri Jones <cllr.jones@xn--caerdydd--j9b.cymru>\r\n"
        "Subject: [MB-2026-0042] We have your enquiry\r\n"
        "Message-ID: <ack.43@council.example>\r\n"
        "\r\n"
        "Your reference is MB-2026-0042.\r\n"
    ).encode()
    mail = OutgoingMail(message_id="<ack.43@council.example>", mime=mime,
                        recipients=("cllr.jones@caerdydd-\u0175.cymru",
                                    "sam.patel@caerdydd-\u0175.cymru"))
    client = basic_client(endpoint, sleeps)
    try:
        client.send(mail)
    finally:
        client.close()
    assert exchange.delivered == [(("cllr.jones@xn--caerdydd--j9b.cymru",
                                    "sam.patel@xn--caerdydd--j9b.cymru"), mime)]
