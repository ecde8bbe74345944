"""Settings from the environment (and a `.env` file), built once by whoever starts the app."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDGIS_", env_file=".env", extra="ignore")

    # DATABASE_URL (no prefix) is the name every deployment tool already uses.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "GRIDGIS_DATABASE_URL")
    )
    state_dir: Path = Path(".gridgis")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    timezone: str = "Asia/Shanghai"
    pool_min_size: int = Field(default=2, ge=1)
    pool_max_size: int = Field(default=10, ge=1)
    # A request waits at most this long for a connection, then gets a 503 (the database
    # is away, or the server is saturated).
    pool_timeout: float = Field(default=3.0, gt=0)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    max_in_flight: int = Field(default=64, ge=0)  # per worker; 0: no limit
    public_rate: float = Field(default=50.0, ge=0)  # requests/s per client without credentials
    public_burst: int = Field(default=200, ge=1)
    # Other origins (web maps) allowed to read the public layers; "*" any, [] none. Never
    # with credentials: staff reads stay on this origin.
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    sign_in_per_minute: int = Field(default=10, ge=1)  # attempts per client address
    token_cache_size: int = Field(default=1024, ge=0)
    token_cache_seconds: float = Field(default=60.0, ge=0)
    workers: int | None = Field(default=None, ge=1)
    # The map pages: language (zh-CN or en; a page's ?lang= overrides it) and an optional
    # basemap, a tile URL template such as Tianditu's with its key. Without one the pages
    # draw their own base from the data (streets, communities, grids).
    language: str = Field(default="zh-CN", pattern="^(zh-CN|en)$")
    basemap_url: str | None = None
    basemap_attribution: str = ""
    basemap_subdomains: str = "abc"  # Tianditu: 01234567
    basemap_labels_url: str | None = None  # a label overlay (Tianditu's cva_w)
