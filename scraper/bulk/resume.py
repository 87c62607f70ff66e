"""Pick up an interrupted run: keep the complete records, drop a half-written tail, skip done pages.

The JSONL writer issues one write per record, so a killed run leaves at most
one partial last line; a power cut may leave a torn or zero-filled tail. Resume
keeps every complete, parseable line up to the first bad one, truncates the
file there, and returns the keys of the pages already done. Keys are the
record's ``source``, unique within a run. Ids are not: every ``<slug>/source.html`` of a
folder has the id ``source``, so a resume keyed on ids skipped pages never cleaned.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from scraper.errors import UsageError


@dataclass(frozen=True)
class ResumeState:
    """What an earlier run left behind."""

    # The `source` of every page already done.
    done: frozenset[str]
    # Complete records kept from earlier runs.
    kept: int
    # Bytes of a half-written or corrupt tail cut from the file.
    dropped_bytes: int


def check_resumable(fields: tuple[str, ...]) -> None:
    """Check that the records keep what resume identifies pages by: their `source`.

    Raises:
        UsageError: `source` is not among the fields.
    """
    if "source" not in fields:
        raise UsageError("--resume needs `source` among --fields (it tells the pages done; ids may repeat)")


def recover(path: str) -> ResumeState:
    """Truncate `path` after its last good record and return the sources of the records kept.

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
        return ResumeState(frozenset(), 0, 0)
    except OSError as exc:
        raise UsageError(f"cannot resume {path}: {exc.strerror or exc}") from exc
    with handle:
        size = os.fstat(handle.fileno()).st_size
        for line in handle:
            if not line.endswith(b"\n"):
                break
            key = _source_of(line)
            if key is None:
                break
            done.add(key)
            kept += 1
            good_end += len(line)
        if good_end < size:
            handle.truncate(good_end)
            handle.flush()
            os.fsync(handle.fileno())
    return ResumeState(frozenset(done), kept, size - good_end)


def _source_of(line: bytes) -> str | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    key = record.get("source")
    return str(key) if key is not None else None
