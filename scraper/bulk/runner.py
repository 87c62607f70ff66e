"""Clean work items on a local pool of processes: streaming, bounded, crash-proof.

At most ``max_in_flight`` pages (default four per worker) are read ahead of
the writer, whether they wait in the pool or in the reorder buffer, so memory
stays flat whatever the size of the input. Results come out in input order,
or in completion order with ``ordered=False``.

With one job the pages are cleaned in one forked child that reads them itself
(`scraper.bulk.solo`); with more, on a pool of workers fed one page at a time
(`scraper.bulk.pool`). Either way a worker that dies (killed, out of memory, a
segfault in a C library) is replaced and its page tried once more; a page that
kills two workers becomes an error record, and the run goes on.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scraper.bulk.readers import WorkItem
from scraper.bulk.records import PageResult, RecordSpec, clean_item, failed
from scraper.errors import UsageError
from scraper.models import Options
from scraper.rules import RuleSet, load_ruleset

CRASH_MESSAGE = "worker process died while cleaning this page"
# Pages read ahead per worker: enough to keep every worker busy while the writer catches up.
READ_AHEAD_PER_WORKER = 4
# How often a worker checks that its parent is alive; orphans exit within this delay.
PARENT_CHECK_S = 0.5
DEFAULT_PAGE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker needs to clean pages; small and picklable (rules load in the worker)."""

    # Absolute paths, resolved by the caller: Dask workers may run in another directory.
    rules_dirs: tuple[str, ...] = ()
    include_shipped: bool = True
    options: Options = field(default_factory=Options)
    spec: RecordSpec = field(default_factory=RecordSpec)
    # A page still running after this many seconds is abandoned as an error record (0: never).
    # Real pages take tens of milliseconds; a minute means the page is pathological.
    page_timeout_s: float = DEFAULT_PAGE_TIMEOUT_S


@dataclass(frozen=True)
class WorkerContext:
    """A worker's loaded state: compiled rules are not picklable, so each process loads its own."""

    ruleset: RuleSet
    options: Options
    spec: RecordSpec
    page_timeout_s: float = 0.0


PageFn = Callable[[WorkItem, WorkerContext], PageResult]


def load_rules(dirs: Iterable[str], *, include_shipped: bool = True) -> RuleSet:
    """Load the rule folders `dirs` (earlier ones win) and, unless told not to, the shipped rules.

    Raises:
        RuleError: a folder is missing or a rule file is invalid.
    """
    return load_ruleset([Path(d) for d in dirs], include_shipped=include_shipped)


def make_context(config: WorkerConfig) -> WorkerContext:
    """Load a worker's state from its config."""
    return WorkerContext(
        load_rules(config.rules_dirs, include_shipped=config.include_shipped),
        config.options,
        config.spec,
        config.page_timeout_s,
    )


def clean_page(item: WorkItem, context: WorkerContext) -> PageResult:
    """Clean one page with a worker's context (the default page function).

    In a worker process's main thread, a page that runs past `page_timeout_s`
    becomes an error record, so one pathological page cannot stall the run.
    """
    timeout = context.page_timeout_s
    if not timeout or not _can_time_out():
        return clean_item(item, context.ruleset, context.options, context.spec)
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        result = clean_item(item, context.ruleset, context.options, context.spec)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except _PageTimeout:
        result = failed(item, f"timed out after {timeout:g} s", context.spec.fields)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return result


class _PageTimeout(BaseException):
    """Raised by the page timer; a BaseException so that the per-page `except Exception` lets it by."""


def _raise_timeout(signum: int, frame: object) -> None:
    raise _PageTimeout()


def _can_time_out() -> bool:
    # Signals reach only the main thread: Dask runs tasks in threads, where no timer is set.
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def become_worker(parent: int) -> None:
    """Set up a freshly forked worker: signals as the parent wants them, and a watch on the parent."""
    # Ctrl-C reaches the whole process group; the parent decides what happens, not each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A fork copies the parent's SIGTERM handler (which turns the signal into an interrupt for
    # the CLI); a worker just ends, without a traceback, and the parent sorts out its page.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    watch_parent(parent)


def watch_parent(parent: int) -> None:
    """Exit when the parent dies (SIGKILL, power-off of its session): forked siblings keep the
    task pipe open, so a blocked worker would otherwise never see end-of-file and linger."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="scraper-parent-watch", daemon=True).start()


def default_jobs() -> int:
    """Return the default number of workers: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_pages(
    items: Iterable[WorkItem],
    config: WorkerConfig,
    *,
    jobs: int | None = None,
    ordered: bool = True,
    max_in_flight: int | None = None,
    page_fn: PageFn = clean_page,
    solo: bool | None = None,
) -> Iterator[PageResult]:
    """Clean `items` on `jobs` worker processes and yield one result per item.

    Args:
        items: the pages, read lazily.
        config: rules, options and record shape for the workers.
        jobs: worker processes (default: every usable core).
        ordered: yield in input order (default) or as pages finish.
        max_in_flight: pages read but not yet yielded (default: 4 per worker).
        page_fn: the per-page function run in the workers (module-level, picklable).
        solo: with one job, run it in one forked child that reads the items itself
            (`scraper.bulk.solo`) rather than on a pool. Default: when fork is available.
            Pass False when `items` cannot be read again from a fresh fork (paths from stdin).

    Returns:
        An iterator of `PageResult`, one per item.

    Raises:
        UsageError: `jobs` is below 1.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise UsageError("-j must be at least 1")
    if jobs == 1 and solo is not False:
        from scraper.bulk.solo import can_fork, run_solo

        if can_fork():
            return run_solo(items, config, page_fn)
    from scraper.bulk.pool import run_pool

    limit = max(1, max_in_flight or jobs * READ_AHEAD_PER_WORKER)
    return run_pool(items, config, page_fn, jobs=jobs, ordered=ordered, limit=limit)
