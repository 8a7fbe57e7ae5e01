"""Case references: MB-2026-00042 as mailbot writes them, and as people type them back.

mailbot numbers each case per year with five digits (cases.next_ref). People copy the
reference from a subject, but some type it by hand and drop the leading zeros ("DONE
MB-2026-42", "Any update on mb-2026-042?"). Every form names the same case, so each is
read as the reference mailbot wrote: `canonical` gives that one form, and every lookup by
reference goes through it.
"""

from __future__ import annotations

import re

# "[MB-2026-00042]" as we write it, or typed by hand into a new message's subject as the
# acknowledgement asks: "Pothole MB-2026-00042", "mb-2026-00042", "[ MB-2026-00042 ]", and
# with the zeros left out, "MB-2026-42". A number run on into a word or another number
# ("MB-2026-00042-1", "MB-2026-42a") is not a reference.
REF_TAG = re.compile(r"(?<![\w-])\[?\s*(MB-\d{4}-\d{1,9})\s*\]?(?![\w-])", re.IGNORECASE)
_WHOLE_REF = re.compile(r"\s*\[?\s*MB-(\d{4})-(\d{1,9})\s*\]?\s*", re.IGNORECASE)
NUMBER_DIGITS = 5  # MB-2026-00042: the number's width as mailbot writes it


def format_ref(year: int, number: int) -> str:
    """The reference of a year's `number`th case, as mailbot writes it."""
    return f"MB-{year}-{number:0{NUMBER_DIGITS}d}"


def canonical(ref: str) -> str:
    """A reference as mailbot writes it: "mb-2026-42" and " [MB-2026-042] " give
    "MB-2026-00042". Anything else comes back stripped and in upper case, so a lookup of
    it finds nothing, as before."""
    whole = _WHOLE_REF.fullmatch(ref)
    if whole is None:
        return ref.strip().upper()
    return format_ref(int(whole.group(1)), int(whole.group(2)))


def refs_in(text: str) -> list[str]:
    """The case references in `text`, in order, as mailbot writes them."""
    return [canonical(found) for found in REF_TAG.findall(text)]
