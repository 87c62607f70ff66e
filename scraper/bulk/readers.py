"""Turn bulk inputs (folders, globs, HTML files, WARC archives, JSON Lines) into work items.

Every reader streams: a WARC or JSONL file is read one record or line at a
time, never whole. Problems with one page (a corrupt gzip member, a truncated
WARC record, a line that is not JSON) become a `WorkItem` carrying an
``error``, so the run writes an error record for it and goes on.

Sources name where a page came from, and are unique within a run (resume keys
on them): a file's path; ``PATH@OFFSET`` for a WARC record (byte offset of the
record in the file); ``PATH:LINE`` for a JSON Lines record (1-based).
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

from scraper.errors import InputError, TooLargeInput, UsageError
from scraper.models import Options

InputKind = Literal["html", "warc", "jsonl"]

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_GLOB_CHARS = frozenset("*?[")
# WARC payloads whose HTTP Content-Type names one of these are pages; others are skipped.
_HTML_TYPES = ("text/html", "application/xhtml+xml")
GZIP_MAGIC = b"\x1f\x8b"
# Read no more of one page than the extractor would accept anyway.
MAX_PAGE_BYTES = Options.max_input_bytes

Skip = Callable[[str], bool]
# UTF-16 surrogate code points: in a Python str they stand alone (json.loads joins valid pairs).
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class WorkItem:
    """One page to clean, or the reason it could not be read."""

    id: str
    source: str
    url: str | None
    # The page as read: may still be gzip-compressed (the worker inflates it, in parallel).
    data: bytes | None
    # Set when the page could not be read; the item then becomes an error record.
    error: str | None = None
    # The charset its HTTP Content-Type declared (WARC responses): it outranks a <meta>, as in a browser.
    charset: str | None = None


@dataclass(frozen=True)
class InputFile:
    """One file to read, and which reader reads it."""

    path: str
    kind: InputKind


def kind_of(path: str) -> InputKind | None:
    """Return which reader handles `path`, judged by its name, or None."""
    name = path.lower()
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return None


def file_id(path: str) -> str:
    """Return a file's page id: its name up to the first dot."""
    return os.path.basename(path).split(".", 1)[0]


class Outputs:
    """The files a run writes (its output, a Parquet run's journal), which no input may be.

    Reading them back would feed a run its own records; a walk or a glob leaves them out.
    Paths are compared once resolved (symlinks, `..`), and only for files of the same name,
    so a walk of many files costs no more system calls.
    """

    def __init__(self, paths: Iterable[str] = ()) -> None:
        self.paths = tuple(path for path in paths if path != "-")
        self._resolved = {os.path.realpath(path) for path in self.paths}
        # The output may itself be a symlink: the name of its target counts too.
        self._names = {os.path.basename(path) for path in (*self.paths, *self._resolved)}

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str) or os.path.basename(path) not in self._names:
            return False
        return os.path.realpath(path) in self._resolved

    def same_as(self, path: str) -> bool:
        """Tell whether `path` is an output under any name (symlink or hard link)."""
        for output in self.paths:
            try:
                if os.path.samefile(path, output):
                    return True
            except OSError:  # the output does not exist yet
                continue
        return os.path.realpath(path) in self._resolved


NO_OUTPUTS = Outputs()


def _walk(folder: str, outputs: Outputs = NO_OUTPUTS) -> Iterator[str]:
    """Yield the readable files under `folder`, recursively, in sorted order, but not `outputs`."""
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if kind_of(path) is not None and path not in outputs:
                yield path


def _paths_from_stdin(stream: Iterable[str]) -> Iterator[str]:
    for line in stream:
        path = line.strip()
        if path:
            yield path


