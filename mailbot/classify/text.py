"""Reduce a message body to the text its sender actually wrote this time.

A reply carries the whole thread below it; a thank-you that quotes an FOI request is not
an FOI request. So the classifier sees only the new text: quoted history, signatures and
legal disclaimers are cut. A forward with only a short note on top keeps the forwarded
text, because there the resident's words are the substance of the member's ask.

Every step is linear in the input and the input is capped first, so a hostile body
(20,000-character lines, megabytes of HTML) costs no more than a normal one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from mailbot.loops.subjects import is_reply_subject
from mailbot.quoting import (
    HEADER_LINE,
    cut_signature,
    history_start,
    is_quoted,
)

MAX_INPUT_CHARS = 30_000  # read no further into a body than this
MAX_NEW_TEXT_CHARS = 4_000  # what the model sees; the ask is near the top
SHORT_FORWARD_NOTE_WORDS = 40  # a note this short on top of a forward needs the forward

_HTML_HINT = re.compile(r"<(?:html|body|div|p|br|table|span|script|style|font)\b", re.I)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]{0,500}>.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^<>]{0,2000}>")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/div|/tr|/li|/h\d)\b[^<>]{0,200}>", re.I)

_FORWARD_SUBJECT = re.compile(r"^\s*(?:re:\s*)*(?:fw|fwd|ymlaen)\s*:", re.I)

# What mail clients leave where an image was: "[image: logo.png]", "[cid:image001.png@...]"
_IMAGE_PLACEHOLDER = re.compile(
    r"\[(?:image|cid|inline image|picture)\b[^\]\n]{0,300}\]|<image\d*\.\w{2,4}>", re.I
)
_WS = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Cleaned:
    """The new text of a message and how it was found."""

    text: str  # what the sender wrote this time (plus a short forward's content)
    forwarded: bool  # the message forwards someone else's mail
    had_history: bool  # quoted history was cut


def html_to_text(body: str) -> str:
    """A guard for bodies the parser left as HTML: drop script/style, tags and entities."""
    if not _HTML_HINT.search(body[:5000]):
        return body
    body = _SCRIPT_STYLE.sub(" ", body)
    body = _BLOCK_TAG.sub("\n", body)
    body = _TAG.sub(" ", body)
    return html.unescape(body)


_QUOTE_PREFIX = re.compile(r"^\s*(?:>\s?)+")


def _forwarded_body(lines: list[str]) -> list[str]:
    """The forwarded message's own text: skip its header block, then clean it like any body."""
    lines = [_QUOTE_PREFIX.sub("", ln) for ln in lines]  # a forward sent as a "> " quote
    i = 1  # the marker line
    while i < len(lines) and (not lines[i].strip() or HEADER_LINE.match(lines[i].strip())):
        i += 1
    body = lines[i:]
    nested = history_start(body)
    if nested is not None:
        body = body[: nested[0]]
    return cut_signature(body)


def _squash(lines: list[str]) -> str:
    out = [_WS.sub(" ", ln).strip() for ln in lines]
    text = "\n".join(ln for ln in out if ln)
    return text[:MAX_NEW_TEXT_CHARS]


def _unquoted(lines: list[str]) -> list[str]:
    return [ln for ln in lines if not is_quoted(ln)]


def new_text(body: str, subject: str = "") -> Cleaned:
    """Return the part of ``body`` its sender wrote now. Never raises on odd input."""
    body = html_to_text((body or "")[:MAX_INPUT_CHARS])
    body = _IMAGE_PLACEHOLDER.sub(" ", body)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    start = history_start(lines)
    forwarded = bool(_FORWARD_SUBJECT.match(subject or ""))
    if start is None:
        return Cleaned(_squash(cut_signature(_unquoted(lines))), forwarded, False)
    index, is_forward = start
    forwarded = forwarded or is_forward
    own = cut_signature(_unquoted(lines[:index]))
    own_words = sum(len(ln.split()) for ln in own)
    if forwarded and own_words < SHORT_FORWARD_NOTE_WORDS:
        own = own + _forwarded_body(lines[index:])
    return Cleaned(_squash(own), forwarded, True)


