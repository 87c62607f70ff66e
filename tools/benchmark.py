"""Measure speed: `scraper bulk` against trafilatura on the same sample of the shared datasets.

    python tools/benchmark.py --datasets ../shared/datasets [--pages 300] [--seed 1] [--profile]

Every contender runs in its own process over the same pages (read once before,
so the page cache is warm for all), and is measured the same way: wall time,
CPU time (user + system, its children included), the peak RSS of its largest
process (from wait4) and the peak RSS of its whole process tree (sampled from
/proc every 20 ms). Start-up and imports count for everybody. The F1 of each
contender on the sample is printed too, since speed bought with accuracy is no gain.

`--profile` runs `scraper.clean` over the sample under cProfile in this process
and lists the functions where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEPARATOR = "__"


@dataclass(frozen=True)
class Measure:
    """How one contender did on the sample."""

    name: str
    pages: int
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    tree_rss_mb: float
    f1: float | None

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def pages_per_cpu_s(self) -> float:
        return self.pages / self.cpu_s if self.cpu_s else 0.0


def pick_sample(datasets: Path, pages: int, seed: int) -> list[Path]:
    """Pick `pages` pages spread evenly over the datasets, the same ones for a given seed."""
    rng = random.Random(seed)
    pools = []
    for folder in sorted(p for p in datasets.iterdir() if (p / "html").is_dir()):
        files = sorted((folder / "html").glob("*.html.gz"))
        rng.shuffle(files)
        pools.append(files)
    chosen: list[Path] = []
    while len(chosen) < pages and any(pools):
        for pool in pools:
            if pool and len(chosen) < pages:
                chosen.append(pool.pop())
    return chosen


def stage_sample(files: list[Path], into: Path) -> None:
    """Copy the sample into one folder as DATASET__ID.html.gz, warming the page cache."""
    into.mkdir(parents=True)
    for file in files:
        dataset = file.parent.parent.name
        shutil.copyfile(file, into / f"{dataset}{SEPARATOR}{file.name}")
    for file in into.iterdir():
        file.read_bytes()


def _tree_rss_kb(pid: int) -> int:
    """Sum the RSS of `pid` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        # Descendants start after `pid`, so they have higher numbers (until the numbers wrap):
        # reading only those keeps the sampler from taking CPU the contender could use.
        if not entry.isdigit() or int(entry) < pid:
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/statm", "rb") as handle:
                pages = int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        child, parent = int(entry), int(fields[1])
        children.setdefault(parent, []).append(child)
        rss[child] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, ()))
    return total


def measure(name: str, command: list[str], pages: int) -> tuple[Measure, float]:
    """Run `command`, returning its measure (F1 left empty) and its wall time."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(process.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{name} failed ({process.returncode}): {stderr.strip()[-500:]}")
    result = Measure(
        name=name,
        pages=pages,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_rss_mb=peak[0] / 1024,
        f1=None,
    )
    return result, wall


def run_trafilatura(folder: str, output: str) -> None:
    """Extract every page of `folder` with trafilatura (default settings, tables on) into JSONL."""
    import trafilatura

    with open(output, "w", encoding="utf-8") as out:
        for file in sorted(Path(folder).iterdir()):
            html = gzip.decompress(file.read_bytes())
            text = trafilatura.extract(html, include_tables=True) or ""
            out.write(json.dumps({"id": file.name.split(".")[0], "text": text}, ensure_ascii=False) + "\n")


def compile_scraper() -> None:
    """Compile scraper's bytecode ahead, as pip does when it installs a package.

    trafilatura's bytecode was compiled when pip installed it; scraper, installed
    editable, would otherwise be compiled from source at every start wherever
    PYTHONDONTWRITEBYTECODE is set, which measures the environment, not the code.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "scraper"), quiet=1)


def load_note(cores: int, before: float, after: float) -> str:
    """Say what the -j scaling can mean on this machine."""
    note = (f"{cores} cores usable; load average {before:.2f} before the runs, {after:.2f} after "
            "(this benchmark's own contenders included)")
    if cores <= 2:
        note += (". -j 2 runs two workers and the main process (reading, writing records) on these "
                 "cores, and start-up is paid once whatever -j: expect less than 2x even when idle")
    if before >= 0.5:
        note += ". Other work shared the cores, so the -j scaling is a lower bound"
    return note


