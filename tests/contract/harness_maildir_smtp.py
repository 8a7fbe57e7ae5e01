"""Contract harness for the Maildir backend sending through SMTP (aiosmtpd) instead of
writing to its outbox folder."""

from __future__ import annotations

import pytest
from fixtures.smtpd import SmtpServer

from contract.harness_maildir import MaildirHarness
from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.smtp import SmtpSettings


class MaildirSmtpHarness(MaildirHarness):
    name = "maildir_smtp"

    def __init__(self, smtp: SmtpServer) -> None:
        super().__init__()
        self.smtp = smtp

    def mailbox(self) -> MaildirMailbox:
        return MaildirMailbox(
            self.path,
            smtp=SmtpSettings(host=self.smtp.host, port=self.smtp.port, security="none"),
            address="enquiries@council.test.invalid",
            backoff=self.backoff,
            io_check=self._disk,
        )

    def delivered_out(self) -> list[tuple[tuple[str, ...], bytes]]:
        return [(item.recipients, item.raw) for item in self.smtp.received]


def make_harness(request: pytest.FixtureRequest) -> MaildirSmtpHarness:
    return MaildirSmtpHarness(request.getfixturevalue("smtp_server"))
