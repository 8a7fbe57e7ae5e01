"""Shared pytest fixtures. Server fixtures live in tests/fixtures/ and are imported here."""

from fixtures.dovecot import dovecot, dovecot_bare, dovecot_courier  # noqa: F401 - pytest fixtures
from fixtures.postgres import postgres_url  # noqa: F401 - pytest fixture
from fixtures.smtpd import smtp_server, smtpd, smtpd_auth  # noqa: F401 - pytest fixtures
