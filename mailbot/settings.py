"""The configuration: one TOML file, validated once, with environment overrides for secrets.

Any key can be set from the environment as MAILBOT_<SECTION>__<KEY> (nested tables use
more `__`), which is where passwords belong. Relative paths are relative to the config file.
"""

from __future__ import annotations

import os
import tomllib
from datetime import time as dt_time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG_NAME = "mailbot.toml"


class ConfigError(Exception):
    """Every problem found in a config file, each naming the key and the file."""

    def __init__(self, path: Path | None, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        where = str(path) if path else "<defaults>"
        super().__init__("; ".join(f"{where}: {p}" for p in problems))

    def lines(self) -> list[str]:
        where = str(self.path) if self.path else "<defaults>"
        return [f"{where}: {p}" for p in self.problems]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class CouncilSettings(Section):
    name: str = "Demo Borough Council"
    policy: str = "wiltshire"
    data_dir: Path = Path("var")
    instance: str = Field(
        default="mailbot", description="Names this installation in our loop header"
    )


class DatabaseSettings(Section):
    url: str = ""  # empty: sqlite in data_dir


Security = Literal["tls", "starttls", "none"]


class ImapSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=993, ge=1, le=65535)
    security: Security = "tls"
    username: str = ""
    password: str = ""
    inbox: str = "INBOX"
    processed: str = "Processed"
    sent: str = "Sent"
    watch_sent: bool = False  # also read Sent, to see replies sent as the shared mailbox
    ca_file: Path | None = None  # PEM trusted besides the system's CAs: own CA, self-signed


class SmtpSettings(Section):
    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    security: Security = "starttls"
    username: str = ""
    password: str = ""
    ca_file: Path | None = None  # PEM trusted besides the system's CAs: own CA, self-signed


class MaildirSettings(Section):
    path: Path = Path("mailbox")
    outbox: Path = Path("outbox")


class EwsSettings(Section):
    service_endpoint: str = ""  # empty: Exchange Online's endpoint for oauth, else autodiscover
    auth_type: Literal["ntlm", "basic", "oauth"] = "ntlm"
    access_type: Literal["delegate", "impersonation"] = "delegate"
    username: str = ""
    password: str = ""
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    token_endpoint: str = ""
    processed: str = "Processed"
    create_processed_folder: bool = True
    watch_sent: bool = False  # also read Sent Items, to see replies sent as the shared mailbox


class GraphSettings(Section):
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    certificate_path: Path | None = None
    certificate_thumbprint: str = ""
    processed: str = "Processed"
    base_url: str = "https://graph.microsoft.com/v1.0"
    watch_sent: bool = False  # also read Sent Items, to see replies sent as the shared mailbox


class MailboxSettings(Section):
    backend: Literal["ews", "graph", "imap", "maildir"] = "maildir"
    address: str = "memberenquiries@example.gov.uk"
    display_name: str = "Member Enquiries"
    imap: ImapSettings = ImapSettings()
    smtp: SmtpSettings = SmtpSettings()
    maildir: MaildirSettings = MaildirSettings()
    ews: EwsSettings = EwsSettings()
    graph: GraphSettings = GraphSettings()

    @model_validator(mode="after")
    def _backend_is_configured(self) -> MailboxSettings:
        if "@" not in self.address:
            raise ValueError(f"address: {self.address!r} is not an email address")
        if self.backend == "imap" and not self.imap.username:
            raise ValueError('imap.username: required when backend = "imap"')
        if self.backend == "ews" and self.ews.auth_type != "oauth" and not self.ews.username:
            raise ValueError("ews.username: required for ntlm or basic login")
        if self.backend == "graph" and not (self.graph.tenant_id and self.graph.client_id):
            raise ValueError('graph.tenant_id and graph.client_id: required for backend "graph"')
        return self


class DirectorySettings(Section):
    members: Path | None = None
    officers: Path | None = None
    acknowledge_unknown_senders: bool = False
    admins: list[str] = []


class RoutingRule(Section):
    """One routing rule: a case matching it is assigned to `officer`.

    A rule matches when any keyword is a word of the subject or body (case-insensitive)
    and, if wards are given, the member's ward is one of them; a rule with only wards
    matches on the ward alone. Kinds, if given, limit the rule to those kinds.
    """

    name: str = ""
    officer: str
    keywords: list[str] = []
    wards: list[str] = []
    kinds: list[Literal["enquiry", "foi", "complaint", "confidentiality"]] = []

    @model_validator(mode="after")
    def _usable(self) -> RoutingRule:
        if "@" not in self.officer or " " in self.officer.strip():
            raise ValueError(f"officer: {self.officer!r} is not an email address")
        self.officer = self.officer.strip().lower()
        if not self.keywords and not self.wards:
            raise ValueError("keywords: a rule needs keywords, wards or both")
        return self


class RoutingSettings(Section):
    # Cases no rule assigns (and mail from people who are not known members) go here;
    # empty: they stay unassigned, for `mailbot cases --triage`.
    default_officer: str = ""
    # A known officer the member wrote to or copied in gets the case before any rule.
    prefer_addressed_officer: bool = True
    rules: list[RoutingRule] = []

    @model_validator(mode="after")
    def _default_is_address(self) -> RoutingSettings:
        if self.default_officer and "@" not in self.default_officer:
            raise ValueError(f"default_officer: {self.default_officer!r} is not an email address")
        self.default_officer = self.default_officer.strip().lower()
        return self


class ClassifierSettings(Section):
    model_dir: Path | None = None  # default: <data_dir>/model
    threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    corrections: Path | None = None  # default: <data_dir>/corrections.jsonl
    train_if_missing: bool = True


class LoopSettings(Section):
    max_per_recipient: int = Field(default=10, ge=1)
    window_hours: float = Field(default=3.0, gt=0)


