"""Run the same per-page work on a Dask cluster (needs the `dask` extra).

Inputs are split into partitions that the workers read themselves, so page
bytes never cross the network: one partition per WARC or JSONL file, and one
per ``HTML_FILES_PER_PARTITION`` HTML files. Workers must see the input paths
(a shared file system, or the same machine). Records are exactly those of a
local run.

For teams already on Dask::

    from scraper.bulk.dask import records_bag, records_dataframe
    bag = records_bag(["crawl/*.warc.gz"])          # a dask.bag.Bag of record dicts
    frame = records_dataframe(["pages/"])           # a dask DataFrame, metadata as JSON text
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from scraper.bulk.readers import InputFile, expand_inputs, read_items
from scraper.bulk.records import PageResult, Record, failed
from scraper.bulk.resume import ResumeState
from scraper.bulk.runner import WorkerConfig, WorkerContext, clean_page, make_context
from scraper.errors import ScraperError, UsageError

# HTML files per partition: a task of a few seconds, long enough to dwarf scheduling costs.
HTML_FILES_PER_PARTITION = 200
# Partitions in flight per worker thread when streaming results back in order.
PARTITIONS_IN_FLIGHT_PER_THREAD = 2
# Seconds to reach the scheduler and hear back from it: a live one answers in milliseconds.
CONNECT_TIMEOUT_S = 10.0
# What --scheduler accepts: a scheme distributed speaks over the network (or none: tcp), host, port.
_ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}/?")


@dataclass(frozen=True)
class Partition:
    """Files one task reads and cleans, with the keys of pages already done."""

    files: tuple[InputFile, ...]
    # Sources of the pages in these files already done by an earlier run.
    done: frozenset[str] = frozenset()


def split(files: Sequence[InputFile], *, html_per_partition: int = HTML_FILES_PER_PARTITION) -> list[Partition]:
    """Group input files into partitions, keeping input order."""
    parts: list[Partition] = []
    batch: list[InputFile] = []
    for file in files:
        if file.kind == "html":
            batch.append(file)
            if len(batch) >= html_per_partition:
                parts.append(Partition(tuple(batch)))
                batch = []
            continue
        if batch:
            parts.append(Partition(tuple(batch)))
            batch = []
        parts.append(Partition((file,)))
    if batch:
        parts.append(Partition(tuple(batch)))
    return parts


# Per worker process: compiled rules cannot be shipped, so each process loads them once per config.
_contexts: dict[WorkerConfig, WorkerContext] = {}


def _context(config: WorkerConfig) -> WorkerContext:
    context = _contexts.get(config)
    if context is None:
        context = _contexts[config] = make_context(config)
    return context


def clean_partition(part: Partition, config: WorkerConfig) -> list[PageResult]:
    """Read and clean one partition (runs on a worker)."""
    context = _context(config)
    results = []
    skip = part.done.__contains__ if part.done else None
    for item in read_items(part.files, skip=skip):
        results.append(clean_page(item, context))
    return results


def _records(part: Partition, config: WorkerConfig) -> list[Record]:
    return [result.record for result in clean_partition(part, config)]


def records_bag(
    inputs: Sequence[str],
    *,
    config: WorkerConfig | None = None,
    html_per_partition: int = HTML_FILES_PER_PARTITION,
) -> Any:
    """Return a `dask.bag.Bag` of the records of `inputs`, one partition per file group.

    Raises:
        InputError: an input is missing.
    """
    import dask.bag as db
    from dask import delayed

    config = config or WorkerConfig()
    parts = split(list(expand_inputs(inputs)), html_per_partition=html_per_partition)
    return db.from_delayed([delayed(_records)(part, config) for part in parts])


def records_dataframe(
    inputs: Sequence[str],
    *,
    config: WorkerConfig | None = None,
    html_per_partition: int = HTML_FILES_PER_PARTITION,
) -> Any:
    """Return a Dask DataFrame of the records of `inputs`; `metadata` is a JSON string column."""
    config = config or WorkerConfig()
    fields = config.spec.fields
    bag = records_bag(inputs, config=config, html_per_partition=html_per_partition)
    meta = {name: "object" for name in fields}
    return bag.map(_flat_row, fields).to_dataframe(meta=meta)


def _flat_row(record: Record, fields: tuple[str, ...]) -> dict[str, Any]:
    row = {name: record.get(name) for name in fields}
    if "metadata" in row and row["metadata"] is not None:
        row["metadata"] = json.dumps(row["metadata"], ensure_ascii=False)
    return row


def _with_done(part: Partition, state: ResumeState | None) -> Partition | None:
    if state is None or not state.done:
        return part
    files = tuple(f for f in part.files if f.kind != "html" or f.path not in state.done)
    if not files:
        return None
    prefixes = tuple(f.path for f in files if f.kind != "html")
    done = frozenset(key for key in state.done if key.startswith(prefixes)) if prefixes else frozenset()
    return Partition(files, done)


def check_address(address: str) -> None:
    """Check that `address` reads as a scheduler address: tcp://HOST:PORT, tls://HOST:PORT or HOST:PORT.

    Raises:
        UsageError: it does not (distributed would fail later with a bare ValueError).
    """
    if not _ADDRESS.fullmatch(address):
        raise UsageError(f"--scheduler {address!r}: expected tcp://HOST:PORT")
    port = int(address.rstrip("/").rsplit(":", 1)[1])
    if not 0 < port < 65536:
        raise UsageError(f"--scheduler {address!r}: port {port} is out of range")


def _handshake(address: str, timeout_s: float) -> None:
    """Connect to `address` and exchange distributed's handshake, all within `timeout_s`.

    distributed bounds the connect but not the handshake read after it, so a port
    where something else listens (a web server) would hang the Client forever.
    Runs on a thread of its own, so it works whether or not the caller has an event loop.

    Raises:
        OSError: nothing listens there, or the connection closed (distributed's CommClosedError).
        TimeoutError: no Dask scheduler answered in time.
    """
    # Imported here: `scraper bulk` loads this module for check_address, and a local run needs neither.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect

    async def probe() -> None:
        # A second more than connect's own limit, so that a refused connection keeps its message.
        comm = await asyncio.wait_for(connect(address, timeout=timeout_s), timeout_s + 1)
        await comm.close()

    with ThreadPoolExecutor(1, thread_name_prefix="scraper-dask-probe") as pool:
        pool.submit(asyncio.run, probe()).result()


def run_on_cluster(
    files: Sequence[InputFile],
    config: WorkerConfig,
    address: str,
    *,
    state: ResumeState | None = None,
) -> Iterator[PageResult]:
    """Clean `files` on the Dask cluster at `address`, yielding results in input order.

    Raises:
        ScraperError: the scheduler cannot be reached.
    """
    try:
        from distributed import Client
    except ImportError as exc:
        raise ScraperError("--scheduler needs Dask: pip install 'scraper[dask]'") from exc
    try:
        _handshake(address, CONNECT_TIMEOUT_S)
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        reason = " ".join(str(exc).split()) or f"no answer within {CONNECT_TIMEOUT_S:g} s (is it a Dask scheduler?)"
        raise ScraperError(f"cannot reach the Dask scheduler at {address}: {reason}") from exc
    try:
        threads = max(1, sum(client.nthreads().values()))
        window = threads * PARTITIONS_IN_FLIGHT_PER_THREAD
        parts = [p for p in (_with_done(part, state) for part in split(files)) if p is not None]
        queue: deque[tuple[Partition, Any]] = deque()
        todo = iter(parts)
        while True:
            while len(queue) < window:
                part = next(todo, None)
                if part is None:
                    break
                queue.append((part, client.submit(clean_partition, part, config, pure=False)))
            if not queue:
                return
            part, future = queue.popleft()
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost partition becomes error records, not a lost run
                results = _failed_partition(part, exc, config)
            finally:
                future.release()
            yield from results
    finally:
        client.close()


def _failed_partition(part: Partition, exc: BaseException, config: WorkerConfig) -> list[PageResult]:
    """Turn a partition the cluster could not finish into one error record per page."""
    message = f"cluster task failed: {type(exc).__name__}: {' '.join(str(exc).split())}"[:300]
    fields = config.spec.fields
    skip = part.done.__contains__ if part.done else None
    return [failed(item, message, fields) for item in read_items(part.files, skip=skip)]
