"""Write records: JSON Lines (one write per record, so a kill never tears a line) or Parquet."""

from __future__ import annotations

import json
import os
import sys
import time
from types import TracebackType
from typing import Any, BinaryIO, Protocol, Self

from scraper.bulk.records import Record
from scraper.errors import UsageError
from scraper.models import Metadata

# Flushing the page cache to disk now and then bounds what a power cut can lose.
FSYNC_EVERY_S = 5.0
# Parquet rows per row group: large enough for good compression, small enough to stream.
PARQUET_ROWS_PER_GROUP = 1000


class Writer(Protocol):
    """Something records can be written to."""

    def write(self, record: Record) -> None:
        """Write one record."""

    def close(self) -> None:
        """Finish the output."""


class JsonlWriter:
    """Append records as JSON Lines to a file (or stdout when the path is ``-``)."""

    def __init__(self, path: str, *, append: bool = False) -> None:
        self.path = path
        self._last_sync = time.monotonic()
        self._stdout = path == "-"
        if self._stdout:
            self._handle: BinaryIO = sys.stdout.buffer
            return
        try:
            # Unbuffered: each record reaches the kernel in one write(), whole or not at all.
            self._handle = open(path, "ab" if append else "wb", buffering=0)  # noqa: SIM115 - kept open
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc

    def write(self, record: Record) -> None:
        """Write one record as one line."""
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = self._handle.write(view)
            view = view[written or 0 :]
        if self._stdout:
            self._handle.flush()
        elif time.monotonic() - self._last_sync > FSYNC_EVERY_S:
            os.fsync(self._handle.fileno())
            self._last_sync = time.monotonic()

    def close(self) -> None:
        """Sync and close the file."""
        if self._stdout:
            self._handle.flush()
            return
        try:
            os.fsync(self._handle.fileno())
        finally:
            self._handle.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parquet_schema(fields: tuple[str, ...]) -> Any:
    """Return the Arrow schema of records holding `fields`."""
    import pyarrow as pa

    meta_fields = []
    for name in Metadata.__dataclass_fields__:
        kind = pa.list_(pa.string()) if name in ("categories", "tags") else pa.string()
        meta_fields.append(pa.field(name, kind))
    types = {
        "id": pa.string(),
        "source": pa.string(),
        "url": pa.string(),
        "title": pa.string(),
        "text": pa.string(),
        "metadata": pa.struct(meta_fields),
        "error": pa.string(),
    }
    return pa.schema([pa.field(name, types[name]) for name in fields])


class ParquetWriter:
    """Write records to a Parquet file, a row group at a time (needs the `parquet` extra)."""

    def __init__(self, path: str, fields: tuple[str, ...]) -> None:
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise UsageError("Parquet output needs pyarrow: pip install 'scraper[parquet]'") from exc
        self.path = path
        self.fields = fields
        self._schema = parquet_schema(fields)
        self._rows: list[Record] = []
        try:
            self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc}") from exc

    def write(self, record: Record) -> None:
        """Buffer one record; a full row group is written out."""
        self._rows.append(record)
        if len(self._rows) >= PARQUET_ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        """Write the last row group and the file footer."""
        try:
            self._flush()
        finally:
            self._writer.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def is_parquet(path: str) -> bool:
    """Tell whether `path` names Parquet output."""
    return path.lower().endswith((".parquet", ".pq"))


def open_writer(path: str, fields: tuple[str, ...], *, append: bool = False) -> Writer:
    """Open the writer the output path calls for (``.parquet`` or JSON Lines).

    Raises:
        UsageError: the file cannot be created, or Parquet is asked to append.
    """
    if is_parquet(path):
        if append:
            raise UsageError("--resume needs JSON Lines output (a Parquet file cannot be appended to)")
        return ParquetWriter(path, fields)
    return JsonlWriter(path, append=append)