def sample_f1(datasets: Path, predictions: Path) -> float:
    """Score predictions over the sample's pages with full-text gold, as the shared scorer does."""
    from evaluate import load_scorer  # tools/ is this script's own folder, first on sys.path

    scorer = load_scorer(datasets)
    truths: dict[str, dict[str, Any]] = {}
    precisions, recalls = [], []
    for line in predictions.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        dataset, page_id = record["id"].split(SEPARATOR, 1)
        if dataset not in truths:
            truths[dataset] = json.loads((datasets / dataset / "truth.json").read_text(encoding="utf-8"))
        gold = truths[dataset].get(page_id, {})
        if "articleBody" not in gold:
            continue
        tp, fp, fn = scorer.page_counts(gold["articleBody"], record.get("text") or "")
        if tp + fp > 0:
            precisions.append(scorer.precision(tp, fp, fn))
        if tp + fn > 0:
            recalls.append(scorer.recall(tp, fp, fn))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def profile(folder: Path, top: int) -> str:
    """Profile `scraper.clean` over the sample in this process; return the hot-spot listing."""
    import scraper

    pages = [gzip.decompress(f.read_bytes()) for f in sorted(folder.iterdir())]
    scraper.clean(pages[0])  # first-call costs (rule loading, imports) are not per-page costs
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for page in pages:
        try:
            scraper.clean(page)
        except scraper.ScraperError:
            pass
    profiler.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    rows: list[tuple[float, float, int, str]] = []
    for (file, line, func), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((own, cumulative, calls, f"{_short(file)}:{line}({func})"))
    per_page = 1000 / len(pages)
    header = (f"cProfile: {len(pages)} pages, {1000 * elapsed / len(pages):.1f} ms/page under the profiler "
              "(times below in ms per page)")
    out = [header]
    for title, key, keep in (
        ("by own time", 0, lambda name: True),
        ("by cumulative time, scraper code", 1, lambda name: name.startswith("scraper/")),
        ("by cumulative time, libraries called by scraper", 1, lambda name: not name.startswith(("scraper/", "<", "{"))),
    ):
        out.append(f"\n== {title} ==\n{'own':>7} {'cumul':>7} {'calls':>9}  function")
        for own, cumulative, calls, name in sorted(rows, key=lambda r: r[key], reverse=True):
            if keep(name) and len(out[-1].splitlines()) < top + 3:
                out[-1] += f"\n{own * per_page:7.2f} {cumulative * per_page:7.2f} {calls:>9}  {name}"
    return "\n".join(out) + "\n"


def _short(file: str) -> str:
    """Name a source file by its package path (scraper/score.py, trafilatura/metadata.py)."""
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1]
    if file.startswith(str(ROOT)):
        return file[len(str(ROOT)) + 1 :]
    return file