def expand_inputs(
    inputs: Iterable[str], *, stdin: Iterable[str] | None = None, outputs: Outputs = NO_OUTPUTS
) -> Iterator[InputFile]:
    """Resolve INPUT arguments (folders, globs, files, ``-``) into files to read, lazily.

    Files in `outputs` found by a walk, a glob or a stdin list are left out (a named
    one is refused beforehand, by `check_outputs`).

    Raises:
        InputError: an input does not exist, a glob matches nothing, or a file
            has a name no reader knows.
    """
    for spec in inputs:
        if spec == "-":
            listed = _paths_from_stdin(stdin if stdin is not None else sys.stdin)
            yield from expand_inputs((path for path in listed if path not in outputs), outputs=outputs)
            continue
        if os.path.isdir(spec):
            for path in _walk(spec, outputs):
                yield InputFile(path, kind_of(path) or "html")
            continue
        if os.path.exists(spec):
            kind = kind_of(spec)
            if kind is None:
                raise InputError(
                    f"{spec}: unknown input type (expected .html, .html.gz, .warc, .warc.gz, .jsonl, .jsonl.gz)"
                )
            yield InputFile(spec, kind)
            continue
        if _GLOB_CHARS & set(spec):
            matches = sorted(glob.glob(spec, recursive=True))
            found = False
            for match in matches:
                if os.path.isdir(match):
                    for path in _walk(match, outputs):
                        found = True
                        yield InputFile(path, kind_of(path) or "html")
                elif match in outputs:
                    found = True
                elif (kind := kind_of(match)) is not None:
                    found = True
                    yield InputFile(match, kind)
            if not found:
                raise InputError(f"{spec}: no input matches this pattern")
            continue
        raise InputError(f"{spec}: no such file or folder")


def check_inputs(inputs: Iterable[str]) -> None:
    """Fail early, before any work, when a named input is missing (stdin lists are checked lazily)."""
    for spec in inputs:
        if spec == "-" or os.path.exists(spec):
            continue
        if _GLOB_CHARS & set(spec) and glob.glob(spec, recursive=True):
            continue
        if _GLOB_CHARS & set(spec):
            raise InputError(f"{spec}: no input matches this pattern")
        raise InputError(f"{spec}: no such file or folder")


def check_outputs(inputs: Iterable[str], outputs: Outputs) -> None:
    """Refuse a run whose output is one of its named inputs: writing it would destroy the input.

    Raises:
        UsageError: a named INPUT is the output file (or its journal), also through a symlink.
    """
    for spec in inputs:
        if spec != "-" and os.path.isfile(spec) and outputs.same_as(spec):
            raise UsageError(f"{spec}: the output file cannot also be an input")


def count_pages(files: Iterable[InputFile]) -> int | None:
    """Count the pages when that is cheap (only HTML files), else return None."""
    total = 0
    for file in files:
        if file.kind != "html":
            return None
        total += 1
    return total


def read_items(files: Iterable[InputFile], *, skip: Skip | None = None) -> Iterator[WorkItem]:
    """Yield the work items of every file, in order; `skip(source)` drops pages already done."""
    for file in files:
        if file.kind == "html":
            yield from read_html_file(file.path, skip=skip)
        elif file.kind == "warc":
            yield from read_warc(file.path, skip=skip)
        else:
            yield from read_jsonl(file.path, skip=skip)


def read_html_file(path: str, *, skip: Skip | None = None) -> Iterator[WorkItem]:
    """Yield the one page of an .html or .html.gz file (left compressed for the worker)."""
    if skip is not None and skip(path):
        return
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        yield WorkItem(file_id(path), path, None, None, f"cannot read: {exc.strerror or exc}")
        return
    yield WorkItem(file_id(path), path, None, data)


def inflate(data: bytes, max_bytes: int = MAX_PAGE_BYTES) -> bytes:
    """Return `data` decompressed when it is gzip, else unchanged, never inflating past `max_bytes`.

    Raises:
        InputError: the gzip data is corrupt or truncated.
        TooLargeInput: the page inflates to more than `max_bytes` (a gzip bomb stops here).
    """
    if not data.startswith(GZIP_MAGIC):
        return data
    parts: list[bytes] = []
    total = 0
    rest = data
    try:
        while rest.startswith(GZIP_MAGIC):
            member = zlib.decompressobj(wbits=31)
            chunk = member.decompress(rest, max_bytes + 1 - total)
            total += len(chunk)
            parts.append(chunk)
            if total > max_bytes:
                raise TooLargeInput(f"page inflates to more than {max_bytes} bytes")
            if not member.eof:
                raise InputError("corrupt gzip data: truncated")
            rest = member.unused_data
    except zlib.error as exc:
        raise InputError(f"corrupt gzip data: {exc}") from exc
    return b"".join(parts)


# --- WARC -------------------------------------------------------------------------------------


