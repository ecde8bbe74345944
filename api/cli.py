"""The `gridgis` command. Each command is thin: it resolves the database, calls one service
function of `layers` (or `gis`), and prints progress and a summary with Rich."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from api.cli_common import bar, console, fail, shown, url_of
from api.cli_load import load_demo, load_file
from api.cli_staff import account_app, token_app
from api.database import database_url
from api.settings import Settings
from gis.validation import PARTITION_KINDS, Tolerances
from gis.vocabulary import GridStatus
from layers import cluster, migrate
from layers.assignments import RunSummary, Scope, ScopeError, assign_blocking
from layers.bulk import LoadError
from layers.community_checks import CommunityCheck, validate_area
from layers.db import connect, connect_async, run_blocking
from layers.layerspec import LAYERS
from layers.loading import counts
from layers.partition import CommunityNotFound

app = typer.Typer(
    help="gridgis: grids, households, members and red stations in PostGIS.", no_args_is_help=True
)
db_app = typer.Typer(
    help="The embedded PostGIS (used when DATABASE_URL is not set).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(account_app, name="account")


def _settings() -> Settings:
    return Settings()


@app.callback()
def _database(ctx: typer.Context) -> None:
    """Every command but `db` works on the database: resolve it (starting the embedded
    PostGIS when no DATABASE_URL is set) and bring its schema up to date, once."""
    if ctx.invoked_subcommand in (None, "db"):
        return
    url = database_url(_settings())
    migrate.upgrade(url)
    ctx.obj = url


@db_app.command("up")
def db_up() -> None:
    """Create (first time) and start the embedded PostGIS."""
    settings = _settings()
    try:
        state = cluster.up(state_dir=settings.state_dir)
    except cluster.ClusterError as error:
        raise fail(str(error)) from error
    console.print(
        f"embedded PostGIS running: {shown(state.url())} (`gridgis db url` for the password)"
    )


@db_app.command("down")
def db_down() -> None:
    """Stop the embedded PostGIS (its data stays in the state folder)."""
    state = cluster.down(state_dir=_settings().state_dir)
    console.print("stopped" if not state.running else "still running")


@db_app.command("status")
def db_status() -> None:
    state = cluster.status(state_dir=_settings().state_dir)
    if not state.initialised:
        console.print(f"no embedded PostGIS yet under {state.data_dir}")
        raise typer.Exit(code=3)
    console.print(
        f"{'running' if state.running else 'stopped'}: {shown(state.url())} ({state.data_dir})"
    )
    if not state.running:
        raise typer.Exit(code=3)


@db_app.command("url")
def db_url() -> None:
    """Print the app's database URL, password included, for other tools (starting the
    embedded PostGIS when needed)."""
    typer.echo(database_url(_settings()))


@app.command("migrate")
def migrate_command() -> None:
    """Bring the schema up to date."""
    console.print("schema up to date")


@app.command("load")
def load_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="GeoJSON, GeoPackage, Shapefile or CSV (lon/lat)")],
    layer: Annotated[str, typer.Option(help=f"one of: {', '.join(LAYERS)}")],
    crs: Annotated[
        str | None,
        typer.Option(
            help="the coordinates' CRS when the file does not say: an EPSG code (4490, "
            "EPSG:4548), gcj02 (Amap, Tencent) or bd09 (Baidu); default WGS84"
        ),
    ] = None,
) -> None:
    """Upsert a file's rows by code. A bad row stops the load and nothing of the file stays.
    A layer that looks copied from Amap or Baidu without --crs stops with that diagnosis."""
    try:
        load_file(url_of(ctx), file, layer=layer, crs=crs)
    except LoadError as error:
        raise fail(f"{file.name}: {error}; nothing was loaded") from error


def _assignment_table(summary: RunSummary) -> Table:
    table = Table(title=f"assignment run {summary.run_id}")
    table.add_column("")
    table.add_column("", justify="right")
    for status, count in summary.by_status.items():
        table.add_row(f"grids {status}", f"{count:,}")
    table.add_row("households assigned", f"{summary.assigned:,} of {summary.households:,}")
    table.add_row("total distance", f"{summary.objective_m / 1000:,.1f} km")
    table.add_row("members outside bounds (ok grids)", f"{summary.members_outside_bounds:,}")
    seconds = " + ".join(f"{name} {value:.1f}" for name, value in summary.seconds.items())
    table.add_row("seconds", seconds)
    return table


def run_assign(url: str, scope: Scope) -> RunSummary:
    with bar() as progress:
        task = progress.add_task("grids", total=None)
        summary = assign_blocking(
            url,
            scope=scope,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(_assignment_table(summary))
    short = [s for s in summary.solutions if s.status == GridStatus.UNDERSTAFFED]
    for solution in short[:10]:
        console.print(
            f"  grid {solution.grid}: needs {solution.members_needed} more member(s), "
            f"{solution.unassigned} household(s) unassigned"
        )
    return summary


@app.command("assign")
def assign_command(
    ctx: typer.Context,
    grid: Annotated[list[str] | None, typer.Option(help="grid code (repeatable)")] = None,
    community: Annotated[
        str | None, typer.Option(help="community, street or district code: all its grids")
    ] = None,
    all_grids: Annotated[bool, typer.Option("--all", help="every grid")] = False,
) -> None:
    """Link every household to a member of its grid (15–25 households per member)."""
    try:
        scope = Scope(grids=tuple(grid or ()), area=community, all=all_grids)
        summary = run_assign(url_of(ctx), scope)
    except ScopeError as error:
        raise fail(str(error)) from error
    if summary.members_outside_bounds:
        raise fail(f"{summary.members_outside_bounds} members outside their bounds")


@app.command("validate")
def validate_command(
    ctx: typer.Context,
    community: Annotated[
        str | None, typer.Option(help="community, street or district code (default: all)")
    ] = None,
    repair: Annotated[
        bool, typer.Option(help="snap near-coincident edges, give slivers to a grid, and save")
    ] = False,
    force: Annotated[
        bool, typer.Option(help="with --repair: save even where edges move beyond the tolerance")
    ] = False,
    tolerance: Annotated[
        float, typer.Option(min=0.01, max=10.0, help="metres: thinner is a sliver; repair limit")
    ] = 1.0,
) -> None:
    """Check that grids cover each community with no gap and no overlap (横向到边)."""
    tolerances = Tolerances(tolerance_m=tolerance)

    async def check(progress: Progress) -> list[CommunityCheck]:
        task = progress.add_task("communities", total=None)
        async with await connect_async(url_of(ctx)) as conn:
            return await validate_area(
                conn,
                community,
                repair=repair,
                force=force,
                tolerances=tolerances,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )

    try:
        with bar() as progress:
            checks = run_blocking(lambda: check(progress))
    except CommunityNotFound as error:
        raise fail(str(error)) from error
    _print_checks(checks, tolerance)
    broken = sum(i.kind in PARTITION_KINDS for c in checks for i in c.issues)
    if broken:
        raise fail(f"{broken} problem(s) break the partition (see the table)")


def _print_checks(checks: list[CommunityCheck], tolerance: float) -> None:
    table = Table(title=f"{len(checks)} communities checked (tolerance {tolerance:g} m)")
    for column in ("community", "kind", "grids", "m²", "lon, lat", "detail"):
        table.add_column(column, justify="right" if column == "m²" else "left")
    for check in checks:
        for grid in check.repaired:
            console.print(f"  repaired {grid.code} ({grid.area_change_m2:+,.1f} m²)")
        for note in check.notes:
            console.print(f"  [yellow]{note}[/]")
        for issue in check.issues:
            point = issue.location.representative_point()
            where = f"{point.x:.6f}, {point.y:.6f}" if not point.is_empty else ""
            grids = " ".join(issue.grids)
            area = f"{issue.area_m2:,.1f}"
            table.add_row(check.community, issue.kind, grids, area, where, issue.detail)
    if table.row_count:
        console.print(table)
    else:
        console.print(f"{len(checks)} communities: each covered by its grids, no gap, no overlap")


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    households: Annotated[int, typer.Option(min=100)] = 20_000,
    seed: Annotated[int, typer.Option()] = 20261125,
    reload: Annotated[bool, typer.Option(help="generate and load again")] = False,
    serve: Annotated[bool, typer.Option(help="serve after loading")] = True,
) -> None:
    """Load the Nanchang High-tech Zone demo (Aixi Lake) and serve it."""
    url = url_of(ctx)
    loaded = load_demo(url, households=households, seed=seed, reload=reload)
    with connect(url) as conn:
        unassigned = not counts(conn)["assignments"]
    if loaded or unassigned:
        run_assign(url, Scope(all=True))
    if serve:
        serve_command(ctx, workers=None)


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    workers: Annotated[
        int | None, typer.Option(min=1, help="worker processes (default: GRIDGIS_WORKERS or cores)")
    ] = None,
) -> None:
    """Serve the API and the pages."""
    import uvicorn

    settings = _settings()
    url = url_of(ctx)
    count = workers or settings.workers or len(os.sched_getaffinity(0))
    base = f"http://{settings.host}:{settings.port}"
    console.print(
        f"serving on {base} with {count} worker(s)  ·  API docs {base}/docs  ·  "
        f"collections {base}/collections"
    )
    # Workers are separate processes that build the app from the environment.
    os.environ["DATABASE_URL"] = url
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=count,
        log_level="warning",
    )


def main() -> None:
    app()
