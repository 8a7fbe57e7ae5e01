"""What validates but is probably a mistake, for check-config and start-up warnings: the
demo's name and address left in, no telephone number for members, an empty password, mail
sent in clear over a network, no members, a secret in a config file every user may read."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from mailbot.addresses import same_address
from mailbot.config_explain import ENV_PREFIX
from mailbot.settings.mailbox import MailboxSettings
from mailbot.settings.root import Settings
from mailbot.settings.sections import CouncilSettings

_LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
# `mailbot demo`'s numbers, from Ofcom's range for drama: nobody answers them. A config
# copied from the demo would give them to a member with a danger to people or property.
DEMO_TELEPHONE = "01632 960123"
DEMO_OUT_OF_HOURS_TELEPHONE = "01632 960999"


def settings_warnings(settings: Settings) -> list[str]:
    """What validates but is probably a mistake, each naming the key (and the variable to
    set): an empty password, mail sent in clear over a network, no members at all."""
    box = settings.mailbox
    found: list[str] = []
    # Left at the demo's values, every letter would be signed by, and sent from, them.
    for key, value, default in (
        ("council.name", settings.council.name, CouncilSettings().name),
        ("mailbox.address", box.address, MailboxSettings().address),
    ):
        if value == default:  # not set, or copied from the demo's mailbot.toml
            found.append(f"{key} is {default!r}, the demo's (and what it is when not set), "
                         "so every letter says it; set the council's own")
    found += _example_values_left(settings)
    council = settings.council
    demo_numbers = (_digits(DEMO_TELEPHONE), _digits(DEMO_OUT_OF_HOURS_TELEPHONE))
    for key, number in (("council.telephone", council.telephone),
                        ("council.out_of_hours_telephone", council.out_of_hours_telephone)):
        if number and _digits(number) in demo_numbers:
            found.append(f"{key} is {number!r}, the demo's fictional number: members would be "
                         "told to ring a number nobody answers; set the council's own")
    if not settings.council.telephone:
        # Accepted (the letter then names no number), but a member with a danger to people
        # or property is best given the number to ring.
        found.append(
            "council.telephone is not set, so an acknowledgement tells a member whose matter "
            "cannot wait to ring the council on its usual number without giving it"
        )

    def secret(key: str, value: str, why: str) -> None:
        if not value:
            variable = ENV_PREFIX + key.upper().replace(".", "__")
            found.append(f"{key} is empty, so {why}; set {variable}")

    if box.backend == "imap":
        secret("mailbox.imap.password", box.imap.password, "the IMAP login will be refused")
    if box.backend in ("imap", "maildir") and box.smtp.host and box.smtp.username:
        secret("mailbox.smtp.password", box.smtp.password, "the SMTP login will be refused")
    for key, host, security, used in (
        ("mailbox.imap", box.imap.host, box.imap.security, box.backend == "imap"),
        ("mailbox.smtp", box.smtp.host, box.smtp.security, bool(box.smtp.host)),
    ):
        if used and security == "none" and host not in _LOCAL_HOSTS:
            found.append(
                f'{key}.security = "none" sends the password and members\' mail unencrypted '
                f"to {host}; use tls or starttls unless the server is on this machine"
            )
    if settings.directory.members is None:
        found.append(
            "directory.members is not set, so no sender is a known member and nobody gets "
            "an acknowledgement"
        )
    found += _shared_mailbox_as_recipient(settings)
    found += _kept_longer_than_cases(settings)
    return found + _secrets_others_can_read(settings.config_path)


def _kept_longer_than_cases(settings: Settings) -> list[str]:
    """[retention] periods that keep, outside a case, what anonymising it erases: the
    reminder summaries and digests (no one case's) and the corrections lines go only
    with their own period, so one longer than the case's (or 0, for ever) names the
    member after the case no longer does. Measured against the shortest anonymising
    period, a kind's own ([retention.foi]) included."""
    limits = settings.retention
    anonymising = {name: days for name, days in limits.periods("anonymise_cases_days").items()
                   if days}
    if not anonymising:
        return []
    first = min(anonymising, key=anonymising.__getitem__)
    years = anonymising[first]
    return [
        f"retention.{key} = {days} keeps {what} "
        + ("for ever" if days == 0 else f"{days} days")
        + f", after retention.{first} has anonymised their cases ({years} "
        f"days): they still name the member; set {key} to {years} or less"
        for key, days, what in (
            ("sent_mail_days", limits.sent_mail_days, "officers' reminder summaries and "
             "managers' digests (members' names, addresses and case subjects)"),
            ("corrections_days", limits.corrections_days, "the classifier corrections "
             "lines (members' message text)"),
        )
        if days == 0 or days > years
    ]


def _shared_mailbox_as_recipient(settings: Settings) -> list[str]:
    """Admins or digest recipients that are the shared mailbox itself: mailbot reads what
    it sends there as its own mail coming back (the loop guard) and moves it away unread."""
    shared = settings.mailbox.address.lower()
    return [
        f"{key}: {shared} is the shared mailbox itself: what mailbot sends there comes back "
        "to it as its own mail and is moved to the processed folder unread; name the people "
        "who should read it"
        for key, addresses in (("directory.admins", settings.directory.admins),
                               ("digest.recipients", settings.digest.recipients))
        if any(same_address(address.strip(), shared) for address in addresses)
    ]


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


# Keys whose value is a secret when written in the file (a database URL may carry one).
_SECRET_KEYS = ("mailbox.imap.password", "mailbox.smtp.password", "mailbox.ews.password",
                "mailbox.ews.client_secret", "mailbox.graph.client_secret", "database.url")


# Keys of config/mailbot.example.toml that are one council's (Colchester's), and what a
# copy that keeps them does.
_EXAMPLE_KEYS = (
    ("council.name", "every letter says it"),
    ("mailbox.address", "our mail says it is from there"),
    ("council.instance", "our loop header names another council"),
)


def _example_values_left(settings: Settings) -> list[str]:
    """The example's council kept in a copy made for another council (the README's
    `cp config/mailbot.example.toml mailbot.toml`). A config still on the example's own
    policy may well be that council's, so it is not told off."""
    from mailbot.resources import EXAMPLE_CONFIG

    try:
        example = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    if settings.council.policy == _value_at(example, "council.policy"):
        return []
    ours = settings.model_dump()
    return [
        f"{key} is still the example's {value!r} (from config/mailbot.example.toml), so "
        f"{why}; set the council's own"
        for key, why in _EXAMPLE_KEYS
        if (value := _value_at(example, key)) and _value_at(ours, key) == value
    ]


def _secrets_others_can_read(path: Path | None) -> list[str]:
    """A password written in a config file that every user of the machine may read
    (mode 0644, as cp and most editors leave it): one line naming the keys, the file's mode
    and the two ways to put it right."""
    if path is None:
        return []
    try:
        mode = path.stat().st_mode & 0o777
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    if not mode & 0o004:
        return []
    written = [key for key in _SECRET_KEYS if _has_secret(key, _value_at(data, key))]
    if not written:
        return []
    variables = ", ".join(ENV_PREFIX + key.upper().replace(".", "__") for key in written)
    return [
        f"{', '.join(written)}: a secret is written in this file, which every user of this "
        f"machine can read (mode {mode:04o}); chmod o-r {path} (the service's user must "
        f"still read it), or move it to the environment ({variables})"
    ]


def _value_at(data: dict[str, Any], dotted: str) -> object:
    found: object = data
    for part in dotted.split("."):
        found = found.get(part) if isinstance(found, dict) else None
    return found


def _has_secret(key: str, value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if key != "database.url":
        return True
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return bool(make_url(value).password)
    except ArgumentError:
        return False
