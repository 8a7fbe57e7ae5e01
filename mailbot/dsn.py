"""What a bounce says went wrong: for each address our mail failed to reach, the address,
the status code (RFC 3463) and the receiving server's own words, read from the report's
message/delivery-status part (RFC 3464); from X-Failed-Recipients and the text of the
bounce when it has no such part (qmail, old Exchange). Then the reason in plain words
("mailbox full", "no such user") for the person who is told.

Only failures: a recipient whose Action is delayed, delivered, relayed or expanded is
not one (the loop guard takes a report of only those for a receipt, not a bounce). A
failure with a 4.x.x status is the sending server giving up after retrying a temporary
problem: the mail was still not delivered, so it is a failure, told as temporary.
"""

from __future__ import annotations

import email
import email.message
import re
from dataclasses import dataclass, field, replace

from mailbot.addresses import same_address
from mailbot.languages import Bilingual

NOT_FAILED = frozenset({"delayed", "delivered", "relayed", "expanded"})
MAX_DIAGNOSTIC = 200


@dataclass(frozen=True)
class Failure:
    """One address our mail did not reach."""

    recipient: str  # lower-cased address; "" if the report names none
    status: str = ""  # "5.1.1"; "" if the report gives none
    diagnostic: str = ""  # the receiving server's words, on one line, trimmed
    # The bounce's own text on one line, where a reason is looked for when the server's
    # words and the status say nothing plain (never shown: it is the robot's prose).
    words: str = field(default="", compare=False, repr=False)
    # The address our mail was sent to when the report names another (Original-Recipient:
    # a member's address forwarding to a personal mailbox that failed); else "".
    original: str = field(default="", compare=False)

    @property
    def temporary(self) -> bool:
        """A 4.x.x status: the sending server gave up on a problem that may clear."""
        return self.status.startswith("4.")


def failures(raw: bytes, text: str, failed_header: str = "") -> list[Failure]:
    """Every failed recipient of the bounce `raw` (its readable `text`, its
    X-Failed-Recipients `failed_header`), the report's own first."""
    window = _report_text(text)
    reply = _SMTP_REPLY.search(window)
    said = _one_line(reply.group(0))[:MAX_DIAGNOSTIC] if reply else ""
    found = [replace(f, diagnostic=f.diagnostic or said, words=window)
             for f in _report_failures(email.message_from_bytes(raw))]
    named = {f.recipient for f in found}
    for address in (a.strip().lower() for a in failed_header.split(",")):
        if address and address not in named:
            found.append(Failure(address, _status_in(said), said, window))
    return found


def failure_for(
    raw: bytes, text: str, failed_header: str, recipients: list[str], fallback: str
) -> Failure:
    """What failed for our mail to `recipients`: the failure naming one of them, else the
    bounce's first, else `fallback` (the recipient the bounce seems to answer for) with
    whatever the bounce's text says."""
    found = failures(raw, text, failed_header)
    for failure in found:
        if any(same_address(failure.recipient, r) for r in recipients):
            return failure
    for failure in found:
        if failure.original and any(same_address(failure.original, r) for r in recipients):
            return replace(failure, recipient=failure.original)  # forwarded: ours failed
    if found:
        return found[0]
    window = _report_text(text)
    reply = _SMTP_REPLY.search(window)
    said = _one_line(reply.group(0))[:MAX_DIAGNOSTIC] if reply else ""
    return Failure(fallback, _status_in(said), said, window)


def _report_failures(msg: email.message.Message) -> list[Failure]:
    found: list[Failure] = []
    for part in msg.walk():
        if part.get_content_type() in ("message/rfc822", "message/global"):
            break  # the returned original: someone else's headers
        if part.get_content_type() not in REPORT_TYPES:
            continue
        for block in _blocks(part):
            failure = _block_failure(block)
            if failure is not None:
                found.append(failure)
    return found


# RFC 3464's report, and RFC 6533's for mail sent with SMTPUTF8 (an address beyond
# ASCII), whose fields are UTF-8.
REPORT_TYPES = ("message/delivery-status", "message/global-delivery-status")


