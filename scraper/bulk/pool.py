"""Clean pages on a pool of worker processes, one page in each worker's hands at a time.

Each worker has its own pair of pipes: the parent sends it a page when it is
idle and reads its result back. So the parent always knows which page each
worker holds, and:

- a worker that dies (killed, out of memory, a segfault in a C library) is
  replaced by a fresh one, which tries its page again; a page that kills a
  second worker becomes an error record, and the run goes on;
- stopping the pool early (Ctrl-C, SIGTERM, a consumer that stops reading)
  kills the workers and closes the pipes: no thread is left to wait for.

Why not `concurrent.futures.ProcessPoolExecutor`: a worker killed while it is
writing a result leaves half a message in the shared result pipe, and the
executor's manager thread then waits forever for the rest, so Ctrl-C on a run
of large pages hung now and then (CPython 3.11), and so did the restart after
a crash while its feeder thread was blocked on a full task pipe.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scraper.bulk.readers import WorkItem
from scraper.bulk.records import PageResult, describe, failed, picklable
from scraper.bulk.runner import CRASH_MESSAGE, PageFn, WorkerConfig, become_worker, make_context
from scraper.errors import ScraperError

if TYPE_CHECKING:
    import multiprocessing.context
    from multiprocessing.connection import Connection

# A worker asked to stop finishes the page in hand first; one still running after this is killed.
STOP_GRACE_S = 5.0
# Workers that die in a row without a page in hand (on start, between pages) will not do better.
MAX_IDLE_DEATHS = 3


@dataclass(frozen=True)
class _Failure:
    """An exception raised in a worker outside any page (e.g. its rules would not load): ends the run."""

    error: BaseException


def run_pool(
    items: Iterable[WorkItem], config: WorkerConfig, page_fn: PageFn, *, jobs: int, ordered: bool, limit: int
) -> Iterator[PageResult]:
    """Clean `items` on `jobs` worker processes and yield one result per item.

    Args:
        items: the pages, read lazily, only here.
        config: rules, options and record shape for the workers.
        page_fn: the per-page function run in the workers (module-level, picklable).
        jobs: worker processes.
        ordered: yield in input order, or as pages finish.
        limit: pages read but not yet yielded, at most.

    Raises:
        ScraperError: raised by the input readers or by a worker outside any page, or workers
            keep dying before they take a page.
    """
    source = iter(items)
    context = _mp_context()
    workers: list[_Worker] = []
    idle: list[_Worker] = []
    busy: dict[Connection, _Worker] = {}
    # Pages whose worker died under them, for one more try on a fresh worker.
    retry: list[tuple[int, WorkItem]] = []
    died_on: set[int] = set()
    ready: dict[int, PageResult] = {}
    done: list[tuple[int, PageResult]] = []
    next_out = 0
    submitted = 0
    exhausted = False
    idle_deaths = 0

    def start_worker() -> _Worker:
        worker = _Worker(context, config, page_fn)
        workers.append(worker)
        return worker

    def replace(worker: _Worker) -> _Worker:
        worker.stop(kill=True)
        workers.remove(worker)
        return start_worker()

    def next_page() -> tuple[int, WorkItem] | None:
        """Return a page to retry, else the next page of the input if the in-flight limit allows."""
        nonlocal submitted, exhausted
        if retry:
            return retry.pop()
        if exhausted or len(busy) + len(ready) + len(done) >= limit:
            return None
        item = next(source, None)
        if item is None:
            exhausted = True
            return None
        submitted += 1
        return submitted - 1, item

    def hand_out() -> None:
        """Give a page to each idle worker."""
        nonlocal idle_deaths
        while idle:
            page = next_page()
            if page is None:
                return
            worker = idle.pop()
            while not worker.give(*page):
                # It died before taking the page (not the page's doing): a fresh one takes it.
                idle_deaths += 1
                if idle_deaths >= MAX_IDLE_DEATHS:
                    raise ScraperError(f"worker processes keep dying before taking a page ({idle_deaths} in a row)")
                worker = replace(worker)
            busy[worker.results] = worker

    def settle(seq: int, result: PageResult) -> Iterator[PageResult]:
        nonlocal next_out
        if not ordered:
            yield result
            return
        ready[seq] = result
        while next_out in ready:
            yield ready.pop(next_out)
            next_out += 1

    from multiprocessing.connection import wait

    finished = False
    try:
        for _ in range(jobs):
            idle.append(start_worker())
        while True:
            hand_out()
            if not busy:
                break
            for connection in wait(list(busy)):
                worker = busy.pop(connection)  # type: ignore[call-overload]
                seq, item = worker.holding
                message = worker.take_result()
                if message is None:
                    # The pipe closed mid-page: the worker died on this page. Once may be bad luck
                    # (another process's memory, a kill); a page that kills a second worker goes.
                    idle.append(replace(worker))
                    if seq in died_on:
                        done.append((seq, failed(item, CRASH_MESSAGE, config.spec.fields)))
                    else:
                        died_on.add(seq)
                        retry.append((seq, item))
                    continue
                if isinstance(message, _Failure):
                    raise message.error
                idle_deaths = 0
                done.append((seq, message))
                idle.append(worker)
            # Busy the idle workers again before the consumer spends time on the results.
            hand_out()
            results, done[:] = list(done), []
            for seq, result in results:
                yield from settle(seq, result)
        finished = True
    finally:
        for worker in workers:
            worker.stop(kill=not finished)


def _mp_context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    # fork starts workers with scraper already imported (about 0.5 s saved per worker).
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


class _Worker:
    """One worker process, the parent's ends of its two pipes, and the page it holds."""

    def __init__(self, context: multiprocessing.context.BaseContext, config: WorkerConfig, page_fn: PageFn) -> None:
        task_reader, self.tasks = context.Pipe(duplex=False)
        self.results, result_writer = context.Pipe(duplex=False)
        # Output the child would inherit unflushed and write twice.
        sys.stdout.flush()
        sys.stderr.flush()
        self.process = context.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(config, page_fn, task_reader, result_writer, os.getpid()),
            name="scraper-worker",
            daemon=True,
        )
        self.process.start()
        # Closed here at once, so the worker's death closes its result pipe (end of file), and
        # workers started later do not inherit these ends.
        task_reader.close()
        result_writer.close()
        # The page in the worker's hands, with its place in the input (set while it is busy).
        self.holding: tuple[int, WorkItem] = (-1, WorkItem("", "", None, None))

    def give(self, seq: int, item: WorkItem) -> bool:
        """Send the worker a page; False when it is gone."""
        try:
            self.tasks.send_bytes(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # BrokenPipeError: the worker died while idle
            return False
        self.holding = (seq, item)
        return True

    def take_result(self) -> PageResult | _Failure | None:
        """Read the worker's reply to its page; None when it died first."""
        try:
            data = self.results.recv_bytes()
        except (EOFError, OSError):
            return None
        return pickle.loads(data)  # type: ignore[no-any-return]

    def stop(self, *, kill: bool) -> None:
        """End the worker: asked to leave after its page, or killed (an interrupted run)."""
        process = self.process
        if not kill:
            try:
                self.tasks.send_bytes(pickle.dumps(None))
            except OSError:
                pass
            process.join(STOP_GRACE_S)
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
        self.tasks.close()
        self.results.close()


def _worker_main(config: WorkerConfig, page_fn: PageFn, tasks: Connection, results: Connection, parent: int) -> None:
    """Run in a worker: take a page, clean it, send its result, until told to stop."""
    become_worker(parent)
    try:
        context = make_context(config)
    except BaseException as exc:  # noqa: BLE001 - the parent raises it, on the first page
        setup_failure: _Failure | None = _Failure(picklable(exc))
    else:
        setup_failure = None
        # The modules and rules live as long as the worker: the collector leaves them alone
        # (half of its time per page on the development sets).
        gc.freeze()
    while True:
        try:
            item = pickle.loads(tasks.recv_bytes())
        except EOFError:
            return
        if item is None:
            return
        if setup_failure is not None:
            results.send_bytes(pickle.dumps(setup_failure, protocol=pickle.HIGHEST_PROTOCOL))
            return
        try:
            reply = pickle.dumps(page_fn(item, context), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - the page's error record, not the run's end
            reply = pickle.dumps(failed(item, describe(exc), config.spec.fields), protocol=pickle.HIGHEST_PROTOCOL)
        results.send_bytes(reply)
