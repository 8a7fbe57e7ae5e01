"""Contract harness for the IMAP backend: a real Dovecot plus aiosmtpd.

The client under test talks to Dovecot through a FlakyProxy (for fail_next);
the harness itself uses its own direct admin connection to deliver and inspect.
"""

from __future__ import annotations

import pytest
from fixtures.dovecot import DovecotServer
from fixtures.proxy import FlakyProxy
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient

from contract.harness import HarnessBase
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.smtp import SmtpSettings

SHARED_ADDRESS = "enquiries@council.test.invalid"


class ImapHarness(HarnessBase):
    name = "imap"
    # The folders mailbot's "Processed" and "Sent" become on this server.
    processed_folder = "Processed"
    sent_folder = "Sent"

    def __init__(self, dovecot: DovecotServer, smtp: SmtpServer) -> None:
        super().__init__()
        self.dovecot = dovecot
        self.smtp = smtp
        self.user = dovecot.new_user()
        self.proxy = FlakyProxy(dovecot.host, dovecot.port)
        self.admin = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=30)
        self.admin.login(self.user.username, self.user.password)

    def close(self) -> None:
        self.admin.logout()
        self.proxy.close()

    def mailbox(self) -> ImapMailbox:
        return ImapMailbox(
            host=self.proxy.host,
            port=self.proxy.port,
            security="none",
            username=self.user.username,
            password=self.user.password,
            smtp=SmtpSettings(host=self.smtp.host, port=self.smtp.port, security="none"),
            address=SHARED_ADDRESS,
            backoff=self.backoff,
            timeout=10,
        )

    def deliver(self, raw: bytes) -> None:
        self.admin.append("INBOX", raw)

    def deliver_many(self, raws: object) -> None:
        batch = list(raws)  # type: ignore[call-overload]
        if not self.admin.has_capability("MULTIAPPEND"):  # an old server: one at a time
            for raw in batch:
                self.admin.append("INBOX", raw)
            return
        for start in range(0, len(batch), 250):
            self.admin.multiappend("INBOX", batch[start : start + 250])

    def _count(self, folder: str) -> int:
        if not self.admin.folder_exists(folder):
            return 0
        return int(self.admin.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])

    def inbox_count(self) -> int:
        return self._count("INBOX")

    def processed_count(self) -> int:
        return self._count(self.processed_folder)

    def sent_copies(self) -> list[bytes]:
        if not self.admin.folder_exists(self.sent_folder):
            return []
        self.admin.select_folder(self.sent_folder, readonly=True)
        uids = self.admin.search("ALL")
        data = self.admin.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        self._leave_folder()
        return [data[uid][b"BODY[]"] for uid in sorted(data)]

    def delivered_out(self) -> list[tuple[tuple[str, ...], bytes]]:
        return [(item.recipients, item.raw) for item in self.smtp.received]

    def expire_cursor(self) -> None:
        status = self.admin.folder_status("INBOX", [b"UIDVALIDITY"])
        new_validity = int(status[b"UIDVALIDITY"]) + 1
        self.dovecot.doveadm(
            "mailbox", "update", "-u", self.user.username,
            "--uid-validity", str(new_validity), "INBOX",
        )  # fmt: skip

    def fail_next(self, n: int) -> None:
        self.proxy.fail_next(n)

    def delete_from_inbox(self, message_id: str) -> None:
        self.admin.select_folder("INBOX")
        uids = self.admin.search(["HEADER", "Message-ID", message_id])
        self.admin.delete_messages(uids)
        self.admin.expunge()
        self._leave_folder()

    def _leave_folder(self) -> None:
        # CLOSE where there is no UNSELECT: nothing is left \Deleted here to expunge.
        if self.admin.has_capability("UNSELECT"):
            self.admin.unselect_folder()
        else:
            self.admin.close_folder()


def make_harness(request: pytest.FixtureRequest) -> ImapHarness:
    dovecot = request.getfixturevalue("dovecot")
    smtp = request.getfixturevalue("smtp_server")
    return ImapHarness(dovecot, smtp)
