"""Vectorised string building: millions of codes and addresses without a Python loop per
row (object-array concatenation runs in C, a lookup table turns small ints into text)."""

from __future__ import annotations

from functools import reduce

import numpy as np
import numpy.typing as npt

ObjArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]


def digits(values: IntArray, width: int = 0) -> ObjArray:
    """Decimal text of non-negative ints, zero-padded to width."""
    values = np.asarray(values, dtype=np.int64)
    if values.size == 0:
        return np.empty(0, dtype=object)
    top = int(values.max())
    if top < 100_000:  # small numbers: index a table of their texts
        table = np.array([str(i).zfill(width) for i in range(top + 1)], dtype=object)
        out: ObjArray = table[values]
        return out
    size = max(width, len(str(top)))
    return np.char.zfill(values.astype(f"U{size}"), width).astype(object)


def concat(*parts: ObjArray | str) -> ObjArray:
    """Element-wise concatenation of object arrays of str and plain str constants."""
    out: ObjArray = reduce(np.add, [np.asarray(p, dtype=object) for p in parts])
    return out


def codes(prefix: str, count: int, width: int) -> ObjArray:
    """prefix + 1-based running number, e.g. H0000001."""
    return concat(prefix, digits(np.arange(1, count + 1, dtype=np.int64), width))


def lookup(table: list[str] | tuple[str, ...], index: IntArray) -> ObjArray:
    out: ObjArray = np.array(table, dtype=object)[index]
    return out


def group_rank(group: IntArray) -> IntArray:
    """0-based position of each row within its run of equal, sorted group ids."""
    group = np.asarray(group, dtype=np.int64)
    if group.size == 0:
        return group.copy()
    start = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    counts = np.diff(np.r_[start, group.size])
    out: IntArray = np.arange(group.size) - np.repeat(start, counts)
    return out
