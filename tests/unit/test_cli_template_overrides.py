"""check-config reads a council's own templates (templates/ beside the config): one Jinja
cannot compile, or a letter that lost its Subject line, would fail every mail of its kind
(each member's message quarantined), so check-config says which file and line, exit 2. A
value the letter is not given (misspelt) is a warning with its line: mail made from the
file would be made from mailbot's own templates instead."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mailbot.cli import app


def _council(tmp_path: Path, templates: dict[str, str]) -> Path:
    (tmp_path / "members.csv").write_text(
        "name,email\r\nCllr Siân Jones,sian.jones@anglesey.gov.uk\r\n", encoding="utf-8"
    )
    for name, text in templates.items():
        path = tmp_path / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Isle of Anglesey County Council"\npolicy = "cardiff"\n'
        'telephone = "01248 750057"\ndata_dir = "var"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "ymholiadau@anglesey.gov.uk"\n'
        '[directory]\nmembers = "members.csv"\n'
        '[policy.routing]\nfoi_team = "foi@anglesey.gov.uk"\n'
        'complaints = "complaints@anglesey.gov.uk"\n'
        'monitoring_officer = "monitoring.officer@anglesey.gov.uk"\n'
    )
    return config


def _check(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    return result.exit_code, result.output.splitlines()


def test_a_template_jinja_cannot_read_names_its_file_and_line(tmp_path: Path) -> None:
    config = _council(tmp_path, {"ack.txt": "Subject: Your enquiry\n\nHello {{ ref }\n"})
    code, lines = _check(config)
    assert code == 2, lines
    path = tmp_path.resolve() / "templates" / "ack.txt"
    assert any(line.startswith(f"mailbot: error: {path}:3: unexpected '}}'") for line in lines)


def test_a_letter_without_its_subject_line_is_an_error(tmp_path: Path) -> None:
    config = _council(tmp_path, {"ack.txt": "Hello {{ ref }}\n"})
    code, lines = _check(config)
    assert code == 2, lines
    path = tmp_path.resolve() / "templates" / "ack.txt"
    assert f"mailbot: error: {path}:1: the first line must be the mail's subject " \
        "('Subject: ...'), as in mailbot's own ack.txt" in lines


def test_a_partial_that_compiles_is_accepted(tmp_path: Path) -> None:
    config = _council(tmp_path, {"_partials/signature.en.txt": "Member Services\n",
                                 "ack.txt": "Subject: Received {{ case.ref }}\n\nThank you.\n"})
    code, lines = _check(config)
    assert code == 0, lines
    assert not any("templates" in line for line in lines)


def test_a_misspelt_template_name_is_a_warning(tmp_path: Path) -> None:
    config = _council(tmp_path, {"ackk.txt": "Subject: Received\n"})
    code, lines = _check(config)
    assert code == 0, lines
    path = tmp_path.resolve() / "templates" / "ackk.txt"
    assert f"mailbot: warning: {path}: replaces none of mailbot's templates, so it is never " \
        "used; did you mean ack.txt?" in lines


def _warnings(lines: list[str]) -> list[str]:
    return [line for line in lines if "/templates/" in line and "warning" in line]


def test_a_misspelt_value_is_a_warning_with_its_line_and_the_value_meant(tmp_path: Path) -> None:
    config = _council(tmp_path, {"ack.txt": (
        "Subject: Re: {{ reply_subject }}\n\n"
        "Dear {{ member.salutation }},\n"
        "Your reference is {{ case.refernce }}; reply to {{ councl.mailbox }}.\n"
        "{{ ref }}\n")})
    code, lines = _check(config)
    assert code == 0, lines  # it may be given after all: not a reason to refuse
    path = tmp_path.resolve() / "templates" / "ack.txt"
    tail = "; each such mail would be made from mailbot's own templates instead of this file"
    assert _warnings(lines) == [
        f"mailbot: warning: {path}:4: case.refernce is not a value mailbot gives its 'ack' "
        f"mail (did you mean case.ref?){tail}",
        f"mailbot: warning: {path}:4: councl is not a value mailbot gives its 'ack' mail "
        f"(did you mean council?){tail}",
        f"mailbot: warning: {path}:5: ref is not a value mailbot gives its 'ack' mail{tail}",
    ]


def test_values_the_template_makes_itself_or_its_welsh_version_uses_are_not_warned_of(
    tmp_path: Path,
) -> None:
    config = _council(tmp_path, {
        "ack.txt": (
            "Subject: Re: {{ reply_subject }}\n\n"
            "{% set greeting = member.salutation_cy %}{{ greeting.upper() }}\n"
            "{% for key, value in case.items() %}{{ key }} {{ value.ref }}{% endfor %}\n"
            "{% macro line(text) %}{{ text.strip() }}{% endmacro %}{{ line(case.ref) }}\n"
            "{{ case['ref'] }} {{ loop_free|default('') if false else '' }}\n"),
    })
    code, lines = _check(config)
    assert code == 0, lines
    path = tmp_path.resolve() / "templates" / "ack.txt"
    assert _warnings(lines) == [
        f"mailbot: warning: {path}:6: loop_free is not a value mailbot gives its 'ack' mail; "
        "each such mail would be made from mailbot's own templates instead of this file"]


def test_a_misspelt_value_in_a_partial_is_warned_of_for_the_letters_including_it(
    tmp_path: Path,
) -> None:
    from mailbot.resources import TEMPLATES

    own_ack = (TEMPLATES / "_partials" / "ack.en.txt").read_text(encoding="utf-8")
    config = _council(tmp_path, {
        # the acknowledgement's English body, as a council rewords it, with a typo
        "_partials/ack.en.txt": "Dear {{ member.salutation }},\n"
                                "Our reference is {{ case.refernce }}.\n",
        # a part every letter with a case's facts shares, a value no letter is given
        "_partials/case_facts.en.txt": "Reply by: {{ case.response_due }}\n"
                                       "{{ ward.name }}\n",
        # mailbot's own part, copied unchanged, and values the part makes itself
        "_partials/ack.cy.txt": own_ack.replace("Dear", "Annwyl"),
        "_partials/signature.en.txt": "{% set team = council.name %}{{ team.upper() }}\n",
    })
    code, lines = _check(config)
    assert code == 0, lines  # a warning, as for a whole letter
    partials = tmp_path.resolve() / "templates" / "_partials"
    tail = "; each such mail would be made from mailbot's own templates instead of this file"
    assert _warnings(lines) == [
        f"mailbot: warning: {partials / 'ack.en.txt'}:2: case.refernce is not a value mailbot "
        f"gives its 'ack' mail, which includes this file (did you mean case.ref?){tail}",
        f"mailbot: warning: {partials / 'case_facts.en.txt'}:2: ward is not a value "
        "mailbot gives its 'escalation', 'overdue' or 'reminder' mail, which include this file"
        f"{tail}",
    ]


def test_mailbots_own_partials_copied_unchanged_draw_no_warning(tmp_path: Path) -> None:
    from mailbot.resources import TEMPLATES

    names = [path.relative_to(TEMPLATES).as_posix()
             for path in sorted((TEMPLATES / "_partials").iterdir())]
    config = _council(tmp_path, {n: (TEMPLATES / n).read_text(encoding="utf-8") for n in names})
    code, lines = _check(config)
    assert code == 0, lines
    assert _warnings(lines) == []


def test_mailbots_own_templates_copied_unchanged_draw_no_warning(tmp_path: Path) -> None:
    from mailbot.resources import TEMPLATES

    names = ["ack.txt", "ack.cy.html", "reminder.txt", "digest.html", "escalation.en-cy.txt"]
    config = _council(tmp_path, {n: (TEMPLATES / n).read_text(encoding="utf-8") for n in names})
    code, lines = _check(config)
    assert code == 0, lines
    assert _warnings(lines) == []


def test_a_partial_no_template_includes_is_a_warning_naming_it(tmp_path: Path) -> None:
    """The council rewords the acknowledgement's body (and the late notice's) without the
    'cannot wait' lines they included, and keeps its own wording of those lines: no mail
    uses that file, and check-config said nothing. A partial of the council's own, included from its
    acknowledgement, was called 'never used', and its values went unread."""
    config = _council(tmp_path, {
        "_partials/ack.en.txt": "Dear {{ member.salutation }},\n"
                                "Our reference is {{ case.ref }}.\n"
                                '{% include "_partials/phone_line.en.txt" %}\n',
        # and the late notice's, which included them too
        "_partials/late_notice.en.txt": "Dear {{ member.salutation }},\n"
                                        "Your answer is late.\n",
        "_partials/cannot_wait.en.txt": "Urgent? Ring {{ council.telephone }}.\n",
        "_partials/phone_line.en.txt": "Or ring us on {{ council.telephon }}.\n",
        # included by a name the bilingual letters build ("_partials/signature." ~ first)
        "_partials/signature.cy.txt": "Gwasanaethau Aelodau\n",
    })
    code, lines = _check(config)
    assert code == 0, lines  # warnings
    partials = tmp_path.resolve() / "templates" / "_partials"
    assert _warnings(lines) == [
        f"mailbot: warning: {partials / 'cannot_wait.en.txt'}: no template includes it "
        "(mailbot's own, or the council's in their place), so it is never used: include it "
        "where its words belong ({% include \"_partials/cannot_wait.en.txt\" %}), or delete it",
        f"mailbot: warning: {partials / 'phone_line.en.txt'}:1: council.telephon is not a "
        "value mailbot gives its 'ack' mail, which includes this file (did you mean "
        "council.telephone?); each such mail would be made from mailbot's own templates "
        "instead of this file",
    ]
