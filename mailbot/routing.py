"""Who deals with a new case: the pack's routes first, then the council's rules.

A table of small route functions, tried in order; the first that names an officer wins.
FOI goes to the FOI team whatever else matches (the statutory clock is theirs);
complaints go the pack's complaints route (Hackney 11.3: the Director of the service
where the fault lies, found by routing the case to a service and following its
management line up); confidentiality requests go to the officer the member wrote to,
else the monitoring officer. Everything else: the officer the member wrote to or
copied in, then the config's [routing] rules, then its default officer.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from mailbot.addresses import address_key
from mailbot.complained_about import never_named, officers_named, one_of
from mailbot.config_explain import key_path
from mailbot.directory import Directory, Officer
from mailbot.languages import Bilingual, welsh_of
from mailbot.model import Kind, ParsedMessage
from mailbot.policy import Policy
from mailbot.settings.people import RoutingRule, RoutingSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assignment:
    officer_email: str | None
    # Said in the case timeline (in English) and to the officer (in Welsh too, in a
    # bilingual council): a languages.Bilingual where the reason is ours.
    why: str
    about: tuple[str, ...] = ()  # the officers a complaint names (complained_about)
    # Officers it may be about ('Mr Patel' of two Patels): not routed by, shown it by
    # reference only.
    perhaps_about: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouteInput:
    kind: Kind
    message: ParsedMessage
    member_email: str
    known_member: bool
    directory: Directory
    policy: Policy
    settings: RoutingSettings
    previous_officer: str | None = None  # the officer of the case this one follows up
    kind_settled: bool = False  # a person gave the kind (mailbot relabel), not the mail
    subject_access: bool = False  # a request for the person's own data (access_request)


Route = Callable[[RouteInput], Assignment | None]


def addressed_officer(it: RouteInput) -> Assignment | None:
    """A known officer the member wrote to or copied in (the shared mailbox in copy)."""
    if not it.settings.prefer_addressed_officer:
        return None
    for address in (*it.message.to, *it.message.cc):
        if it.directory.officer(address.email) is not None:
            return Assignment(
                address.email,
                Bilingual(
                    f"the member wrote to {address.email}",
                    f"ysgrifennodd yr aelod at {address.email}",
                ),
            )
    return None


def previous_officer(it: RouteInput) -> Assignment | None:
    if it.previous_officer and it.directory.officer(it.previous_officer) is not None:
        return Assignment(
            it.previous_officer,
            Bilingual("officer of the earlier case", "swyddog yr achos blaenorol"),
        )
    return None


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w']+", text.lower()))


def rule_matches(rule: RoutingRule, kind: Kind, text: str, ward: str) -> bool:
    return matched_keyword(rule, kind, text, ward) is not None


def matched_keyword(rule: RoutingRule, kind: Kind, text: str, ward: str) -> str | None:
    """The keyword by which the rule matches ("" for a rule without keywords), or None."""
    if rule.kinds and kind.value not in rule.kinds:
        return None
    if rule.wards and ward.lower() not in {w.lower() for w in rule.wards}:
        return None
    if not rule.keywords:
        return ""
    words = _words(text)
    lowered = text.lower()
    for keyword in rule.keywords:
        key = keyword.lower().strip()
        # A phrase is matched as a phrase, a single word as a whole word.
        if (" " in key and key in lowered) or key in words:
            return key
    return None


def _why_rule(label: str, keyword: str, ward: str, by_ward: bool) -> Bilingual:
    """Why a rule chose this officer, in words they can check: what the mail mentions, or
    the member's ward ("routing rule 'highways'" alone means nothing to them)."""
    en, cy = [], []
    if keyword:
        en.append(f'it mentions "{keyword}"')
        cy.append(f'mae\'n sôn am "{keyword}"')
    if by_ward:
        en.append(f"the member's ward is {ward}")
        cy.append(f"ward yr aelod yw {ward}")
    if not en:
        return Bilingual(f"the council's {label!r} routing", f"cyfeirio {label!r} y cyngor")
    return Bilingual(
        f"{' and '.join(en)} (the council's {label!r} routing)",
        f"{' a '.join(cy)} (cyfeirio {label!r} y cyngor)",
    )


