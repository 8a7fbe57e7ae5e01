"""Mail built to exhaust a recursive parser: parts nested a thousand deep, a To line of
thousands of junk tokens (MimeKit's stack-overflow test message). The first cannot be
read and is quarantined with a reason a person understands, its bytes kept; the second
costs only the broken header, and the member's case opens."""

from __future__ import annotations

from helpers import JO, NOW, AppFactory, rows, run, sent_to

from mailbot.store.tables import CaseRow, MessageRow

HEAD = (
    f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
    "Subject: Pothole on Mill Lane\r\nMessage-ID: <{id}@councillors.example>\r\n"
    "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\nMIME-Version: 1.0\r\n"
)


def nested(levels: int) -> bytes:
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{n}"\r\n\r\n--b{n}\r\n' for n in range(levels)
    )
    closing = "".join(f"\r\n--b{n}--\r\n" for n in reversed(range(levels)))
    body = "Content-Type: text/plain\r\n\r\nPlease fix the pothole on Mill Lane.\r\n"
    return (HEAD.replace("{id}", f"nested{levels}") + opening + body + closing).encode()


def test_parts_nested_a_thousand_deep_are_quarantined_with_a_plain_reason(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    raw = nested(1000)
    server.deliver(raw)
    run(app, NOW)
    [row] = rows(app, MessageRow)
    assert row.status == "quarantined"
    assert "nested too deeply" in row.reason and "Recursion" not in row.reason
    assert row.raw == raw
    assert sent_to(server, JO[1]) == [] and server.inbox == {}


def test_parts_nested_fifty_deep_are_read(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(nested(50))
    run(app, NOW)
    [case] = rows(app, CaseRow)
    assert len(sent_to(server, JO[1])) == 1


def test_a_to_line_of_thousands_of_junk_tokens_costs_only_that_header(
    app_factory: AppFactory,
) -> None:
    junk = "\r\n\t=?utf-8?Q?date=3E2017-08-20T10:08:28.617=3C/pr?=" * 2700
    raw = HEAD.replace("{id}", "junkto").replace(
        "To: memberenquiries@wiltshire.gov.uk\r\n",
        f'To: "Enquiries" <memberenquiries@wiltshire.gov.uk>,{junk}\r\n',
    ) + "Content-Type: text/plain\r\n\r\nPlease fix the pothole on Mill Lane.\r\n"
    app, server = app_factory()
    server.deliver(raw.encode())
    run(app, NOW)
    [row] = rows(app, MessageRow)
    assert row.status == "processed", row.reason
    [ack] = sent_to(server, JO[1])
