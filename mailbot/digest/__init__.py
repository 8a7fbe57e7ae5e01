"""The weekly digest for managers (their officers' cases) and for the whole council.

One idea a module:
- periods.py: the digest's weeks (Europe/London): its own, last week, the 12-week window;
- recipients.py: who gets a digest, and whose cases it covers (a Scope);
- figures.py: the queries over a scope's cases and the counts made from them;
- kpis.py: the protocol KPIs per kind over the cases received in the window;
- context.py: all of that laid out for the templates (confidential cases by reference);
- case_lists.py, due_todo.py: the lists of cases, and what to do about each;
- send.py: the job: render, and queue one digest per recipient per ISO week.
"""

from mailbot.digest.context import build_digest
from mailbot.digest.recipients import WHOLE_COUNCIL, Scope, digest_targets
from mailbot.digest.send import (
    DigestReport,
    digest_slot,
    preview,
    preview_targets,
    render_digest,
    send_digests,
)

__all__ = [
    "WHOLE_COUNCIL",
    "DigestReport",
    "Scope",
    "build_digest",
    "digest_slot",
    "digest_targets",
    "preview",
    "preview_targets",
    "render_digest",
    "send_digests",
]
