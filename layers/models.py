"""The schema as GeoAlchemy2 models: Alembic's target (autogenerate compares the database
with these), kept equal to the migrated schema by tests/test_schema.py. The database
enforces more than they say: CHECK constraints and triggers live in the migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    CHAR,
    BigInteger,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SRID = 4326


def _area_code() -> ForeignKey:
    # Area codes are the jurisdiction's keys: a renumbered area carries its rows along.
    return ForeignKey("areas.code", onupdate="CASCADE")


def _gist(table: str, column: str = "geom") -> Index:
    return Index(f"{table}_{column}_idx", column, postgresql_using="gist")


def _geography_gist(table: str) -> Index:
    # Nearest-first in metres: KNN `<->` on geography.
    return Index(f"{table}_geog_idx", text("(geom::geography)"), postgresql_using="gist")


def _trigram(table: str, column: str) -> Index:
    # Partial, Chinese or Latin text search (pg_trgm).
    return Index(
        f"{table}_{column}_trgm", column, postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
    )  # fmt: skip


class Base(DeclarativeBase):
    pass


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (
        Index("areas_updated_idx", "updated_at"),
        _gist("areas"),
        Index("areas_parent_idx", "parent_code"),
        _trigram("areas", "name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(_area_code())
    # the codes of its ancestors and itself, root first (kept by a trigger)
    path: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Grid(Base):
    __tablename__ = "grids"
    __table_args__ = (
        Index("grids_updated_idx", "updated_at"),
        _gist("grids"),
        Index("grids_community_idx", "community_code"),
        _trigram("grids", "name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    community_code: Mapped[str] = mapped_column(_area_code())
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    district_code: Mapped[str] = mapped_column(String(32))  # for sharding


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (
        Index("households_updated_idx", "updated_at"),
        _gist("households"),
        Index("households_grid_idx", "grid_id"),
        _trigram("households", "address"),
        Index("households_building_idx", "building_key"),
        Index(
            "households_address_prefix",
            "address",
            postgresql_ops={"address": "text_pattern_ops"},
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    address: Mapped[str] = mapped_column(Text)
    building_key: Mapped[str] = mapped_column(Text)
    residents: Mapped[int] = mapped_column(Integer, default=1)
    care_tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False))
    # Derived by a trigger from the grid polygon that covers the point; NULL flags a
    # household outside every grid.
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    district_code: Mapped[str | None] = mapped_column(String(32))  # for sharding


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        Index("members_updated_idx", "updated_at"),
        _gist("members"),
        _geography_gist("members"),
        Index("members_grid_idx", "grid_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    duty: Mapped[str] = mapped_column(String(32))
    service_phone: Mapped[str] = mapped_column(String(32))
    personal_phone: Mapped[str | None] = mapped_column(String(32))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"))
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False))
    min_load: Mapped[int] = mapped_column(Integer, default=15)
    max_load: Mapped[int] = mapped_column(Integer, default=25)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    kind: Mapped[str] = mapped_column(String(16), default="resident")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    district_code: Mapped[str | None] = mapped_column(String(32))  # for sharding


class Station(Base):
    __tablename__ = "stations"
    __table_args__ = (
        Index("stations_updated_idx", "updated_at"),
        _gist("stations"),
        _geography_gist("stations"),
        _trigram("stations", "name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    services: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    opening_hours: Mapped[str] = mapped_column(Text, default="24/7")
    address: Mapped[str | None] = mapped_column(Text)
    service_phone: Mapped[str | None] = mapped_column(String(32))
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AssignmentRun(Base):
    __tablename__ = "assignment_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scope: Mapped[dict[str, Any]] = mapped_column(JSONB)
    objective_m: Mapped[float | None] = mapped_column(Double)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        Index("assignments_member_idx", "member_id"),
        Index("assignments_run_idx", "run_id"),
    )
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    run_id: Mapped[int] = mapped_column(ForeignKey("assignment_runs.id"))
    distance_m: Mapped[float] = mapped_column(Double)
    district_code: Mapped[str | None] = mapped_column(String(32))


class GridStatus(Base):
    __tablename__ = "grid_status"
    grid_id: Mapped[int] = mapped_column(
        ForeignKey("grids.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int] = mapped_column(ForeignKey("assignment_runs.id"))
    status: Mapped[str] = mapped_column(String(16))
    households: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    members_needed: Mapped[int] = mapped_column(Integer, default=0)
    unassigned: Mapped[int] = mapped_column(Integer, default=0)
    idle_capacity: Mapped[int] = mapped_column(Integer, default=0)
    split_buildings: Mapped[int] = mapped_column(Integer, default=0)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    objective_m: Mapped[float] = mapped_column(Double, default=0)


class Token(Base):
    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(CHAR(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    scope_code: Mapped[str] = mapped_column(_area_code())
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rotated_to: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))


class GridHistory(Base):
    """One grid's shape before and after one edit; the rows of an edit share `edit_id`."""

    __tablename__ = "grid_history"
    __table_args__ = (
        Index("grid_history_code_idx", "grid_code", "id"),
        Index("grid_history_edit_idx", "edit_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    edit_id: Mapped[int] = mapped_column(Integer)
    grid_id: Mapped[int] = mapped_column(Integer)  # no foreign key: outlives a merged grid
    grid_code: Mapped[str] = mapped_column(String(32))
    community_code: Mapped[str] = mapped_column(_area_code())
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    edited_grid: Mapped[str] = mapped_column(String(32))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    role: Mapped[str] = mapped_column(String(16))
    scope_code: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    undo_of: Mapped[int | None] = mapped_column(ForeignKey("grid_history.id"))
    old_geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=True
    )
    new_geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=True
    )
    # The grid's assignment status (a grid_status row as JSON) before the edit, for undo.
    status_before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Account(Base):
    """A staff member who signs in on the pages with a name and a password."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(Text, server_default="")
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    scope_code: Mapped[str] = mapped_column(_area_code())
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    password_changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    failed_sign_ins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Session(Base):
    __tablename__ = "sessions"
    __table_args__ = (Index("sessions_account_idx", "account_id"),)
    id_hash: Mapped[str] = mapped_column(CHAR(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRecord(Base):
    """Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("audit_log_at_idx", "at"),
        Index("audit_log_scope_idx", "scope_code", "id"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    scope_code: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer, server_default="0")
    detail: Mapped[str | None] = mapped_column(Text)


