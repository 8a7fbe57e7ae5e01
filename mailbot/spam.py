"""The upstream spam filter's verdict: mail it marked as spam (a header, a tag in the
subject, Exchange's spam confidence level) is never answered, since a spoofed member
address is common in such mail."""

from __future__ import annotations

import re

from mailbot.loops.subjects import without_gateway_tags
from mailbot.model import ParsedMessage

# Filters that mark spam in the subject instead of a header (Sophos, Proofpoint, Barracuda,
# SpamAssassin's rewrite_header): a spoofed member address is common in such mail.
SPAM_SUBJECT_TAG = re.compile(
    r"^\s*(?:\[(?:spam|suspected spam|possible spam|probable spam|spam\?)\]|\*{3,}\s*spam\s*\*{3,}"
    r"|\{spam\??\})",
    re.IGNORECASE,
)


# Filters' yes/no verdict headers: SpamAssassin, rspamd, Barracuda.
YES_HEADERS = (
    "X-Spam-Flag", "X-Spam-Status", "X-Spam", "X-Barracuda-Spam-Flag", "X-Barracuda-Spam-Status",
)


def spam_verdict(msg: ParsedMessage) -> str | None:
    """The upstream filter's spam verdict, if it gave one: such mail is never answered."""
    for name in YES_HEADERS:
        if _says_yes(msg, name.lower()):
            return f"{name}: Yes"
    if "x-phishtest" in msg.headers:
        # KnowBe4's simulated phishing, often in a member's name: answering it would
        # acknowledge the member for mail they never sent.
        return "phishing simulation (X-PHISHTEST header)"
    details = msg.headers.get("x-proofpoint-spam-details", "")
    if re.search(r"\brule=spam\b", details, re.IGNORECASE):
        return "X-Proofpoint-Spam-Details: rule=spam"
    tagged = SPAM_SUBJECT_TAG.match(msg.subject) or SPAM_SUBJECT_TAG.match(
        without_gateway_tags(msg.subject)
    )
    if tagged:
        return f"subject tagged {tagged.group(0).strip()!r}"
    scl = msg.headers.get("x-ms-exchange-organization-scl", "").strip()
    if not scl:
        found = re.search(r"\bSCL:(-?\d+)", msg.headers.get("x-forefront-antispam-report", ""))
        scl = found.group(1) if found else ""
    if scl.lstrip("-").isdigit() and int(scl) >= 5:
        return f"Exchange SCL {scl}"
    return None


def _says_yes(msg: ParsedMessage, name: str) -> bool:
    return msg.headers.get(name, "").strip().lower().startswith("yes")
