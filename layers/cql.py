"""CQL2 filters (OGC API - Features Part 3) as parameterised SQL.

The `cql2` library parses and validates the text or JSON encoding; this module walks the
JSON tree and writes SQL whose every value is a parameter (%s) and whose every name comes
from the collection's own table of properties — a filter can only ask, never inject.
Supported: and/or/not; = <> < <= > >=, LIKE, BETWEEN, IN, IS NULL; the spatial functions
S_INTERSECTS, S_EQUALS, S_DISJOINT, S_TOUCHES, S_WITHIN, S_OVERLAPS, S_CROSSES, S_CONTAINS;
the temporal T_INTERSECTS, T_BEFORE, T_AFTER, T_DURING, T_EQUALS, T_DISJOINT (on the
collection's time column, as the queryable `updated_at`); the array functions A_CONTAINS,
A_CONTAINEDBY, A_OVERLAPS, A_EQUALS."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import cql2

from layers.collections import Collection

GEOMETRY = "geometry"  # the queryable naming a feature's geometry
TIME = "updated_at"  # the queryable naming its time column
_COMPARE = {"=": "=", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_SPATIAL = {
    "s_intersects": "ST_Intersects",
    "s_equals": "ST_Equals",
    "s_disjoint": "ST_Disjoint",
    "s_touches": "ST_Touches",
    "s_within": "ST_Within",
    "s_overlaps": "ST_Overlaps",
    "s_crosses": "ST_Crosses",
    "s_contains": "ST_Contains",
}
_ARRAY = {"a_contains": "@>", "a_containedby": "<@", "a_overlaps": "&&", "a_equals": "="}
_CASTS = {"integer": "::bigint", "number": "::float8", "boolean": "::boolean"}


class FilterError(ValueError):
    """The filter cannot be read or asks for what the collection does not have."""


@dataclass
class Sql:
    text: str
    params: list[Any] = field(default_factory=list)


def parse(text: str, *, lang: str) -> dict[str, Any]:
    """The filter as a CQL2 JSON tree; a FilterError says what is wrong and where."""
    try:
        expression = cql2.Expr(json.loads(text) if lang == "cql2-json" else text)
        expression.validate()
        tree: dict[str, Any] = expression.to_json()
    except json.JSONDecodeError as error:
        raise FilterError(f"the filter is not JSON: {error}") from error
    except Exception as error:  # cql2 raises plain Exceptions with the parser's report
        raise FilterError(f"the filter is not valid {lang}: {error}") from error
    return tree


@dataclass
class Translator:
    collection: Collection
    srid: int = 4326  # the CRS of geometries in the filter (filter-crs)
    swap_axes: bool = False  # its axis order is lat/lon
    params: list[Any] = field(default_factory=list)

    def sql(self, node: Any) -> Sql:
        text = self._node(node)
        return Sql(text, self.params)

    def _value(self, value: Any, cast: str = "") -> str:
        self.params.append(value)
        return f"%s{cast}"

    def _node(self, node: Any) -> str:
        if not isinstance(node, dict) or "op" not in node:
            raise FilterError(f"expected a condition, got {json.dumps(node)[:80]}")
        op, args = str(node["op"]).lower(), node.get("args", [])
        if op in ("and", "or"):
            return "(" + f" {op.upper()} ".join(self._node(a) for a in args) + ")"
        if op == "not":
            return f"(NOT {self._node(args[0])})"
        if op in _COMPARE or op in ("like", "between", "in", "isnull"):
            return self._comparison(op, args)
        if op in _SPATIAL:
            return self._spatial(op, args)
        if op.startswith("t_"):
            return self._temporal(op, args)
        if op in _ARRAY:
            return self._array(op, args)
        raise FilterError(f"the operator '{node['op']}' is not supported")

    def _property(self, node: Any) -> tuple[str, str]:
        """SQL expression and type of a property reference."""
        if not isinstance(node, dict) or "property" not in node:
            raise FilterError(f"expected a property, got {json.dumps(node)[:80]}")
        name = str(node["property"])
        if name == TIME and self.collection.time:
            return self.collection.time, "datetime"
        if name not in self.collection.properties:
            known = ", ".join(self.collection.properties)
            raise FilterError(
                f"'{name}' is not a queryable of {self.collection.id}; queryables: {known}"
            )
        return self.collection.properties[name], self.collection.type_of(name)

    def _literal(self, value: Any, kind: str) -> str:
        if isinstance(value, dict):
            raise FilterError(f"expected a value, got {json.dumps(value)[:80]}")
        if kind in ("integer", "number") and not isinstance(value, int | float):
            raise FilterError(f"{value!r} is not a number")
        if kind == "boolean" and not isinstance(value, bool):
            raise FilterError(f"{value!r} is not true or false")
        if kind == "string" and not isinstance(value, str):
            value = str(value)
        return self._value(value, _CASTS.get(kind, ""))

    def _comparison(self, op: str, args: list[Any]) -> str:
        column, kind = self._property(args[0])
        if kind in ("array", "datetime"):
            raise FilterError(f"compare {kind} properties with A_ or T_ functions")
        if op == "isnull":
            return f"({column} IS NULL)"
        if op == "like":
            return f"({column}::text LIKE {self._literal(args[1], 'string')})"
        if op == "between":
            low, high = self._literal(args[1], kind), self._literal(args[2], kind)
            return f"({column} BETWEEN {low} AND {high})"
        if op == "in":
            values = ", ".join(self._literal(v, kind) for v in args[1])
            return f"({column} IN ({values}))"
        return f"({column} {_COMPARE[op]} {self._literal(args[1], kind)})"

    def _geometry(self, node: Any) -> str:
        if isinstance(node, dict) and "bbox" in node:
            box = list(node["bbox"])
            west, south, east, north = (box[0], box[1], box[-3], box[-2]) if len(box) == 6 else box
            if self.swap_axes:
                west, south, east, north = south, west, north, east
            args = ", ".join(self._value(float(v)) for v in (west, south, east, north))
            envelope = f"ST_MakeEnvelope({args}, {self.srid})"
            return envelope if self.srid == 4326 else f"ST_Transform({envelope}, 4326)"
        if isinstance(node, dict) and "type" in node and "coordinates" in node:
            shape = f"ST_SetSRID(ST_GeomFromGeoJSON({self._value(json.dumps(node))}), {self.srid})"
            if self.swap_axes:
                shape = f"ST_FlipCoordinates({shape})"
            return shape if self.srid == 4326 else f"ST_Transform({shape}, 4326)"
        raise FilterError(f"expected a geometry or a BBOX, got {json.dumps(node)[:80]}")

    def _spatial(self, op: str, args: list[Any]) -> str:
        left, right = args
        if isinstance(left, dict) and left.get("property") == GEOMETRY:
            return f"{_SPATIAL[op]}({self.collection.geometry}, {self._geometry(right)})"
        raise FilterError(f"{op.upper()} compares the queryable '{GEOMETRY}' with a geometry")

    def _instant_or_interval(self, node: Any) -> tuple[str, str]:
        """SQL bounds [start, end] of a time literal (an instant: both the same)."""
        if isinstance(node, dict) and "interval" in node:
            start, end = node["interval"]
            low = "'-infinity'::timestamptz" if start == ".." else self._time(start)
            high = "'infinity'::timestamptz" if end == ".." else self._time(end)
            return low, high
        instant = self._time(node)
        return instant, instant

    def _time(self, node: Any) -> str:
        value = node.get("timestamp") or node.get("date") if isinstance(node, dict) else node
        if not isinstance(value, str):
            raise FilterError(f"expected a TIMESTAMP, DATE or INTERVAL, got {json.dumps(node)}")
        return self._value(value, "::timestamptz")

    def _temporal(self, op: str, args: list[Any]) -> str:
        column, kind = self._property(args[0])
        if kind != "datetime":
            raise FilterError(f"{op.upper()} needs the time queryable '{TIME}'")
        low, high = self._instant_or_interval(args[1])
        tests = {
            "t_intersects": f"{column} BETWEEN {low} AND {high}",
            "t_during": f"{column} > {low} AND {column} < {high}",
            "t_before": f"{column} < {low}",
            "t_after": f"{column} > {high}",
            "t_equals": f"{column} = {low} AND {low} = {high}",
            "t_disjoint": f"NOT ({column} BETWEEN {low} AND {high})",
        }
        if op not in tests:
            raise FilterError(f"the temporal operator '{op.upper()}' is not supported")
        return f"({tests[op]})"

    def _array(self, op: str, args: list[Any]) -> str:
        column, kind = self._property(args[0])
        if kind != "array" or not isinstance(args[1], list):
            raise FilterError(f"{op.upper()} compares an array property with an array")
        values = [str(v) for v in args[1]]
        return f"({column} {_ARRAY[op]} {self._value(values, '::text[]')})"


def filter_sql(
    text: str, *, lang: str, collection: Collection, srid: int = 4326, swap_axes: bool = False
) -> Sql:
    """The WHERE condition (and its parameters) of a CQL2 filter on a collection."""
    if lang not in ("cql2-text", "cql2-json"):
        raise FilterError(f"filter-lang '{lang}' is not one of: cql2-text, cql2-json")
    return Translator(collection, srid, swap_axes).sql(parse(text, lang=lang))
