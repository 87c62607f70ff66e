"""Clean work items on a local pool of processes: streaming, bounded, crash-proof.

At most ``max_in_flight`` pages (default four per worker) are read ahead of
the writer, whether they wait in the pool or in the reorder buffer, so memory
stays flat whatever the size of the input. Results come out in input order,
or in completion order with ``ordered=False``.

A worker that dies (killed, out of memory, a segfault in a C library) breaks
a `ProcessPoolExecutor`. The runner then starts a fresh pool and runs the
pages that were in flight one at a time: the page that kills its worker again
becomes an error record, the others are cleaned as usual.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scraper.bulk.readers import WorkItem
from scraper.bulk.records import PageResult, RecordSpec, clean_item, describe, failed
from scraper.errors import UsageError
from scraper.models import Options
from scraper.rules import RuleSet, load_ruleset

if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import Future, ProcessPoolExecutor

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


# One per worker process, set by the pool initializer: the process *is* the scope of this
# state, and loading rules once per process instead of once per page is the point.
_context: WorkerContext | None = None


def _init_worker(config: WorkerConfig) -> None:
    global _context
    # Ctrl-C reaches the whole process group; the parent decides what happens, not each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A fork copies the parent's SIGTERM handler (which turns the signal into an interrupt for
    # the CLI); a worker just ends, without a traceback, and the parent sorts out its pages.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    watch_parent(os.getppid())
    _context = make_context(config)
    # As in the solo child: the modules and rules live as long as the worker, so the collector
    # leaves them alone (half of its time per page on the development sets).
    gc.freeze()


def watch_parent(parent: int) -> None:
    """Exit when the parent dies (SIGKILL, power-off of its session): forked siblings keep the
    task pipe open, so a blocked worker would otherwise never see end-of-file and linger."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="scraper-parent-watch", daemon=True).start()


def _run_in_worker(page_fn: PageFn, item: WorkItem) -> PageResult:
    if _context is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("worker not initialised")
    return page_fn(item, _context)


def _mp_context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    # fork starts workers with scraper already imported (about 0.5 s saved per worker).
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def default_jobs() -> int:
    """Return the default number of workers: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _Pool:
    """A process pool that can be replaced when a worker dies."""

    def __init__(self, jobs: int, config: WorkerConfig) -> None:
        self.jobs = jobs
        self.config = config
        self.restarts = 0
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=_mp_context(),
            initializer=_init_worker,
            initargs=(self.config,),
        )

    def submit(self, page_fn: PageFn, item: WorkItem) -> Future[PageResult]:
        return self.executor.submit(_run_in_worker, page_fn, item)

    def restart(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.restarts += 1
        self.executor = self._start()

    def run_alone(self, page_fn: PageFn, item: WorkItem) -> PageResult:
        """Run one page with nothing else in flight, so a crash is known to be its own."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.submit(page_fn, item).result()
        except BrokenProcessPool:
            self.restart()
            return failed(item, CRASH_MESSAGE, self.config.spec.fields)
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled back
            return failed(item, describe(exc), self.config.spec.fields)

    def close(self, *, abort: bool = False) -> None:
        """Shut the pool down and wait until its manager thread has ended.

        Left running, that thread closes its wake-up pipe while the interpreter's exit hook
        writes to it, which now and then printed a traceback after the summary line (CPython
        3.11). On `abort` (Ctrl-C, SIGTERM, a consumer that stopped reading) the workers are
        stopped first: the pages in their hands are given up, and `--resume` redoes them.
        """
        if abort:
            # The executor's worker processes are in a private mapping; were it ever gone, the
            # workers would only finish their pages before the shutdown returns.
            for process in list((getattr(self.executor, "_processes", None) or {}).values()):
                process.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)


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
    return _run_pool(items, config, jobs, ordered, max(1, max_in_flight or jobs * READ_AHEAD_PER_WORKER), page_fn)


def _run_pool(
    items: Iterable[WorkItem], config: WorkerConfig, jobs: int, ordered: bool, limit: int, page_fn: PageFn
) -> Iterator[PageResult]:
    """Clean `items` on a pool of `jobs` processes, at most `limit` pages in flight."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    source = iter(items)
    pool = _Pool(jobs, config)
    pending: dict[Future[PageResult], tuple[int, WorkItem]] = {}
    ready: dict[int, PageResult] = {}
    next_out = 0
    submitted = 0
    exhausted = False

    def settle(seq: int, result: PageResult) -> Iterator[PageResult]:
        nonlocal next_out
        if not ordered:
            yield result
            return
        ready[seq] = result
        while next_out in ready:
            yield ready.pop(next_out)
            next_out += 1

    finished = False
    try:
        while True:
            crashed: list[tuple[int, WorkItem]] = []
            while not exhausted and len(pending) + len(ready) < limit:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                try:
                    pending[pool.submit(page_fn, item)] = (submitted, item)
                except BrokenProcessPool:
                    crashed.append((submitted, item))
                submitted += 1
                if crashed:
                    break
            if not pending and not crashed:
                break
            if pending and not crashed:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
            else:
                done = set()
            for future in done:
                seq, item = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    crashed.append((seq, item))
                    continue
                except Exception as exc:  # noqa: BLE001 - a result or item that failed to cross processes
                    result = failed(item, describe(exc), config.spec.fields)
                yield from settle(seq, result)
            if crashed:
                # A dead worker fails every future of the pool: collect them all, then sort it out.
                wait(pending)
                for future, (seq, item) in list(pending.items()):
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        crashed.append((seq, item))
                        continue
                    except Exception as exc:  # noqa: BLE001
                        result = failed(item, describe(exc), config.spec.fields)
                    yield from settle(seq, result)
                pending.clear()
                pool.restart()
                for seq, item in sorted(crashed, key=lambda pair: pair[0]):
                    yield from settle(seq, pool.run_alone(page_fn, item))
        finished = True
    finally:
        pool.close(abort=not finished)
