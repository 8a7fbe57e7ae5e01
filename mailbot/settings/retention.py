"""[retention]: how long personal data is kept before the daily purge erases it; and
[retention.foi], [retention.complaint], ...: a kind of case's own periods, where the
council's retention schedule keeps it longer or shorter than other cases."""

from __future__ import annotations

from pydantic import Field, model_validator

from mailbot.model import Kind
from mailbot.settings.sections import Section

# The [retention] keys a kind of case may set for itself: both are counted from the
# case's last change, so each case's kind says which period applies.
PER_KIND = ("closed_case_mail_days", "anonymise_cases_days")


class KindRetention(Section):
    """[retention.<kind>]: this kind's own periods, in days (0 keeps it for ever); a key
    left out takes [retention]'s."""

    closed_case_mail_days: int | None = Field(default=None, ge=0)
    anonymise_cases_days: int | None = Field(default=None, ge=0)


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
    # A kind's own periods for the PER_KIND keys: FOI requests kept three years, say,
    # and complaints six, as many councils' schedules have them.
    enquiry: KindRetention = KindRetention()
    foi: KindRetention = KindRetention()
    complaint: KindRetention = KindRetention()
    confidentiality: KindRetention = KindRetention()

    @model_validator(mode="after")
    def _quarantine_gets_looked_at(self) -> RetentionSettings:
        if 0 < self.quarantined_mail_days < 7:
            raise ValueError(
                "quarantined_mail_days: must be 0 (keep) or at least 7, so a person can "
                "look at quarantined mail before it is erased"
            )
        return self

    def own_periods(self, key: str) -> dict[Kind, int]:
        """The kinds that set `key` for themselves, with their days (none for a key
        not in PER_KIND)."""
        if key not in PER_KIND:
            return {}
        found = {kind: getattr(getattr(self, kind.value), key) for kind in Kind}
        return {kind: days for kind, days in found.items() if days is not None}

    def periods(self, key: str) -> dict[str, int]:
        """`key`'s periods by the name the config gives each: the key itself, then
        "foi.<key>" and so on for each kind that sets its own."""
        return {key: getattr(self, key), **{f"{kind.value}.{key}": days
                                           for kind, days in self.own_periods(key).items()}}
