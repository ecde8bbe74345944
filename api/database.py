"""Which database the CLI and the app use: DATABASE_URL when set, else the embedded one."""

from __future__ import annotations

from api.settings import Settings
from layers import cluster


def database_url(settings: Settings) -> str:
    """The URL to use, starting the embedded PostGIS when no DATABASE_URL is set."""
    if settings.database_url:
        return settings.database_url
    return cluster.up(state_dir=settings.state_dir).url()
