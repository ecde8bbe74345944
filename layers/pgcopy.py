"""Fast COPY payloads from numpy arrays.

psycopg hands COPY data over one message per row; at millions of rows that per-row Python
work, not PostgreSQL, is the cost. These helpers move whole columns at once: binary COPY IN
built with one numpy structured array, and arrays read back aggregated per group."""

from __future__ import annotations

import struct

import numpy as np
import psycopg

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_TRAILER = struct.pack("!h", -1)
# PostgreSQL type -> big-endian numpy type of its binary representation
_BINARY = {"int4": ">i4", "int8": ">i8", "float8": ">f8"}


def binary_payload(columns: list[tuple[np.ndarray, str]]) -> bytes:
    """A complete binary COPY stream of fixed-width, non-null columns."""
    rows = len(columns[0][0]) if columns else 0
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for index, (_, pg_type) in enumerate(columns):
        fields += [(f"len{index}", ">i4"), (f"val{index}", _BINARY[pg_type])]
    table = np.empty(rows, dtype=np.dtype(fields))
    table["count"] = len(columns)
    for index, (values, pg_type) in enumerate(columns):
        if len(values) != rows:
            raise ValueError("columns of a COPY payload must have the same length")
        table[f"len{index}"] = np.dtype(_BINARY[pg_type]).itemsize
        table[f"val{index}"] = values
    return _HEADER + table.tobytes() + _TRAILER


def copy_in(
    conn: psycopg.Connection, table: str, names: list[str], columns: list[tuple[np.ndarray, str]]
) -> None:
    with conn.cursor().copy(
        f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT binary)"
    ) as copy:
        copy.write(binary_payload(columns))


def copy_out_text(conn: psycopg.Connection, query: str) -> list[list[str]]:
    """Rows of a query as text fields; meant for few rows carrying big arrays."""
    chunks = []
    with conn.cursor().copy(f"COPY ({query}) TO STDOUT") as copy:
        for data in copy:
            chunks.append(bytes(data))
    text = b"".join(chunks).decode()
    return [line.split("\t") for line in text.splitlines()]


def parse_array(field: str, dtype: type) -> np.ndarray:
    """A PostgreSQL array of numbers in text form ('{1,2,3}') as a numpy array."""
    inner = field[1:-1]
    if not inner:
        return np.empty(0, dtype=dtype)
    return np.fromstring(inner, sep=",", dtype=dtype)
