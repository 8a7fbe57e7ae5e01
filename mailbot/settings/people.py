"""[directory] and [routing]: where the members and officers lists are, who the admins
are, and the rules that assign a case to an officer; every address checked."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator

from mailbot.settings.sections import Section


class DirectorySettings(Section):
    members: Path | None = None
    officers: Path | None = None
    acknowledge_unknown_senders: bool = False
    admins: list[str] = []

    @model_validator(mode="after")
    def _admin_addresses(self) -> DirectorySettings:
        # Compared with senders as written: " IT@Council.gov.uk " would never match one.
        for address in self.admins:
            if "@" not in address or any(c.isspace() or c in ",;<>" for c in address.strip()):
                raise ValueError(f"admins: {address!r} is not an email address")
        self.admins = [a.strip().lower() for a in self.admins]
        return self


class RoutingRule(Section):
    """One routing rule: a case matching it is assigned to `officer`.

    A rule matches when any keyword is a word of the subject or body (case-insensitive)
    and, if wards are given, the member's ward is one of them; a rule with only wards
    matches on the ward alone. Kinds, if given, limit the rule to those kinds.
    """

    name: str = ""
    officer: str
    keywords: list[str] = []
    wards: list[str] = []
    kinds: list[Literal["enquiry", "foi", "complaint", "confidentiality"]] = []

    @model_validator(mode="after")
    def _usable(self) -> RoutingRule:
        if "@" not in self.officer or " " in self.officer.strip():
            raise ValueError(f"officer: {self.officer!r} is not an email address")
        self.officer = self.officer.strip().lower()
        if not self.keywords and not self.wards:
            raise ValueError("keywords: a rule needs keywords, wards or both")
        return self


class RoutingSettings(Section):
    # Cases no rule assigns (and mail from people who are not known members) go here;
    # empty: they stay unassigned, for `mailbot cases --triage`.
    default_officer: str = ""
    # A known officer the member wrote to or copied in gets the case before any rule.
    prefer_addressed_officer: bool = True
    rules: list[RoutingRule] = []

    @model_validator(mode="after")
    def _default_is_address(self) -> RoutingSettings:
        if self.default_officer and "@" not in self.default_officer:
            raise ValueError(f"default_officer: {self.default_officer!r} is not an email address")
        self.default_officer = self.default_officer.strip().lower()
        return self
