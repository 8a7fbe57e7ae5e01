"""The text part's "By service and officer" table cut a name or address at 30 characters
without a mark, so a case still with monitoring.officer@wiltshire.example was shown under
"monitoring.officer@wiltshire.e", which reads as the address itself. A cut now ends in
"…" (the 30th character), in English and bilingual digests; a name that fits is as it
was, and the HTML gives every name whole. The month is test_digest_read_as_a_manager's
(its confidential case went to the monitoring officer), read as it left the outbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_digest_read_as_a_manager import _read
from test_digest_says_what_wd_means import sent

ADDRESS = "monitoring.officer@wiltshire.example"


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])
def test_a_name_cut_to_fit_the_table_says_it_was_cut(tmp_path: Path, policy: str) -> None:
    address = ADDRESS.replace("wiltshire", policy)
    text, words = _read(sent(tmp_path, policy)["chief"])
    table = text[text.index("By service and officer"):text.index("Protocol KPIs")
                 if "Protocol KPIs" in text else text.index("DPA y protocol")]
    assert re.search(rf"\n  {re.escape(address[:29])}… +1 ", table), table
    assert f"{address[:30]} " not in table
    assert re.search(r"\n  Sam Patel +3 ", table)  # a name that fits: no mark
    assert f"\n{address} 1 0 1 0 -\n" in words  # the HTML: whole