def configured_rule(it: RouteInput) -> Assignment | None:
    member = it.directory.member(it.member_email)
    ward = member.ward if member else ""
    text = f"{it.message.subject}\n{it.message.text[:20000]}"
    for number, rule in enumerate(it.settings.rules, start=1):
        keyword = matched_keyword(rule, it.kind, text, ward)
        if keyword is not None:
            label = rule.name or f"rule {number}"
            if it.directory.officer(rule.officer) is None:
                # Their row went from officers.csv while the daemon ran (check-config calls
                # this an error): a leaver must not be given new cases.
                log.error(
                    "%s: %s (%r) is not in the officers directory; "
                    "the rule is skipped until mailbot.toml or officers.csv is corrected",
                    key_path(("routing", "rules", number - 1, "officer")), rule.officer, label,
                )
                continue
            return Assignment(rule.officer, _why_rule(label, keyword, ward, bool(rule.wards)))
    return None


def default_officer(it: RouteInput) -> Assignment | None:
    if it.settings.default_officer:
        return Assignment(
            it.settings.default_officer,
            Bilingual(
                "the default officer (no rule matched)",
                "y swyddog diofyn (nid oedd rheol yn cyfateb)",
            ),
        )
    return None


ORDINARY: tuple[Route, ...] = (addressed_officer, previous_officer, configured_rule)


def _first(routes: tuple[Route, ...], it: RouteInput) -> Assignment | None:
    for route in routes:
        found = route(it)
        if found is not None:
            return found
    return None


def route_foi(it: RouteInput) -> Assignment:
    return Assignment(
        it.policy.routing.foi_team,
        Bilingual(
            "FOI requests go to the FOI team",
            "mae ceisiadau rhyddid gwybodaeth yn mynd i'r tîm rhyddid gwybodaeth",
        ),
    )


def route_complaint(it: RouteInput) -> Assignment:
    """A complaint about a named officer up that officer's line, where the pack says so;
    any other by the complaints route. Never to an officer it is about: a complaint naming
    an officer and their Director goes to neither."""
    routes = it.policy.routing
    named, maybe = officers_named(it.message, it.directory, never_named(routes, it.directory))
    perhaps = tuple(officer.email for officer in maybe)
    about = tuple(officer.email for officer in named)
    names = ", ".join(officer.name for officer in named)

    def not_named(address: str | None) -> bool:
        return bool(address) and not one_of(address, about)

    heads = [officer for officer in named if heads_a_line(it.directory, officer.email)]
    if heads and routes.about_the_head_of_a_line:
        return replace(_above_the_head(it, names, heads, not_named), about=about)
    if named and routes.about_an_officer == "their-director":
        # One line's head; officers of two lines (one thanked, one complained about, or
        # both complained about) leave the choice of line to the complaints route.
        tops = [it.directory.top_of_chain(officer.email) for officer in named]
        head = tops[0] if len({address_key(top) for top in tops}) == 1 else None
        if head is not None and not_named(head):
            return Assignment(head, Bilingual(
                f"the complaint is about {names}: complaints about an officer go to "
                "the head of their management line",
                f"mae'r gŵyn am {names}: mae cwynion am swyddog yn mynd at ben eu "
                "llinell reoli",
            ), about=about)
    found = _complaints_route(it)
    if not named:
        return replace(found, perhaps_about=perhaps)
    for choice in (found, default_officer(it)):
        if choice is not None and not_named(choice.officer_email):
            return replace(choice, about=about)
    return Assignment(None, Bilingual(
        f"the complaint is about {names}, whom the complaints route would give it to",
        f"mae'r gŵyn am {names}, y byddai'r llwybr cwynion yn ei rhoi iddynt",
    ), about=about)


def heads_a_line(directory: Directory, email: str) -> bool:
    """Whether an officer heads their management line: nobody is above them in
    officers.csv (an empty manager_email; a Director)."""
    return address_key(directory.top_of_chain(email)) == address_key(email)


