"""[retention]: how long personal data is kept before the daily purge erases it."""

from __future__ import annotations

from pydantic import Field, model_validator

from mailbot.settings.sections import Section


class RetentionSettings(Section):
    """How long personal data is kept, in days (docs/retention.md); 0 keeps it for ever.

    The daily purge (mailbot/retention.py) erases what is older than these. Message-IDs,
    case references, kinds, dates and statuses are never erased: they are the dedup
    ledger and the statistics.
    """

    # Raw bytes of mail that joined no case: automatic mail (auto-replies, bounces, bulk,
    # receipts, calendar) and anything else recorded and dropped. Counted from receipt.
    dropped_mail_days: int = Field(default=30, ge=0)
    # Raw bytes of quarantined mail, counted from receipt: longer, a person looks first.
    quarantined_mail_days: int = Field(default=90, ge=0)
    # Raw bytes of a case's mail, counted from the case's last change once it is
    # answered or closed (an open case's mail is never erased).
    closed_case_mail_days: int = Field(default=365, ge=0)
    # The MIME of our own mail once sent (or suppressed, or failed), counted from then;
    # mail about a case that is still open is kept.
    sent_mail_days: int = Field(default=365, ge=0)
    # Anonymise an answered or closed case this long after its last change: the member's
    # name, address and subject, its mail, and the free text of its audit trail.
    anonymise_cases_days: int = Field(default=2190, ge=0)
    # Lines of the classifier corrections file (members' message text), by their date.
    corrections_days: int = Field(default=730, ge=0)
    # Rows changed per transaction, so a first purge of years of mail never holds one
    # huge transaction.
    batch_size: int = Field(default=500, ge=1, le=100_000)

    @model_validator(mode="after")
    def _quarantine_gets_looked_at(self) -> RetentionSettings:
        if 0 < self.quarantined_mail_days < 7:
            raise ValueError(
                "quarantined_mail_days: must be 0 (keep) or at least 7, so a person can "
                "look at quarantined mail before it is erased"
            )
        return self
