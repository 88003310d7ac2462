"""Settings from the environment and an optional .env file (pydantic-settings)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

OFFICIAL_API_URL = "https://api.telegram.org"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr
    # Base URL of a Bot API server: the official one, a self-hosted telegram-bot-api, or the test stand-in.
    telegram_api_url: str = OFFICIAL_API_URL
    # A self-hosted server started with --local serves files from its disk and lifts the 20 MB download limit.
    telegram_api_local: bool = False
    database_path: Path = Path("data/coach.db")
    default_timezone: str = "Europe/Moscow"
    log_level: str = "INFO"
    locale: str = "ru"
    # Uploads: the official Bot API lets bots download at most 20 MB; raise it only with a local server.
    max_upload_mb: float = Field(default=20.0, gt=0)
    max_export_rows: int = Field(default=1_500_000, gt=0)
    analysis_timeout_s: float = Field(default=120.0, gt=0)
    analysis_memory_mb: int = Field(default=3072, gt=0)
    invite_ttl_days: int = Field(default=14, gt=0)
    # Full reports behind the "full report" button are aggregates, but we still keep them only this long.
    report_retention_days: int = Field(default=30, gt=0)
    # Scheduled messages (reminders, digests, nudges): overall rate; Telegram's ceiling is about 30/s.
    send_rate: float = Field(default=25.0, gt=0, le=30)
    # After downtime, occurrences missed by at most this long are still sent (marked late); older ones are not.
    reminder_grace_hours: float = Field(default=6.0, ge=0)
    # A claimed reminder not confirmed within this is sent again (a crash between claim and send).
    reminder_lease_s: float = Field(default=120.0, gt=0)
    # How often the engine looks for work done by another instance (its own work wakes it at once).
    reminder_tick_s: float = Field(default=5.0, gt=0)

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def invite_ttl(self) -> timedelta:
        return timedelta(days=self.invite_ttl_days)

    @property
    def reminder_grace(self) -> timedelta:
        return timedelta(hours=self.reminder_grace_hours)
