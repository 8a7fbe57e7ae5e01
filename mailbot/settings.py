"""The configuration: one TOML file, validated once, with environment overrides for secrets.

Any key can be set from the environment as MAILBOT_<SECTION>__<KEY> (nested tables use
more `__`), which is where passwords belong. Relative paths are relative to the config file.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time as dt_time
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from mailbot import config_explain as explain
from mailbot.config_explain import ENV_PREFIX

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

    @field_validator("url")
    @classmethod
    def _usable_url(cls, url: str) -> str:
        if url:
            check_database_url(url)
        return url


def check_database_url(url: str) -> None:
    """Refuse, in words, a URL the store cannot open: found at start-up, not at the first
    query, and never echoing the password that such a URL may carry."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    hint = 'use "sqlite:///path/mailbot.db" or "postgresql+psycopg://user@host/db"'
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"not a database URL; {hint}") from None
    except ValueError:  # a port that is not a number ("host:/db", "host:54x2")
        raise ValueError(
            f"the port after the host's ':' is not a number; {hint}, with :PORT only if it "
            "is not 5432"
        ) from None
    if parsed.host and "@" in parsed.host:
        # "user:p@ss@host" is read as the host "ss@host": the login would go to a machine
        # named after part of the password. (Not echoed: it would be in the log.)
        raise ValueError(
            "more than one @: a password with @ in it must be written %40 in the URL "
            "(and : as %3A, / as %2F, # as %23, % as %25)"
        )
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(
            f"{parsed.drivername!r} is not a database mailbot can use (SQLite or PostgreSQL); "
            f"{hint}"
        )
    try:
        parsed.get_dialect().import_dbapi()
    except ImportError as exc:
        fix = "install mailbot with the [postgres] extra" if parsed.get_driver_name() == (
            "psycopg"
        ) else hint
        raise ValueError(
            f"the driver for {parsed.drivername!r} is not installed ({exc}); {fix}"
        ) from None


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
        # A space pasted around the address would make our own mail look like a stranger's.
        address = self.address.strip()
        if "@" not in address or any(c.isspace() or c in ",;<>" for c in address):
            raise ValueError(f"address: {self.address!r} is not an email address")
        self.address = address
        if self.backend == "imap" and not self.imap.username:
            raise ValueError('imap.username: required when backend = "imap"')
        if self.backend == "ews":
            self._ews_has_credentials()
        if self.backend == "graph" and not (self.graph.tenant_id and self.graph.client_id):
            raise ValueError('graph.tenant_id and graph.client_id: required for backend "graph"')
        graph = self.graph
        if self.backend == "graph" and not (graph.client_secret or graph.certificate_path):
            # The backend refuses to start without one: say so at check-config, not at the
            # first poll. The secret normally comes from the environment.
            raise ValueError(
                "graph.client_secret: required unless graph.certificate_path is set (set "
                "MAILBOT_MAILBOX__GRAPH__CLIENT_SECRET)"
            )
        return self

    def _ews_has_credentials(self) -> None:
        ews = self.ews
        if ews.auth_type != "oauth":
            if not ews.username:
                raise ValueError("ews.username: required for ntlm or basic login")
            if not ews.password:
                raise ValueError(
                    "ews.password: required for ntlm or basic login (set "
                    "MAILBOT_MAILBOX__EWS__PASSWORD)"
                )
            return
        for key in ("tenant_id", "client_id", "client_secret"):
            if not getattr(ews, key):
                raise ValueError(
                    f"ews.{key}: required for oauth (set MAILBOT_MAILBOX__EWS__{key.upper()})"
                )