# WARC records that may hold a page.
_PAGE_RECORDS = ("response", "resource")
# The other record types of WARC 1.1, skipped; a type not among either (or none) is a record
# whose headers were cut short, or a broken one, and is read to see whether it was cut.
_OTHER_RECORDS = ("warcinfo", "request", "metadata", "revisit", "conversion", "continuation")
TRUNCATED = "truncated WARC record"


def _drain(stream: BinaryIO) -> None:
    """Read a record's block to its end (warcio would do so anyway to reach the next record)."""
    while stream.read(1 << 16):
        pass


def _cut_short(record) -> bool:  # type: ignore[no-untyped-def]
    """Tell whether a record's block ended before its Content-Length: the file ended early.

    Call it once the block has been read to its end. A record whose headers were cut
    before Content-Length (or that lacks one) has no length to check and counts as cut.
    """
    declared = (record.rec_headers.get_header("Content-Length") or "").strip()
    if not declared.isdigit():
        return True
    return getattr(record.raw_stream, "limit", 0) > 0


def _record_id(record, path: str, offset: int) -> str:  # type: ignore[no-untyped-def]
    raw = record.rec_headers.get_header("WARC-Record-ID") or ""
    return raw.strip().strip("<>") or f"{file_id(path)}@{offset}"


def _http_headers(record):  # type: ignore[no-untyped-def]
    """Parse the HTTP status line and headers at the start of a response record's block.

    Returns None when the block does not start with HTTP headers (a `dns:` response, say).
    Headers cut short by the end of the file parse as far as they go; the caller finds the
    cut when the block's declared length is not reached.
    """
    from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if url and not url.lower().startswith(("http:", "https:")):
        return None
    try:
        return StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False).parse(record.raw_stream)
    except (StatusAndHeadersParserException, EOFError):
        return None


def _warc_item(record, path: str, offset: int) -> WorkItem | None:  # type: ignore[no-untyped-def]
    """Turn one WARC record into a work item: None for records that are not HTML pages.

    Reads the record's block; the caller checks `skip` before calling, so done pages cost nothing.
    """
    source = f"{path}@{offset}"
    record_id = _record_id(record, path, offset)
    # A response without WARC-Target-URI is still a page, one whose URL is unknown (like a file's).
    url = record.rec_headers.get_header("WARC-Target-URI") or None
    if record.rec_type not in _PAGE_RECORDS:
        _drain(record.raw_stream)
        return WorkItem(record_id, source, url, None, TRUNCATED) if _cut_short(record) else None
    if record.rec_type == "response":
        record.http_headers = _http_headers(record)
        content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    media_type, *params = (content_type or "").split(";")
    if media_type.strip().lower() not in _HTML_TYPES:
        _drain(record.raw_stream)
        return WorkItem(record_id, source, url, None, TRUNCATED) if _cut_short(record) else None
    data = record.content_stream().read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        return WorkItem(record_id, source, url, None, f"page larger than {MAX_PAGE_BYTES} bytes")
    # The block reader stops at the declared length; any left means the file ended early.
    _drain(record.raw_stream)
    if _cut_short(record):
        return WorkItem(record_id, source, url, None, TRUNCATED)
    return WorkItem(record_id, source, url, data, charset=_charset(params))


