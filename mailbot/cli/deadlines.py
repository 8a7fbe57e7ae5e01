"""`mailbot deadlines`: the due dates a policy pack gives, with no config or database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mailbot.cli.common import fail

if TYPE_CHECKING:
    from mailbot.policy import Policy


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
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="A council's config: its pack with its [policy] overrides (closures, "
            "one-off holidays), the dates its letters give. Instead of --policy.",
        ),
    ] = None,
) -> None:
    """Acknowledgement and response due dates for a message (no config or database needed)."""
    from mailbot import deadlines as dl

    council = None
    if config is not None:
        if policy is not None:
            raise fail("give --policy (a pack as shipped) or --config (the council's), not both",
                       2)
        council = _council_policy(config)
    default = council if council is not None else policy
    if batch is not None:
        if kind is not None or received is not None:
            raise fail("--batch reads kind and received from each line; drop --kind/--received", 2)
        failed = total = 0
        try:
            rows = dl.run_batch(dl.read_lines(batch), default_policy=default, explain=explain)
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
        for name, value in (("policy", default), ("kind", kind), ("received", received))
        if value is None
    ]
    if missing:
        raise fail(f"missing {', '.join(missing)} (or give --batch FILE.jsonl)", 2)
    try:
        chosen = council if council is not None else dl.PolicyCache().get(policy)
        answer = dl.compute(chosen, kind, priority, received)
    except dl.InputError as exc:
        raise fail(str(exc).removeprefix("policy: "), 2) from None
    typer.echo(dl.to_json(answer.fields(with_explanation=False)))
    if explain:
        typer.echo("\n".join(answer.explanation))


def _council_policy(config: Path) -> Policy:
    """The policy the daemon runs under this config: its pack and its [policy] overrides,
    or exit naming the file and key, as check-config does."""
    from mailbot.app import _packs_dir
    from mailbot.cli.common import load_config
    from mailbot.policy import PolicyError, load_policy

    settings = load_config(config)
    try:
        return load_policy(settings.council.policy, overrides=settings.policy or None,
                           packs_dir=_packs_dir(settings), base_dir=settings.base_dir)
    except PolicyError as exc:
        where = settings.config_path or config
        raise fail(f"{where}: council.policy / [policy]: {exc}", 2) from None
