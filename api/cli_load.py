"""Loading for the command line: layer files and the demo, with a progress bar per layer
and a summary table."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
from rich.table import Table

from api.cli_common import bar, console
from layers.bulk import LoadError, UpsertResult
from layers.db import connect
from layers.files import read_layer, source_crs
from layers.layerspec import LAYERS
from layers.loading import LOAD_ORDER, counts, load_layers
from layers.offset_check import suspected_offset


def _summary(results: list[UpsertResult], seconds: float) -> Table:
    table = Table(title=f"loaded in {seconds:.1f} s")
    for column in ("layer", "rows", "inserted", "updated", "unchanged"):
        table.add_column(column, justify="left" if column == "layer" else "right")
    for result in results:
        table.add_row(
            result.layer,
            f"{result.rows:,}",
            f"{result.inserted:,}",
            f"{result.updated:,}",
            f"{result.unchanged:,}",
        )
    return table


def load_frames(url: str, frames: Mapping[str, gpd.GeoDataFrame]) -> list[UpsertResult]:
    started = time.perf_counter()
    with bar() as progress, connect(url, autocommit=True) as conn:

        def on_layer(layer: str) -> Callable[[int, int], None]:
            task = progress.add_task(layer, total=None)
            return lambda done, total: progress.update(task, completed=done, total=total)

        results = load_layers(conn, frames=frames, progress=on_layer)
    console.print(_summary(results, time.perf_counter() - started))
    return results


def load_file(url: str, file: Path, *, layer: str, crs: str | None) -> list[UpsertResult]:
    """A layer file into the database, in WGS84. Without `crs`, a layer that fits the
    database far better converted from GCJ-02 or BD-09 is refused (LoadError) with why."""
    frame = read_layer(file, layer=layer, crs=source_crs(crs))
    ignored = frame.attrs.get("ignored_columns", [])
    if ignored:
        console.print(
            f"[yellow]not loaded: column(s) {', '.join(ignored)} — layer {layer} takes "
            f"{', '.join(LAYERS[layer].columns)}[/]"
        )
    if crs is None:
        checking = console.status("checking the coordinates against the loaded areas")
        with checking, connect(url) as conn:
            offset = suspected_offset(conn, layer=layer, frame=frame)
        if offset is not None:
            raise LoadError(str(offset))
    return load_frames(url, {layer: frame})


def load_demo(url: str, *, households: int, seed: int, reload: bool) -> bool:
    """Generate and load the Aixi Lake demo unless it is already there; True if loaded."""
    with connect(url, autocommit=True) as conn:
        present = counts(conn)
    base_map = ("ways", "land")
    if present["households"] and not reload and all(present[t] for t in base_map):
        console.print(
            f"demo data present ({present['grids']:,} grids, "
            f"{present['households']:,} households): reusing it"
        )
        return False
    from data.generate import generate

    with console.status(f"generating {households:,} households (seed {seed})"):
        demo = generate(households=households, seed=seed)
    frames = {layer: getattr(demo, layer) for layer in LOAD_ORDER}
    if present["households"] and not reload:  # a demo loaded before it had a base map
        frames = {layer: frames[layer] for layer in base_map}
    load_frames(url, frames)
    return "households" in frames
