"""Plain text out of what mail carries: bytes in a charset that may lie, RFC 2047 words in
headers, HTML bodies; and the other way, a value made fit for a header we write.

Each decoder trusts what the mail declares only as far as it decodes, and never raises:
a lying charset or a broken word costs that piece of text, not the message.
"""

from __future__ import annotations

import binascii
import codecs
import contextlib
import email.message
import re
from email.header import decode_header

import html2text

from mailbot.flowed import unflow

# Control characters, C1 controls, and the bidirectional embeddings, overrides and isolates
# that reorder how a line is shown: in a header they can make a subject read as something
# else ("Trojan Source"), in what we display and in the subject of our reply.
# The directional marks (LRM, RLM, ALM) go too: they move the neutral characters around
# them, so "<mallory@evil.example>" can be shown in another place than it is written.
# Invisible characters go as well (zero-width space, joiners, word joiner, BOM, soft
# hyphen, Unicode tag characters): inside "[MB-2026-00012]" or a name they make text that
# reads as a case reference, or as a member's name, match as neither.
_CONTROL_RE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)
# Everything str.splitlines() breaks a line at, and so many mail clients and our own
# templates: in a name or a subject it would start a line of its own in the letter we
# write (a forged "Member:" line under the real one, say). Each becomes a space.
_LINE_BREAK_RE = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def eight_bit_text(value: str, charset: str | None = None) -> str:
    """Headers sent as raw 8-bit (against RFC 5322, but common): UTF-8 if it is, else the
    charset the message's text declares (the client that wrote one wrote both), else
    cp1252."""
    # Most values are ASCII: one C call says so, where the look for escaped bytes below
    # goes character by character, for every header of every message.
    if value.isascii() or not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("ascii", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if charset:
        return decode_bytes(data, charset)
    return data.decode("cp1252", errors="replace")


_FOLD_RE = re.compile(r"\r?\n[ \t]+|\r\n|[\r\n]")
# Any run of white space, not only spaces and tabs: a subject of 40,000 no-break spaces
# (80 KB) took 15 s to read, as patterns such as thread.REF_TAG try each space of a run in
# turn, and 400,000 would hold the poll for half an hour.
_SPACES_RE = re.compile(r"\s{2,}")




def unfold(value: str) -> str:
    """A folded header value on one line, undecoded."""
    return _FOLD_RE.sub(" ", value)


def clean_header(value: object) -> str:
    """Unfold, decode RFC 2047 words (trusting their charset only as far as it decodes),
    and drop CR/LF and control characters: the result is always one safe line."""
    text = _FOLD_RE.sub(" ", value if isinstance(value, str) else str(value))
    text = _UNTERMINATED_WORD_RE.sub(r"\g<0>?=", text)
    try:
        text = _decode_all(text)
    except Exception:  # noqa: BLE001 - one broken word: decode the others one by one
        text = _ENCODED_WORDS_RE.sub(_decode_run, text)
    text = _CONTROL_RE.sub("", _LINE_BREAK_RE.sub(" ", text))
    return _SPACES_RE.sub(" ", text).strip()


# A subject cut short by a broken client or gateway ends inside an encoded word.
_UNTERMINATED_WORD_RE = re.compile(r"=\?[\w.:*-]+\?[QqBb]\?[^?\s]*$")
# Adjacent encoded words with the whitespace between them (RFC 2047 6.2 drops it).
_ONE_WORD = r"=\?[^?\s]+\?[QqBb]\?[^?\s]*\?="
_ONE_WORD_RE = re.compile(_ONE_WORD)
_ENCODED_WORDS_RE = re.compile(rf"{_ONE_WORD}(?:\s+{_ONE_WORD})*")


def _decode_all(text: str) -> str:
    return "".join(_decode_word(part, charset) for part, charset in decode_header(text))


def _decode_run(run: re.Match[str]) -> str:
    """Encoded words that decode are decoded; one that does not is dropped: its raw form
    ("=?utf-8?B?x?=") means nothing to a reader and must not reach an acknowledgement."""
    out = []
    for word in _ONE_WORD_RE.findall(run.group(0)):
        with contextlib.suppress(Exception):  # broken base64 or the like
            out.append(_decode_all(word))
    return "".join(out)


def _decode_word(part: bytes | str, charset: str | None) -> str:
    if isinstance(part, str):
        return part
    return decode_bytes(part, charset)


# Western single-byte labels that clients and gateways put on UTF-8 text (an old default
# left in a template, a "Latin-1" relay): every byte string decodes in them, so a lie is
# never caught and "dŵr" becomes "dÅµr". Text really in these charsets is practically never
# valid UTF-8 once it has a byte above 0x7F, so such bytes are read as UTF-8.
_WESTERN_SINGLE_BYTE = frozenset({"cp1252", "iso8859-15", "latin-1", "iso8859-1"})


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in the declared charset (under the name Python knows it by), else UTF-8,
    else Windows-1252, which decodes anything."""
    declared = _codec_name(charset)
    if declared and not data.isascii() and _codec_family(declared) in _WESTERN_SINGLE_BYTE:
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode("utf-8")
    for candidate in (declared, "utf-8", *_RELATED.get(_codec_family(declared), ())):
        if candidate:
            try:
                return data.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    return _line_by_line(data)


# What text labelled with a CJK charset really is when it does not decode in it: Japanese
# mail labelled ISO-2022-JP (a 7-bit charset) but sent as 8-bit EUC-JP or Shift_JIS, and
# Chinese or Korean labelled with the older standard that the text outgrew (GB2312 for GBK,
# EUC-KR for Windows-949). Tried after UTF-8, which real text in these rarely passes for.
_RELATED = {
    "iso2022_jp": ("euc_jp", "cp932"), "shift_jis": ("cp932",), "euc_jp": ("cp932",),
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "euc_kr": ("cp949",),
    "big5": ("big5hkscs", "cp950"),
}


def _line_by_line(data: bytes) -> str:
    """Text that is neither its declared charset nor UTF-8 throughout: often both, as when
    a member's UTF-8 note sits above a Windows-1252 letter pasted in. Each line is UTF-8 if
    it is valid UTF-8, else Windows-1252, which decodes anything."""
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
    return "".join(out)


# Labels mail clients write that Python's codecs do not know, or know as something else.
_CHARSET_ALIASES = {
    # Outlook writes ISO-8859-1 for Windows-1252 text: its curly quotes and dashes
    # (0x80-0x9F) would otherwise become invisible control characters (as browsers do).
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "iso_8859-1": "cp1252",
    "iso-8859-8-i": "iso-8859-8", "iso-8859-6-i": "iso-8859-6", "iso-8859-8-e": "iso-8859-8",
    "windows-874": "cp874", "unicode-1-1-utf-8": "utf-8", "utf8": "utf-8",
    "mac-ce": "mac-latin2", "sjis": "shift_jis", "ms932": "cp932",
    "unknown-8bit": "", "user-defined": "", "unknown": "",
}


def _codec_family(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _codec_name(charset: str | None) -> str:
    name = (charset or "").strip().strip('"').lower()
    if name.startswith("x-"):
        name = name[2:]
    name = _CHARSET_ALIASES.get(name, name)
    if name.startswith("cp-"):
        name = "cp" + name[3:]
    return name


def decode_part(part: email.message.Message, max_bytes: int | None = None) -> str:
    """The part's text, trusting its declared charset only as far as it decodes. With
    `max_bytes`, a base64 or quoted-printable part much longer than that may be read only
    as far as its first `max_bytes` or so, ending at a line break."""
    try:
        payload = (
            (max_bytes and _decoded_start(part, max_bytes))
            or _quoted_printable(part)
            or part.get_payload(decode=True)
        )
    except Exception:  # noqa: BLE001 - broken transfer encoding: fall back to the raw text
        payload = None
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    if not isinstance(payload, bytes):
        return str(payload)
    return _joined_if_flowed(part, decode_bytes(payload, part.get_content_charset()))


def _joined_if_flowed(part: email.message.Message, text: str) -> str:
    """A format=flowed part's paragraphs as their writer typed them (mailbot.flowed)."""
    if part.get_content_type() != "text/plain":
        return text
    if str(part.get_param("format", "")).lower() != "flowed":
        return text
    return unflow(text, delete_space=str(part.get_param("delsp", "")).lower() == "yes")


_TRAILING_BLANKS_RE = re.compile(rb"[ \t]+(?=\r?\n|\Z)")
_WHITESPACE_RE = re.compile(r"\s+")


def _decoded_start(part: email.message.Message, max_bytes: int) -> bytes | None:
    """The start of a long base64 or quoted-printable payload, decoded: at least
    `max_bytes` (base64 takes 4 characters for 3 bytes, quoted-printable at most 3 for
    one), cut at its last line break so no character is split. A body of hundreds of
    megabytes, of which only the first few hundred thousand characters are ever kept,
    was decoded whole, and then copied several times over: gigabytes for one mail. None
    for a short payload, another encoding, or base64 that does not decode."""
    raw = part.get_payload()
    if not isinstance(raw, str) or len(raw) <= 4 * max_bytes:
        return None
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    start = raw[: 3 * max_bytes + 1024]
    if encoding == "base64":
        letters = _WHITESPACE_RE.sub("", start)
        try:
            data = binascii.a2b_base64(letters[: len(letters) // 4 * 4])
        except (binascii.Error, ValueError):
            return None
    elif encoding == "quoted-printable":
        try:
            encoded = start[: start.rfind("\n") + 1].encode("ascii", "surrogateescape")
        except UnicodeEncodeError:
            return None
        data = binascii.a2b_qp(_TRAILING_BLANKS_RE.sub(b"", encoded))
    else:
        return None
    end = data.rfind(b"\n")
    return data[: end + 1] if end > 0 else data


def _quoted_printable(part: email.message.Message) -> bytes | None:
    """A quoted-printable part decoded as RFC 2045 6.7 says: blanks at the end of a line
    were added in transit and are dropped first, so a soft line break that picked some up
    ("=  ") still joins its lines instead of leaving "=" in the member's words. None for
    any other part."""
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    raw = part.get_payload()
    if encoding != "quoted-printable" or not isinstance(raw, str):
        return None
    try:
        data = raw.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # text already decoded by whoever built the message
        return None
    return binascii.a2b_qp(_TRAILING_BLANKS_RE.sub(b"", data))


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.ignore_images = True
    converter.ignore_links = True
    converter.body_width = 0
    # Otherwise entities become ASCII look-alikes ("Si&acirc;n" read "Sian", "caf&eacute;"
    # "cafe", Outlook writes both so), and an entity inside bold or italics gets a space
    # put before it ("**Si ân**"): emphasis marks are noise in quoted text anyway.
    converter.unicode_snob = True
    converter.ignore_emphasis = True
    try:
        return converter.handle(_strip_active_content(html))
    except Exception:  # noqa: BLE001 - malformed HTML: keep the words, drop the tags
        return re.sub(r"<[^>]*>", " ", html)


_ACTIVE_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Pictures pasted into the body travel inside it as data: URIs, megabytes each.
_DATA_URI_RE = re.compile(r"""(["'(])data:[a-z]+/[\w.+-]+[;,][^"')]*""", re.IGNORECASE)
# HTML past this is not read: the text kept is at most MAX_TEXT_CHARS, and html2text takes
# about a second per megabyte (seven for a megabyte of entities), inside the poll.
MAX_HTML_CHARS = 1_000_000


# html2text indents every line inside a list by the depth of the lists around it, so lists
# nested thousands deep write text that grows with the square of the depth: 16,000 nested
# "<ul><li>" (a 128 KB mail) took 48 s to read, a megabyte of them hours. Past this many
# lists their tags are dropped: the items are still read, each on its own line.
MAX_LISTS = 100
_LIST_TAG_RE = re.compile(r"</?(?:ul|ol)\b[^>]*>", re.IGNORECASE)
_LIST_OPEN_RE = re.compile(r"<(?:ul|ol)\b", re.IGNORECASE)


def _strip_active_content(html: str) -> str:
    html = _DATA_URI_RE.sub(r"\1", html)[:MAX_HTML_CHARS]
    html = _ACTIVE_RE.sub(" ", html)
    if len(_LIST_OPEN_RE.findall(html, 0, len(html))) > MAX_LISTS:
        html = _LIST_TAG_RE.sub(" ", html)
    return html



def header_safe(value: str, limit: int = 200) -> str:
    """A value fit for a header we write: one line, no control characters, bounded."""
    flat = _CONTROL_RE.sub("", _LINE_BREAK_RE.sub(" ", value))
    flat = re.sub(r"\s+", " ", flat).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