class SchedulerSettings(Section):
    poll_seconds: int = Field(default=60, ge=5)
    flush_seconds: int = Field(default=30, ge=5)
    # Between polls, wait on IMAP IDLE where the server offers it, so new mail is handled
    # (and acknowledged) within seconds instead of at the next poll.
    idle: bool = True


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class DigestSettings(Section):
    """The weekly digest (docs/digest.md): when it goes (Europe/London) and to whom."""

    enabled: bool = True
    day: Weekday = "monday"
    time: dt_time = dt_time(8, 0)
    recipients: list[str] = []  # who gets the whole-council digest
    managers: bool = True  # one digest per manager in officers.csv, for their team
    list_limit: int = Field(default=50, ge=1)  # cases listed per table; the rest counted

    @model_validator(mode="after")
    def _addresses(self) -> DigestSettings:
        for address in self.recipients:
            if "@" not in address or " " in address.strip():
                raise ValueError(f"recipients: {address!r} is not an email address")
        self.recipients = [a.strip().lower() for a in self.recipients]
        return self


class RetentionSettings(Section):
    """How long personal data is kept, in days (docs/retention.md); 0 keeps it for ever.

    The daily purge (mailbot/retention.py) erases what is older than these. Message-IDs,
    case references, kinds, dates and statuses are never erased: they are the dedup
    ledger and the statistics.
    """

    # Raw bytes of mail that joined no case: automatic mail (auto-replies, bounces, bulk,
    # receipts, calendar) and anything else recorded and dropped. Counted from receipt.
    dropped_mail_days: int = Field(default=30, ge=0)
    # Raw bytes of quarantined mail, counted from receipt: longer, a person looks first.
    quarantined_mail_days: int = Field(default=90, ge=0)
    # Raw bytes of a case's mail, counted from the case's last change once it is
    # answered or closed (an open case's mail is never erased).
    closed_case_mail_days: int = Field(default=365, ge=0)
    # The MIME of our own mail once sent (or suppressed, or failed), counted from then;
    # mail about a case that is still open is kept.
    sent_mail_days: int = Field(default=365, ge=0)
    # Anonymise an answered or closed case this long after its last change: the member's
    # name, address and subject, its mail, and the free text of its audit trail.
    anonymise_cases_days: int = Field(default=2190, ge=0)
    # Lines of the classifier corrections file (members' message text), by their date.
    corrections_days: int = Field(default=730, ge=0)
    # Rows changed per transaction, so a first purge of years of mail never holds one
    # huge transaction.
    batch_size: int = Field(default=500, ge=1, le=100_000)

    @model_validator(mode="after")
    def _quarantine_gets_looked_at(self) -> RetentionSettings:
        if 0 < self.quarantined_mail_days < 7:
            raise ValueError(
                "quarantined_mail_days: must be 0 (keep) or at least 7, so a person can "
                "look at quarantined mail before it is erased"
            )
        return self


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_format: bool = Field(default=False, alias="json")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MAILBOT_",
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
    )

    council: CouncilSettings = CouncilSettings()
    database: DatabaseSettings = DatabaseSettings()
    mailbox: MailboxSettings = MailboxSettings()
    directory: DirectorySettings = DirectorySettings()
    routing: RoutingSettings = RoutingSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    loops: LoopSettings = LoopSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    logging: LoggingSettings = LoggingSettings()
    digest: DigestSettings = DigestSettings()
    retention: RetentionSettings = RetentionSettings()
    policy: dict[str, Any] = {}  # overrides of the chosen policy pack, validated by the pack
    config_path: Path | None = Field(default=None, exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment beats the file: secrets and container overrides live there.
        return (env_settings, init_settings)

    @property
    def base_dir(self) -> Path:
        return self.config_path.parent if self.config_path else Path.cwd()

    def resolve(self, path: Path) -> Path:
        """A path from the config, relative to the config file's folder."""
        path = path.expanduser()
        return path if path.is_absolute() else (self.base_dir / path)

    @property
    def data_dir(self) -> Path:
        return self.resolve(self.council.data_dir)

    @property
    def database_url(self) -> str:
        if self.database.url:
            return _resolve_sqlite_url(self.database.url, self.base_dir)
        return f"sqlite:///{self.data_dir / 'mailbot.db'}"

    @property
    def model_dir(self) -> Path:
        configured = self.classifier.model_dir
        return self.resolve(configured) if configured else self.data_dir / "model"

    @property
    def corrections_path(self) -> Path:
        configured = self.classifier.corrections
        return self.resolve(configured) if configured else self.data_dir / "corrections.jsonl"


def _resolve_sqlite_url(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(base / url[len(prefix) :])
    return url


def find_config(explicit: Path | None) -> Path | None:
    """The config file to use: --config, else $MAILBOT_CONFIG, else ./mailbot.toml if present."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("MAILBOT_CONFIG")
    if from_env:
        return Path(from_env)
    default = Path.cwd() / DEFAULT_CONFIG_NAME
    return default if default.exists() else None


def load_settings(path: Path | None) -> Settings:
    """Read and validate the config once. Raises ConfigError listing every problem."""
    data: dict[str, Any] = {}
    if path is not None:
        path = path.resolve()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(path, ["file not found"]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(path, [f"cannot read: {exc}"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(path, [f"not valid TOML: {exc}"]) from None
    try:
        return Settings(**data, config_path=path)
    except ValidationError as exc:
        raise ConfigError(path, [_describe(err) for err in exc.errors()]) from None


def _describe(err: Any) -> str:
    key = ".".join(str(part) for part in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"{key}: unknown key (check the spelling against config/mailbot.example.toml)"
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "value_error" and ":" in message:
        return f"{key}.{message}" if key else message
    return f"{key}: {message}"