class TileChange(Base):
    """Where a statement changed a layer (NULL: everywhere): the versions of vector tiles."""

    __tablename__ = "tile_changes"
    __table_args__ = (
        Index("tile_changes_geom_idx", "geom", postgresql_using="gist"),
        Index("tile_changes_layer_idx", "layer", "id"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    layer: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    geom: Mapped[Any] = mapped_column(
        Geometry("POLYGON", srid=SRID, spatial_index=False), nullable=True
    )


class GridEditLink(Base):
    """A household's assignment link before an edit (member NULL: it had none)."""

    __tablename__ = "grid_edit_links"
    edit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(Integer)
    distance_m: Mapped[float | None] = mapped_column(Double)


class Way(Base):
    """A street or path (OpenStreetMap highway class): the base map's roads and the walking
    network."""

    __tablename__ = "ways"
    __table_args__ = (_gist("ways"), _trigram("ways", "name"))
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    highway: Mapped[str] = mapped_column(String(32))
    oneway: Mapped[bool] = mapped_column(Boolean, default=False)
    geom: Mapped[Any] = mapped_column(Geometry("LINESTRING", srid=SRID, spatial_index=False))


class Land(Base):
    """Water, green space or a building footprint, for the base map."""

    __tablename__ = "land"
    __table_args__ = (
        _gist("land"),
        Index("land_kind_idx", "kind"),
        _trigram("land", "name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False))
