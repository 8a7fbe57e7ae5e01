"""What `mailbot check-config --connect` and `mailbot poll --once` say about TLS trust,
logins and the sender, from a config file, against real servers.

Councils' mail servers often have certificates from the council's own authority or
self-signed ones (`ca_file`); submission servers want a login, and refuse a sender
the login may not send as. `check-config --connect` must find each of these before the
first poll, in one line naming the key to change, without sending anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fixtures.dovecot import DovecotServer, ImapUser, free_port, mailbot_config
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient
from typer.testing import CliRunner

from mailbot.cli import app

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@example.gov.uk"


class RefusesOurSender:
    """A submission server that will not take mail from the shared mailbox's address
    (Postfix's reject_sender_login_mismatch; Exchange without send-as rights)."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        return f"553 5.7.1 <{address}>: Sender address rejected: not owned by user"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture(scope="module")
def refusing_smtp() -> Iterator[tuple[str, int]]:
    port = free_port()
    controller = Controller(RefusesOurSender(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port
    finally:
        controller.stop()


def write_config(
    folder: Path,
    server: DovecotServer,
    user: ImapUser,
    smtp: tuple[str, int],
    imap: dict[str, str] | None = None,
    smtp_keys: dict[str, str] | None = None,
) -> Path:
    """A config whose [mailbox.imap] and [mailbox.smtp] keys are replaced by `imap` and
    `smtp_keys` (TOML values, as written)."""
    config = mailbot_config(
        folder / "mailbot.toml", server, user, smtp, address=ADDRESS, directory=DEMO,
        extra="[classifier]\ntrain_if_missing = false",
    )
    text = config.read_text(encoding="utf-8")
    head, _, rest = text.partition("[mailbox.smtp]")
    smtp_part, _, tail = rest.partition("[directory]")
    config.write_text(
        _set_keys(head, imap or {}) + "[mailbox.smtp]" + _set_keys(smtp_part, smtp_keys or {})
        + "[directory]" + tail,
        encoding="utf-8",
    )
    return config


def _set_keys(section: str, keys: dict[str, str]) -> str:
    lines = [line for line in section.splitlines() if line.split(" = ")[0] not in keys]
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines + [f"{key} = {value}" for key, value in keys.items()]) + "\n\n"


def check_connect(config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    # (No "no traceback" check here: aiosmtpd logs its own side of a failed handshake.
    # A traceback of ours would end with exit code 1, which every test rules out.)
    return result.exit_code, result.output


def deliver_one(server: DovecotServer, user: ImapUser) -> None:
    person = IMAPClient(server.host, server.port, ssl=False, timeout=30)
    person.login(user.username, user.password)
    raw = (DEMO / "mail" / "01-pothole.eml").read_bytes().replace(b"\r\n", b"\n")
    person.append("INBOX", raw.replace(b"\n", b"\r\n"))
    person.logout()


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_self_signed_imap_server_is_trusted_through_ca_file_and_named_when_not(
    security: str, dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    deliver_one(dovecot, user)
    port = dovecot.tls_port if security == "tls" else dovecot.port
    smtp = (smtp_server.host, smtp_server.port)
    tls = {"port": str(port), "security": f'"{security}"'}

    untrusted = write_config(tmp_path, dovecot, user, smtp, tls)
    code, output = check_connect(untrusted)
    assert code == 3
    assert "certificate is not trusted (self-signed certificate)" in output
    assert "set [mailbox.imap] ca_file to that certificate" in output

    trusted = write_config(
        tmp_path, dovecot, user, smtp, {**tls, "ca_file": f'"{dovecot.cert_pem}"'}
    )
    code, output = check_connect(trusted)
    assert code == 0, output
    result = CliRunner().invoke(app, ["poll", "--config", str(trusted), "--once"])
    assert result.exit_code == 0, result.output
    assert [item.recipients for item in smtp_server.received] == [
        ("jo.bloggs@councillors.example.gov.uk",)
    ]


def test_a_ca_file_that_is_not_there_is_a_config_error_naming_the_key(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    config = write_config(
        tmp_path, dovecot, user, (smtp_server.host, smtp_server.port),
        {"ca_file": '"council-ca.pem"'},
    )
    code, output = check_connect(config)
    assert code == 2
    assert f"{config}: mailbox.imap.ca_file: file {tmp_path / 'council-ca.pem'} does not exist" in (
        output.replace("\n", "")
    )


def test_imap_without_smtp_settings_is_a_config_error(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    config = write_config(tmp_path, dovecot, user, ("", 587))
    code, output = check_connect(config)
    assert code == 2
    assert "mailbox.smtp.host: the imap backend sends its mail by SMTP" in output


def test_a_submission_server_wanting_a_login_is_found_by_check_config(
    dovecot: DovecotServer, smtpd_auth: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    smtp = (smtpd_auth.host, smtpd_auth.port)
    ca = {"security": '"starttls"', "ca_file": f'"{smtpd_auth.cert_pem}"'}

    no_login = write_config(tmp_path, dovecot, user, smtp, smtp_keys=ca)
    code, output = check_connect(no_login)
    assert code == 3
    assert "answered 530" in output
    assert "set [mailbox.smtp] username and password" in output

    no_ca = write_config(tmp_path, dovecot, user, smtp, smtp_keys={"security": '"starttls"'})
    code, output = check_connect(no_ca)
    assert code == 3
    assert "set [mailbox.smtp] ca_file to that certificate" in output

    login = {"username": f'"{smtpd_auth.username}"', "password": f'"{smtpd_auth.password}"'}
    wrong = write_config(
        tmp_path, dovecot, user, smtp, smtp_keys={**ca, **login, "password": '"wrong"'}
    )
    code, output = check_connect(wrong)
    assert code == 3
    assert "SMTP server" in output and "refused the login for user 'smtp-user'" in output

    smtpd_auth.reset()
    right = write_config(tmp_path, dovecot, user, smtp, smtp_keys={**ca, **login})
    code, output = check_connect(right)
    assert code == 0, output
    assert smtpd_auth.received == []  # the check sends nothing


def test_a_refused_sender_is_found_by_check_config_and_named_when_polling(
    dovecot: DovecotServer, refusing_smtp: tuple[str, int], tmp_path: Path
) -> None:
    user = dovecot.new_user()
    deliver_one(dovecot, user)
    config = write_config(tmp_path, dovecot, user, refusing_smtp)
    code, output = check_connect(config)
    assert code == 3
    assert "answered 553" in output
    assert f"will not take mail from {ADDRESS} ([mailbox] address)" in output

    # Polling anyway: the message is recorded and filed; sending is held with the same
    # words, and the acknowledgement waits to go by itself once the sender is allowed.
    result = CliRunner().invoke(app, ["poll", "--config", str(config), "--once"])
    assert result.exit_code == 4, result.output  # a refusal (7a2d0b1): a timer sees it
    assert "sending held, all mail waits" in result.output
    assert f"will not take mail from {ADDRESS}" in result.output
    status = CliRunner().invoke(app, ["status", "--config", str(config)])
    assert status.exit_code == 1
    assert "outbox: sending held since" in status.output
    assert f"will not take mail from {ADDRESS}" in status.output
    assert "1 pending" in status.output


def test_a_plain_client_on_the_implicit_tls_port_says_which_setting_within_seconds(
    dovecot: DovecotServer,
) -> None:
    """security = "starttls" against port 993: the server waits for a TLS hello, the
    client for a greeting. Say so after the greeting timeout, not "timed out"."""
    import time

    from mailbot.backends.base import TransientError
    from mailbot.backends.imap import ImapMailbox
    from mailbot.backends.retry import NO_WAIT

    user = dovecot.new_user()
    mailbox = ImapMailbox(
        host=dovecot.host, port=dovecot.tls_port, security="starttls", username=user.username,
        password=user.password, timeout=1.0, backoff=NO_WAIT,
    )
    started = time.monotonic()
    with pytest.raises(TransientError) as raised:
        mailbox.fetch_new(None)
    assert time.monotonic() - started < 30  # the 1 s asked for, not the 60 s default
    assert str(raised.value) == (
        f"IMAP server 127.0.0.1:{dovecot.tls_port} did not answer within 1 s; if it expects "
        "TLS from the start (port 993 does), set [mailbox.imap] security = \"tls\" (now "
        "'starttls')"
    )


@pytest.mark.parametrize(("section", "port"), [("imap", 993), ("smtp", 465)])
def test_the_implicit_tls_ports_without_tls_are_a_config_error(
    section: str, port: int, dovecot: DovecotServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    keys = {"port": str(port), "security": '"starttls"'}
    config = write_config(
        tmp_path, dovecot, user, ("127.0.0.1", 587),
        keys if section == "imap" else None, keys if section == "smtp" else None,
    )
    code, output = check_connect(config)
    assert code == 2
    assert (
        f"{config}: mailbox.{section}.security: port {port} expects TLS from the start; set "
        'security = "tls"'
    ) in output.replace("\n", "")


@pytest.fixture(scope="module")
def tenant_without_smtp_auth() -> Iterator[tuple[str, int]]:
    """Answers AUTH as Exchange Online does when SMTP AUTH is off for the tenant."""
    from aiosmtpd.smtp import AuthResult

    def refuse(*_args: Any) -> AuthResult:
        return AuthResult(
            success=False, handled=False,
            message="535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
            "disabled for the Tenant.",
        )

    port = free_port()
    controller = Controller(
        RefusesOurSender(), hostname="127.0.0.1", port=port, authenticator=refuse,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield "127.0.0.1", port
    finally:
        controller.stop()


def test_smtp_auth_turned_off_in_microsoft_365_is_not_called_a_wrong_password(
    dovecot: DovecotServer, tenant_without_smtp_auth: tuple[str, int], tmp_path: Path
) -> None:
    user = dovecot.new_user()
    config = write_config(
        tmp_path, dovecot, user, tenant_without_smtp_auth,
        smtp_keys={"username": '"memberenquiries@example.gov.uk"', "password": '"right"'},
    )
    code, output = check_connect(config)
    assert code == 3
    assert "SMTP AUTH is turned off for this mailbox or tenant" in output
    assert 'use backend = "graph"' in output
    assert "5.7.139" in output


def test_exchange_online_logins_point_at_the_graph_backend() -> None:
    from mailbot.backends.tls import exchange_online_advice

    imap = exchange_online_advice("outlook.office365.com", "IMAP")
    assert imap is not None and 'backend = "graph"' in imap
    smtp = exchange_online_advice("smtp.office365.com.", "SMTP")
    assert smtp is not None and "SMTP AUTH" in smtp
    assert exchange_online_advice("mail.colchester.gov.uk", "IMAP") is None
    assert exchange_online_advice("notoffice365.com", "IMAP") is None


UK_PASSWORD = "Pa£s-wørd!1"  # a UK keyboard's "£"


@pytest.fixture(scope="module")
def lenient_dovecot() -> Iterator[DovecotServer]:
    """Any user name (spaces, backslashes: auth_username_chars empty), and a second
    accepted password with characters LOGIN cannot carry."""
    extra = (
        "auth_username_chars =\n"
        f"passdb {{\n  driver = static\n  args = password={UK_PASSWORD}\n}}\n"
    )
    from fixtures.dovecot import running_dovecot

    with running_dovecot(extra) as server:
        yield server


@pytest.fixture(scope="module")
def utf8_smtp() -> Iterator[tuple[str, int, list[Any], list[bool]]]:
    """An SMTP server that wants AUTH with UK_PASSWORD (sent as UTF-8, RFC 4616)."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    received: list[Any] = []
    logins: list[bool] = []

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 OK"

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == UK_PASSWORD.encode()
        logins.append(ok)
        return AuthResult(success=ok, handled=False)

    port = free_port()
    controller = Controller(
        Keep(), hostname="127.0.0.1", port=port, authenticator=check, auth_require_tls=False,
    )
    controller.start()
    try:
        yield "127.0.0.1", port, received, logins
    finally:
        controller.stop()


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("COUNCIL\\member enquiries", "test-password-1"),  # LOGIN, the name quoted
        ('odd"name', "test-password-1"),
        ("memberenquiries", UK_PASSWORD),  # AUTHENTICATE PLAIN, UTF-8
    ],
)
def test_imap_logins_with_any_characters(
    username: str, password: str, lenient_dovecot: DovecotServer
) -> None:
    from mailbot.backends.imap import ImapMailbox
    from mailbot.backends.retry import NO_WAIT

    mailbox = ImapMailbox(
        host=lenient_dovecot.host, port=lenient_dovecot.port, security="none",
        username=username, password=password, backoff=NO_WAIT,
    )
    assert mailbox.check_connection()[0] == "INBOX"
    # (Dovecot writes user names in lower case.)
    assert f"user=<{username.lower()}>, method=PLAIN" in lenient_dovecot.log_text()


def test_a_pound_sign_in_the_smtp_password_sends(
    dovecot: DovecotServer, utf8_smtp: tuple[str, int, list[Any], list[bool]], tmp_path: Path
) -> None:
    host, port, received, logins = utf8_smtp
    user = dovecot.new_user()
    deliver_one(dovecot, user)
    login = {"username": '"memberenquiries"', "password": f'"{UK_PASSWORD}"'}
    config = write_config(tmp_path, dovecot, user, (host, port), smtp_keys=login)
    code, output = check_connect(config)
    assert code == 0, output
    result = CliRunner().invoke(app, ["poll", "--config", str(config), "--once"])
    assert result.exit_code == 0, result.output
    assert [envelope.rcpt_tos for envelope in received] == [
        ["jo.bloggs@councillors.example.gov.uk"]
    ]
    assert logins == [True, True]  # the check, then the send: each logged in with the £


def test_welsh_addresses_are_sent_to_or_refused_in_words(smtp_server: SmtpServer) -> None:
    """A member at an internationalised .cymru domain gets the mail (the domain goes
    in its IDNA form); a mailbox name that is not ASCII goes by SMTPUTF8 where the
    server offers it, and is one clear error for that mail where not, never a
    UnicodeEncodeError that stops the outbox flush."""
    from mailbot.backends.base import BackendError
    from mailbot.backends.smtp import SmtpSettings, submit
    from mailbot.model import OutgoingMail

    mime = f"From: {ADDRESS}\r\nSubject: Your enquiry\r\n\r\nThank you.\r\n".encode()
    utf8 = SmtpSettings(smtp_server.host, smtp_server.port, security="none")
    submit(utf8, OutgoingMail("<a@x>", ("jo@caerdydd-ŵ.cymru",), mime), ADDRESS)
    submit(utf8, OutgoingMail("<b@x>", ("siân@example.cymru",), mime), ADDRESS)
    assert [item.recipients for item in smtp_server.received] == [
        ("jo@xn--caerdydd--j9b.cymru",), ("siân@example.cymru",)
    ]

    port = free_port()
    ascii_only = Controller(
        RefusesOurSender(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=False
    )
    ascii_only.start()
    try:
        plain = SmtpSettings("127.0.0.1", port, security="none")
        with pytest.raises(BackendError, match="'siân@example.cymru': the part before the @"):
            submit(plain, OutgoingMail("<c@x>", ("siân@example.cymru",), mime), ADDRESS)
    finally:
        ascii_only.stop()
