"""File encodings of an export: GeoPackage (readable by GDAL and QGIS), CSV (lon/lat or WKT
columns, UTF-8 with a byte-order mark so Excel opens Chinese right) and xlsx member lists.
Pure: features in, bytes out."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import openpyxl
import pandas as pd
import shapely
from openpyxl.styles import Font

from layers.exports import MemberList

GPKG = "application/geopackage+sqlite3"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _frame(features: list[dict[str, Any]], layer: str, srid: int) -> gpd.GeoDataFrame:
    rows = [{"id": f["id"], **_flat(f["properties"])} for f in features]
    geometry = [shapely.geometry.shape(f["geometry"]) if f["geometry"] else None for f in features]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometry, crs=f"EPSG:{srid}")


def _flat(properties: dict[str, Any]) -> dict[str, Any]:
    # arrays (services, care tags) as one text column: every GIS reads that
    return {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in properties.items()}


def geopackage(features: list[dict[str, Any]], *, layer: str, srid: int = 4326) -> bytes:
    frame = _frame(features, layer, srid)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{layer}.gpkg"
        frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def csv(features: list[dict[str, Any]], *, layer: str) -> bytes:
    frame = _frame(features, layer, 4326)
    points = frame.geometry.geom_type.eq("Point").all() and len(frame)
    table = pd.DataFrame(frame.drop(columns="geometry"))
    if points:
        table["lon"], table["lat"] = frame.geometry.x, frame.geometry.y
    else:
        table["wkt"] = frame.geometry.to_wkt()
    return table.to_csv(index=False).encode("utf-8-sig")


def member_workbook(grid: str, lists: list[MemberList], labels: dict[str, str]) -> bytes:
    """One sheet per member (and one for households without a member)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    head = [labels["household"], labels["address"], labels["residents"], labels["care_tags"]]
    for index, found in enumerate(lists, start=1):
        title = f"{index} {found.name or labels['unassigned']}"[:31]
        sheet = book.create_sheet(title=title)
        sheet.append([labels["grid"], grid, labels["member"], found.member, found.duty])
        sheet.append(head)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in found.rows:
            sheet.append(list(row))
        sheet.column_dimensions["B"].width = 36
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
