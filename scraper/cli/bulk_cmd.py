"""`scraper bulk INPUT... -o OUT`: clean many pages into JSON Lines or Parquet records.

Exit codes:
    0    every page produced a record (cleaned, empty or error records; see the summary line)
    1    the Dask scheduler cannot be reached, workers kept dying outside any page, or another failure
    2    usage: bad options, output not writable (also mid-run: disk full), output among the inputs,
         a malformed --scheduler address, --resume with stdout or without `source` in --fields,
         Parquet without pyarrow
    3    an INPUT is missing, a glob matches nothing, or a file has an unknown type
    4    a rules file is invalid
    130  interrupted (Ctrl-C, SIGTERM): records written are whole; rerun with --resume
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scraper.bulk.dask import check_address
from scraper.bulk.job import BulkJob, Summary, run_job
from scraper.bulk.readers import count_pages, expand_inputs
from scraper.bulk.records import FIELDS, FORMATS, RecordSpec, parse_fields
from scraper.bulk.runner import DEFAULT_PAGE_TIMEOUT_S, WorkerConfig, load_rules
from scraper.cli.extraction import add_extraction_options, extraction_options
from scraper.cli.rules_cmd import add_rules_option
from scraper.errors import UsageError
from scraper.models import Options
from scraper.rules import rule_dirs_from_env

EXIT_INTERRUPTED = 130


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `bulk` command."""
    parser = sub.add_parser(
        "bulk",
        help="clean many pages (folders, globs, WARC, JSONL) into JSONL or Parquet records",
        description="Clean many pages into one record per page. Output order is input order "
        "unless --unordered.",
    )
    add_arguments(parser)
    parser.set_defaults(handler=handle)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of `bulk` to `parser`."""
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT",
        help="folder (recursive), glob, .html/.html.gz, .warc/.warc.gz, .jsonl/.jsonl.gz, "
        "or - to read paths from stdin",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="OUT.jsonl (JSON Lines; - for stdout) or OUT.parquet")
    parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                        help="worker processes (default: all cores)")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="what goes into each record's text (default: text)")
    parser.add_argument("--fields", metavar="LIST",
                        help=f"comma-separated fields to keep (default: {','.join(FIELDS)})")
    parser.add_argument("--resume", action="store_true",
                        help="finish an interrupted run: keep the records in OUT, skip their pages "
                        "(needs source among --fields)")
    parser.add_argument("--unordered", action="store_true",
                        help="write records as pages finish instead of in input order")
    parser.add_argument("--scheduler", metavar="URL",
                        help="run on the Dask cluster at tcp://HOST:PORT instead of local processes")
    parser.add_argument("--page-timeout", type=float, default=DEFAULT_PAGE_TIMEOUT_S, metavar="S",
                        help=f"abandon a page after S seconds as an error record (default {DEFAULT_PAGE_TIMEOUT_S:g}; "
                        "0: never; local runs only)")
    add_rules_option(parser)
    add_extraction_options(parser)


def job_from_args(args: argparse.Namespace) -> BulkJob:
    """Build a BulkJob from parsed arguments, checking what can be checked before any work.

    Raises:
        UsageError: the options contradict each other.
        RuleError: a rules folder holds an invalid file.
    """
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("-j must be at least 1")
    if args.page_timeout < 0:
        raise UsageError("--page-timeout must be 0 (never) or more")
    if args.resume and args.output == "-":
        raise UsageError("--resume needs an output file, not stdout")
    if args.scheduler is not None:
        check_address(args.scheduler)
    fields = parse_fields(args.fields)
    # Resolved here, once: workers (possibly on other machines) get absolute paths, not the environment.
    rules_dirs = tuple(str(Path(d).resolve()) for d in [*args.rules, *rule_dirs_from_env()])
    include_shipped = not args.no_shipped_rules
    # Load once here so a broken rule file ends the run before it starts, with exit code 4.
    load_rules(rules_dirs, include_shipped=include_shipped)
    config = WorkerConfig(
        rules_dirs=rules_dirs,
        include_shipped=include_shipped,
        # Work no record shows is skipped: the HTML rendering unless --format html, the date
        # search unless the metadata field is kept (together about a quarter of a page's cost).
        options=Options(
            **extraction_options(args), render_html=args.format == "html", find_date="metadata" in fields
        ),
        spec=RecordSpec(format=args.format, fields=fields),
        page_timeout_s=args.page_timeout,
    )
    return BulkJob(
        inputs=tuple(args.inputs),
        output=args.output,
        config=config,
        jobs=args.jobs,
        ordered=not args.unordered,
        resume=args.resume,
        scheduler=args.scheduler,
    )


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C so the output is closed cleanly."""


@contextmanager
def _term_as_interrupt() -> Iterator[None]:
    def raise_interrupt(signum: int, frame: Any) -> None:
        raise _Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, raise_interrupt)
    except ValueError:  # not the main thread (e.g. called from a test harness thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress_bar(job: BulkJob):  # type: ignore[no-untyped-def]
    """Return a tqdm bar on a terminal, else None (logs and pipes get the summary line only)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    class Bar(tqdm):  # type: ignore[type-arg]
        # No monitor thread: workers are forked after the bar exists, and a fork should copy one thread.
        monitor_interval = 0

    total = None if "-" in job.inputs else count_pages(expand_inputs(job.inputs))
    return Bar(total=total, unit="page", dynamic_ncols=True, file=sys.stderr, smoothing=0.1)


def handle(args: argparse.Namespace) -> int:
    """Run `bulk`: read, clean in parallel, write records, print the summary."""
    job = job_from_args(args)
    summary = Summary()
    bar = _progress_bar(job)

    def progress(outcome: str) -> None:
        bar.update(1)
        if outcome == "failed":
            bar.set_postfix(errors=summary.failed, refresh=False)

    try:
        with _term_as_interrupt():
            run_job(job, progress=progress if bar is not None else None, summary=summary)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        print(f"scraper bulk: interrupted after {summary.line()}; rerun with --resume to finish",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    if bar is not None:
        bar.close()
    print(f"scraper bulk: {summary.line()}", file=sys.stderr)
    return 0
