"""Values an administrator gets wrong in mailbot.toml are named in plain words, with what
is allowed: never pydantic's "Input should be ..." or "Field required", and one line for
one mistake (a misspelt required key is not also reported as missing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.settings import ConfigError, load_settings

OFFICERS = "name,email\r\nDale Whitcombe,dale.whitcombe@thornfield.gov.uk\r\n"


def problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "officers.csv").write_text(OFFICERS)
    path = tmp_path / "mailbot.toml"
    path.write_text('[council]\nname = "Thornfield District Council"\n' + text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return [line.removeprefix(f"{path.resolve()}: ") for line in caught.value.lines()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[retention]\ndropped_mail_days = -1\n",
         "retention.dropped_mail_days: must be 0 or more"),
        ("[scheduler]\npoll_seconds = 0\n", "scheduler.poll_seconds: must be 5 or more"),
        ('[logging]\nlevel = "verbose"\n',
         "logging.level: must be one of 'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
        ('[[routing.rules]]\nname = "waste"\nofficer = "dale.whitcombe@thornfield.gov.uk"\n'
         'kinds = ["enquiries"]\n',
         "routing.rules (number 1).kinds (number 1): must be one of 'enquiry', 'foi', "
         "'complaint' or 'confidentiality'; did you mean \"enquiry\"?"),
        ('[classifier]\nthreshold = "high"\n',
         "classifier.threshold: must be a number (without quotes)"),
    ],
    ids=["negative days", "zero seconds", "log level", "rule kind", "threshold"],
)
def test_a_wrong_value_says_what_is_allowed(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, text)
    assert found == [expected]


def test_a_misspelt_required_key_is_one_line(tmp_path: Path) -> None:
    found = problems(tmp_path, '[[routing.rules]]\nname = "waste"\n'
                               'oficer = "dale.whitcombe@thornfield.gov.uk"\n'
                               'keywords = ["bins"]\n')
    assert found == [
        "routing.rules (number 1).oficer: unknown key; did you mean "
        "routing.rules (number 1).officer?"
    ]


def test_the_rule_at_fault_is_counted_from_one_as_the_file_reads(tmp_path: Path) -> None:
    """The third [[routing.rules]] table in the file is "number 3", not pydantic's "2"."""
    rule = ('[[routing.rules]]\nname = "{0}"\nkeywords = ["{0}"]\n'
            'officer = "dale.whitcombe@thornfield.gov.uk"\n')
    found = problems(tmp_path, rule.format("waste") + rule.format("roads")
                     + '[[routing.rules]]\nname = "parks"\nkeywords = ["parks"]\n'
                     'kinds = ["enquiry", "complaints"]\n')
    assert found == [
        "routing.rules (number 3).officer: is required: add it to this table",
        "routing.rules (number 3).kinds (number 2): must be one of 'enquiry', 'foi', "
        "'complaint' or 'confidentiality'; did you mean \"complaint\"?",
    ]


def test_a_required_key_left_out_is_named(tmp_path: Path) -> None:
    found = problems(tmp_path, '[[routing.rules]]\nname = "waste"\nkeywords = ["bins"]\n')
    assert found == ["routing.rules (number 1).officer: is required: add it to this table"]


def test_the_log_level_is_read_in_any_case(tmp_path: Path) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_text('[logging]\nlevel = "debug"\n')
    assert load_settings(path).logging.level == "DEBUG"


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ('[digest]\nday = "Monday"\n', lambda s: s.digest.day == "monday"),
        ('[mailbox]\nbackend = "IMAP"\naddress = "memberenquiries@thornfield.gov.uk"\n'
         '[mailbox.imap]\nhost = "imap.thornfield.gov.uk"\nusername = "mb"\n'
         'security = " TLS "\n',
         lambda s: (s.mailbox.backend, s.mailbox.imap.security) == ("imap", "tls")),
        ('[[routing.rules]]\nname = "waste"\nofficer = "dale.whitcombe@thornfield.gov.uk"\n'
         'keywords = ["bins"]\nkinds = ["Enquiry", "FOI"]\n',
         lambda s: s.routing.rules[0].kinds == ["enquiry", "foi"]),
    ],
    ids=["day", "backend and security", "rule kinds"],
)
def test_a_choice_is_read_in_any_case(tmp_path: Path, text: str, read: object) -> None:
    """"Monday", "IMAP", "FOI": as people write them, and as the docs print some of them."""
    (tmp_path / "officers.csv").write_text(OFFICERS)
    path = tmp_path / "mailbot.toml"
    path.write_text(text)
    assert callable(read) and read(load_settings(path))
