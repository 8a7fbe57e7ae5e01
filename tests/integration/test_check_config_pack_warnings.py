"""What check-config warns of in a policy pack (or the council's [policy] overrides) that
validates but would make the council's mail wrong: each warning names the key and the file
it is written in. The config and pack are real files; the assertions are on what
`mailbot check-config` prints and its exit code."""

from __future__ import annotations

from pathlib import Path

from helpers import Council
from typer.testing import CliRunner

from mailbot.cli import app

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SIAN = "sian.evans@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
ENGLISH = [("Cllr Jo Bloggs", JO, "Castle", "en")]
WELSH_TOO = [*ENGLISH, ("Cllr Siân Evans", SIAN, "Llandaff", "cy")]
OFFICERS = [("Sam Patel", SAM, "highways", DANA, ""), ("Dana Reed", DANA, "highways", "", "")]
PACKS = Path(__file__).resolve().parents[2] / "config" / "policies"
ENGLISH_ONLY = 'must_say = "naming who will look into it"\n'


def _check(home: Path, *, policy: str, members: list[tuple[str, str, str, str]],
           config: str = "", name: str = "Test Council") -> tuple[int, list[str]]:
    with Council(home, name=name, policy=policy, mailbox=MAILBOX, members=members,
                 officers=OFFICERS, config=config):
        pass
    result = CliRunner().invoke(app, ["check-config", "--config", str(home / "mailbot.toml")])
    return result.exit_code, [line for line in result.output.splitlines()
                              if line.startswith("mailbot: warning:")]


