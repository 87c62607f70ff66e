"""One bulk run from inputs to output file: read, skip what is done, clean, write, count."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from scraper.bulk.readers import (
    InputFile,
    Outputs,
    WorkItem,
    check_inputs,
    check_outputs,
    expand_inputs,
    read_items,
)
from scraper.bulk.records import Outcome, PageResult
from scraper.bulk.resume import ResumeState, check_resumable, recover
from scraper.bulk.runner import WorkerConfig, run_pages
from scraper.bulk.writers import (
    JOURNAL_SUFFIX,
    JsonlWriter,
    is_parquet,
    jsonl_to_parquet,
    parquet_to_jsonl,
    require_parquet,
)

Progress = Callable[[Outcome], None]


@dataclass(frozen=True)
class BulkJob:
    """What to clean, where to write it, and how."""

    inputs: tuple[str, ...]
    output: str
    config: WorkerConfig = field(default_factory=WorkerConfig)
    jobs: int | None = None
    ordered: bool = True
    resume: bool = False
    # Dask scheduler address (tcp://HOST:PORT); None runs on the local process pool.
    scheduler: str | None = None


@dataclass
class Summary:
    """Counts of a run, for the closing line."""

    pages: int = 0
    cleaned: int = 0
    empty: int = 0
    failed: int = 0
    # Pages found done in the output by --resume, not cleaned again.
    skipped: int = 0
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        """Count one page."""
        self.pages += 1
        if outcome == "cleaned":
            self.cleaned += 1
        elif outcome == "empty":
            self.empty += 1
        else:
            self.failed += 1

    @property
    def pages_per_s(self) -> float:
        """Pages cleaned per second of this run."""
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """Return the one-line summary printed at the end of every run."""
        text = (
            f"{self.pages} pages, {self.cleaned} cleaned, {self.empty} empty, {self.failed} failed, "
            f"{self.seconds:.1f} s, {self.pages_per_s:.1f} pages/s"
        )
        if self.skipped:
            text += f" ({self.skipped} done before, skipped)"
        return text


def journal_path(output: str) -> str:
    """Return where records go while the run lasts: the output itself, or a JSONL journal for Parquet."""
    return output + JOURNAL_SUFFIX if is_parquet(output) else output


def prepare_resume(job: BulkJob) -> ResumeState | None:
    """Recover the records of an earlier run when resuming; None when starting afresh."""
    if not job.resume:
        return None
    check_resumable(job.config.spec.fields)
    journal = journal_path(job.output)
    if journal != job.output and not os.path.exists(journal) and os.path.exists(job.output):
        # A finished Parquet run: its rows seed the journal, and the file is rewritten at the end.
        parquet_to_jsonl(job.output, journal)
    return recover(journal)


def items_to_do(files: Iterable[InputFile], state: ResumeState | None) -> Iterator[WorkItem]:
    """Yield the work items not already in the output."""
    if state is None or not state.done:
        yield from read_items(files)
        return
    yield from read_items(files, skip=state.done.__contains__)


def run_job(
    job: BulkJob,
    *,
    progress: Progress | None = None,
    stdin: Iterable[str] | None = None,
    summary: Summary | None = None,
) -> Summary:
    """Run a bulk job to the end and return its counts (kept in `summary` if given, even when interrupted).

    Raises:
        InputError: an input is missing or of an unknown kind.
        UsageError: the output cannot be written, is one of the inputs, or --resume cannot apply.
    """
    started = time.monotonic()
    check_inputs(job.inputs)
    journal = journal_path(job.output)
    outputs = Outputs({job.output, journal})
    check_outputs(job.inputs, outputs)
    if is_parquet(job.output):
        require_parquet()
    state = prepare_resume(job)
    summary = summary if summary is not None else Summary()
    summary.skipped = state.kept if state else 0
    files = expand_inputs(job.inputs, stdin=stdin, outputs=outputs)
    writer = JsonlWriter(journal, append=state is not None)
    finished = False
    try:
        results: Iterable[PageResult]
        if job.scheduler is not None:
            from scraper.bulk.dask import run_on_cluster

            results = run_on_cluster(list(files), job.config, job.scheduler, state=state)
        else:
            # A list of paths on stdin is read once: a one-worker child forked again after a crash
            # could not read it afresh, so such runs stay on the pool.
            results = run_pages(items_to_do(files, state), job.config, jobs=job.jobs, ordered=job.ordered,
                                solo=False if "-" in job.inputs else None)
        for result in results:
            writer.write(result.record)
            summary.add(result.outcome)
            if progress is not None:
                progress(result.outcome)
        finished = True
    finally:
        writer.close()
        if finished and journal != job.output:
            jsonl_to_parquet(journal, job.output, job.config.spec.fields)
            os.remove(journal)
        summary.seconds = time.monotonic() - started
    return summary