# A member's reply to an answer that only says thank you, in words of thanks, courtesy and
# names alone ("Thanks Sam, much appreciated."). Any other word ("Thanks - the pothole is
# back") makes it more than thanks, so the case is reopened as before.
MAX_THANKS_WORDS = 15
MAX_NAMES = 3


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_THANKS_WORDS = _word_set(
    "thanks thank thankyou thx ta cheers appreciated appreciate grateful obliged diolch "
    "gwerthfawrogi gwerthfawrogir"
)
# Emoji a phone offers as a reply: thumbs up, folded hands, OK hand, smiles, a tick, a heart.
_THANKS_EMOJI = frozenset("\U0001F44D\U0001F64F\U0001F44C\U0001F642\U0001F60A\u2705\u2764")
# Skin tones and the variation selectors that follow an emoji.
_EMOJI_MODIFIERS = frozenset(
    "\ufe0e\ufe0f\U0001F3FB\U0001F3FC\U0001F3FD\U0001F3FE\U0001F3FF")
_COURTESY_WORDS = _word_set(
    """you for the this that your very so much many all a lot of kind kindly best regards
    wishes great brilliant perfect excellent lovely fab fantastic super good ok okay noted
    received got it that's thats fine hi hello dear and i i'm im really prompt quick
    reply response answer help email e-mail info information swift cllr councillor
    yn fawr am hyn iawn helo annwyl cofion gorau
    o galon i chi eich ateb ymateb help cymorth gwybodaeth wybodaeth y yr gyda neges e-bost
    gwych ardderchog da hwyl cyflym sydyn cynghorydd cyng
    news pleased happy delighted glad helpful useful resolved sorted will be i'll let know
    pass on to residents resident them they is was that
    sorting getting done letting me update quickly looking into
    with one matter dealing coming back have passed responding replying time
    assistance following up confirming explanation acknowledgement acknowledging
    reference number stuff team x xx roi gwybod
    diweddariad ddelio â ag mi edrych mewn drefnu mor gyflym byddaf rhoi i'r preswylydd
    preswylwyr ddod ôl ataf atoch gadarnhau amser"""
)
# However they are written ("Not Fixed"), these make a reply more than thanks.
_MORE_THAN_THANKS = _word_set(
    """but not no nor never still yet however although though unfortunately again
    isn't hasn't wasn't won't don't didn't can't ond ddim dal eto nid heb"""
)
_TOKEN = re.compile(r"[\w'’-]+")


def is_thanks_only(body: str, subject: str = "") -> bool:
    """The sender's new text thanks us and says nothing else: an answer acknowledged,
    not a case to open again. A reply in the thread of a forward ("RE: FW: ...") is a
    reply: only a forward marker in its body makes it a forward."""
    cleaned = new_text(body, "" if is_reply_subject(subject) else subject)
    if cleaned.forwarded or "?" in cleaned.text:
        return False
    # new_text cuts at a bare "Thanks," sign-off line; then the lines above the history.
    text = cleaned.text.strip() or _first_lines(body)
    if _only_thanks_emoji(text):
        return True  # a thumbs-up from a phone
    tokens = _TOKEN.findall(text.replace("’", "'"))
    if not 0 < len(tokens) <= MAX_THANKS_WORDS:
        return False
    thanked, names = False, 0
    for token in tokens:
        word = token.lower().strip("'-")
        if not word:
            continue  # a hyphen typed as a dash: "Thanks Sam - really appreciate it"
        if word in _MORE_THAN_THANKS:
            return False
        if word in _THANKS_WORDS:
            thanked = True
        elif word in _COURTESY_WORDS:
            continue
        elif token[:1].isupper() and not (len(token) > 1 and token.isupper()):
            names += 1  # "Sam", "Jo": who is thanked and who signs
        else:
            return False
    return thanked and names <= MAX_NAMES


def _only_thanks_emoji(text: str) -> bool:
    """The text is a thumbs-up, folded hands or a smile, and nothing else."""
    marks = [c for c in text if not (c.isspace() or c in _EMOJI_MODIFIERS or c in "!.")]
    return bool(marks) and all(c in _THANKS_EMOJI for c in marks)


def _first_lines(body: str) -> str:
    """A body that is only a sign-off (a "Thanks," line, then a name) leaves new_text
    nothing: read the lines above the quoted history instead."""
    lines = html_to_text(body[:MAX_INPUT_CHARS]).replace("\r\n", "\n").split("\n")
    start = history_start(lines)
    own = lines[: start[0]] if start is not None else lines
    return " ".join(ln.strip() for ln in own if ln.strip() and not is_quoted(ln))