def _own_pack(home: Path, source: str, old: str, new: str) -> str:
    """A copy of a shipped pack beside the config, with `old` replaced by `new`."""
    text = (PACKS / f"{source}.toml").read_text(encoding="utf-8")
    assert old in text
    home.mkdir(parents=True, exist_ok=True)
    (home / "own.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return "own.toml"


def test_must_say_without_welsh_in_a_bilingual_council_s_config(tmp_path: Path) -> None:
    override = '[policy.ack.complaint]\nby = "officer"\n' + ENGLISH_ONLY
    code, warnings = _check(tmp_path, policy="cardiff", members=ENGLISH, config=override,
                            name="Cardiff Council")
    assert code == 0
    config = tmp_path.resolve() / "mailbot.toml"
    [said] = [w for w in warnings if ".must_say: " in w]
    assert said.startswith(f"mailbot: warning: {config}: policy.ack.complaint.must_say: ")
    assert "must_say_cy" in said and 'language = "cy-en"' in said


def test_must_say_without_welsh_in_a_pack_where_a_member_prefers_welsh(tmp_path: Path) -> None:
    pack = _own_pack(tmp_path, "hackney", 'must_say_cy = "gan ddweud', '# must_say_cy = "')
    code, warnings = _check(tmp_path, policy=pack, members=WELSH_TOO)
    assert code == 0
    [said] = [w for w in warnings if ".must_say: " in w]
    assert f"{tmp_path.resolve() / 'own.toml'}: ack.complaint.must_say: " in said
    assert "1 member in members.csv prefers Welsh" in said


def test_must_say_alone_is_fine_where_nobody_is_written_to_in_welsh(tmp_path: Path) -> None:
    pack = _own_pack(tmp_path, "hackney", 'must_say_cy = "gan ddweud', '# must_say_cy = "')
    code, warnings = _check(tmp_path, policy=pack, members=ENGLISH)
    assert code == 0
    assert [w for w in warnings if ".must_say: " in w] == []


def test_must_say_on_an_acknowledgement_mailbot_sends_is_named(tmp_path: Path) -> None:
    """by = "mailbot": mailbot's own acknowledgement goes at once and no officer's is
    asked for, so must_say is read by nothing; the council probably meant by = "officer"."""
    override = '[policy.ack.enquiry]\n' + ENGLISH_ONLY + 'must_say_cy = "gan enwi pwy"\n'
    code, warnings = _check(tmp_path, policy="wiltshire", members=ENGLISH, config=override,
                            name="Wiltshire Council")
    assert code == 0
    config = tmp_path.resolve() / "mailbot.toml"
    [said, said_cy] = [w for w in warnings if "policy.ack.enquiry.must_say" in w]
    assert "policy.ack.enquiry.must_say_cy: is set" in said_cy
    assert said.startswith(f"mailbot: warning: {config}: policy.ack.enquiry.must_say: ")
    assert 'by = "mailbot"' in said and 'by = "officer"' in said


def test_hackney_as_shipped_says_nothing_of_must_say(tmp_path: Path) -> None:
    code, warnings = _check(tmp_path, policy="hackney", members=WELSH_TOO)
    assert code == 0
    assert [w for w in warnings if ".must_say: " in w] == []


def _errors(home: Path, *, policy: str, config: str = "",
            pack: tuple[str, str] | None = None) -> tuple[int, list[str]]:
    """check-config's errors once the council (made with a sound pack) has `config` added
    to its mailbot.toml and, in its own pack, `pack[0]` replaced by `pack[1]`."""
    with Council(home, policy=policy, mailbox=MAILBOX, members=ENGLISH, officers=OFFICERS):
        pass
    if config:
        with (home / "mailbot.toml").open("a", encoding="utf-8") as file:
            file.write(config)
    if pack is not None:
        own = home / policy
        text = own.read_text(encoding="utf-8")
        assert pack[0] in text
        own.write_text(text.replace(*pack, 1), encoding="utf-8")
    result = CliRunner().invoke(app, ["check-config", "--config", str(home / "mailbot.toml")])
    return result.exit_code, [line for line in result.output.splitlines()
                              if line.startswith("mailbot: error:")]


def test_a_number_in_quotes_in_a_pack_is_an_error_naming_key_and_file(tmp_path: Path) -> None:
    # "2" was read as 2 and check-config said OK: a council that quotes one number cannot
    # tell which others mailbot read as it meant.
    pack = _own_pack(tmp_path, "wiltshire", "", "")
    code, errors = _errors(tmp_path, policy=pack,
                           pack=("escalate_after = 2", 'escalate_after = "2"'))
    assert code == 2
    [error] = errors
    assert error.endswith(
        f"{tmp_path.resolve() / 'own.toml'}: reminders.escalate_after: must be "
        'a number written without quotes, escalate_after = 2, not "2"')


def test_true_or_false_in_quotes_in_a_pack_is_an_error_naming_key_and_file(
    tmp_path: Path,
) -> None:
    # "false" was read as false and check-config said OK, as a quoted number was.
    pack = _own_pack(tmp_path, "wiltshire", "", "")
    code, errors = _errors(tmp_path, policy=pack,
                           pack=("minimise_content = true", 'minimise_content = "false"'))
    assert code == 2
    [error] = errors
    assert error.endswith(
        f"{tmp_path.resolve() / 'own.toml'}: confidentiality.minimise_content: must be "
        'true or false written without quotes, minimise_content = false, not "false"')


def test_a_number_for_true_or_false_in_the_config_s_overrides_is_named_there(
    tmp_path: Path,
) -> None:
    code, errors = _errors(tmp_path, policy="wiltshire",
                           config="\n[policy.clock]\nextension_by_agreement = 1\n")
    assert code == 2
    [error] = errors
    assert "policy.clock.extension_by_agreement: must be true or false, not 1" in error


def test_a_number_in_quotes_in_the_config_s_overrides_is_named_there(tmp_path: Path) -> None:
    code, errors = _errors(tmp_path, policy="wiltshire", config=(
        '[policy.reminders]\noverdue_every = "1"\n[policy.ack.enquiry]\ndays = " 3"\n'
        'source = "local"\n'))
    assert code == 2
    said = "\n".join(errors)
    assert 'policy.reminders.overdue_every: must be a number written without quotes, ' \
        'overdue_every = 1, not "1"' in said
    assert 'policy.ack.enquiry.days: must be a number written without quotes, days = 3, ' \
        'not " 3"' in said
    assert str(tmp_path.resolve() / "mailbot.toml") in said or "wiltshire.toml" in said


def test_a_word_where_a_number_goes_is_still_refused_as_before(tmp_path: Path) -> None:
    pack = _own_pack(tmp_path, "wiltshire", "", "")
    code, errors = _errors(tmp_path, policy=pack,
                           pack=("escalate_after = 2", 'escalate_after = "two"'))
    assert code == 2
    assert "reminders.escalate_after: must be" in errors[0]


CHRISTMAS = ('[policy.calendar]\nclosures = [\n'
             '  { start = 2099-12-24, end = 2100-01-01, name = "Christmas closure" },\n'
             '  { start = 2099-12-29, end = 2099-12-31, name = "Christmas shutdown" },\n'
             '  { start = 2100-03-01, name = "Stocktake" },\n]\n')


def test_closures_that_overlap_are_named_with_the_days(tmp_path: Path) -> None:
    code, warnings = _check(tmp_path, policy="wiltshire", members=ENGLISH, config=CHRISTMAS,
                            name="Wiltshire Council")
    assert code == 0
    config = tmp_path.resolve() / "mailbot.toml"
    [said] = [w for w in warnings if " overlap on " in w]
    assert said.startswith(
        f"mailbot: warning: {config}: policy.calendar.closures: number 1 (Christmas closure, "
        "Thu 24 Dec 2099 to Fri 1 Jan 2100) and number 2 (Christmas shutdown, Tue 29 Dec 2099 "
        "to Thu 31 Dec 2099) overlap on Tue 29 Dec 2099 to Thu 31 Dec 2099")


def test_closures_one_after_another_do_not_overlap(tmp_path: Path) -> None:
    pack = _own_pack(tmp_path, "wiltshire", "closures = []", (
        "closures = [{ start = 2099-12-24, end = 2099-12-31, name = \"Christmas\" },\n"
        "  { start = 2100-01-01, end = 2100-01-04, name = \"New Year\" }]"))
    code, warnings = _check(tmp_path, policy=pack, members=ENGLISH, name="Wiltshire Council")
    assert code == 0
    assert [w for w in warnings if " overlap on " in w] == []


def test_a_pack_for_another_council_is_named_with_how_to_say_it_is_adopted(
    tmp_path: Path,
) -> None:
    code, warnings = _check(tmp_path, policy="hackney", members=ENGLISH,
                            name="Borsetshire District Council")
    assert code == 0
    [said] = [w for w in warnings if "London Borough of Hackney" in w]
    assert "/hackney.toml: council: is 'London Borough of Hackney', but council.name is " in said
    assert "'London Borough of Hackney'" in said and "'Borsetshire District Council'" in said
    assert 'council = "Borsetshire District Council"' in said


def test_a_council_s_own_pack_that_kept_the_copied_council_line(tmp_path: Path) -> None:
    pack = _own_pack(tmp_path, "wiltshire", "", "")
    code, warnings = _check(tmp_path, policy=pack, members=ENGLISH,
                            name="Borsetshire District Council")
    assert code == 0
    [said] = [w for w in warnings if "'Wiltshire Council'" in w]
    assert said.startswith(f"mailbot: warning: {tmp_path.resolve() / 'own.toml'}: council: ")


def test_the_pack_s_own_council_says_nothing_of_the_council_line(tmp_path: Path) -> None:
    code, warnings = _check(tmp_path, policy="wiltshire", members=ENGLISH,
                            name="Wiltshire Council")
    assert code == 0
    assert [w for w in warnings if ": council: " in w] == []


def test_a_closure_with_no_out_of_hours_number_is_named(tmp_path: Path) -> None:
    code, warnings = _check(tmp_path, policy="wiltshire", members=ENGLISH, config=CHRISTMAS,
                            name="Wiltshire Council")
    assert code == 0
    [said] = [w for w in warnings if "during" in w and "out_of_hours_telephone" in w]
    assert "council.out_of_hours_telephone is not set" in said
    assert "Christmas closure" in said and "Stocktake" in said
    assert "policy.calendar.closures" in said


def test_a_closure_with_an_out_of_hours_number_is_fine(tmp_path: Path) -> None:
    with Council(tmp_path, name="Wiltshire Council", policy="wiltshire", mailbox=MAILBOX,
                 members=ENGLISH, officers=OFFICERS, config=CHRISTMAS):
        pass
    config = tmp_path / "mailbot.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[council]\n", '[council]\ntelephone = "01632 960500"\n'
        'out_of_hours_telephone = "01632 960501"\n', 1), encoding="utf-8")
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines()
            if "during" in line and "out_of_hours_telephone" in line] == []


def test_a_closure_long_past_is_not_named(tmp_path: Path) -> None:
    past = ('[policy.calendar]\nclosures = [{ start = 2020-12-24, end = 2020-12-31, '
            'name = "Christmas 2020" }]\n')
    code, warnings = _check(tmp_path, policy="wiltshire", members=ENGLISH, config=past,
                            name="Wiltshire Council")
    assert code == 0
    assert [w for w in warnings if "Christmas 2020" in w] == []


def test_a_council_that_adopted_another_s_pack_says_so_under_policy(tmp_path: Path) -> None:
    code, warnings = _check(tmp_path, policy="hackney", members=ENGLISH,
                            name="Borsetshire District Council",
                            config='[policy]\ncouncil = "Borsetshire District Council"\n')
    assert code == 0
    assert [w for w in warnings if ": council: " in w or "policy.council" in w] == []
