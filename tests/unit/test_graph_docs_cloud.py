"""docs/backends/graph.md once said to change base_url "for a national cloud" while mailbot
always signed in at the global cloud's authority, so a council that followed it got a token
no national cloud takes. Since [mailbox.graph] authority_host exists, the page must send a
national cloud's reader to both keys, and name the defaults mailbot really uses."""

from __future__ import annotations

from pathlib import Path

from mailbot.backends.graph_tokens import GRAPH_SCOPE
from mailbot.settings.mailbox import DEFAULT_AUTHORITY_HOST, GraphSettings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "backends" / "graph.md"


def _row(text: str, key: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| `{key}` |"))


def test_the_base_url_row_names_its_default_and_the_sign_in_key() -> None:
    text = DOCS.read_text()
    row = _row(text, "base_url")
    assert f"default `{GraphSettings().base_url}`" in row
    assert "`authority_host`" in row
    assert f"`{GRAPH_SCOPE.removeprefix('https://').split('/')[0]}`" in row
    assert "change only for a national cloud" not in text


def test_the_authority_host_row_names_where_mailbot_signs_in_by_default() -> None:
    row = _row(DOCS.read_text(), "authority_host")
    assert f"default `{DEFAULT_AUTHORITY_HOST}`" in row
    assert f"default `{GraphSettings().authority_host}`" in row
