"""Fast COPY payloads from numpy arrays.

psycopg hands COPY data over one message per row; at millions of rows that per-row Python
work, not PostgreSQL, is the cost. These helpers move whole columns at once: binary COPY IN
built with one numpy structured array, and arrays read back aggregated per group."""

from __future__ import annotations

import struct

import numpy as np

from layers.db import Connection

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_TRAILER = struct.pack("!h", -1)
# PostgreSQL type -> big-endian numpy type of its binary representation
_BINARY = {"int4": ">i4", "int8": ">i8", "float8": ">f8"}


def _field_type(values: np.ndarray, pg_type: str) -> str:
    if pg_type != "text":
        return _BINARY[pg_type]
    # Text travels as its bytes: fixed width only when every value has the same length
    # (codes such as GB/T 2260 district codes do); numpy pads shorter ones with NULs.
    lengths = np.char.str_len(values.astype(bytes))
    if len(values) and (lengths != lengths[0]).any():
        raise ValueError("a text column of a binary COPY needs values of one length")
    return f"S{int(lengths[0]) if len(values) else 1}"


def binary_payload(columns: list[tuple[np.ndarray, str]]) -> bytes:
    """A complete binary COPY stream of fixed-width, non-null columns (numbers, and text
    of one length)."""
    rows = len(columns[0][0]) if columns else 0
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for index, (values, pg_type) in enumerate(columns):
        fields += [(f"len{index}", ">i4"), (f"val{index}", _field_type(values, pg_type))]
    table = np.empty(rows, dtype=np.dtype(fields))
    table["count"] = len(columns)
    for index, (values, _) in enumerate(columns):
        if len(values) != rows:
            raise ValueError("columns of a COPY payload must have the same length")
        table[f"len{index}"] = table.dtype[f"val{index}"].itemsize
        table[f"val{index}"] = values
    return _HEADER + table.tobytes() + _TRAILER


async def copy_in(
    conn: Connection, table: str, names: list[str], columns: list[tuple[np.ndarray, str]]
) -> None:
    async with conn.cursor().copy(
        f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT binary)"
    ) as copy:
        await copy.write(binary_payload(columns))


async def copy_out(conn: Connection, query: str, *, csv: bool = False) -> bytes:
    """A query's rows as COPY text (or CSV) bytes."""
    chunks = []
    options = " (FORMAT csv)" if csv else ""
    async with conn.cursor().copy(f"COPY ({query}) TO STDOUT{options}") as copy:
        async for data in copy:
            chunks.append(bytes(data))
    return b"".join(chunks)


async def copy_out_text(conn: Connection, query: str) -> list[list[str]]:
    """Rows of a query as text fields; meant for few rows carrying big arrays."""
    text = (await copy_out(conn, query)).decode()
    return [line.split("\t") for line in text.splitlines()]


def parse_array(field: str, dtype: type) -> np.ndarray:
    """A PostgreSQL array of numbers in text form ('{1,2,3}') as a numpy array."""
    inner = field[1:-1]
    if not inner:
        return np.empty(0, dtype=dtype)
    return np.fromstring(inner, sep=",", dtype=dtype)
