"""Where the quoted history of a reply or forward begins in a plain-text body.

Two readers need it: the classifier (what did the member ask this time?) and the loop
guard (is the text on top an out-of-office or a bounce?). A member who forwards a
resident's email or a bounce they got carries someone else's words below the marker,
and those words must not decide what the member's own message is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_MARKER_LINE = 300  # quote/forward markers are short lines; longer lines are text
MAX_SCAN_CHARS = 30_000  # read no further into a body than this

REPLY_MARKERS = [
    re.compile(r"^-{2,}\s*original message\s*-{2,}", re.I),
    re.compile(r"^-{2,}\s*neges wreiddiol\s*-{2,}", re.I),  # Welsh Outlook
    re.compile(r"^_{8,}\s*$"),  # Outlook's rule above a From:/Sent: block
    re.compile(r"^on\b.{0,250}\bwrote:?\s*$", re.I),
    re.compile(r"^ar\b.{0,250}\bysgrifennodd.{0,80}$", re.I),  # Welsh "On ... wrote"
]
FORWARD_MARKERS = [
    re.compile(r"^-{2,}\s*forwarded message\s*-{2,}", re.I),
    re.compile(r"^-{2,}\s*neges wedi'?i hanfon ymlaen\s*-{2,}", re.I),
    re.compile(r"^begin forwarded message:?", re.I),
    re.compile(r"^-{2,}\s*forwarded by\b", re.I),
    # Outlook forwarding a meeting: the appointment's From/Sent/When block follows
    re.compile(r"^-{2,}\s*original appointment\s*-{2,}", re.I),
    re.compile(r"^-{2,}\s*apwyntiad gwreiddiol\s*-{2,}", re.I),
]
# "From:", "*From:*" (plain text from an HTML client) and "**From:**" (our own HTML-only
# conversion of Outlook's <b>From:</b>) all start a quoted header line.
# Outlook writes them in the language of the sender's Outlook: English and Welsh, and the
# languages of members whose own Outlook is set otherwise (Polish, German, French, Spanish,
# Portuguese, Italian, Romanian, Lithuanian).
_FROM_NAMES = r"from|oddi wrth|od|von|de|de la|da|nuo"
_HEADER_NAMES = (
    _FROM_NAMES + r"|sent|date|to|cc|subject|anfonwyd|at|pwnc"
    r"|wysłane|wysłano|do|temat|dw|gesendet|datum|an|betreff|envoyé|à|objet"
    r"|enviado|enviado el|fecha|para|asunto|assunto|data|inviato|a|oggetto"
    r"|trimis|către|subiect|išsiųsta|kam|tema"
)
HEADER_LINE = re.compile(rf"^\*{{0,2}}({_HEADER_NAMES})\*{{0,2}}:", re.I)
_FROM_LINE = re.compile(rf"^\*{{0,2}}({_FROM_NAMES})\*{{0,2}}:\**\s*\S", re.I)
_WROTE_START = re.compile(r"^on\b.{0,200}$", re.I)
_WROTE_END = re.compile(r"^.{0,200}\bwrote:?\s*$", re.I)


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern that matches where any of `patterns` does, each with its own case rule:
    history_start tries every line of a body, and one regex call a line costs less than
    one for each marker."""
    return re.compile(
        "|".join(f"(?{'i' if p.flags & re.I else ''}:{p.pattern})" for p in patterns)
    )


_FORWARD_MARKER = _any_of(FORWARD_MARKERS)
_REPLY_MARKER = _any_of(REPLY_MARKERS)


def _is_outlook_block(lines: list[str], i: int) -> bool:
    """A From: line followed closely by Sent:/To:/Subject: lines starts a quoted header block."""
    if not _FROM_LINE.match(lines[i]):
        return False
    following = [ln for ln in lines[i + 1 : i + 6] if ln]
    return sum(1 for ln in following if HEADER_LINE.match(ln)) >= 2


def history_start(lines: list[str]) -> tuple[int, bool] | None:
    """Index of the first line of quoted history and whether it is a forward."""
    for i, raw in enumerate(lines):
        # html2text writes a line starting with dashes as "\-----Original ...": unescape
        line = raw.strip().removeprefix("\\")
        if not line or len(line) > MAX_MARKER_LINE:
            continue
        if _FORWARD_MARKER.match(line):
            return i, True
        if _REPLY_MARKER.match(line):
            return i, False
        # "On Tue, 3 Nov 2026 at 09:12, Jo Bloggs <jo@x>\nwrote:" wrapped over two lines
        if _WROTE_START.match(line) and i + 1 < len(lines):
            nxt = lines[i + 1].strip()
            if len(nxt) <= MAX_MARKER_LINE and _WROTE_END.match(nxt):
                return i, False
        # (Only a From: line can start a block: the lines below it are looked at then.)
        if _FROM_LINE.match(raw.strip()) and _is_outlook_block(
            [ln.strip() for ln in lines[i : i + 7]], 0
        ):
            return i, False
    return None


