"""Clean many pages: folders, globs, WARC and JSON Lines in; JSON Lines or Parquet records out.

    from scraper.bulk import BulkJob, run_job
    summary = run_job(BulkJob(inputs=("pages/",), output="out.jsonl"))

Modules: `readers` (inputs -> work items), `records` (the record shape),
`runner` (local process pool), `resume` (pick up an interrupted run),
`writers` (JSONL, Parquet), `dask` (the same work on a Dask cluster), `job` (one run end to end).
"""

from __future__ import annotations

from scraper.bulk.job import BulkJob, Summary, run_job
from scraper.bulk.readers import WorkItem, read_items
from scraper.bulk.records import FIELDS, FORMATS, PageResult, RecordSpec
from scraper.bulk.runner import WorkerConfig, run_pages

__all__ = [
    "FIELDS",
    "FORMATS",
    "BulkJob",
    "PageResult",
    "RecordSpec",
    "Summary",
    "WorkItem",
    "WorkerConfig",
    "read_items",
    "run_job",
    "run_pages",
]