class DirectorySettings(Section):
    members: Path | None = None
    officers: Path | None = None
    acknowledge_unknown_senders: bool = False
    admins: list[str] = []

    @model_validator(mode="after")
    def _admin_addresses(self) -> DirectorySettings:
        # Compared with senders as written: " IT@Council.gov.uk " would never match one.
        for address in self.admins:
            if "@" not in address or any(c.isspace() or c in ",;<>" for c in address.strip()):
                raise ValueError(f"admins: {address!r} is not an email address")
        self.admins = [a.strip().lower() for a in self.admins]
        return self


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
    # The council's own relay (a Google Group, a Mailman or Exchange list) that feeds the
    # shared mailbox: its List-Id. Mail that came through it is judged as its sender sent
    # it, not as list mail (mailbot.own_relay.as_sent_before_relay).
    relay_list_ids: list[str] = []
    # DESIGN rule 4 marks all our mail `X-Auto-Response-Suppress: All` and `Auto-Submitted`,
    # which also stops Exchange sending an officer's out-of-office and a dead address's
    # bounce. True: mail to an officer about their case asks for those (absence.py acts on
    # them), and is still known as ours by the loop header if it comes back.
    officer_auto_replies: bool = False

    @field_validator("relay_list_ids")
    @classmethod
    def _list_ids(cls, values: list[str]) -> list[str]:
        return [normal_list_id(value) for value in values]


_LIST_ID = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)+$")


def normal_list_id(value: str) -> str:
    """A List-Id as the header gives it (RFC 2919), lower-cased and without <>; the group's
    address is accepted too (Google Groups and Mailman make the id from it, @ becoming .)."""
    found = value.strip().lower()
    if found.startswith("<") and found.endswith(">"):
        found = found[1:-1].strip()
    if found.count("@") == 1:
        found = found.replace("@", ".")
    if not _LIST_ID.match(found):
        raise ValueError(
            f"{value!r} is not a list id; give the value of the relay's "
            "List-Id header, such as \"memberenquiries.council.gov.uk\", or the group's "
            "address"
        )
    return found


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

    @field_validator("time", mode="before")
    @classmethod
    def _time_of_day(cls, value: object) -> dt_time:
        return parse_time_of_day(value)

    @model_validator(mode="after")
    def _addresses(self) -> DigestSettings:
        for address in self.recipients:
            if "@" not in address or " " in address.strip():
                raise ValueError(f"recipients: {address!r} is not an email address")
        self.recipients = [a.strip().lower() for a in self.recipients]
        return self


