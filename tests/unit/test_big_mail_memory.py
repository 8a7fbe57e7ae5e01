"""Memory for reading big mail: members send planning drawings and scanned letters of
20-35 MB (Exchange Online takes up to 150 MB). The stdlib's message_from_bytes held about
eight times the message at its peak; mailbot reads the same Message for about three.

Memory is counted with tracemalloc (the bytes Python allocates), which is the same on
every run: no timing is involved. See bench/bench_memory.py for the full-size figures."""

from __future__ import annotations

import base64
import email
import os
import tracemalloc
from collections.abc import Callable
from email.policy import compat32
from pathlib import Path
from typing import TypeVar

import pytest
from helpers import JO, SHARED_MAILBOX, make_app, rows, run, sent

from mailbot.parse import message_id_of, parse_message
from mailbot.store.tables import MessageRow

T = TypeVar("T")
MB = 1024 * 1024


def peak_of(work: Callable[[], T]) -> tuple[T, int]:
    """What `work` returns, and the most memory it held at once, in bytes."""
    tracemalloc.start()
    try:
        result = work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def _head(content_type: str) -> bytes:
    return (
        "From: Cllr Ann Example <ann.example@members.test.invalid>\r\n"
        "To: Member Enquiries <enquiries@council.test.invalid>\r\n"
        "Subject: Planning drawings for 12 Mill Lane\r\n"
        "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
        "Message-ID: <drawings.1@members.test.invalid>\r\n"
        "MIME-Version: 1.0\r\n"
        f"{content_type}\r\n"
    ).encode("ascii")


def with_drawings(megabytes: float) -> bytes:
    """A short note with a PDF of `megabytes` attached (base64, as clients send it)."""
    pdf = b"%PDF-1.7\n" + os.urandom(int(megabytes * MB * 3 / 4))
    encoded = base64.encodebytes(pdf).replace(b"\n", b"\r\n")
    return _head('Content-Type: multipart/mixed; boundary="drawings"\r\n') + (
        b"--drawings\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Please find the drawings for 12 Mill Lane attached.\r\n"
        b"--drawings\r\nContent-Type: application/pdf; name=\"plans.pdf\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=\"plans.pdf\"\r\n\r\n"
        + encoded
        + b"\r\n--drawings--\r\n"
    )


def mostly_text(megabytes: float) -> bytes:
    """A message that is one long text body (a pasted log, a scanned letter's OCR), in
    plain ASCII: 8-bit text costs the stdlib parser two bytes a character, whichever way
    it is fed (bench/bench_memory.py measures that too)."""
    line = b"The streetlight on Mill Lane is out again - reported by residents.\r\n"
    body = line * int(megabytes * MB / len(line))
    content_type = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n"
    return _head(content_type) + body


def test_a_big_attachment_is_parsed_in_about_three_times_its_size() -> None:
    raw = with_drawings(4)
    parsed, peak = peak_of(lambda: parse_message(raw))
    assert peak < 4 * len(raw), f"peak {peak / len(raw):.1f} times the message"
    # ...and what is read from it is what the stdlib's own reading gives
    assert parsed == parse_message_as_the_stdlib_reads(raw)
    assert parsed.text.startswith("Please find the drawings")
    assert parsed.attachment_types == ["application/pdf"]


def test_a_big_text_body_is_parsed_in_about_three_times_its_size() -> None:
    raw = mostly_text(4)
    parsed, peak = peak_of(lambda: parse_message(raw))
    assert peak < 4 * len(raw), f"peak {peak / len(raw):.1f} times the message"
    assert parsed == parse_message_as_the_stdlib_reads(raw)
    assert "Mill Lane is out again - reported" in parsed.text


def test_the_message_id_is_read_without_reading_the_body() -> None:
    raw = with_drawings(4)
    message_id, peak = peak_of(lambda: message_id_of(raw))
    assert message_id == "<drawings.1@members.test.invalid>"
    assert peak < MB


def parse_message_as_the_stdlib_reads(raw: bytes) -> object:
    """parse_message with the stdlib's whole-message reading put back, to compare."""
    import mailbot.parse as parse

    def stdlib(data: bytes) -> email.message.Message:
        return email.message_from_bytes(data, policy=compat32)

    saved = parse.message_from_bytes
    parse.message_from_bytes = stdlib
    try:
        return parse.parse_message(raw)
    finally:
        parse.message_from_bytes = saved


def test_mail_too_big_for_the_memory_is_kept_and_quarantined_and_the_poll_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member's 150 MB message on a machine short of memory: its bytes are recorded and
    it is quarantined saying why, nothing is sent about it, and the mail behind it is
    answered as usual."""
    import mailbot.parse as parse

    def short_of_memory(raw: bytes) -> email.message.Message:
        if len(raw) > MB:
            raise MemoryError
        return email.message_from_bytes(raw, policy=compat32)

    monkeypatch.setattr(parse, "message_from_bytes", short_of_memory)
    app, server = make_app(tmp_path)
    big = with_drawings(2).replace(b"ann.example@members.test.invalid", JO[1].encode())
    small = (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: {SHARED_MAILBOX}\r\nSubject: Bins on Station Road\r\n"
        "Message-ID: <bins.1@members.test.invalid>\r\n\r\nThe bins were missed again.\r\n"
    ).encode()
    server.deliver(big)
    server.deliver(small)
    try:
        report, _ = run(app)
        recorded = {row.message_id: row for row in rows(app, MessageRow)}
        kept = recorded["<drawings.1@members.test.invalid>"]
        assert kept.status == "quarantined"
        assert kept.reason.startswith("cannot parse: not enough memory to read a message of 2.")
        assert kept.raw == big
        assert recorded["<bins.1@members.test.invalid>"].status == "processed"
        assert [to for to, _ in sent(server)] == [(JO[1],)]  # the small one's ack alone
        assert len(report.outcomes) == 2
    finally:
        app.close()