def _above_the_head(
    it: RouteInput, names: str, heads: list[Officer], not_named: Callable[[str | None], bool]
) -> Assignment:
    """A complaint naming the head of a line goes to [policy.routing]
    about_the_head_of_a_line (MWDA 13.3: the Clerk; Cardiff: the Chief Executive). One
    naming that officer too goes to the monitoring officer, the statutory officer who
    deals with a complaint about the Clerk or Chief Executive. A complaint is never taken
    as naming the monitoring officer (complained_about.never_named), so someone always
    takes it."""
    routes = it.policy.routing
    target = routes.about_the_head_of_a_line
    if not_named(target):
        head_names = ", ".join(officer.name for officer in heads)
        return Assignment(target, Bilingual(
            f"the complaint is about {names}: nobody is above {head_names} in officers.csv, "
            "and complaints about the head of a management line go to the officer the "
            "council names for them",
            f"mae'r gŵyn am {names}: nid oes neb uwchben {head_names} yn officers.csv, ac "
            "mae cwynion am ben llinell reoli yn mynd at y swyddog y mae'r cyngor yn ei "
            "enwi ar eu cyfer",
        ))
    taker = it.directory.display(target or "")
    return Assignment(routes.monitoring_officer, Bilingual(
        f"the complaint is about {names}; {taker} takes complaints about the head of a "
        "management line, so a complaint about them goes to the monitoring officer",
        f"mae'r gŵyn am {names}; {taker} sy'n cymryd cwynion am ben llinell reoli, felly "
        "mae cwyn amdanynt yn mynd i'r swyddog monitro",
    ))


def _complaints_route(it: RouteInput) -> Assignment:
    target = it.policy.routing.complaints
    if target != "service-director":
        return Assignment(
            target,
            Bilingual(
                "complaints go to the complaints route", "mae cwynion yn mynd i'r llwybr cwynion"
            ),
        )
    service = _first(ORDINARY, it)
    if service is not None and service.officer_email:
        director = it.directory.top_of_chain(service.officer_email)
        return Assignment(
            director,
            Bilingual(
                f"the Director of the service ({service.why})",
                f"Cyfarwyddwr y gwasanaeth ({welsh_of(service.why)})",
            ),
        )
    triage = default_officer(it)
    if triage is not None:
        return Assignment(
            triage.officer_email,
            Bilingual(
                "no service matched the complaint: pass it with REASSIGN to the Director of "
                "the service concerned, who acknowledges and answers it",
                "nid oedd gwasanaeth yn cyfateb i'r gŵyn: trosglwyddwch hi gyda REASSIGN i "
                "Gyfarwyddwr y gwasanaeth dan sylw, sy'n ei chydnabod ac yn ei hateb",
            ),
        )
    return Assignment(
        None,
        Bilingual("no service matched the complaint", "nid oedd gwasanaeth yn cyfateb i'r gŵyn"),
    )


def route_confidentiality(it: RouteInput) -> Assignment:
    named = _first((addressed_officer, previous_officer), it)
    if named is not None:
        return named
    return Assignment(
        it.policy.routing.monitoring_officer,
        Bilingual(
            "no officer named: confidentiality requests go to the monitoring officer",
            "ni enwyd swyddog: mae ceisiadau am gyfrinachedd yn mynd i'r swyddog monitro",
        ),
    )


def route_ordinary(it: RouteInput) -> Assignment:
    return (
        _first(ORDINARY, it)
        or default_officer(it)
        or Assignment(
            None,
            Bilingual(
                "no routing rule matched and no default officer is set",
                "nid oedd rheol gyfeirio yn cyfateb, ac nid oes swyddog diofyn",
            ),
        )
    )


# Kinds the protocol sends to a team of their own whatever the routing rules say: an FOI
# request's statutory date is the FOI team's, a complaint the complaints route's.
OWN_ROUTE = (Kind.FOI, Kind.COMPLAINT, Kind.CONFIDENTIALITY)

BY_KIND: dict[Kind, Callable[[RouteInput], Assignment]] = {
    Kind.FOI: route_foi,
    Kind.COMPLAINT: route_complaint,
    Kind.CONFIDENTIALITY: route_confidentiality,
    Kind.ENQUIRY: route_ordinary,
}


