"""docs/backends/graph.md said to change base_url "for a national cloud", but mailbot signs
in at the global cloud's authority for a graph.microsoft.com token whatever base_url says,
so a council that followed it got a token no national cloud takes. The page now says
base_url stays as it is; this keeps it in step with where mailbot signs in."""

from __future__ import annotations

from pathlib import Path

from mailbot.backends.graph_tokens import DEFAULT_AUTHORITY_HOST, GRAPH_SCOPE
from mailbot.settings.mailbox import GraphSettings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "backends" / "graph.md"


def test_the_base_url_row_says_where_mailbot_signs_in() -> None:
    text = DOCS.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `base_url` |"))
    assert f"`{DEFAULT_AUTHORITY_HOST.removeprefix('https://')}`" in row
    assert f"`{GRAPH_SCOPE.removeprefix('https://').split('/')[0]}`" in row
    assert f"default `{GraphSettings().base_url}`" in row
    assert "change only for a national cloud" not in text
