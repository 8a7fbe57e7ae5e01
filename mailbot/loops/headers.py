"""Rules that read the headers robots and lists set: our own loop header, RFC 3834
Auto-Submitted, X-Autoreply and its kin, Precedence, and the mailing-list headers."""

from __future__ import annotations

from mailbot.loops.outgoing import LOOP_HEADER
from mailbot.model import Automatic, ParsedMessage


def _header(msg: ParsedMessage, name: str) -> str:
    return msg.headers.get(name, "").strip().lower()


def our_own_mail(msg: ParsedMessage) -> Automatic | None:
    return Automatic.AUTO_REPLY if LOOP_HEADER.lower() in msg.headers else None


def auto_submitted(msg: ParsedMessage) -> Automatic | None:
    value = _header(msg, "auto-submitted")
    if value and not value.startswith("no"):
        return Automatic.AUTO_REPLY
    return None


def autoreply_headers(msg: ParsedMessage) -> Automatic | None:
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply"):
        if name in msg.headers and _header(msg, name) not in ("no", "false", "0"):
            return Automatic.AUTO_REPLY
    return None


def precedence(msg: ParsedMessage) -> Automatic | None:
    value = _header(msg, "precedence")
    if value in ("bulk", "junk", "list"):
        return Automatic.BULK
    if value == "auto_reply":
        return Automatic.AUTO_REPLY
    return None


def mailing_list(msg: ParsedMessage) -> Automatic | None:
    if any(h in msg.headers for h in LIST_HEADERS):
        return Automatic.BULK
    if _header(msg, "delivered-to").startswith("mailing list"):
        return Automatic.BULK
    return None


LIST_HEADERS = (
    "list-id",
    "list-unsubscribe",
    "list-post",
    "list-subscribe",
    "list-help",
    "list-archive",
    "mailing-list",
    "x-mailing-list",
    "x-mlserver",
    "x-ml-name",
    "x-loop",
)
