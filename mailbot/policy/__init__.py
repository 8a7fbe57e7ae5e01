"""Policy packs: one council's numbers and routing rules, read from a TOML file.

A pack lives in config/policies/NAME.toml; every rule in it cites the paragraph of the
council's protocol (../shared/seeds/) it comes from, or says "local default". A council's
own config picks a pack and may override any value; the merged result is validated
here, once, and errors name the file and the key.

One idea a module:
- load.py: finding a pack by name or path, reading it, merging overrides (load_policy);
- pack.py: Policy, the pack as a whole, and what the clocks ask of it;
- rules.py: the pack's tables (ack, response, clock, routing, foi, confidentiality,
  reminders);
- calendars.py: the [calendar] table and the working calendars built from it;
- values.py: the kinds of value a pack is written in (working days, London times, days);
- errors.py: PolicyError and the one-line description of a validation error.
"""

from mailbot.policy.calendars import (
    CalendarRules,
    CancelledHolidayRule,
    ClosureRule,
    ExtraHolidayRule,
)
from mailbot.policy.errors import PolicyError
from mailbot.policy.load import (
    PACKS_ENV,
    available_packs,
    default_packs_dir,
    load_policy,
    parse_policy,
    resolve_pack,
)
from mailbot.policy.pack import FOI_RESPONSE_DAYS, FOI_RESPONSE_SOURCE, Policy
from mailbot.policy.rules import (
    AckRule,
    ClockRules,
    ConfidentialityRules,
    DaysRule,
    FoiRules,
    Hours,
    Reminders,
    ResponseRule,
    Routing,
)
from mailbot.policy.values import MAX_DAYS, Day, Days, LocalTime, PositiveDays

__all__ = [
    "FOI_RESPONSE_DAYS",
    "FOI_RESPONSE_SOURCE",
    "MAX_DAYS",
    "PACKS_ENV",
    "AckRule",
    "CalendarRules",
    "CancelledHolidayRule",
    "ClockRules",
    "ClosureRule",
    "ConfidentialityRules",
    "Day",
    "Days",
    "DaysRule",
    "ExtraHolidayRule",
    "FoiRules",
    "Hours",
    "LocalTime",
    "Policy",
    "PolicyError",
    "PositiveDays",
    "Reminders",
    "ResponseRule",
    "Routing",
    "available_packs",
    "default_packs_dir",
    "load_policy",
    "parse_policy",
    "resolve_pack",
]