_SIGNOFF = re.compile(
    r"^(?:(?:kind|best|warm|warmest|many|with|all the)\s+)?"
    r"(?:regards|wishes|thanks|thank you|cheers|rgds|kr|best|"
    r"yours sincerely|yours faithfully|yours truly|yours|"
    r"cofion|cofion cynnes|cofion gorau|diolch|diolch yn fawr|yn gywir)"
    r"[\s,.!-]*$",
    re.I,
)
_DEVICE_FOOTER = re.compile(
    r"^(?:sent from my\b|sent from (?:outlook|mail) for\b|get outlook for\b|"
    r"anfonwyd o fy\b|--\s*$)",
    re.I,
)
_DISCLAIMER = re.compile(
    r"(?:this (?:e-?mail|message) and any (?:files|attachments)|intended solely for|"
    r"intended only for the|if you (?:have|are) receiv\w* (?:this|it) in error|"
    r"if you are not the intended recipient|may contain (?:confidential|privileged)|"
    r"is confidential and (?:may|is) |views expressed in this|"
    r"(?:e-?mails?|communications) (?:may be|are) monitored|^disclaimer\b|"
    r"^confidentiality notice|e-?bost hwn ac unrhyw|"
    r"^please consider the environment before printing|"
    r"ystyriwch yr amgylchedd cyn argraffu)",
    re.I,
)


def is_device_footer(line: str) -> bool:
    """A line a mail app adds by itself ("Sent from my iPhone", "Get Outlook for Android")."""
    return len(line) <= MAX_MARKER_LINE and _DEVICE_FOOTER.match(line.strip()) is not None


def cut_signature(lines: list[str]) -> list[str]:
    """Drop the sign-off, everything below it, and legal disclaimers."""
    seen_content = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if len(line) <= MAX_MARKER_LINE and (
            _DEVICE_FOOTER.match(line) or (seen_content and _SIGNOFF.match(line))
        ):
            return lines[:i]
        if seen_content and _DISCLAIMER.search(line[:MAX_MARKER_LINE]):
            return lines[:i]
        seen_content = True
    return lines


def is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


@dataclass(frozen=True)
class OwnText:
    text: str  # what the sender wrote above any quoted history, without "> " lines
    forwards: bool  # what follows it is forwarded mail, not the history of a reply
    history: bool = False  # some quoted or forwarded mail follows it (a reply's or a forward's)


def own_text(body: str) -> OwnText:
    """The sender's own words: above any quoted history or forwarded mail."""
    lines = body[:MAX_SCAN_CHARS].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = history_start(lines)
    if start is not None:
        lines = lines[: start[0]]
    text = "\n".join(ln for ln in lines if not is_quoted(ln))
    return OwnText(text, forwards=start is not None and start[1], history=start is not None)


OUR_MAIL_LOOKAHEAD = 8  # lines of a quoted header block in which to find who sent it


def history_head(body: str) -> str:
    """The first lines of the quoted or forwarded mail in `body`, where its client names
    who sent it (an Outlook From:/Sent:/Subject: block, a "Forwarded message" block, an
    "On ... wrote:" line); "" if it quotes nothing."""
    lines = body[:MAX_SCAN_CHARS].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = history_start(lines)
    return "" if start is None else "\n".join(lines[start[0] : start[0] + OUR_MAIL_LOOKAHEAD])


def above_our_quoted_mail(body: str, ours: tuple[str, ...]) -> str | None:
    """The text written above a quoted copy of our own mail, or None if the reply quotes
    nothing of ours. `ours` are the shared mailbox's address and display name, as the
    quoted "From:" or "On ... wrote:" line shows them. A forward is never cut: what it
    carries is someone else's mail, not ours."""
    lines = body[:MAX_SCAN_CHARS].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = history_start(lines)
    if start is None:
        start = quoted_attribution(lines)
    if start is None or start[1]:
        return None
    head = "\n".join(lines[start[0] : start[0] + OUR_MAIL_LOOKAHEAD]).lower()
    if not any(mark and mark.lower() in head for mark in ours):
        return None
    return "\n".join(ln for ln in lines[: start[0]] if not is_quoted(ln)).strip()


def quoted_attribution(lines: list[str]) -> tuple[int, bool] | None:
    """Where a reply's history begins when its client quotes the attribution line with the
    rest, as iPhone and Mac Mail do ("> On 25 Nov 2026, at 10:02, X <x@y> wrote:"): the
    first quoted line that is an "On ... wrote:" marker. Not a forward."""
    for i, raw in enumerate(lines):
        if not is_quoted(raw):
            continue
        line = raw.strip().lstrip(">").strip()
        if len(line) <= MAX_MARKER_LINE and _REPLY_MARKER.match(line):
            return i, False
        if _WROTE_START.match(line) and i + 1 < len(lines) and is_quoted(lines[i + 1]):
            nxt = lines[i + 1].strip().lstrip(">").strip()
            if len(nxt) <= MAX_MARKER_LINE and _WROTE_END.match(nxt):
                return i, False
    return None