def table(rows: list[Measure]) -> str:
    """Render the measures as a text table."""
    head = f"{'contender':<28} {'pages':>5} {'wall s':>7} {'pages/s':>8} {'CPU s':>7} {'pages/CPU-s':>11} " \
           f"{'RSS max MB':>10} {'RSS tree MB':>11} {'F1':>6}"
    lines = [head, "-" * len(head)]
    for m in rows:
        f1 = f"{m.f1:.3f}" if m.f1 is not None else "-"
        lines.append(
            f"{m.name:<28} {m.pages:>5} {m.wall_s:>7.2f} {m.pages_per_s:>8.1f} {m.cpu_s:>7.2f} "
            f"{m.pages_per_cpu_s:>11.1f} {m.max_rss_mb:>10.0f} {m.tree_rss_mb:>11.0f} {f1:>6}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table, the ratio to trafilatura and the -j scaling."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--pages", type=int, default=300, help="sample size (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="sample seed (default 1)")
    parser.add_argument("--jobs", type=int, nargs="*", default=[2], help="-j values to scale to (default 2)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every contender this many times, interleaved, and keep each one's fastest "
                        "(steadier on a shared machine; default 1)")
    parser.add_argument("--profile", action="store_true", help="also profile scraper.clean with cProfile")
    parser.add_argument("--top", type=int, default=20, help="hot spots to list with --profile")
    parser.add_argument("--trafilatura-worker", nargs=2, metavar=("FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.trafilatura_worker:
        run_trafilatura(*args.trafilatura_worker)
        return 0
    if not args.datasets.is_dir():
        parser.error(f"{args.datasets}: no such folder")

    files = pick_sample(args.datasets, args.pages, args.seed)
    scraper_bin = str(Path(sys.executable).with_name("scraper"))
    compile_scraper()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="scraper-bench-") as tmp:
        work = Path(tmp)
        sample = work / "sample"
        stage_sample(files, sample)
        counts: dict[str, int] = {}
        for file in files:
            counts[file.parent.parent.name] = counts.get(file.parent.parent.name, 0) + 1
        print(f"sample: {len(files)} pages ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}), "
              f"seed {args.seed}, {cores} cores, load average {load_before:.2f}; "
              "scraper's bytecode compiled ahead, as pip does on install", flush=True)

        runs: list[tuple[str, list[str], Path]] = [
            ("scraper bulk -j 1", [scraper_bin, "bulk", str(sample), "-o", str(work / "ours-1.jsonl"), "-j", "1"],
             work / "ours-1.jsonl"),
            ("trafilatura (1 process)",
             [sys.executable, __file__, "--trafilatura-worker", str(sample), str(work / "traf.jsonl")],
             work / "traf.jsonl"),
            # trafilatura's default output is the text alone; this is scraper asked for the same.
            ("scraper bulk -j 1, text only", [scraper_bin, "bulk", str(sample), "-o", str(work / "ours-text.jsonl"),
                                              "-j", "1", "--fields", "id,title,text"],
             work / "ours-text.jsonl"),
            # The same, without trafilatura's second opinions (short bodies, product pages).
            ("text only, no 2nd opinion", [scraper_bin, "bulk", str(sample), "-o", str(work / "ours-lean.jsonl"),
                                           "-j", "1", "--fields", "id,title,text", "--no-second-opinion"],
             work / "ours-lean.jsonl"),
        ]
        for jobs in args.jobs:
            out = work / f"ours-{jobs}.jsonl"
            runs.append((f"scraper bulk -j {jobs}", [scraper_bin, "bulk", str(sample), "-o", str(out), "-j", str(jobs)],
                         out))
        best: dict[str, Measure] = {}
        for round_no in range(max(1, args.rounds)):
            for name, command, output in runs:
                result, _ = measure(name, command, len(files))
                if name not in best or result.wall_s < best[name].wall_s:
                    best[name] = result
                print(f"  round {round_no + 1}, {name}: {result.pages_per_s:.1f} pages/s", flush=True)
        results = [Measure(**{**best[name].__dict__, "f1": sample_f1(args.datasets, output)})
                   for name, _, output in runs]
        print()
        print(table(results))
        ours, traf, text_only, lean = results[0], results[1], results[2], results[3]
        print()
        print(f"speed ratio, scraper -j 1 / trafilatura: {ours.pages_per_s / traf.pages_per_s:.2f}x pages/s "
              f"({ours.pages_per_cpu_s / traf.pages_per_cpu_s:.2f}x pages per CPU-second)")
        print(f"speed ratio, text only (no date search): {text_only.pages_per_s / traf.pages_per_s:.2f}x pages/s "
              f"({text_only.pages_per_cpu_s / traf.pages_per_cpu_s:.2f}x pages per CPU-second)")
        print(f"speed ratio, text only without second opinions: {lean.pages_per_s / traf.pages_per_s:.2f}x pages/s "
              f"({lean.pages_per_cpu_s / traf.pages_per_cpu_s:.2f}x pages per CPU-second)")
        for result in results[4:]:
            print(f"scaling, {result.name} / -j 1: {result.pages_per_s / ours.pages_per_s:.2f}x pages/s "
                  f"({result.pages_per_cpu_s / ours.pages_per_cpu_s:.2f}x pages per CPU-second)")
        if results[4:]:
            print(f"  {load_note(cores, load_before, os.getloadavg()[0])}")
        if args.profile:
            print()
            print(profile(sample, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
