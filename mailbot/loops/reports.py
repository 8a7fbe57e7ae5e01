"""Rules for delivery and read reports (bounces, delay warnings, MDNs, feedback loops):
by their MIME structure, their report headers, a mailer-daemon sender or an empty
Return-Path; and whether a report says the mail failed or is only delayed."""

from __future__ import annotations

import re

from mailbot.loops.subjects import (
    AUTO_REPLY_SUBJECT,
    DELAY_SUBJECT,
    REPORT_DELAY_SUBJECT,
    SERVICE_RECEIPT_SUBJECT,
)
from mailbot.model import Automatic, ParsedMessage

NOT_FAILED = frozenset({"delayed", "delivered", "relayed", "expanded"})

DAEMON_SENDER = re.compile(
    r"^(?:mailer-daemon|postmaster|post_master|mail-daemon|mailerdaemon|bounces?)(?:[+-][^@]*)?@"
    # Exchange's own system mailbox ("Microsoft Outlook"): NDRs, quota and rule notices
    r"|^microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@",
    re.IGNORECASE,
)


def _report_type(msg: ParsedMessage) -> str:
    ctype = msg.headers.get("content-type", "").lower()
    if "multipart/report" in ctype and "report-type" not in ctype:
        return "unspecified"
    found = re.search(r"report-type\s*=\s*\"?([\w-]+)", ctype)
    return found.group(1) if found else ""


def delivery_report(msg: ParsedMessage) -> Automatic | None:
    report = _report_type(msg)
    types = set(msg.content_types)
    if report == "disposition-notification" or "message/disposition-notification" in types:
        return Automatic.RECEIPT
    if report or "multipart/report" in types or "message/delivery-status" in types:
        return Automatic.RECEIPT if not_a_failure(msg) else Automatic.BOUNCE
    if "message/feedback-report" in types:
        return Automatic.BOUNCE
    return None


def failed_recipients(msg: ParsedMessage) -> Automatic | None:
    return Automatic.BOUNCE if "x-failed-recipients" in msg.headers else None


def disposition_notification(msg: ParsedMessage) -> Automatic | None:
    # An MDN itself carries Original-Recipient / a "disposition" report; a *request* for
    # one (Disposition-Notification-To) is sent by humans and does not count.
    return (
        Automatic.RECEIPT
        if "original-message-id" in msg.headers and "disposition" in msg.headers
        else None
    )


def daemon_sender(msg: ParsedMessage) -> Automatic | None:
    # Before Auto-Submitted: MTAs mark their bounces and delay warnings auto-replied too,
    # and a bounce taken for an out-of-office would be handled as the officer's absence.
    sender = msg.sender.email if msg.sender else ""
    if sender and DAEMON_SENDER.match(sender):
        return Automatic.RECEIPT if not_a_failure(msg) else Automatic.BOUNCE
    return None


def empty_return_path(msg: ParsedMessage) -> Automatic | None:
    # After Auto-Submitted: RFC 3834 asks auto-replies for an empty Return-Path as well.
    if msg.headers.get("return-path", "").replace(" ", "").strip() == "<>":
        if AUTO_REPLY_SUBJECT.search(msg.subject):
            return Automatic.AUTO_REPLY
        if SERVICE_RECEIPT_SUBJECT.search(msg.subject):
            return Automatic.RECEIPT
        return Automatic.RECEIPT if not_a_failure(msg) else Automatic.BOUNCE
    return None


def not_a_failure(msg: ParsedMessage) -> bool:
    """A delivery report that says the mail is delayed (still being retried) or was
    delivered: by its Action fields if it has them, else by its subject."""
    if msg.delivery_actions:
        return set(msg.delivery_actions) <= NOT_FAILED
    return any(p.search(msg.subject) for p in (DELAY_SUBJECT, REPORT_DELAY_SUBJECT))
