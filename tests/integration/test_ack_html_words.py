"""The acknowledgement's HTML part as a mail client shows it: its words are those of the
text part, sentence by sentence, with the space between them (Outlook shows the HTML)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

SENT = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)


def _shown(html: str) -> str:
    """The HTML's words as a client shows them: tags gone, white space as one space."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.mark.parametrize(("pack", "language", "expected"), [
    ("wiltshire", "en",
     "which we received on Monday 14 December 2026. Our reference is MB-2026-00001."),
    ("cardiff", "cy",
     "a ddaeth i law ar ddydd Llun 14 Rhagfyr 2026. Ein cyfeirnod yw MB-2026-00001."),
])
def test_the_reference_follows_the_date_as_its_own_sentence(
    tmp_path: Path, pack: str, language: str, expected: str
) -> None:
    domain = f"{pack}.gov.uk"
    with Council(
        tmp_path, name=f"{pack.title()} Council", policy=pack, mailbox=f"memberenquiries@{domain}",
        members=[("Cllr Jo Bloggs", f"jo@{domain}", "Castle", language)],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n',
    ) as council:
        out = council.deliver(council.mail(f"Cllr Jo Bloggs <jo@{domain}>", "Streetlight",
                                           "The street light is out.", date=SENT), SENT)
        ack = next(m for m in out if str(m["To"]) == f"jo@{domain}")
        assert expected in _shown(body_text(ack, "html"))
        assert expected in " ".join(body_text(ack, "plain").split())
