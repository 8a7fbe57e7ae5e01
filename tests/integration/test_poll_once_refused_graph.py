"""An administrator trying the Graph backend ran `mailbot poll --once` with an Entra app
that lacked Mail.Send (every acknowledgement refused, 403 ErrorAccessDenied), or had
Mail.Read only (nothing moved to Processed): it exited 0, so the first test run looked
successful while nothing was sent and nothing moved. It now ends with one line per kind
of refusal (what, how many, Graph's words, what to change) and exits 4; nothing is lost,
and once the permission is granted the next run sends each mail once and moves the
message. A throttled send is no refusal: exit 0 as before. Against the loopback Entra ID
and the fake Graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.entra_server import FakeEntra
from fakes.graph_council import ADDRESS, graph_config
from fakes.graph_server import FakeGraph, Request
from helpers import pothole_report
from refused_poll import outbox_rows, poll_once, refusals

pytestmark = pytest.mark.timeout(120)

MEMBER = "jo.bloggs@councillors.example.gov.uk"
REFUSED = 4


def config(folder: Path, graph: FakeGraph, entra: FakeEntra) -> Path:
    return graph_config(folder, graph.base_url, entra.url)


def member_mail(subject: str) -> bytes:
    return pothole_report(ADDRESS, subject)


def to_member(graph: FakeGraph) -> list[bytes]:
    return [raw for recipients, raw in graph.outgoing if MEMBER in recipients]


def test_an_app_without_mail_send_exits_4_and_sends_each_mail_once_when_granted(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, entra = clouds
    path = config(tmp_path, graph, entra)
    graph.denied = {"send"}
    graph.deliver(member_mail("Pothole on Castle Street"))

    refused = poll_once(path)

    assert refused.exit_code == REFUSED, refused.output
    queued = outbox_rows(path)
    assert queued and all(status == "pending" for _, status in queued), queued
    assert graph.outgoing == []
    assert len(graph.messages_in("Processed")) == 1  # moving was allowed: it moved
    (line,) = refusals(refused)
    assert line.startswith(f"mailbot: refused: sending mail: {len(queued)} mail(s) wait "
                           "in the outbox"), line
    assert "403 ErrorAccessDenied" in line  # the server's words
    assert "Access is denied. Check credentials and try again." in line
    assert "Mail.Send application permission" in line  # what to change
    assert "Mail.ReadWrite" not in line

    graph.denied = set()  # the administrator grants Mail.Send
    fixed = poll_once(path)

    assert fixed.exit_code == 0, fixed.output
    assert refusals(fixed) == []
    assert [status for _, status in outbox_rows(path)] == ["sent"] * len(queued)
    assert len(graph.outgoing) == len(queued)
    (ack,) = to_member(graph)
    assert b"Pothole on Castle Street" in ack

    again = poll_once(path)
    assert again.exit_code == 0, again.output
    assert len(graph.outgoing) == len(queued)  # never sent twice


def test_an_app_with_mail_read_only_exits_4_and_the_message_is_moved_when_granted(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, entra = clouds
    path = config(tmp_path, graph, entra)
    graph.denied = {"write"}  # Mail.Read (and Mail.Send): the Processed folder cannot be made
    graph.deliver(member_mail("Streetlight out on Mill Lane"))

    refused = poll_once(path)

    assert refused.exit_code == REFUSED, refused.output
    assert len(graph.messages_in("inbox")) == 1  # left where it was
    assert len(to_member(graph)) == 1  # sending was allowed: the member was acknowledged
    (line,) = refusals(refused)
    assert line.startswith("mailbot: refused: moving to Processed: 1 handled message(s) "
                           "stay in the Inbox"), line
    assert "403 ErrorAccessDenied" in line
    assert "Mail.ReadWrite application permission" in line

    graph.denied = set()  # Mail.ReadWrite granted
    fixed = poll_once(path)

    assert fixed.exit_code == 0, fixed.output
    assert refusals(fixed) == []
    assert graph.messages_in("inbox") == []
    assert len(graph.messages_in("Processed")) == 1
    assert len(to_member(graph)) == 1  # not acknowledged twice


def test_a_throttled_send_is_no_refusal(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, entra = clouds
    path = config(tmp_path, graph, entra)

    def throttle_sending(request: Request) -> None:
        if request.path.endswith("/sendMail"):
            graph.fail_next(1, 429, retry_after="300")  # longer than mailbot waits

    graph.before_request = throttle_sending
    graph.deliver(member_mail("Bins not collected"))

    result = poll_once(path)

    assert result.exit_code == 0, result.output
    assert refusals(result) == []
    assert graph.outgoing == []
    assert "mail(s) not sent yet" in result.stdout
