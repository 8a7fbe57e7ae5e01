"""The composition root: settings in, a ready store, policy, directory, classifier, mailbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Literal

from mailbot.backends.base import Mailbox
from mailbot.classify import Classifier, load_classifier
from mailbot.directory import Directory, DirectoryError, load_directory
from mailbot.directory_keep import fallback_line, keep, kept_folder, start_on_kept
from mailbot.policy import Policy, load_policy
from mailbot.render import Renderer, route_greetings
from mailbot.settings import Settings
from mailbot.store import Store

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    store: Store
    policy: Policy
    directory: Directory
    renderer: Renderer
    backend_override: Mailbox | None = None
    classifier_override: Classifier | None = None
    _backend: Mailbox | None = field(default=None, init=False, repr=False)

    @property
    def mailbox_address(self) -> str:
        return self.settings.mailbox.address.lower()

    @cached_property
    def classifier(self) -> Classifier:
        if self.classifier_override is not None:
            return self.classifier_override
        return load_classifier(
            self.settings.model_dir,
            train_if_missing=self.settings.classifier.train_if_missing,
            corrections=self.settings.corrections_path,
        )

    @property
    def backend(self) -> Mailbox:
        if self.backend_override is not None:
            return self.backend_override
        if self._backend is None:
            self._backend = build_backend(self.settings)
        return self._backend

    @property
    def backend_in_use(self) -> Mailbox | None:
        """The backend if one was made, without making one (a connection) just to ask."""
        return self.backend_override if self.backend_override is not None else self._backend

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        self.store.close()


# What a command does with the daemon's copy of the last directory that validated
# (directory_keep.py): nothing (a command refuses a directory that does not validate),
# "read" it when the files do not validate (`mailbot status`, to show what the daemon
# runs on), or "keep" it up to date and start on it (the daemon).
DirectoryCopy = Literal["none", "read", "keep"]


def build_app(
    settings: Settings,
    *,
    backend: Mailbox | None = None,
    classifier: Classifier | None = None,
    migrate: bool = True,
    directory_copy: DirectoryCopy = "none",
) -> App:
    """Everything a command needs, from validated settings. Runs migrations by default."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    policy = load_policy(
        settings.council.policy,
        overrides=settings.policy or None,
        packs_dir=_packs_dir(settings),
        base_dir=settings.base_dir,
    )
    return App(
        settings=settings,
        store=Store(settings.database_url, migrate=migrate),
        policy=policy,
        directory=_directory(settings, directory_copy),
        renderer=Renderer(_override_templates(settings), route_greetings(policy.routing)),
        backend_override=backend,
        classifier_override=classifier,
    )


def _directory(settings: Settings, copy: DirectoryCopy) -> Directory:
    """The directory from the configured files; when they do not validate, with `copy`,
    from the kept copy if there is one (else the DirectoryError, as without)."""
    given = settings.directory
    try:
        directory = load_directory(
            settings.resolve(given.members) if given.members else None,
            settings.resolve(given.officers) if given.officers else None,
        )
    except DirectoryError as exc:
        kept = start_on_kept(settings, exc) if copy != "none" else None
        if kept is None:
            raise
        directory = kept
        if copy == "keep":
            log.error("%s", fallback_line(directory.last_error, directory.kept_copy))
    if copy == "keep":
        folder = kept_folder(settings)
        # The composition root is where the clock is read: the copy records when it was
        # taken, for "the copy kept on <date>".
        directory.on_loaded = lambda loaded: _keep_now(loaded, folder)
        if not directory.kept_copy:
            _keep_now(directory, folder)
    return directory


def _keep_now(directory: Directory, folder: Path) -> None:
    keep(directory, folder, datetime.now(UTC))


def _packs_dir(settings: Settings) -> Path | None:
    local = settings.base_dir / "policies"
    return local if local.is_dir() else None


def _override_templates(settings: Settings) -> Path | None:
    local = settings.base_dir / "templates"
    return local if local.is_dir() else None


def build_backend(settings: Settings) -> Mailbox:
    """The configured mailbox. Imports only the backend in use."""
    box = settings.mailbox
    if box.backend == "maildir":
        from mailbot.backends.maildir import MaildirMailbox

        return MaildirMailbox(
            path=settings.resolve(box.maildir.path),
            outbox=settings.resolve(box.maildir.outbox),
            smtp=_smtp(settings),
            address=box.address,
        )
    if box.backend == "imap":
        from mailbot.backends.imap import ImapMailbox

        imap = box.imap
        return ImapMailbox(
            host=imap.host,
            port=imap.port,
            security=imap.security,
            username=imap.username,
            password=imap.password,
            inbox=imap.inbox,
            processed=imap.processed,
            sent=imap.sent,
            smtp=_smtp(settings),
            address=box.address,
            watch_sent=imap.watch_sent,
            ca_file=settings.resolve(imap.ca_file) if imap.ca_file else None,
        )
    if box.backend == "graph":
        from mailbot.backends.graph import GraphMailbox

        graph = box.graph
        return GraphMailbox(
            mailbox=box.address,
            tenant_id=graph.tenant_id,
            client_id=graph.client_id,
            client_secret=graph.client_secret or None,
            certificate_path=settings.resolve(graph.certificate_path)
            if graph.certificate_path
            else None,
            certificate_thumbprint=graph.certificate_thumbprint or None,
            processed_folder=graph.processed,
            base_url=graph.base_url,
            authority_host=graph.authority_host,
            watch_sent=graph.watch_sent,
        )
    from mailbot.backends.ews import EwsMailbox

    ews = box.ews
    return EwsMailbox(
        primary_smtp_address=box.address,
        service_endpoint=ews.service_endpoint or None,
        auth_type=ews.auth_type,
        access_type=ews.access_type,
        username=ews.username or None,
        password=ews.password or None,
        tenant_id=ews.tenant_id or None,
        client_id=ews.client_id or None,
        client_secret=ews.client_secret or None,
        token_endpoint=ews.token_endpoint or None,
        processed_folder=ews.processed,
        create_processed_folder=ews.create_processed_folder,
        watch_sent=ews.watch_sent,
    )


def _smtp(settings: Settings):  # type: ignore[no-untyped-def]
    from mailbot.backends.smtp import SmtpSettings

    smtp = settings.mailbox.smtp
    if not smtp.host:
        return None
    return SmtpSettings(
        host=smtp.host,
        port=smtp.port,
        security=smtp.security,
        username=smtp.username,
        password=smtp.password,
        ca_file=settings.resolve(smtp.ca_file) if smtp.ca_file else None,
    )