def _blocks(part: email.message.Message) -> list[email.message.Message]:
    """The report's header blocks (per message, then per recipient). Python parses those
    of message/delivery-status; a message/global-delivery-status comes as one message
    whose body holds the rest, its UTF-8 bytes escaped, so it is split here."""
    payload = part.get_payload()
    found = [b for b in payload if isinstance(b, email.message.Message)] if isinstance(
        payload, list) else []
    if part.get_content_type() == "message/delivery-status":
        return found
    try:
        text = b"".join(b.as_bytes() for b in found).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - a report that cannot be written out: nothing read
        return []
    return [email.message_from_string(block) for block in re.split(r"\r?\n[ \t]*\r?\n", text)
            if block.strip()]


def _block_failure(block: email.message.Message) -> Failure | None:
    """A per-recipient block of a delivery-status part, if it reports a failure."""
    action = _one_line(str(block.get("Action", ""))).lower()
    original = _address(str(block.get("Original-Recipient", "")))
    recipient = _address(str(block.get("Final-Recipient", ""))) or original
    if not recipient or action in NOT_FAILED or (not action and not block.get("Status")):
        return None
    status = _one_line(str(block.get("Status", "")))
    diagnostic = _one_line(str(block.get("Diagnostic-Code", "")))
    diagnostic = re.sub(r"^(?:smtp|x-[\w-]+)\s*;\s*", "", diagnostic, flags=re.IGNORECASE)
    return Failure(recipient, _status_in(status) or _status_in(diagnostic),
                   diagnostic[:MAX_DIAGNOSTIC],
                   original=original if original != recipient else "")


def _address(field: str) -> str:
    """The address of "rfc822; name@example.org" (or of the bare address)."""
    value = field.partition(";")[2] if ";" in field else field
    return value.strip().strip("<>").strip().lower()


def _one_line(value: str) -> str:
    return " ".join(value.split())


_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")


def _status_in(text: str) -> str:
    found = _STATUS.search(text)
    return ".".join(found.groups()) if found else ""


# Where the copy of our mail starts in a bounce's text (Exim, qmail, sendmail): the
# robot's own words are above it.
_COPY_MARK = re.compile(
    r"^-+ ?(?:This is a copy|Original message|Below this line)|^--- Below this line",
    re.IGNORECASE | re.MULTILINE,
)
# A server's SMTP reply quoted in the text: "550 Requested action not taken: mailbox
# unavailable", "550-5.1.1 The email account ... does not exist."
_SMTP_REPLY = re.compile(r"(?<![\d.\[:/-])[45]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3} )?[^\n]{0,200}")


def _report_text(text: str) -> str:
    """The robot's words above the copy of our mail, on one line."""
    return _one_line(_COPY_MARK.split(text[:20_000], maxsplit=1)[0])[:4000]


# The reason in plain words, by the server's words first (a generic 5.0.0 or 5.5.0 often
# carries "user unknown"), then by the status code's subject and detail (RFC 3463).
_BY_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"mailbox (?:is )?full|over ?quota|quota (?:exceeded|full)|exceeded (?:the )?"
                r"(?:storage|quota)|insufficient (?:storage|space)|out of storage",
                re.IGNORECASE), "full"),
    (re.compile(r"(?:mailbox|account) (?:is )?(?:disabled|inactive|suspended|locked|frozen)",
                re.IGNORECASE), "disabled"),
    (re.compile(r"user unknown|unknown user|no such (?:user|mailbox|recipient|person)|does not "
                r"exist|doesn't exist|recipient ?not ?found|recipient address rejected|"
                r"invalid recipient|unknown recipient|no mailbox here|address couldn't be found|"
                r"not listed in|user not found|mailbox unavailable|unknown e-?mail address|"
                r"nosuchuser|doesn't have an? [\w.-]+ account|address not found|"
                r"RecipientNotFound", re.IGNORECASE), "unknown"),
    (re.compile(r"host (?:or domain name )?not found|domain not found|no mx|name or service not "
                r"known|unrouteable|unroutable|domain (?:does not|doesn't) exist|no such domain|"
                r"NXDOMAIN|domain is not reachable|domain name not found|lookup of \S+ "
                r"responded",
                re.IGNORECASE), "domain"),
    (re.compile(r"too (?:big|large)|size limit|message size exceeds", re.IGNORECASE), "size"),
    (re.compile(r"timed out|connection refused|could not connect|couldn't connect|"
                r"network is unreachable|no route to host", re.IGNORECASE), "unreachable"),
    (re.compile(r"spam|blocked|blacklist|blocklist|block list|policy|not authori[sz]ed|"
                r"access denied|virus|content rejected|message filtered|dmarc|\bspf\b|"
                r"not allowed|listed by|denied", re.IGNORECASE), "refused"),
)

