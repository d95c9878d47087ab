"""How values become bytes and text in the store: JSON for results, raw array bytes for samples.

Samples (Monte Carlo draws and the like) are kept one row per named array: dtype, shape and
the array's C-order bytes, zlib-compressed when that saves at least a quarter. See
``docs/store.md`` for why this beats one row per draw.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np

from parley.store.errors import StoreError

#: numpy dtype kinds a sample array may have: bool, signed and unsigned ints, floats, complex.
SAMPLE_KINDS = "biufc"
MAX_NAME = 64


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any, what: str = "value") -> str:
    """Compact JSON text, keys in their given order; NaN and infinities kept (Python's JSON extension).

    Raises
    ------
    StoreError
        When ``value`` holds something JSON cannot represent.
    """
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_default)
    except (TypeError, ValueError) as err:
        raise StoreError(f"cannot store {what}: {err}") from None


def loads(text: str) -> Any:
    """Parse JSON written by :func:`dumps`."""
    return json.loads(text)


def encode_array(name: str, array: Any) -> dict[str, Any]:
    """The row that stores one sample array.

    Raises
    ------
    StoreError
        For a bad name or an array that is not numeric or boolean.
    """
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        raise StoreError(f"sample name {name!r} must be a non-empty string of at most {MAX_NAME} characters")
    a = np.asarray(array)
    if a.dtype.kind not in SAMPLE_KINDS:
        raise StoreError(f"sample {name!r} has dtype {a.dtype}; only numeric and boolean arrays can be stored")
    a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype)
    raw = a.tobytes(order="C")
    packed = zlib.compress(raw, 1)
    codec, data = ("zlib", packed) if len(packed) <= 0.75 * len(raw) else ("raw", raw)
    return {
        "name": name,
        "dtype": a.dtype.str,
        "shape": json.dumps(list(a.shape)),
        "codec": codec,
        "data": data,
    }


def decode_array(row: Mapping[str, Any]) -> np.ndarray:
    """The array stored in one row (a fresh, writeable copy)."""
    data = bytes(row["data"])
    if row["codec"] == "zlib":
        data = zlib.decompress(data)
    elif row["codec"] != "raw":
        raise StoreError(f"sample {row['name']!r} uses unknown codec {row['codec']!r}; upgrade parley")
    shape = tuple(json.loads(row["shape"]))
    return np.frombuffer(data, dtype=np.dtype(row["dtype"])).reshape(shape).copy()
