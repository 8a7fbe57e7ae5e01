"""Case references as people type them back: each form names the case mailbot numbered."""

from __future__ import annotations

import pytest

from mailbot.refs import canonical, format_ref, refs_in


@pytest.mark.parametrize(("typed", "ref"), [
    ("MB-2026-00042", "MB-2026-00042"),
    ("mb-2026-42", "MB-2026-00042"),
    (" [MB-2026-042] ", "MB-2026-00042"),
    ("MB-2027-1", "MB-2027-00001"),
    ("MB-2026-123456", "MB-2026-123456"),  # a year past 99,999 cases
    ("MB-2026-", "MB-2026-"),  # not a reference: as typed, found by no lookup
    ("pothole", "POTHOLE"),
])
def test_canonical_gives_the_reference_as_mailbot_writes_it(typed: str, ref: str) -> None:
    assert canonical(typed) == ref


def test_format_ref_is_what_canonical_reads_back() -> None:
    assert format_ref(2026, 7) == "MB-2026-00007" == canonical(format_ref(2026, 7))


@pytest.mark.parametrize(("text", "refs"), [
    ("RE: Pothole [MB-2026-00042]", ["MB-2026-00042"]),
    ("Any update on MB-2026-42 and mb-2026-43?", ["MB-2026-00042", "MB-2026-00043"]),
    ("Ref MB-2026-42a, MB-2026-00042-1, XMB-2026-42, MB-26-42, MB-20261-4", []),
])
def test_refs_in_finds_each_reference_as_mailbot_writes_it(text: str, refs: list[str]) -> None:
    assert refs_in(text) == refs