_CLOCK_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def parse_time_of_day(value: object) -> dt_time:
    """A wall-clock time in Europe/London: "9:00", "09:00", or a TOML time such as 09:00:00.

    A number (pydantic would read 9 as nine seconds past midnight) or a time with an
    offset (London's offset changes twice a year) is refused rather than guessed at.
    """
    if isinstance(value, dt_time):
        if value.tzinfo is not None:
            raise ValueError(f"{value.isoformat()!r} has a UTC offset; {_TIME_HINT}")
        return value
    found = _CLOCK_TIME.match(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"{value!r} is not a time of day; {_TIME_HINT}")
    hour, minute, second = (int(part or 0) for part in found.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{value!r} is not a time of day; {_TIME_HINT}")
    return dt_time(hour, minute, second)


_TIME_HINT = 'write it as "HH:MM" on the 24-hour clock, UK time, e.g. "08:00"'


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
        env_prefix=ENV_PREFIX,
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
    read_environment: ClassVar[bool] = True

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
        return (env_settings, init_settings) if cls.read_environment else (init_settings,)

    @model_validator(mode="after")
    def _data_dir_is_a_folder(self) -> Settings:
        # The folder is made on start; a file in the way would stop every command with a
        # bare FileExistsError or NotADirectoryError.
        in_the_way = next((p for p in (self.data_dir, *self.data_dir.parents) if p.exists()), None)
        if in_the_way is not None and not in_the_way.is_dir():
            raise ValueError(f"council.data_dir: {in_the_way} is a file, not a folder")
        return self

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
        return explicit.expanduser()
    from_env = os.environ.get("MAILBOT_CONFIG")
    if from_env:
        # systemd's Environment= and a quoted shell value leave "~" unexpanded.
        return Path(from_env).expanduser()
    default = Path.cwd() / DEFAULT_CONFIG_NAME
    return default if default.exists() else None


class FileOnlySettings(Settings):
    """Settings from the file alone: MAILBOT_* variables are not read."""

    read_environment: ClassVar[bool] = False


def load_settings(path: Path | None, *, environment: bool = True) -> Settings:
    """Read and validate the config once. Raises ConfigError listing every problem.
    With `environment` False the MAILBOT_* variables are ignored: the demo, run on a
    council's server, must not reach the real database or mailbox they name."""
    data: dict[str, Any] = {}
    if path is not None:
        path = path.resolve()
        data = _read_toml(path)
    from_env = explain.config_variables(os.environ) if environment else {}
    problems = explain.unknown_variables(from_env, Settings)
    kind = Settings if environment else FileOnlySettings
    try:
        settings = kind(**data, config_path=path)
    except ValidationError as exc:
        problems += [explain.describe(err, from_env, Settings) for err in exc.errors()]
    except SettingsError:
        # pydantic-settings could not decode a list or table given in the environment.
        problems += explain.undecodable_variables(from_env, Settings) or [
            f"a {ENV_PREFIX}... environment variable could not be read (lists and tables "
            "are written as JSON)"
        ]
    if problems:
        raise ConfigError(path, problems)
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except OSError as exc:
        raise ConfigError(path, [f"cannot read: {exc.strerror or exc}"]) from None
    try:
        # utf-8-sig: Notepad and some editors start the file with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            path, [f"line {line}: not UTF-8 text (save the file as UTF-8)"]
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None


_LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")


def settings_warnings(settings: Settings) -> list[str]:
    """What validates but is probably a mistake, each naming the key (and the variable to
    set): an empty password, mail sent in clear over a network, no members at all."""
    box = settings.mailbox
    found: list[str] = []
    # Left at the demo's values, every letter would be signed by, and sent from, them.
    for key, value, default in (
        ("council.name", settings.council.name, CouncilSettings().name),
        ("mailbox.address", box.address, MailboxSettings().address),
    ):
        if value == default:
            found.append(f"{key} is not set, so every letter says {default!r}")

    def secret(key: str, value: str, why: str) -> None:
        if not value:
            variable = ENV_PREFIX + key.upper().replace(".", "__")
            found.append(f"{key} is empty, so {why}; set {variable}")

    if box.backend == "imap":
        secret("mailbox.imap.password", box.imap.password, "the IMAP login will be refused")
    if box.backend in ("imap", "maildir") and box.smtp.host and box.smtp.username:
        secret("mailbox.smtp.password", box.smtp.password, "the SMTP login will be refused")
    for key, host, security, used in (
        ("mailbox.imap", box.imap.host, box.imap.security, box.backend == "imap"),
        ("mailbox.smtp", box.smtp.host, box.smtp.security, bool(box.smtp.host)),
    ):
        if used and security == "none" and host not in _LOCAL_HOSTS:
            found.append(
                f'{key}.security = "none" sends the password and members\' mail unencrypted '
                f"to {host}; use tls or starttls unless the server is on this machine"
            )
    if settings.directory.members is None:
        found.append(
            "directory.members is not set, so no sender is a known member and nobody gets "
            "an acknowledgement"
        )
    return found + _secrets_others_can_read(settings.config_path)


# Keys whose value is a secret when written in the file (a database URL may carry one).
_SECRET_KEYS = ("mailbox.imap.password", "mailbox.smtp.password", "mailbox.ews.password",
                "mailbox.ews.client_secret", "mailbox.graph.client_secret", "database.url")


def _secrets_others_can_read(path: Path | None) -> list[str]:
    """A password written in a config file that every user of the machine may read
    (mode 0644, as cp and most editors leave it): one line naming the keys, the file's mode
    and the two ways to put it right."""
    if path is None:
        return []
    try:
        mode = path.stat().st_mode & 0o777
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    if not mode & 0o004:
        return []
    written = [key for key in _SECRET_KEYS if _has_secret(key, _value_at(data, key))]
    if not written:
        return []
    variables = ", ".join(ENV_PREFIX + key.upper().replace(".", "__") for key in written)
    return [
        f"{', '.join(written)}: a secret is written in this file, which every user of this "
        f"machine can read (mode {mode:04o}); chmod o-r {path} (the service's user must "
        f"still read it), or move it to the environment ({variables})"
    ]


def _value_at(data: dict[str, Any], dotted: str) -> object:
    found: object = data
    for part in dotted.split("."):
        found = found.get(part) if isinstance(found, dict) else None
    return found


def _has_secret(key: str, value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if key != "database.url":
        return True
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return bool(make_url(value).password)
    except ArgumentError:
        return False
