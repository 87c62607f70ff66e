"""Pick up an interrupted run: keep the complete records, drop a half-written tail, skip done pages.

The JSONL writer issues one write per record, so a killed run leaves at most
one partial last line; a power cut may leave a torn or zero-filled tail. Resume
keeps every complete, parseable line up to the first bad one, truncates the
file there, and returns the keys of the pages already done. Keys are the
record's ``source`` (unique within a run) or, when ``--fields`` dropped it, its ``id``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Literal

from scraper.errors import UsageError

KeyField = Literal["source", "id"]


@dataclass(frozen=True)
class ResumeState:
    """What an earlier run left behind."""

    done: frozenset[str]
    key_field: KeyField
    # Complete records kept from earlier runs.
    kept: int
    # Bytes of a half-written or corrupt tail cut from the file.
    dropped_bytes: int


def key_field_for(fields: tuple[str, ...]) -> KeyField:
    """Choose the record field that identifies a page for resume.

    Raises:
        UsageError: the records keep neither `source` nor `id`.
    """
    if "source" in fields:
        return "source"
    if "id" in fields:
        return "id"
    raise UsageError("--resume needs `source` or `id` among --fields")


def recover(path: str, key_field: KeyField) -> ResumeState:
    """Truncate `path` after its last good record and return the keys of the records kept.

    A missing file is an empty state (nothing done yet).

    Raises:
        UsageError: the file cannot be opened for update.
    """
    done: set[str] = set()
    kept = 0
    good_end = 0
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below; open errors are reported apart
    except FileNotFoundError:
        return ResumeState(frozenset(), key_field, 0, 0)
    except OSError as exc:
        raise UsageError(f"cannot resume {path}: {exc.strerror or exc}") from exc
    with handle:
        size = os.fstat(handle.fileno()).st_size
        for line in handle:
            if not line.endswith(b"\n"):
                break
            key = _key_of(line, key_field)
            if key is None:
                break
            done.add(key)
            kept += 1
            good_end += len(line)
        if good_end < size:
            handle.truncate(good_end)
            handle.flush()
            os.fsync(handle.fileno())
    return ResumeState(frozenset(done), key_field, kept, size - good_end)


def _key_of(line: bytes, key_field: KeyField) -> str | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    key = record.get(key_field)
    return str(key) if key is not None else None
