"""The tables of a pack, a model each: the acknowledgement and response clocks, the
clock's own rules (cutoff, pauses, extensions), routing, FOI, confidentiality and
reminders. Every table cites the protocol paragraph it comes from."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from mailbot.model import Kind, Priority
from mailbot.policy.values import Days, Flag, LocalTime, PositiveDays, not_bool

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DaysRule(Strict):
    """A clock of `days` working days, with the paragraph it comes from."""

    days: Days
    source: str = Field(min_length=1)


class AckRule(DaysRule):
    """The acknowledgement clock of one kind, and who gives the acknowledgement: mailbot's
    automatic one, or the officer the case is with (Hackney 11.3: the Director
    acknowledges a complaint and says what happens next). With "officer", that officer's
    first reply to the member is taken as the acknowledgement and the case stays open.
    `must_say` is what the protocol says that acknowledgement contains, as a clause
    ("saying whether action will be taken ..."), with `must_say_cy` in Welsh; without it
    the member and officer are told only that the officer acknowledges, by when."""

    by: Literal["mailbot", "officer"] = "mailbot"
    must_say: str = ""
    must_say_cy: str = ""


class ResponseRule(Strict):
    """Response time by the priority the member gives (Colchester 16(2)); `important`
    defaults to `normal` where the protocol makes no distinction. `reopened` is the time
    for a case the member reopens by writing again after the answer (a complaint's second
    stage: stage 1 in 5 working days, stage 2 in 20); without it a reopened case gets the
    first time again."""

    normal: Days
    important: Days | None = None
    reopened: Days | None = None
    source: str = Field(min_length=1)

    @field_validator("normal", "important", "reopened")
    @classmethod
    def _at_least_one(cls, value: int | None) -> int | None:
        # 0 is a date on the day of receipt: every case late the next morning, the member
        # told so and the officer reminded. It is written for "no clock", which every kind
        # but foi must have; no protocol promises a substantive answer the same day.
        if value == 0:
            raise ValueError(
                "must be at least 1 working day: 0 would make every case due the day it "
                "arrives and late the next (every kind but foi needs a response time; "
                "write the protocol's number, or 10 as a local default)"
            )
        return value

    def days(self, priority: Priority) -> int:
        if priority == Priority.IMPORTANT and self.important is not None:
            return self.important
        return self.normal

    def reopened_days(self, priority: Priority) -> int:
        return self.days(priority) if self.reopened is None else self.reopened


class ClockRules(Strict):
    # Mail arriving at or after the cutoff (Europe/London) counts as received the next
    # day. Protocol clocks only: the statutory FOI clock has no cutoff.
    cutoff: LocalTime | None = None
    # Colchester 16(3): an officer's out-of-office suspends the timescale of an enquiry
    # (pause event); see Policy.absence_pauses for which kinds.
    out_of_office_pauses: Flag = False
    # Colchester 16(4) and others: a new date may be agreed with the member (extend event).
    extension_by_agreement: Flag = True
    source: str = Field(min_length=1)  # cites each rule of this table
    no_ack_source: str | None = None  # why there is no acknowledgement clock, if none

    @field_validator("cutoff", mode="before")
    @classmethod
    def _none_word(cls, value: Any) -> Any:
        return None if isinstance(value, str) and value.strip().lower() in {"", "none"} else value

    @field_validator("cutoff")
    @classmethod
    def _cutoff_local(cls, value: time | None) -> time | None:
        if value == time(0, 0):
            raise ValueError(
                "00:00 would count every message as received the next day; "
                "leave cutoff out for no cutoff"
            )
        return value


class Routing(Strict):
    foi_team: str
    complaints: str  # an address, or "service-director" (Hackney 11.3)
    monitoring_officer: str
    # A complaint that names an officer: "complaints" (the complaints route, as any other)
    # or "their-director", the head of that officer's line in officers.csv (Wiltshire 16.2).
    about_an_officer: Literal["complaints", "their-director"] = "complaints"
    source: str = Field(min_length=1)

    @field_validator("foi_team", "monitoring_officer")
    @classmethod
    def _address(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"must be an email address, not {value!r}")
        return value.lower()

    @field_validator("complaints")
    @classmethod
    def _complaints(cls, value: str) -> str:
        if value != "service-director" and not _EMAIL.match(value):
            raise ValueError(f"must be an email address or 'service-director', not {value!r}")
        return value if value == "service-director" else value.lower()

    # Where subject access requests (UK GDPR Article 15) go: the data protection officer
    # or team. Optional: without it they follow the enquiry routing, and the officer is
    # asked to pass them on.
    subject_access: str | None = None

    # Who takes a complaint naming the head of a management line (an officer with no
    # manager in officers.csv, a Director), whom nobody in officers.csv is above: MWDA
    # 13.3's Clerk, Cardiff's Chief Executive. Optional: without it the complaints route
    # has it. Never the officer complained about: a complaint naming this officer goes
    # to the monitoring officer (routing.route_complaint).
    about_the_head_of_a_line: str | None = None

    @field_validator("subject_access", "about_the_head_of_a_line")
    @classmethod
    def _optional_address(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError(f"must be an email address, not {value!r}")
        return None if value is None else value.lower()


class FoiRules(Strict):
    note_to_member: Flag = True  # tell the member their request went to the FOI team
    source: str = Field(min_length=1)


class ConfidentialityRules(Strict):
    minimise_content: Flag = True  # notifications never quote the message
    say_at_once_if_not_possible: Flag = True  # MWDA 7.2, Cardiff: say straight away
    # Working days the officer has to answer CONFIDENTIAL OK/NO before one chase; after
    # as many again, one escalation to their manager (mailbot/confidentiality_chase.py).
    # At most 10: a pack cannot turn "straight away" into weeks.
    confirm_within_days: Annotated[int, BeforeValidator(not_bool), Field(ge=1, le=10)] = 1
    source: str = Field(min_length=1)


class Hours(Strict):
    start: LocalTime = time(9, 0)
    end: LocalTime = time(17, 0)
    tz: Literal["Europe/London"] = "Europe/London"

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Reminders(Strict):
    days_before: Days = 2  # working days before the due date
    on_due_day: Flag = True
    overdue_every: PositiveDays = 2  # working days between overdue reminders
    escalate_after: Days = 2  # overdue reminders before the manager is told
    # Once the manager has been told, the officer's overdue reminders go no more often than
    # every this many working days (5: weekly; never more often than overdue_every): a case
    # overdue for months must not mail its officer every day. 1 keeps overdue_every's pace.
    overdue_every_after_escalation: PositiveDays = 5
    # More reminders than this to one officer on one day go as one daily summary that
    # lists every case (docs/reminders.md): forty open cases must not be twenty mails a
    # day that teach the officer to filter the mailbox away. 0: every reminder alone.
    summary_above: Days = 3
    working_hours: Hours = Hours()
    # Kinds whose member is told, once per due date, that the response is late and who
    # has it (Wiltshire 6.5.8, Cardiff, Colchester 16(6)). Empty: the protocol is silent.
    tell_member_when_late: list[Kind] = []
    # A case paused for an officer's out-of-office (mailbot/absence.py) that nobody has
    # redirected after this many working days: whoever was asked to redirect it is chased,
    # once (mailbot/pause_chase.py). 0: never.
    redirect_chase_after: Days = 2
    # A case an officer paused (PAUSE) and nobody has resumed after this many working
    # days: the officer who holds it is reminded, once per pause. 0: never.
    pause_reminder_after: Days = 10
    source: str = Field(min_length=1)

    def overdue_gap(self, number: int) -> int:
        """Working days from overdue reminder `number` to the next: overdue_every up to the
        escalation (number escalate_after + 1), the slower after_escalation pace after it."""
        if number <= self.escalate_after:
            return self.overdue_every
        return self.after_escalation_every

    @property
    def after_escalation_every(self) -> int:
        return max(self.overdue_every, self.overdue_every_after_escalation)

    @field_validator("tell_member_when_late")
    @classmethod
    def _not_foi(cls, kinds: list[Kind]) -> list[Kind]:
        # An FOI request's lateness is the FOI procedure's and the ICO's to deal with;
        # every protocol sends it there (Colchester 16(1)).
        if Kind.FOI in kinds:
            raise ValueError("foi is answered under the FOI procedure, not this protocol")
        return kinds
