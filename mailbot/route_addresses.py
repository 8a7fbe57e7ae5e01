"""The pack's routing addresses checked for `check-config`: placeholders that never receive
mail, and team addresses with no row (or no manager) in officers.csv."""

from __future__ import annotations

from collections.abc import Callable

from mailbot.directory import Directory
from mailbot.policy import Policy
from mailbot.settings import Settings

# Domains reserved for examples and tests (RFC 2606, RFC 6761): mail to them never arrives.
# The shipped packs use them for the FOI team, complaints and monitoring officer, which
# every council must replace with its own addresses.
PLACEHOLDER_DOMAINS = ("example", "invalid", "test", "localhost",
                       "example.com", "example.net", "example.org")  # fmt: skip


def is_placeholder_address(address: str) -> bool:
    domain = address.rpartition("@")[2].lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in PLACEHOLDER_DOMAINS)


def _routes(policy: Policy) -> list[tuple[str, str, str]]:
    """(key, address, what goes there) for the pack's routing addresses."""
    routing = policy.routing
    routes = [
        ("foi_team", routing.foi_team, "FOI requests"),
        ("complaints", routing.complaints, "complaints"),
        ("monitoring_officer", routing.monitoring_officer, "confidentiality requests"),
    ]
    if routing.subject_access:  # optional: without it they follow the enquiry routing
        routes.append(("subject_access", routing.subject_access, "subject access requests"))
    if routing.about_the_head_of_a_line:  # optional: without it the complaints route has them
        routes.append(("about_the_head_of_a_line", routing.about_the_head_of_a_line,
                       "complaints about the head of a management line"))
    return [route for route in routes if route[1] != "service-director"]


def placeholder_routing(policy: Policy) -> list[str]:
    """The pack's routing addresses that can never receive mail: each kind of case routed
    there would be assigned to nobody, and its member told to contact that address."""
    found = []
    for key, address, what in _routes(policy):
        if is_placeholder_address(address):
            found.append(
                f"policy.routing.{key}: {address} is a placeholder that never receives mail, "
                f"so {what} would go to nobody and members would be told to contact it; "
                f"set {key} under [policy.routing] in this file"
            )
    return found

def teams_without_a_row(
    policy: Policy, directory: Directory, set_in: Callable[[str], str]
) -> list[str]:
    """The pack's routing addresses (real ones) with no row in officers.csv: their overdue
    cases have no manager to be escalated to (their mail greets them by role: render.py).
    `set_in(key)` names the file and key the address comes from."""
    if not directory.officers:
        return []  # no officers file at all: nobody has a row, and that is said elsewhere
    found = []
    for key, address, what in _routes(policy):
        row = directory.officer(address)
        if row is None and not is_placeholder_address(address):
            found.append(
                f"{set_in(key)}: {address} is not in officers.csv, so {what} are "
                "escalated to nobody when overdue; add it with its name and manager_email"
            )
        elif row is not None and key in _TEAM_ROUTES and not row.manager_email:
            found.append(
                f"{set_in(key)}: {address} has no manager_email in officers.csv, so {what} "
                "are escalated to nobody when overdue (the team's overdue reminders go on "
                "to it alone); give its row a manager_email"
            )
    return found


# The routes that are teams (a shared address), whose overdue cases the protocol escalates
# to the team's manager. The monitoring officer and the officer above the head of a line
# are at the top of their line: no manager there is the directory as it should be.
_TEAM_ROUTES = frozenset({"foi_team", "complaints", "subject_access"})


def routing_set_in(settings: Settings, pack: str) -> Callable[[str], str]:
    """Where a routing address was written: the council's [policy.routing] override in
    its config, else the pack file, so the administrator looks in the right file."""
    where = settings.config_path or "<defaults>"
    overrides = settings.policy.get("routing", {})

    def set_in(key: str) -> str:
        if isinstance(overrides, dict) and key in overrides:
            return f"{where}: policy.routing.{key}"
        return f"{pack}: routing.{key}"

    return set_in