_BY_STATUS: dict[str, str] = {
    "1.1": "unknown", "1.10": "unknown", "1.0": "unknown", "1.3": "unknown",
    "1.6": "unknown", "1.2": "domain", "2.1": "disabled", "2.2": "full",
    "2.3": "size", "3.4": "size", "4.1": "unreachable", "4.2": "unreachable",
    "4.4": "unreachable", "4.7": "unreachable", "1.8": "refused",
}

REASONS: dict[str, Bilingual] = {
    "unknown": Bilingual(
        "no such user: the address does not exist (mistyped, or closed)",
        "dim defnyddiwr o'r fath: nid yw'r cyfeiriad yn bodoli (wedi'i gamdeipio, neu wedi'i "
        "gau)",
    ),
    "domain": Bilingual(
        "the address's domain (after the @) does not exist or takes no mail",
        "nid yw parth y cyfeiriad (ar ôl yr @) yn bodoli neu nid yw'n derbyn post",
    ),
    "full": Bilingual("mailbox full", "mae'r blwch post yn llawn"),
    "disabled": Bilingual(
        "the mailbox is disabled or not taking mail",
        "mae'r blwch post wedi'i analluogi neu nid yw'n derbyn post",
    ),
    "size": Bilingual(
        "the message was too big for the mailbox",
        "roedd y neges yn rhy fawr i'r blwch post",
    ),
    "unreachable": Bilingual(
        "the receiving mail server could not be reached",
        "nid oedd modd cyrraedd y gweinydd post sy'n derbyn",
    ),
    "refused": Bilingual(
        "refused by the receiving mail server's spam filter or policy",
        "gwrthodwyd gan hidlydd sbam neu bolisi'r gweinydd post sy'n derbyn",
    ),
    "other": Bilingual(
        "refused by the receiving mail server",
        "gwrthodwyd gan y gweinydd post sy'n derbyn",
    ),
}


def reason_kind(failure: Failure) -> str:
    """Which of REASONS the failure is: by the server's words, else a status that says
    more than its class (not x.0.0), else the bounce's own text."""
    by_words = _kind_in(failure.diagnostic)
    if by_words:
        return by_words
    subject, _, detail = failure.status.partition(".")[2].partition(".")
    if subject == "7":
        return "refused"
    by_status = _BY_STATUS.get(f"{subject}.{detail}", "")
    if by_status and (subject, detail) != ("1", "0"):
        return by_status
    return _kind_in(failure.words) or by_status or "other"


def _kind_in(text: str) -> str:
    for pattern, kind in _BY_WORDS:
        if pattern.search(text):
            return kind
    return ""


def plain_reason(failure: Failure) -> Bilingual:
    """The reason in plain words, then the status code and the server's words if any:
    'mailbox full (5.2.2: 552 5.2.2 user MAILBOX FULL)'."""
    reason = REASONS[reason_kind(failure)]
    detail = ": ".join(p for p in (failure.status, failure.diagnostic) if p)
    if not detail:
        return reason
    return Bilingual(f"{reason} ({detail})", f"{reason.cy} ({detail})")
