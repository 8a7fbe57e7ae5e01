"""docs/backends/ews.md names the auth_type values [mailbox.ews] takes; each must load.
It said "`oauth2` is accepted too", and a config written from that was refused by
check-config ("must be one of 'ntlm', 'basic' or 'oauth')."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailbot.settings import ConfigError, load_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "backends" / "ews.md"
OFFICERS = "name,email\r\nDale Whitcombe,dale.whitcombe@thornfield.gov.uk\r\n"
CREDENTIALS = {
    "oauth": 'tenant_id = "t.onmicrosoft.com"\nclient_id = "c"\nclient_secret = "s"\n',
}


def documented_auth_types() -> list[str]:
    row = next(line for line in DOCS.read_text().splitlines()
               if line.startswith("| `auth_type` |"))
    meaning = row.split("|")[3]
    return re.findall(r"`([a-z0-9]+)`", meaning)


def test_the_docs_name_the_auth_types() -> None:
    assert documented_auth_types() == ["ntlm", "basic", "oauth"]


@pytest.mark.parametrize("auth_type", documented_auth_types())
def test_each_documented_auth_type_loads(tmp_path: Path, auth_type: str) -> None:
    (tmp_path / "officers.csv").write_text(OFFICERS)
    path = tmp_path / "mailbot.toml"
    login = CREDENTIALS.get(auth_type, 'username = "MARSHVALE\\\\svc-mailbot"\npassword = "p"\n')
    path.write_text(
        '[council]\nname = "Marsh Vale District Council"\n'
        '[mailbox]\nbackend = "ews"\naddress = "memberenquiries@marshvale.gov.uk"\n'
        '[mailbox.ews]\nservice_endpoint = "https://mail.marshvale.gov.uk/EWS/Exchange.asmx"\n'
        f'auth_type = "{auth_type}"\n{login}'
    )
    try:
        settings = load_settings(path)
    except ConfigError as error:
        pytest.fail(f"auth_type = {auth_type!r} from the docs is refused: {error.lines()}")
    assert settings.mailbox.ews.auth_type == auth_type
