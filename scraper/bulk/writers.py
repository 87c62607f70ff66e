"""Write records: JSON Lines (one write per record, so a kill never tears a line) or Parquet.

Parquet cannot be appended to, and a file without its footer is unreadable, so
a Parquet run writes a JSONL journal (``OUT.parquet.partial.jsonl``) that
resumes like any JSONL output, and converts it when the run ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import time
from types import TracebackType
from typing import Any, BinaryIO, Self

from scraper.bulk.readers import without_surrogates
from scraper.bulk.records import Record
from scraper.errors import UsageError
from scraper.models import Metadata

# Flushing the page cache to disk now and then bounds what a power cut can lose.
FSYNC_EVERY_S = 5.0
# Parquet output is written to this JSONL journal first (resumable), then converted at the end.
JOURNAL_SUFFIX = ".partial.jsonl"
# Parquet rows per row group: large enough for good compression, small enough to stream.
PARQUET_ROWS_PER_GROUP = 1000


class JsonlWriter:
    """Append records as JSON Lines to a file (or stdout when the path is ``-``).

    A write that fails (disk full, a quota, an I/O error) raises UsageError naming the
    file, after cutting off the part of the record that got written: the file then holds
    whole records only, and ``--resume`` finishes the run once there is room.
    """

    def __init__(self, path: str, *, append: bool = False) -> None:
        self.path = path
        self._last_sync = time.monotonic()
        self._stdout = path == "-"
        # Where the last whole record ends, for cutting off a half-written one (regular files only).
        self._end: int | None = None
        if self._stdout:
            self._handle: BinaryIO = sys.stdout.buffer
            self._regular = False
            return
        try:
            # Unbuffered: each record reaches the kernel in one write(), whole or not at all.
            self._handle = open(path, "ab" if append else "wb", buffering=0)  # noqa: SIM115 - kept open
            info = os.fstat(self._handle.fileno())
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
        # Devices and pipes (/dev/null, a FIFO) cannot be synced or truncated, and need not be.
        self._regular = stat.S_ISREG(info.st_mode)
        if self._regular:
            self._end = info.st_size

    def write(self, record: Record) -> None:
        """Write one record as one line.

        Raises:
            UsageError: the output cannot take it (e.g. the disk is full).
        """
        data = record_line(record)
        view = memoryview(data)
        try:
            while view:
                written = self._handle.write(view)
                view = view[written or 0 :]
            if self._stdout:
                self._handle.flush()
            elif self._regular and time.monotonic() - self._last_sync > FSYNC_EVERY_S:
                os.fsync(self._handle.fileno())
                self._last_sync = time.monotonic()
        except BrokenPipeError:
            raise  # the reader of stdout went away: the CLI ends quietly
        except OSError as exc:
            self._cut_partial()
            raise self._failure(exc) from exc
        if self._end is not None:
            self._end += len(data)

    def _cut_partial(self) -> None:
        """Drop the part of a record that reached the file before a write failed (best effort)."""
        if self._end is None:
            return
        try:
            os.ftruncate(self._handle.fileno(), self._end)
        except OSError:
            pass  # resume cuts a torn last line anyway

    def _failure(self, exc: OSError) -> UsageError:
        if self._stdout:
            return UsageError(f"cannot write stdout: {exc.strerror or exc}")
        return UsageError(f"cannot write {self.path}: {exc.strerror or exc}; the records written are whole, "
                          "rerun with --resume once it can take more")

    def close(self) -> None:
        """Sync and close the file.

        Raises:
            UsageError: the last records cannot be flushed (e.g. the disk is full).
        """
        try:
            if self._stdout:
                self._handle.flush()
                return
            try:
                if self._regular:
                    os.fsync(self._handle.fileno())
            finally:
                self._handle.close()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._failure(exc) from exc

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def record_line(record: Record) -> bytes:
    """Return a record as one line of UTF-8 JSON.

    A string may hold a lone surrogate: a file name that is not UTF-8 comes from
    the file system with its bytes as surrogates. Such a record is written with
    every non-ASCII character escaped (valid JSON, still one line), which reads
    back as the very same string, so resume still recognises its `source`.
    """
    try:
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(record) + "\n").encode("ascii")


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
        self._rows.append(_utf8_safe(record))
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


def _utf8_safe(record: Record) -> Record:
    """Return `record` with any lone surrogate replaced by U+FFFD: Parquet strings must be UTF-8."""
    text = json.dumps(record, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.loads(without_surrogates(text))  # type: ignore[no-any-return]
    return record


def require_parquet() -> None:
    """Check that Parquet output can be written, before any work is done.

    Raises:
        UsageError: pyarrow is not installed.
    """
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError as exc:
        raise UsageError("Parquet output needs pyarrow: pip install 'scraper[parquet]'") from exc


def is_parquet(path: str) -> bool:
    """Tell whether `path` names Parquet output."""
    return path.lower().endswith((".parquet", ".pq"))


def jsonl_to_parquet(source: str, target: str, fields: tuple[str, ...]) -> None:
    """Write the records of a JSONL file to a Parquet file, a row group at a time.

    Raises:
        UsageError: pyarrow is missing or the target cannot be written (the journal is kept).
    """
    tmp = target + ".tmp"
    try:
        with open(source, "rb") as lines, ParquetWriter(tmp, fields) as writer:
            for line in lines:
                writer.write(json.loads(line))
        # Atomic: readers see the old file or the whole new one, never a file without its footer.
        os.replace(tmp, target)
    except OSError as exc:  # pyarrow's I/O errors are OSErrors too
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}; its records are kept in {source}, "
                         "rerun with --resume once it can take more") from exc


def parquet_to_jsonl(source: str, target: str) -> None:
    """Write the rows of a Parquet file as JSON Lines (to resume a finished Parquet run)."""
    import pyarrow.parquet as pq

    with JsonlWriter(target) as writer:
        for batch in pq.ParquetFile(source).iter_batches(batch_size=PARQUET_ROWS_PER_GROUP):
            for row in batch.to_pylist():
                writer.write(row)
