"""iPhone and Mac Mail quote the "On ... wrote:" line with the history below it."""

from __future__ import annotations

from mailbot.quoting import above_our_quoted_mail, quoted_attribution

OURS = ("memberenquiries@council.gov.uk", "Member Enquiries")


def test_a_quoted_attribution_of_our_mail_is_cut_off() -> None:
    body = ("Forgot to say: it is on the bend.\n\nJo\n\n"
            "> On 25 Nov 2026, at 10:02, Member Enquiries wrote:\n> \n> Dear Cllr Jo Bloggs,\n")
    assert above_our_quoted_mail(body, OURS) == "Forgot to say: it is on the bend.\n\nJo"


def test_a_quoted_attribution_wrapped_over_two_lines() -> None:
    lines = ["Thanks", "", "> On 25 Nov 2026, at 10:02, Member Enquiries",
             "> <memberenquiries@council.gov.uk> wrote:", "> Dear Cllr Jo Bloggs,"]
    assert quoted_attribution(lines) == (2, False)


def test_someone_elses_quoted_mail_is_kept() -> None:
    body = "See below.\n\n> On 24 Nov 2026, at 09:00, Pat Resident wrote:\n> The hole is deep.\n"
    assert above_our_quoted_mail(body, OURS) is None


def test_a_quoted_line_that_is_not_an_attribution() -> None:
    assert quoted_attribution(["Yes", "> I wrote this on Monday", "> and more"]) is None
