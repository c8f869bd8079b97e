"""Every knob of briefbot, read from the environment and `.env`.

Each field is documented in `.env.example`; a test checks that none is missing there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BRIEFBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    corpus: Path = Path("corpus")
    db: Path = Path("data/index.db")
    state_db: Path = Path("data/state.db")
    results: int = Field(3, ge=1, le=10)
    #: Worker processes answering questions beside the bot's event loop (0: its threads).
    search_processes: int = Field(1, ge=0, le=16)

    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "BRIEFBOT_TELEGRAM_BOT_TOKEN")
    )
    telegram_base_url: str = Field(
        "https://api.telegram.org/bot",
        validation_alias=AliasChoices("TELEGRAM_BASE_URL", "BRIEFBOT_TELEGRAM_BASE_URL"),
    )
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None
    page_ttl_days: float = Field(7, gt=0)
    #: Days the questions asked and the votes on the answers are kept (bot/feedback.py);
    #: 0 keeps none and shows no vote buttons.
    feedback_days: float = Field(90, ge=0)
    inline_cache_seconds: int = Field(30, ge=0)
    #: A chat that sends more questions than this within `chat_burst_seconds`, or has this
    #: many waiting, has the rest dropped (with one notice) until it slows down (bot/turns.py).
    chat_burst: int = Field(5, ge=1, le=100)
    chat_burst_seconds: float = Field(3.0, ge=0)

    allowed_chat_ids: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), validation_alias=AliasChoices("ALLOWED_CHAT_IDS", "BRIEFBOT_ALLOWED_CHAT_IDS")
    )
    admin_user_ids: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), validation_alias=AliasChoices("ADMIN_USER_IDS", "BRIEFBOT_ADMIN_USER_IDS")
    )

    timezone: str = "UTC"
    daily_silent_when_empty: bool = False
    #: How often the bot looks for a reindex (made by `briefbot reindex`, `watch` or
    #: /reindex) whose new passages answer a followed subject (bot/follow.py).
    follow_check_seconds: float = Field(30.0, gt=0)

    log_level: str = "INFO"

    @field_validator("allowed_chat_ids", "admin_user_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        """Accept "1, -100200" as well as a JSON list, since that is how people write them."""
        if isinstance(value, str):
            value = value.strip().strip("[]")
            return frozenset(int(v) for v in value.replace(",", " ").split())
        return value
