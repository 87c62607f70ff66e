"""Clean pages in one forked worker that reads them itself: the ``-j 1`` path.

With a single worker there is nothing to share out, and a process pool only
costs time: a task queue, a feeder thread, every page pickled across. Here the
main process forks once; the child reads the inputs and cleans them, and sends
each page's result up a pipe; the main process writes the records. The child
still runs apart, so the guarantees of the pool hold:

- before cleaning a page the child names it (id, source, url) on the pipe, so
  when the child dies (segfault in a C library, out-of-memory kill) the main
  process knows which page it died on: a new child, forked from the untouched
  input iterator, reads past the pages done and tries that page again; a page
  that kills a second child becomes an error record, and the run goes on;
- the page timeout runs in the child's main thread, as in a pool worker;
- the child exits when the main process dies (its next write fails, and a
  watcher thread catches a page that never ends).

The input iterator must be re-readable from a fresh fork (files, folders,
archives, lists), which a list of paths read from stdin is not: callers run
such inputs on the pool.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, BinaryIO, NoReturn

from scraper.bulk.readers import WorkItem
from scraper.bulk.records import PageResult, describe, failed, picklable
from scraper.bulk.runner import CRASH_MESSAGE, PageFn, WorkerConfig, become_worker, make_context
from scraper.errors import ScraperError

# Message kinds on the pipe from child to parent; each message is a header then a pickle.
_BEGIN = 1  # (id, source, url) of the page the child is about to clean
_RESULT = 2  # the PageResult of that page
_FAILURE = 3  # an exception raised outside any page (e.g. an input of unknown type): ends the run
_END = 4  # every item is done
_HEADER = struct.Struct("<BI")
# A child that dies twice in a row between pages (reading, not cleaning) will not do better a third time.
MAX_CRASHES_BETWEEN_PAGES = 2


def can_fork() -> bool:
    """Tell whether the one-worker path can run here (Linux fork; elsewhere the pool is used)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def run_solo(items: Iterable[WorkItem], config: WorkerConfig, page_fn: PageFn) -> Iterator[PageResult]:
    """Clean `items` in one forked child, in order, and yield one result per item.

    Args:
        items: the pages; never iterated here, only in the children (each fork starts it afresh).
        config: rules, options and record shape.
        page_fn: the per-page function, run in the child.

    Raises:
        ScraperError: raised by the input readers (re-raised here as in the pool path), or
            the child died twice in a row while reading, outside any page.
    """
    done = 0
    crashes_between_pages = 0
    # Pages (by their place in the input) that a child died on once: the next child tries them again.
    died_on: set[int] = set()
    while True:
        child = _Child(items, done, config, page_fn)
        current: tuple[str, str, str | None] | None = None
        try:
            for kind, payload in child.messages():
                if kind == _BEGIN:
                    current = payload
                elif kind == _RESULT:
                    current = None
                    done += 1
                    crashes_between_pages = 0
                    yield payload
                elif kind == _FAILURE:
                    raise payload
                else:
                    return
        finally:
            child.stop()
        # The pipe closed without an end message: the child died.
        if current is None:
            crashes_between_pages += 1
            if crashes_between_pages >= MAX_CRASHES_BETWEEN_PAGES:
                raise ScraperError(f"worker process died twice while reading inputs after {done} pages")
            continue
        crashes_between_pages = 0
        if done not in died_on:
            # Once may be bad luck (another process's memory, a kill): a fresh child starts at this page.
            died_on.add(done)
            continue
        page_id, source, url = current
        done += 1
        yield failed(WorkItem(page_id, source, url, None), CRASH_MESSAGE, config.spec.fields)


class _Child:
    """One forked worker and the read end of its pipe."""

    def __init__(self, items: Iterable[WorkItem], skip: int, config: WorkerConfig, page_fn: PageFn) -> None:
        # Output the child would inherit unflushed and write twice.
        sys.stdout.flush()
        sys.stderr.flush()
        read_fd, write_fd = os.pipe()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(read_fd)
            _child_main(items, skip, config, page_fn, write_fd, parent)
        os.close(write_fd)
        self._pipe: BinaryIO = os.fdopen(read_fd, "rb")
        self._reaped = False
        self._ended = False

    def messages(self) -> Iterator[tuple[int, Any]]:
        """Yield (kind, payload) until the end message or until the pipe closes."""
        pipe = self._pipe
        while True:
            header = pipe.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return
            kind, size = _HEADER.unpack(header)
            body = pipe.read(size)
            if len(body) < size:
                return
            payload = pickle.loads(body)
            if kind == _END:
                self._ended = True
            yield kind, payload
            if kind == _END:
                return

    def stop(self) -> None:
        """Make sure the child is gone and reaped (killed if it still runs: interrupted run)."""
        self._pipe.close()
        if self._reaped:
            return
        try:
            # A child that sent its end message exits at once; any other is stopped here.
            pid, _ = os.waitpid(self.pid, 0 if self._ended else os.WNOHANG)
            if pid == 0:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except ChildProcessError:  # pragma: no cover - reaped by someone else
            pass
        self._reaped = True


def _child_main(
    items: Iterable[WorkItem], skip: int, config: WorkerConfig, page_fn: PageFn, fd: int, parent: int
) -> NoReturn:
    """Run in the forked child: read, clean, send; never return into the parent's code."""
    code = 0
    try:
        become_worker(parent)
        context = make_context(config)
        # Nothing below frees the objects the fork inherited or the rules just loaded: keep the
        # collector off them (no copy-on-write, and each full collection walks only the page's objects).
        gc.freeze()
        for item in islice(items, skip, None):
            _send(fd, _BEGIN, (item.id, item.source, item.url))
            try:
                result = page_fn(item, context)
            except Exception as exc:  # noqa: BLE001 - as on the pool: the page's error record, not the run's end
                result = failed(item, describe(exc), config.spec.fields)
            _send(fd, _RESULT, result)
        _send(fd, _END, None)
    except BrokenPipeError:
        code = 1  # the parent is gone
    except BaseException as exc:  # noqa: BLE001 - any failure goes to the parent, which decides
        try:
            _send(fd, _FAILURE, picklable(exc))
        except BaseException:  # noqa: BLE001
            code = 1
    finally:
        os._exit(code)



def _send(fd: int, kind: int, payload: object) -> None:
    body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(kind, len(body)) + body)
    while view:
        view = view[os.write(fd, view) :]