def assign(it: RouteInput) -> Assignment:
    """The officer for a new case. Mail from someone who is not a known member goes to
    the default officer for triage (it is not trusted to pick its own officer), until a
    person settles its kind: an FOI request, complaint or confidentiality request then
    goes to its kind's route, as a member's would."""
    if it.kind_settled and it.kind in OWN_ROUTE:
        return BY_KIND[it.kind](it)
    if not it.known_member:
        return default_officer(it) or Assignment(
            None,
            Bilingual(
                "sender is not a known member: triage",
                "nid yw'r anfonwr yn aelod hysbys: i'w wirio",
            ),
        )
    if it.kind == Kind.ENQUIRY and it.subject_access:
        return route_subject_access(it)
    return BY_KIND[it.kind](it)


def route_subject_access(it: RouteInput) -> Assignment:
    """A subject access request to the pack's [routing] subject_access address; where it
    names none, to the FOI team, the information rights team that most councils have
    answer them too (an officer the words or rules picked, such as housing's for "my
    housing file", is not who answers one)."""
    if it.policy.routing.subject_access:
        return Assignment(
            it.policy.routing.subject_access,
            Bilingual(
                "subject access requests go to the data protection officer",
                "mae ceisiadau gwrthrych am wybodaeth yn mynd i'r swyddog diogelu data",
            ),
        )
    return Assignment(
        it.policy.routing.foi_team,
        Bilingual(
            "subject access requests go to the FOI team, as no data protection officer is "
            "set ([policy.routing] subject_access)",
            "mae ceisiadau gwrthrych am wybodaeth yn mynd i'r tîm rhyddid gwybodaeth, gan nad "
            "oes swyddog diogelu data wedi'i osod ([policy.routing] subject_access)",
        ),
    )


def unknown_wards(settings: RoutingSettings, directory: Directory) -> list[str]:
    """Wards in [[routing.rules]] that no member in members.csv has: a rule is matched on
    the member's ward as written there, so a misspelt ward silently never matches."""
    wards = {member.ward.lower(): member.ward
             for member in directory.members.values() if member.ward}
    found = []
    for number, rule in enumerate(settings.rules):
        label = rule.name or f"rule {number + 1}"
        for ward in rule.wards:
            if ward.lower() not in wards:
                meant = _closest(ward.lower(), list(wards))
                found.append(
                    f"{key_path(('routing', 'rules', number, 'wards'))}: {ward!r} ({label!r}) "
                    "is no member's ward in members.csv, so the rule never matches it"
                    + (f" (did you mean {wards[meant]!r}?)" if meant else "")
                )
    return found


def _closest(written: str, known: list[str]) -> str | None:
    """The one of `known` that `written` is probably a typo of, if any."""
    close = difflib.get_close_matches(written, known, n=1, cutoff=0.8)
    return close[0] if close else None


def _not_an_officer(address: str, directory: Directory) -> str:
    """'is not in the officers directory', with the officer's address probably meant."""
    meant = _closest(address.strip().lower(), [o.email.lower() for o in
                                               directory.officers.values()])
    return "is not in the officers directory" + (f" (did you mean {meant}?)" if meant else "")


def check_routing(settings: RoutingSettings, directory: Directory, admins: list[str]) -> list[str]:
    """Problems `mailbot check-config` should show: addresses in [routing] and admins that
    are not in officers.csv (their cases would get no manager, deputy or reminders' escalation)."""
    problems = []
    for number, rule in enumerate(settings.rules, start=1):
        if directory.officer(rule.officer) is None:
            label = rule.name or f"rule {number}"
            problems.append(
                f"{key_path(('routing', 'rules', number - 1, 'officer'))}: {rule.officer} "
                f"({label!r}) {_not_an_officer(rule.officer, directory)}"
            )
    if settings.default_officer and directory.officer(settings.default_officer) is None:
        problems.append(
            f"routing.default_officer: {settings.default_officer} "
            f"{_not_an_officer(settings.default_officer, directory)}"
        )
    for address in admins:
        if directory.member(address) is not None:
            problems.append(
                f"directory.admins: {address} is in the members directory; admins must be staff"
            )
    return problems
