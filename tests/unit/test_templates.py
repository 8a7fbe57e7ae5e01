"""Every mail template, rendered against fixtures and read: English, Welsh, bilingual;
one place to restyle; a council's own templates folder overrides any file."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import JO, RHIAN, Council, body_text, eml, make_app, parse_sent, rows, run, sent

from mailbot import jobs
from mailbot.languages import (
    ENGLISH,
    ENGLISH_FIRST,
    WELSH_FIRST,
    long_date_cy,
    member_languages,
    staff_languages,
    working_days_cy,
)
from mailbot.render import Renderer
from mailbot.resources import TEMPLATES
from mailbot.store.tables import OutboxRow

COUNCIL = {"name": "Cardiff Council", "mailbox": "ymholiadau@cardiff.gov.uk"}


def ack_context(**case: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "ref": "MB-2026-00001",
        "kind": "enquiry",
        "kind_label": "enquiry",
        "received": date(2026, 11, 25),
        "response_due": date(2026, 12, 9),
        "ack_due": date(2026, 11, 27),
        "confidential": False,
        "subject": "Pothole outside 14 Castle Street",
        "officer_phrase": "Sam Patel (Highways)",
        "officer_named": True,
        "foi_law": "Freedom of Information Act 2000",
        "statutory_days": 20,
    }
    values.update(case)
    return {
        "council": COUNCIL,
        "member": {"name": "Cllr Rhian Evans", "salutation": "Cllr Rhian Evans"},
        "case": values,
        "reply_subject": "Re: Pothole outside 14 Castle Street [MB-2026-00001]",
        "contact": None,
    }


def reminder_context(step: str = "before", confidential: bool = False, **extra: Any) -> dict:
    reminder: dict[str, Any] = {
        "step": step,
        "number": {"before": 0, "due": 0, "overdue": 1, "escalation": 3}[step],
        "working_days_left": 2,
        "days_overdue": 2,
        "reminders_sent": 2,
        "escalate_on": None,
        "explain_prompt": step != "escalation",
        "due_day_closed": False,
        "officer_gone": False,
    }
    reminder.update(extra)
    subject = "" if confidential else "Pothole outside 14 Castle Street"
    return {
        "council": {**COUNCIL, "domain": "cardiff.gov.uk"},
        "today_typed": "27/11/2026",
        "officer": {
            "name": "Sam Patel",
            "email": "sam.patel@cardiff.gov.uk",
            "service": "Highways",
        },
        "manager": {"name": "Max Boss", "email": "max.boss@cardiff.gov.uk"},
        "member": {
            "name": "Cllr Rhian Evans", "email": "rhian.evans@cardiff.gov.uk", "ward": "Tref"
        },
        "case": {
            "ref": "MB-2026-00001",
            "kind": "enquiry",
            "kind_label": "enquiry",
            "received": date(2026, 11, 25),
            "response_due": date(2026, 12, 9),
            "confidential": confidential,
            "subject": subject,
            "topic": subject,
            "extendable": True,
        },
        "reminder": reminder,
    }


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def test_every_template_file_parses() -> None:
    env = Renderer().env
    files = sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".txt", ".html"))
    assert len(files) > 40
    for path in files:
        env.parse(path.read_text(encoding="utf-8"), name=str(path))


def test_welsh_words() -> None:
    assert long_date_cy(date(2026, 12, 4)) == "dydd Gwener 4 Rhagfyr 2026"
    assert long_date_cy(date(2026, 11, 25), True) == "ddydd Mercher 25 Tachwedd 2026"
    assert long_date_cy(date(2027, 1, 1)) == "dydd Gwener 1 Ionawr 2027"
    assert [working_days_cy(n) for n in (1, 2, 3, 20)] == [
        "1 diwrnod gwaith",
        "2 ddiwrnod gwaith",
        "3 diwrnod gwaith",
        "20 diwrnod gwaith",
    ]


@pytest.mark.parametrize(
    ("policy", "member", "for_member", "for_staff"),
    [
        ("en", "en", ENGLISH, ENGLISH),
        ("en", "cy", WELSH_FIRST, ENGLISH),  # a Welsh speaker in an English council
        ("cy-en", "en", ENGLISH_FIRST, ENGLISH_FIRST),
        ("cy-en", "cy", WELSH_FIRST, WELSH_FIRST),
        ("cy-en", None, ENGLISH_FIRST, ENGLISH_FIRST),  # not a known member
    ],
)
def test_language_choice(
    policy: str, member: str | None, for_member: tuple, for_staff: tuple
) -> None:
    assert member_languages(policy, member) == for_member
    assert staff_languages(policy, member) == for_staff


def test_english_ack(renderer: Renderer) -> None:
    mail = renderer.render("ack", ack_context(), ENGLISH)
    assert mail.subject == "Re: Pothole outside 14 Castle Street [MB-2026-00001]"
    assert mail.text.startswith(
        "Dear Cllr Rhian Evans,\n\nThank you for your enquiry, which we "
        "received on Wednesday 25 November 2026."
    )
    assert "Sam Patel (Highways) will respond by Wednesday 9 December 2026." in mail.text
    assert 'Your message was: "Pothole outside 14 Castle Street"' in mail.text
    assert "Annwyl" not in mail.text and "Cymraeg" not in mail.text
    assert '<html lang="en-GB">' in mail.html


def test_welsh_first_ack(renderer: Renderer) -> None:
    mail = renderer.render("ack", ack_context(), WELSH_FIRST)
    text = mail.text
    assert text.startswith("(English below)\n\nAnnwyl Cllr Rhian Evans,")
    assert (
        "Diolch am eich ymholiad, a ddaeth i law ar ddydd Mercher 25 Tachwedd 2026. "
        "Ein cyfeirnod yw MB-2026-00001." in text
    )
    assert "Bydd Sam Patel (Highways) yn ymateb erbyn dydd Mercher 9 Rhagfyr 2026." in text
    unnamed = ack_context(officer_phrase="The officer dealing with it", officer_named=False)
    assert (
        "Bydd y swyddog sy'n delio â'r mater yn ymateb erbyn dydd Mercher 9 Rhagfyr 2026."
        in renderer.render("ack", unnamed, WELSH_FIRST).text
    )
    assert 'Pwnc eich neges: "Pothole outside 14 Castle Street"' in text
    assert text.index("Annwyl") < text.index("Dear Cllr Rhian Evans")
    assert text.index("Ymholiadau Aelodau") < text.index("· Member Enquiries")
    assert '<html lang="cy">' in mail.html
    assert mail.html.index('<div lang="cy">') < mail.html.index('<div lang="en-GB">')


def test_english_first_bilingual_ack(renderer: Renderer) -> None:
    mail = renderer.render(
        "ack", ack_context(kind="complaint", kind_label="complaint"), ENGLISH_FIRST
    )
    assert mail.text.startswith("(Cymraeg isod)\n\nDear Cllr Rhian Evans,")
    assert "Diolch am eich cwyn" in mail.text
    assert mail.text.index("Dear") < mail.text.index("Annwyl")


def test_welsh_foi_and_confidential_ack(renderer: Renderer) -> None:
    context = ack_context(
        kind="confidentiality",
        kind_label="request for confidentiality",
        confidential=True,
        subject="",
    )
    text = renderer.render("ack", context, WELSH_FIRST).text
    assert "Diolch am eich cais am gyfrinachedd" in text
    assert "Gofynnoch i hyn gael ei gadw'n gyfrinachol." in text
    assert "os na ellir ei gadw'n breifat" in text
    assert "Pwnc eich neges" not in text and "Your message was" not in text
    foi = ack_context(
        kind="foi", kind_label="request for information", response_due=date(2026, 12, 23)
    )
    text = renderer.render("ack", foi, WELSH_FIRST).text
    assert "o dan Ddeddf Rhyddid Gwybodaeth 2000" in text
    assert (
        "erbyn dydd Mercher 23 Rhagfyr 2026 fan bellaf (o fewn y 20 diwrnod gwaith statudol)"
        in text
    )


def test_reminder_before_and_on_the_day(renderer: Renderer) -> None:
    before = renderer.render("reminder", reminder_context("before"), ENGLISH)
    assert before.subject == (
        "Reminder: Pothole outside 14 Castle Street - reply by Wednesday 9 December 2026 "
        "[MB-2026-00001]"
    )
    assert "is due in 2 working days, by Wednesday 9 December 2026" in before.text
    assert "  Member:    Cllr Rhian Evans" in before.text
    assert "  Reply by:  Wednesday 9 December 2026" in before.text
    assert 'EXTEND 5 "waiting for the contractor\'s survey"' in before.text
    for command in ("DONE", 'EXTEND 5 "reason"', "REASSIGN name@cardiff.gov.uk", 'PAUSE "reason"'):
        assert command in before.text
    due = renderer.render("reminder", reminder_context("due"), ENGLISH)
    assert due.subject.startswith("Due today: Pothole")
    assert "is due today, Wednesday 9 December 2026" in due.text


def test_overdue_warns_of_the_escalation(renderer: Renderer) -> None:
    mail = renderer.render(
        "overdue", reminder_context("overdue", escalate_on=date(2026, 12, 15)), ENGLISH
    )
    assert (
        mail.subject
        == "Overdue by 2 working days: Pothole outside 14 Castle Street [MB-2026-00001]"
    )
    assert "was due on Wednesday 9 December 2026 and is now 2 working days overdue" in mail.text
    assert "by Tuesday 15 December 2026, the case will be referred to Max Boss" in mail.text
    welsh = renderer.render(
        "overdue", reminder_context("overdue", escalate_on=date(2026, 12, 15)), WELSH_FIRST
    )
    # The same in both languages as the English subject says it: by how much, no date.
    assert welsh.subject == (
        "2 ddiwrnod gwaith yn hwyr / Overdue by 2 working days: "
        "Pothole outside 14 Castle Street [MB-2026-00001]"
    )
    assert "ac mae bellach 2 ddiwrnod gwaith yn hwyr" in welsh.text
    assert (
        "erbyn dydd Mawrth 15 Rhagfyr 2026, bydd yr achos yn cael ei gyfeirio at Max Boss"
        in welsh.text
    )


def test_escalation_says_how_many_overdue_reminders_the_officer_had(renderer: Renderer) -> None:
    """The count is of those given (reminders.overdue_reminders_given): one, or none when
    the date passed while the case was paused and a dated RESUME set it."""
    one = renderer.render(
        "escalation", reminder_context("escalation", days_overdue=6, reminders_sent=1), ENGLISH)
    assert "Sam Patel has had 1 overdue reminder and is copied in." in one.text
    none = renderer.render(
        "escalation", reminder_context("escalation", days_overdue=6, reminders_sent=0),
        ENGLISH_FIRST)
    text = " ".join(none.text.split())
    assert "Sam Patel has not had an overdue reminder before this one and is copied in." in text
    assert ("Nid yw Sam Patel wedi cael nodyn atgoffa ers y dyddiad hwnnw cyn hwn, ac mae'n "
            "cael copi o'r neges hon.") in text
    assert "has had 0" not in text and "wedi cael 0" not in text


def test_escalation_goes_to_the_manager(renderer: Renderer) -> None:
    mail = renderer.render("escalation", reminder_context("escalation", days_overdue=6), ENGLISH)
    assert mail.text.startswith("Dear Max Boss,")
    assert "assigned to Sam Patel (Highways)" in mail.text
    assert "Sam Patel has had 2 overdue reminders" in mail.text
    assert "If the response will be late" not in mail.text  # that prompt is the officer's
    welsh = renderer.render(
        "escalation", reminder_context("escalation", days_overdue=6), ENGLISH_FIRST
    )
    assert "Annwyl Max Boss," in welsh.text and "a neilltuwyd i Sam Patel (Highways)" in welsh.text


@pytest.mark.parametrize("languages", [ENGLISH, WELSH_FIRST, ENGLISH_FIRST])
def test_an_escalation_for_an_officer_gone_from_the_directory_says_why(
    renderer: Renderer, languages: tuple[str, ...]
) -> None:
    context = reminder_context("escalation", officer_gone=True)
    mail = renderer.render("escalation", context, languages)
    for part in (mail.text, mail.html):
        assert "is not in officers.csv" in part and "REASSIGN" in part
        if languages != ENGLISH:
            assert "Nid yw" in part and "yn officers.csv" in part


@pytest.mark.parametrize("name", ["reminder", "overdue", "escalation"])
@pytest.mark.parametrize("languages", [ENGLISH, WELSH_FIRST, ENGLISH_FIRST])
def test_confidential_reminders_name_no_subject(
    renderer: Renderer, name: str, languages: tuple[str, ...]
) -> None:
    step = {"reminder": "before", "overdue": "overdue", "escalation": "escalation"}[name]
    mail = renderer.render(name, reminder_context(step, confidential=True), languages)
    for part in (mail.subject, mail.text, mail.html):
        assert "Pothole" not in part and "Castle" not in part
    assert "confidential" in mail.text.lower() or "cyfrinachol" in mail.text


def test_welsh_reminder_reads_in_welsh(renderer: Renderer) -> None:
    mail = renderer.render("reminder", reminder_context("before"), WELSH_FIRST)
    assert mail.subject == (
        "Nodyn atgoffa / Reminder: Pothole outside 14 Castle Street - erbyn dydd Mercher "
        "9 Rhagfyr 2026 / by Wednesday 9 December 2026 [MB-2026-00001]"
    )
    text = mail.text
    assert (
        "Mae angen ymateb i achos MB-2026-00001 ymhen 2 ddiwrnod gwaith, "
        "erbyn dydd Mercher 9 Rhagfyr 2026." in text
    )
    assert "  Ateb erbyn:  dydd Mercher 9 Rhagfyr 2026" in text
    assert "Anfonwch eich ateb at Cllr Rhian Evans o Outlook fel arfer" in text
    assert 'EXTEND 5 "aros am arolwg y contractwr"' in text
    assert text.index("Sut i ateb") < text.index("How to answer")


def test_restyling_the_layout_restyles_every_html_mail(tmp_path: Path) -> None:
    partials = tmp_path / "_partials"
    partials.mkdir()
    layout = (TEMPLATES / "_partials" / "layout.html").read_text(encoding="utf-8")
    (partials / "layout.html").write_text(
        layout.replace("font-family: Arial, Helvetica, sans-serif", "font-family: Georgia"),
        encoding="utf-8",
    )
    council = Renderer(tmp_path)
    for name, context, languages in (
        ("ack", ack_context(), ENGLISH),
        ("ack", ack_context(), WELSH_FIRST),
        ("reminder", reminder_context("before"), ENGLISH),
        ("overdue", reminder_context("overdue"), ENGLISH_FIRST),
        ("escalation", reminder_context("escalation"), ENGLISH),
    ):
        html = council.render(name, context, languages).html
        assert "font-family: Georgia" in html and "Arial" not in html


def test_a_council_overrides_one_template_and_keeps_the_rest(tmp_path: Path) -> None:
    (tmp_path / "reminder.txt").write_text(
        "Subject: Nodyn / Reminder {{ case.ref }}\nPlease answer {{ member.name }} by "
        "{{ case.response_due | long_date }}.\n",
        encoding="utf-8",
    )
    council = Renderer(tmp_path)
    mine = council.render("reminder", reminder_context("before"), ENGLISH)
    assert mine.subject == "Nodyn / Reminder MB-2026-00001"
    assert mine.text == "Please answer Cllr Rhian Evans by Wednesday 9 December 2026.\n"
    # The HTML part and every other template still come from the package.
    assert "Dear Sam Patel" in mine.html
    assert council.render("overdue", reminder_context("overdue"), ENGLISH).text.startswith(
        "Dear Sam Patel,"
    )


def test_a_bilingual_council_acknowledges_in_both_languages(tmp_path: Path) -> None:
    """Cardiff (policy language cy-en): English first for Jo, Welsh first for Rhian."""
    app, server = make_app(tmp_path, policy="cardiff")
    try:
        server.deliver(eml("member_enquiry.eml"))
        welsh = eml("member_enquiry.eml").replace(JO[1].encode(), RHIAN[1].encode())
        server.deliver(welsh.replace(b"Message-ID: <", b"Message-ID: <cy-"))
        run(app)
        acks = {
            str(m["To"]): body_text(m, "plain") for _, m in sent(server) if "Re:" in m["Subject"]
        }
        assert acks[JO[1]].startswith("(Cymraeg isod)")
        assert acks[JO[1]].index("Dear Cllr Jo Bloggs") < acks[JO[1]].index("Annwyl Cllr Jo Bloggs")
        assert acks[RHIAN[1]].startswith("(English below)")
        assert acks[RHIAN[1]].index("Annwyl") < acks[RHIAN[1]].index("Dear")
    finally:
        app.close()


def letter_context(**extra: Any) -> dict[str, Any]:
    """What commands.tell_member gives a letter to the member."""
    return {
        "council": COUNCIL,
        "member": {"name": "Cllr Rhian Evans", "salutation": "Cllr Rhian Evans"},
        "case": {
            "ref": "MB-2026-00001",
            "kind_label": "complaint",
            "received": date(2026, 11, 25),
            "response_due": date(2026, 12, 16),
        },
        "reply_subject": "Re: Bins [MB-2026-00001]",
        **extra,
    }


def test_letters_to_a_welsh_member_are_welsh_first(renderer: Renderer) -> None:
    extension = renderer.render(
        "extension_notice",
        letter_context(
            reason="the contractor surveys it on Monday",
            old_due=date(2026, 12, 9),
            new_due=date(2026, 12, 16),
            officer_name="Sam Patel",
        ),
        WELSH_FIRST,
    ).text
    assert extension.startswith("(English below)\n\nAnnwyl Cllr Rhian Evans,")
    assert (
        "na fydd yr ymateb llawn i'ch cwyn (MB-2026-00001) yn barod erbyn "
        "dydd Mercher 9 Rhagfyr 2026" in extension
    )
    assert (
        "Bydd Sam Patel yn anfon ymateb llawn atoch erbyn dydd Mercher 16 Rhagfyr 2026."
        in extension
    )
    assert "will send you a full response by Wednesday 16 December 2026." in extension
    refused = renderer.render(
        "confidentiality_result",
        letter_context(ok=False, reason="a safeguarding duty applies", officer_name="Sam Patel"),
        WELSH_FIRST,
    ).text
    assert "Mae Sam Patel wedi dweud nad yw hynny'n bosibl, am y rheswm hwn:" in refused
    assert refused.index("Annwyl") < refused.index("has said that this is not possible")
    reopened = renderer.render("reopened", letter_context(), ENGLISH_FIRST).text
    assert reopened.startswith("(Cymraeg isod)\n\nDear Cllr Rhian Evans,")
    assert "Rydym wedi ailagor yr achos" in reopened
    english = renderer.render("reopened", letter_context(), ENGLISH).text
    assert "Thank you for writing again about MB-2026-00001." in english
    assert "Annwyl" not in english


@pytest.mark.parametrize("kind", ["foi", "enquiry"])
@pytest.mark.parametrize("languages", [ENGLISH, WELSH_FIRST, ENGLISH_FIRST])
def test_a_case_that_cannot_be_extended_is_not_asked_for_a_new_date(
    renderer: Renderer, languages: tuple[str, ...], kind: str
) -> None:
    # An FOI date is set by law, and some protocols allow no extension: EXTEND is refused,
    # so neither the officer nor the manager may be asked for "a new date".
    escalation = reminder_context("escalation")
    overdue = reminder_context("overdue", escalate_on=date(2026, 12, 15))
    for context in (escalation, overdue):
        context["case"].update(kind=kind, extendable=False)
        context["reminder"]["explain_prompt"] = False  # as reminder_context sets it then
    mails = [renderer.render("escalation", escalation, languages),
             renderer.render("overdue", overdue, languages)]
    for mail in mails:
        for part in (" ".join(mail.text.split()), " ".join(mail.html.split())):
            assert "new date" not in part and "dyddiad newydd" not in part
    welsh = languages != ENGLISH  # the others are bilingual
    for part in (" ".join(mails[0].text.split()), " ".join(mails[0].html.split())):
        assert "gets a response as soon as possible" in part
        if kind == "foi":
            assert "set by law and cannot be extended by agreement" in part
        else:
            assert "Cardiff Council's protocol does not allow the date to be extended" in part
        if welsh:
            assert "yn cael ateb cyn gynted â phosibl" in part
            assert ("wedi'i osod gan y gyfraith ac ni ellir ei estyn drwy gytundeb" in part
                    if kind == "foi"
                    else "Nid yw protocol Cardiff Council yn caniatáu estyn y dyddiad" in part)


@pytest.mark.parametrize("step", ["before", "overdue", "escalation"])
def test_reminders_say_whom_the_answer_is_for_with_address_and_ward(
    renderer: Renderer, step: str
) -> None:
    # The officer may have no other mail from the member to hand weeks later.
    template = "reminder" if step == "before" else step
    english = renderer.render(template, reminder_context(step), ENGLISH)
    assert "Cllr Rhian Evans <rhian.evans@cardiff.gov.uk>, Tref ward\n" in english.text
    assert "Cllr Rhian Evans &lt;rhian.evans@cardiff.gov.uk&gt;, Tref ward" in english.html
    welsh = renderer.render(template, reminder_context(step), WELSH_FIRST)
    assert "Aelod:       Cllr Rhian Evans <rhian.evans@cardiff.gov.uk>, ward Tref\n" in welsh.text


@pytest.mark.parametrize(
    ("telephone", "out_of_hours", "english", "welsh"),
    [
        ("01632 960000", "01632  960999",
         "please telephone the council on 01632 960000 (outside office hours: 01632 960999) "
         "rather than email.",
         "ffoniwch y cyngor ar 01632 960000 (y tu allan i oriau swyddfa: 01632 960999) yn "
         "hytrach nag anfon e-bost."),
        ("+44 (0)1632 960000", "",
         "please telephone the council on +44 (0)1632 960000 rather than email.",
         "ffoniwch y cyngor ar +44 (0)1632 960000 yn hytrach nag anfon e-bost."),
        ("", "",
         "please telephone the council on its usual number rather than email.",
         "ffoniwch y cyngor ar ei rif arferol yn hytrach nag anfon e-bost."),
    ],
)
def test_an_ack_gives_the_number_to_ring_for_what_cannot_wait_or_promises_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, telephone: str, out_of_hours: str,
    english: str, welsh: str,
) -> None:
    # "please telephone the council rather than email", and no number anywhere in the mail:
    # a member with a danger to people or property was told to ring and not told where.
    monkeypatch.setenv("MAILBOT_COUNCIL__TELEPHONE", telephone)
    monkeypatch.setenv("MAILBOT_COUNCIL__OUT_OF_HOURS_TELEPHONE", out_of_hours)
    app, server = make_app(tmp_path, policy="cardiff")  # bilingual: both languages
    try:
        server.deliver(eml("member_enquiry.eml"))
        run(app)
        [ack] = [m for _, m in sent(server) if str(m["To"]) == JO[1]]
    finally:
        app.close()
    text = " ".join(body_text(ack, "plain").split())
    html = " ".join(body_text(ack, "html").split())
    shown = " ".join(re.sub(r"<[^>]+>", "", html).split())
    for words in (english, welsh):
        assert words in text and words in shown, words
    assert "telephone the council rather than email" not in text
    for number in filter(None, (telephone, out_of_hours)):
        # Rung as dialled: "+44 (0)1632 960000" is +441632960000, not +4401632960000.
        dialled = "".join(c for c in number.replace("+44 (0)", "+44") if c in "+0123456789")
        assert f'href="tel:{dialled}"' in html


def test_letters_to_a_packs_route_not_in_officers_csv_greet_it_by_name_not_address(
    tmp_path: Path,
) -> None:
    # Cardiff's routes have no row in officers.csv: the Monitoring Officer's assignment, chase
    # and reminder began "Dear monitoring.officer@cardiff.example," (and "Annwyl foi@...").
    domain = "cardiff.example"
    with Council(
        tmp_path, policy="cardiff", mailbox=f"memberenquiries@{domain}", threshold=0.0,
        members=[("Cllr Jo Bloggs", f"jo@{domain}", "Castle", "en")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n',
    ) as council:
        sent_at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
        jo = f"Cllr Jo Bloggs <jo@{domain}>"
        for subject, body in (
            ("Can we talk in confidence?", "Please keep this confidential: I need advice."),
            ("FOI request", "Under the Freedom of Information Act please send me copies of "
                            "all contracts with Acme Ltd."),
            ("Complaint", "I want to make a formal complaint about how my case was handled."),
        ):
            council.deliver(council.mail(jo, subject, body, date=sent_at), sent_at)
        for day in (2, 11):  # the confidentiality chase; the reminders before the due date
            now = sent_at.replace(day=day)
            jobs.send_reminders(council.app, now)
            council.flush(now)
        letters: dict[str, list[str]] = {}
        subjects: list[str] = []
        for row in rows(council.app, OutboxRow):
            message = parse_sent(row.mime)
            subjects.append(str(message["Subject"]))
            html = " ".join(re.sub(r"<[^>]+>", " ", body_text(message, "html")).split())
            letters.setdefault(row.recipients, []).append(
                f"{row.purpose}: {body_text(message, 'plain')} {html}"
            )
    expected = {
        f"monitoring.officer@{domain}": ("Dear Monitoring Officer,", "Annwyl Swyddog Monitro,"),
        f"foi@{domain}": ("Dear FOI team,", "Annwyl Dîm Rhyddid Gwybodaeth,"),
        f"complaints@{domain}": ("Dear colleague,", "Annwyl gydweithiwr,"),
    }
    purposes = {purpose.split(":")[0] for mail in letters.values() for purpose in mail}
    assert {"assignment", "confidentiality_chase", "reminder"} <= purposes, purposes
    for address, greetings in expected.items():
        assert letters[address], address
        for letter in letters[address]:
            assert not re.search(r"(Dear|Annwyl) \S+@", letter), letter
            for words in greetings:
                assert letter.count(words) == 2, (words, letter)  # text and HTML
    # A confidential case's reminder is named by its kind, English first as the mail is.
    assert any(subject.startswith("Reminder / Nodyn atgoffa: request for confidentiality / "
                                  "cais am gyfrinachedd - by ") for subject in subjects), subjects


def test_a_member_told_privacy_is_not_possible_is_told_how_to_answer_and_the_answer_arrives(
    tmp_path: Path,
) -> None:
    # CONFIDENTIAL NO told the member to "decide how you want to go on, before anything more
    # is done" and stopped there: nothing said how to tell the council what they decided.
    domain = "cardiff.gov.uk"
    jo, mo = f"jo@{domain}", f"monitoring.officer@{domain}"
    with Council(
        tmp_path, policy="cardiff", mailbox=f"memberenquiries@{domain}", threshold=0.0,
        members=[("Cllr Jo Bloggs", jo, "Castle", "en")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", "")],
        config=f'[policy.routing]\nfoi_team = "foi@{domain}"\ncomplaints = "c@{domain}"\n'
               f'monitoring_officer = "{mo}"\nsource = "test"\n',
    ) as council:
        monday = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
        left = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{jo}>", "Private: a tenant", "Please keep this private. Can you "
            "advise me in confidence about a tenant's problem?", date=monday), monday)
        [assignment] = [m for m in left if str(m["To"]) == mo]
        later = monday + timedelta(hours=2)
        [answer] = [m for m in council.deliver(council.reply(
            assignment, f"Monitoring Officer <{mo}>", 'CONFIDENTIAL NO "safeguarding"',
            date=later), later) if str(m["To"]) == jo]
        text = " ".join(body_text(answer, "plain").split())
        html = " ".join(re.sub(r"<[^>]+>", " ", body_text(answer, "html")).split())
        for words in (
            "To tell us what you would like to do, reply to this email, keeping the reference "
            "MB-2026-00001 in the subject line.",
            "I ddweud wrthym beth yr hoffech ei wneud, atebwch yr e-bost hwn, gan gadw'r "
            "cyfeirnod MB-2026-00001 yn y llinell bwnc.",
        ):
            assert words in text and words in html, words
        # And a reply does reach whoever is dealing with it.
        reply_at = later + timedelta(hours=1)
        out = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{jo}>", str(answer["Subject"]), "Then please withdraw it.",
            in_reply_to=str(answer["Message-ID"]), date=reply_at), reply_at)
        assert [m for m in out if str(m["To"]) == mo], [str(m["To"]) for m in out]


def test_welsh_reminder_subject_names_the_law_s_earlier_date(renderer: Renderer) -> None:
    """A subject access request whose protocol date a pause moved past the law's: the
    Subject line names the law's date, Welsh first too, and once it has passed says so."""
    law = date(2026, 12, 7)
    before = renderer.render("reminder", reminder_context(
        "before", law_date_first=law, law_date_passed=False), WELSH_FIRST)
    assert before.subject == (
        "Nodyn atgoffa / Reminder: Pothole outside 14 Castle Street - erbyn dydd Llun "
        "7 Rhagfyr 2026 / by Monday 7 December 2026 [MB-2026-00001]"
    )
    passed = renderer.render("reminder", reminder_context(
        "due", law_date_first=law, law_date_passed=True), WELSH_FIRST)
    assert passed.subject == (
        "Wedi mynd heibio i'w ddyddiad cyfreithiol (dydd Llun 7 Rhagfyr 2026) / Past its "
        "legal date (Monday 7 December 2026): Pothole outside 14 Castle Street "
        "[MB-2026-00001]"
    )
