"""The configuration: one TOML file, validated once, with environment overrides for secrets.

Any key can be set from the environment as MAILBOT_<SECTION>__<KEY> (nested tables use
more `__`), which is where passwords belong. Relative paths are relative to the config file.

One idea a module:
- load.py: finding the file and reading it once (load_settings, ConfigError);
- root.py: Settings, all the sections together, paths resolved against the file;
- sections.py: the base of every section, and [council], [classifier], [scheduler], [logging];
- database.py, mailbox.py, people.py ([directory], [routing]), loops.py, digest.py,
  retention.py: a section each, with its own checks;
- mistakes.py: what validates but is probably a mistake (settings_warnings);
- toml_text.py: a TOML syntax error said with its line, key and what to write instead
  (read_toml; the config and the policy packs).
"""

from mailbot.settings.database import DatabaseSettings, check_database_url
from mailbot.settings.digest import DigestSettings, Weekday, parse_time_of_day
from mailbot.settings.load import (
    DEFAULT_CONFIG_NAME,
    ConfigError,
    FileOnlySettings,
    find_config,
    load_settings,
)
from mailbot.settings.loops import LoopSettings, normal_list_id
from mailbot.settings.mailbox import (
    EwsSettings,
    GraphSettings,
    ImapSettings,
    MailboxSettings,
    MaildirSettings,
    Security,
    SmtpSettings,
)
from mailbot.settings.mistakes import settings_warnings
from mailbot.settings.people import DirectorySettings, RoutingRule, RoutingSettings
from mailbot.settings.retention import RetentionSettings
from mailbot.settings.root import Settings
from mailbot.settings.sections import (
    ClassifierSettings,
    CouncilSettings,
    LoggingSettings,
    SchedulerSettings,
    Section,
)

__all__ = [
    "DEFAULT_CONFIG_NAME",
    "ClassifierSettings",
    "ConfigError",
    "CouncilSettings",
    "DatabaseSettings",
    "DigestSettings",
    "DirectorySettings",
    "EwsSettings",
    "FileOnlySettings",
    "GraphSettings",
    "ImapSettings",
    "LoggingSettings",
    "LoopSettings",
    "MailboxSettings",
    "MaildirSettings",
    "RetentionSettings",
    "RoutingRule",
    "RoutingSettings",
    "SchedulerSettings",
    "Section",
    "Security",
    "Settings",
    "SmtpSettings",
    "Weekday",
    "check_database_url",
    "find_config",
    "load_settings",
    "normal_list_id",
    "parse_time_of_day",
    "settings_warnings",
]
