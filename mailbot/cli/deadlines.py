"""`mailbot deadlines`: the due dates a policy pack gives, with no config or database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mailbot.cli.common import fail


def deadlines(
    policy: Annotated[
        str | None,
        typer.Option(help="Pack name (wiltshire, mwda, colchester, hackney, cardiff) or a path."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="enquiry, foi, complaint or confidentiality.")
    ] = None,
    priority: Annotated[str, typer.Option(help="normal or important.")] = "normal",
    received: Annotated[
        str | None, typer.Option(help="ISO 8601 time with an offset, e.g. 2026-11-25T16:30:00Z.")
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option(help="JSONL file of {policy, kind, priority, received} lines ('-': stdin)."),
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also say how each date was reached.")
    ] = False,
) -> None:
    """Acknowledgement and response due dates for a message (no config or database needed)."""
    from mailbot import deadlines as dl

    if batch is not None:
        if kind is not None or received is not None:
            raise fail("--batch reads kind and received from each line; drop --kind/--received", 2)
        failed = total = 0
        try:
            rows = dl.run_batch(dl.read_lines(batch), default_policy=policy, explain=explain)
            for row, ok in rows:
                total += 1
                failed += not ok
                typer.echo(dl.to_json(row))
        except dl.InputError as exc:
            raise fail(str(exc), 2) from None
        if failed:
            raise fail(f'{failed} of {total} lines had errors (see their "error" field)')
        return
    missing = [
        f"--{name}"
        for name, value in (("policy", policy), ("kind", kind), ("received", received))
        if value is None
    ]
    if missing:
        raise fail(f"missing {', '.join(missing)} (or give --batch FILE.jsonl)", 2)
    try:
        answer = dl.compute(dl.PolicyCache().get(policy), kind, priority, received)
    except dl.InputError as exc:
        raise fail(str(exc).removeprefix("policy: "), 2) from None
    typer.echo(dl.to_json(answer.fields(with_explanation=False)))
    if explain:
        typer.echo("\n".join(answer.explanation))
