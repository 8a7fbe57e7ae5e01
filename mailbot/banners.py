"""The warnings mail gateways put on top of mail from outside the council.

"CAUTION: This email originated from outside of the organisation. Do not click links or
open attachments unless you recognise the sender and know the content is safe.", its Welsh
form, and Microsoft 365's first-contact tip. They are not the member's words: quoted to
the officer they read as the member's, and they make a member's "Thanks Sam!" more than
thanks (a reopened case). They are cut from the text parse_message gives.
"""

from __future__ import annotations

import re

_BANNER_ORIGIN = re.compile(
    r"\b(?:e-?mail|message)\s+(?:has\s+)?(?:originated|came|comes|was\s+sent|is)\s+from\s+"
    r"(?:outside|an?\s+external|external)"
    r"|\b(?:wedi\s+dod|yn\s+dod|daeth)\s+o['’]?r\s+tu\s+(?:allan|hwnt)",  # Welsh
    re.IGNORECASE,
)
_BANNER_ORGANISATION = re.compile(
    r"\boutside\s+(?:of\s+)?(?:the|your|our|this)\s+(?:organi[sz]ation|council|network|company)"
    r"|\btu\s+allan\s+i['’]?r\s+(?:sefydliad|cyngor|rhwydwaith)",
    re.IGNORECASE,
)
# What only such a banner says: about links, attachments and the sender of an email.
_BANNER_WARNING = re.compile(
    r"\bdo\s+not\s+click\s+(?:on\s+)?(?:any\s+)?links\b|\blinks\s+or\s+(?:open\s+)?attachments\b"
    r"|\bopen(?:ing)?\s+(?:any\s+)?attachments\b|\brecogni[sz]e\s+the\s+sender\b"
    r"|\bknow\s+the\s+content\s+is\s+safe\b"
    r"|\bpeidiwch\s+(?:â|a)\s+chlicio\b|\bagor\s+(?:unrhyw\s+)?atodiadau\b"
    r"|\badnabod\s+yr\s+anfonwr\b|\bcynnwys\s+yn\s+ddiogel\b",
    re.IGNORECASE,
)
_BANNER_TAG = re.compile(
    r"[\W_]{0,3}(?:caution|warning|attention|notice|rhybudd|allanol"
    r"|external(?:\s+(?:e-?mail|sender|message))?)"
    r"\b[\W_]",
    re.IGNORECASE,
)
# Microsoft 365's first-contact safety tip, as html2text or the plain part gives it.
_FIRST_CONTACT_TIP = re.compile(
    r"\bdon['’]?t\s+often\s+get\s+e-?mail\s+from\b[^\n]{0,200}?\blearn\s+why\s+this\s+is\s+important",
    re.IGNORECASE,
)
BANNER_START = 200  # a banner opens its paragraph
BANNER_CHARS = 600  # and is shorter than this
MAX_BANNERS = 10  # one per message in a thread is usual


def without_gateway_banners(text: str) -> str:
    """The text without the warnings mail gateways put on top of mail from outside, in the
    member's message and in the mail it quotes or forwards. A banner is recognised only at
    the start of a paragraph, by its own wording, and only its lines go."""
    if not any(p.search(text) for p in (_BANNER_WARNING, _BANNER_ORIGIN, _FIRST_CONTACT_TIP)):
        return text
    out: list[str] = []
    position = removed = 0
    for start, paragraph in _paragraphs(text):
        if removed >= MAX_BANNERS:
            break
        end = _banner_end(paragraph)
        if end and start >= position:
            out.append(text[position:start])
            position = _after_table_rules(text, start + end)
            removed += 1
    out.append(text[position:])
    return "".join(out)


def _after_table_rules(text: str, position: int) -> int:
    """Past the lines of "-", "|" and ":" that html2text leaves under a banner's table."""
    while position < len(text):
        line_end = _LINE_END_RE.search(text, position)
        end = line_end.end() if line_end else len(text)
        line = text[position:end].strip()
        if not line or line.strip("-|: \t"):
            break
        position = end
    return position


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each run of non-blank lines, found line by line (linear time)."""
    found: list[tuple[int, str]] = []
    start = offset = 0
    for line in [*text.splitlines(keepends=True), ""]:
        if not line.strip():
            if offset > start:
                found.append((start, text[start:offset]))
            start = offset + len(line)
        offset += len(line)
    return found


def _banner_end(paragraph: str) -> int:
    """Where the banner that opens this paragraph ends (the end of its last line), or 0.
    A banner says the mail came from outside and warns about links, attachments or the
    sender; or it opens with "CAUTION:"/"[EXTERNAL]" and gives two such warnings; or it is
    Microsoft's first-contact tip. A member's own "Warning: do not click links in that
    text" is one warning, and stays."""
    head = paragraph[:BANNER_CHARS]
    tip = _FIRST_CONTACT_TIP.search(head)
    origin = _BANNER_ORIGIN.search(head)
    warnings = list(_BANNER_WARNING.finditer(head))
    if tip and tip.start() < BANNER_START:
        found = tip.end()
    elif origin and origin.start() < BANNER_START and (
        warnings or _BANNER_ORGANISATION.search(head)
    ):
        found = max([origin.end()] + [w.end() for w in warnings])
    elif _BANNER_TAG.match(head) and len({w.group(0).lower() for w in warnings}) >= 2:
        found = warnings[-1].end()
    else:
        return 0
    line_end = _LINE_END_RE.search(paragraph, found)
    return line_end.end() if line_end else len(paragraph)


_LINE_END_RE = re.compile(r"\r\n|\r|\n")
