"""The names a digest gives: of kinds, of officers and services, in English and Welsh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.addresses import address_key, same_address
from mailbot.leavers import known_addresses
from mailbot.model import Kind

if TYPE_CHECKING:
    from mailbot.app import App

KIND_NAMES = {
    Kind.ENQUIRY: "Enquiry",
    Kind.FOI: "FOI/EIR request",
    Kind.COMPLAINT: "Complaint",
    Kind.CONFIDENTIALITY: "Confidentiality request",
}
UNASSIGNED = "(unassigned)"
NOT_LISTED = "Not in officers.csv (left?)"
# The Welsh of the names the digest gives where the directory has none, and of the kinds,
# for a bilingual council's digest (templates digest.cy.* / digest.en-cy.*).
WELSH_NAMES = {
    "Enquiry": "Ymholiad",
    "FOI/EIR request": "Cais rhyddid gwybodaeth/EIR",
    "Complaint": "Cwyn",
    "Confidentiality request": "Cais am gyfrinachedd",
    "All kinds": "Pob math",
    UNASSIGNED: "(heb swyddog)",
    "Unassigned": "Heb swyddog",
    "No service": "Dim gwasanaeth",
    "FOI team": "Tîm rhyddid gwybodaeth",
    "Complaints": "Cwynion",
    "Other addresses": "Cyfeiriadau eraill",
    "Not in officers.csv (left?)": "Ddim yn officers.csv (wedi gadael?)",
    "Total": "Cyfanswm",
}


# The Act an overdue FOI request is late under, by the pack's foi_regime (English, Welsh):
# a Scottish council answers under FOISA, not the UK Act.
FOI_LAWS = {
    "foia": ("the FOI Act", "y Ddeddf Rhyddid Gwybodaeth"),
    "foisa": ("the Freedom of Information (Scotland) Act 2002",
              "Deddf Rhyddid Gwybodaeth (yr Alban) 2002"),
}


def welsh_name(name: str) -> str:
    """A name the digest made up, in Welsh; a name from the directory as it is."""
    return WELSH_NAMES.get(name, name)


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def officer_line(app: App, email: str | None) -> tuple[str, str]:
    """(service, name) to show for an officer address."""
    if email is None:
        return ("", UNASSIGNED)
    officer = app.directory.officer(email)
    if officer is not None:
        return (officer.service or "No service", told_apart(app, officer.name, officer.email))
    routing = app.policy.routing
    if routing.foi_team and same_address(email, routing.foi_team):
        return ("FOI team", email)
    if routing.complaints and same_address(email, routing.complaints):
        return ("Complaints", email)
    if address_key(email) not in {address_key(a) for a in known_addresses(app)}:
        # A leaver's or an old address's cases: reminders to it may reach nobody.
        return (NOT_LISTED, email)
    return ("Other addresses", email)


def told_apart(app: App, name: str, email: str) -> str:
    """The officer's name, or, when officers.csv has another officer of that name (two
    David Joneses), the name and the first part of the address: "David Jones
    (david.jones2)" (the whole address if that part is shared too)."""
    namesakes = [o.email for o in app.directory.officers.values() if o.name == name]
    if len(namesakes) < 2:
        return name
    local = email.partition("@")[0]
    same_local = sum(other.partition("@")[0] == local for other in namesakes)
    return f"{name} ({local if same_local == 1 else email})"