def _charset(params: list[str]) -> str | None:
    """Return the charset among a Content-Type's parameters (`["charset=iso-8859-1"]`), if any."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def read_warc(path: str, *, skip: Skip | None = None) -> Iterator[WorkItem]:
    """Yield the HTML response records of a WARC file, one at a time.

    A truncated record (cut anywhere: its WARC headers, its HTTP headers, its
    payload) becomes an error item, as does a corrupt gzip member; reading then
    resumes at the next gzip member, when the file has one. The records before
    are yielded as usual.
    """
    from warcio.archiveiterator import ArchiveIterator

    try:
        handle: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed below; open errors are reported apart
    except OSError as exc:
        yield WorkItem(file_id(path), path, None, None, f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        start = 0
        while True:
            handle.seek(start)
            offset = start
            iterator = None
            try:
                # No record parse: warcio's own HTTP parse fails with AttributeError on a record
                # without WARC-Target-URI and hides a cut inside the HTTP headers; ours does neither.
                iterator = ArchiveIterator(handle, check_digests=False, no_record_parse=True)
                for record in iterator:
                    # The iterator's position before the payload is read is where this record starts.
                    offset = getattr(iterator, "offset", offset)
                    if record.rec_type in _OTHER_RECORDS:
                        continue
                    if skip is not None and skip(f"{path}@{offset}"):
                        continue
                    item = _warc_item(record, path, offset)
                    if item is not None:
                        yield item
                end = getattr(iterator, "offset", None)
                if end is not None and _gzip_member_at(handle, end):
                    # The iterator stopped before a gzip member that gave no record: one cut so
                    # short that not a byte of it inflates.
                    source = f"{path}@{end}"
                    if skip is None or not skip(source):
                        yield WorkItem(f"{file_id(path)}@{end}", source, None, None, TRUNCATED)
                return
            # warcio is a parser of untrusted bytes: whatever it raises on a broken record, that
            # record becomes an error item rather than the end of the run.
            except Exception as exc:  # noqa: BLE001
                failed_at = max(offset, getattr(iterator, "offset", offset) if iterator else offset)
                source = f"{path}@{failed_at}"
                if skip is None or not skip(source):
                    yield WorkItem(f"{file_id(path)}@{failed_at}", source, None, None,
                                   f"unreadable WARC record: {_one_line(exc)}")
            resume_at = _next_gzip_member(handle, failed_at + 1)
            if resume_at is None:
                return
            start = resume_at


def _gzip_member_at(handle: BinaryIO, position: int) -> bool:
    """Tell whether a gzip member starts at `position` of the file."""
    handle.seek(position)
    return handle.read(len(GZIP_MAGIC)) == GZIP_MAGIC


def _next_gzip_member(handle: BinaryIO, position: int) -> int | None:
    """Find the next gzip member header at or after `position` (deflate, any flags)."""
    chunk_size = 1 << 16
    handle.seek(position)
    carry = b""
    base = position
    while True:
        chunk = handle.read(chunk_size)
        if not chunk:
            return None
        window = carry + chunk
        found = window.find(b"\x1f\x8b\x08")
        if found >= 0:
            return base - len(carry) + found
        carry = window[-2:]
        base += len(chunk)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


# --- JSON Lines -------------------------------------------------------------------------------


def read_jsonl(path: str, *, skip: Skip | None = None) -> Iterator[WorkItem]:
    """Yield one item per line of a JSON Lines file (plain or gzip) with `url` and `html` fields."""
    try:
        raw: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed below; open errors are reported apart
    except OSError as exc:
        yield WorkItem(file_id(path), path, None, None, f"cannot read: {exc.strerror or exc}")
        return
    with raw:
        magic = raw.read(2)
        raw.seek(0)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if magic == GZIP_MAGIC else raw  # type: ignore[assignment]
        line_no = 0
        try:
            for line_no, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                source = f"{path}:{line_no}"
                if skip is not None and skip(source):
                    continue
                yield _jsonl_item(line, source, line_no)
        except (OSError, EOFError, zlib.error) as exc:
            source = f"{path}:{line_no + 1}"
            if skip is None or not skip(source):
                yield WorkItem(str(line_no + 1), source, None, None, f"corrupt gzip data: {_one_line(exc)}")


def _jsonl_item(line: bytes, source: str, line_no: int) -> WorkItem:
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return WorkItem(str(line_no), source, None, None, f"line is not JSON: {_one_line(exc)}")
    if not isinstance(obj, dict):
        return WorkItem(str(line_no), source, None, None, "line is not a JSON object")
    raw_id = obj.get("id")
    item_id = without_surrogates(str(raw_id)) if raw_id is not None and raw_id != "" else str(line_no)
    url = obj.get("url")
    url = without_surrogates(url) if isinstance(url, str) else None
    html = obj.get("html")
    if not isinstance(html, str):
        return WorkItem(item_id, source, url, None, "no `html` string field")
    return WorkItem(item_id, source, url, without_surrogates(html).encode("utf-8"))


def without_surrogates(text: str) -> str:
    """Replace lone surrogates (a JSON escape such as "\\ud800" with no partner) by U+FFFD.

    A lone surrogate is no character and cannot be written as UTF-8; json.loads
    joins every valid pair, so those left are noise. Replacing each one keeps the
    rest of the page, where encoding them would fail and dropping the page would lose it.
    """
    return _SURROGATE.sub("\ufffd", text)
