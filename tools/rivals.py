"""Measure scraper against its rivals, side by side: trafilatura, Readability and newspaper4k.

    python tools/rivals.py --datasets ../shared/datasets --rivals-python .venv-rivals/bin/python
                           [--only NAME ...] [--markdown docs/rivals.md] [--json OUT.json]

`make rivals` runs it. Each extractor runs in a process of its own over the same pages (with
their URLs, as a crawler hands them over), one page after another on one core, and writes
out/eval/<dataset>.<extractor>-<version>.rivals.jsonl; a rival's predictions are kept per
version and reused, ours are made afresh on every run. Accuracy is scored with the shared scorer (../shared/eval/score.py), speed
is the CPU time of the extraction calls alone (start-up and file reading left out).

scraper and trafilatura run in the project's virtualenv; readability-lxml (the Python port
of Readability) and newspaper4k run in a virtualenv of their own (`.venv-rivals`, made by
`make rivals`), so their dependencies never touch the product's.

The same file is the per-extractor runner: `python tools/rivals.py --run NAME --pages
PAGES.jsonl.gz --out OUT.jsonl` extracts every page with NAME and prints its version and CPU
seconds as JSON on the last line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "eval"
EXTRACTORS = ("scraper", "trafilatura", "readability", "newspaper4k")
# Which interpreter runs each extractor: ours, or the rivals' own virtualenv.
_IN_RIVALS_VENV = frozenset({"readability", "newspaper4k"})
# Block elements after which a line ends when a rival's HTML output is turned into text.
_BLOCKS = frozenset({
    "p", "div", "section", "article", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "blockquote", "table", "tr", "td", "th", "br", "figure", "figcaption",
})


# --- the runner: one extractor over one file of pages -------------------------------------


def _pages(path: Path) -> Iterator[tuple[str, str | None, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            yield record["id"], record.get("url"), record["html"]


def _html_text(fragment: str) -> str:
    """Text of an HTML fragment, one line per block (Readability returns HTML, not text)."""
    from lxml import html

    if not fragment.strip():
        return ""
    root = html.fromstring(fragment)
    parts: list[str] = []

    def walk(element) -> None:  # type: ignore[no-untyped-def]
        if isinstance(element.tag, str) and element.tag in ("script", "style"):
            if element.tail:
                parts.append(element.tail)
            return
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            parts.append("\n")
        if element.tail:
            parts.append(element.tail)

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _extractor(name: str) -> tuple[str, Callable[[str, str | None], str]]:
    """Return the extractor's version and a function (html, url) -> text."""
    if name == "scraper":
        import scraper

        options = scraper.Options(render_html=False)
        return scraper.__version__, lambda html, url: scraper.clean(html, url, options=options).text
    if name == "trafilatura":
        import trafilatura

        return trafilatura.__version__, lambda html, url: trafilatura.extract(html, url=url, include_tables=True) or ""
    if name == "readability":
        from importlib.metadata import version

        from readability import Document

        return version("readability-lxml"), lambda html, url: _html_text(Document(html, url=url).summary(html_partial=True))
    if name == "newspaper4k":
        from importlib.metadata import version

        import newspaper

        def extract(html: str, url: str | None) -> str:
            article = newspaper.Article(url or "https://example.invalid/", fetch_images=False)
            article.download(input_html=html)
            article.parse()
            return article.text or ""

        return version("newspaper4k"), extract
    raise SystemExit(f"unknown extractor {name!r}; one of {', '.join(EXTRACTORS)}")


def run(name: str, pages: Path, out: Path) -> dict:
    """Extract every page with one extractor; write JSONL; return version, pages, CPU seconds, errors."""
    version, extract = _extractor(name)
    seconds, count, errors = 0.0, 0, 0
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for page_id, url, html in _pages(pages):
            start = time.process_time()
            try:
                text = extract(html, url)
            except Exception:  # noqa: BLE001 - a rival's crash on a page is an empty answer, as a user would get
                text, errors = "", errors + 1
            seconds += time.process_time() - start
            count += 1
            fh.write(json.dumps({"id": page_id, "text": text}, ensure_ascii=False) + "\n")
    tmp.replace(out)
    return {"extractor": name, "version": version, "pages": count, "cpu_seconds": seconds, "errors": errors}


# --- the orchestrator: every extractor over every dataset, scored ---------------------------


def _version(python: str, name: str) -> str:
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'tools')!r}); import rivals; print(rivals._extractor({name!r})[0])"
    result = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"{name} is not installed for {python}: {result.stderr.strip().splitlines()[-1:]}")
    return result.stdout.strip()


def _predict(python: str, name: str, pages: Path, out: Path) -> dict:
    """Run the extractor in its own process; return its run figures.

    A rival's predictions are kept per version and reused; ours change with every commit, not
    with the version number, so they are made afresh each time.
    """
    figures = out.with_suffix(".figures.json")
    if name != "scraper" and out.exists() and figures.exists():
        return json.loads(figures.read_text(encoding="utf-8"))
    command = [python, str(ROOT / "tools" / "rivals.py"), "--run", name, "--pages", str(pages), "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"{name} failed on {pages.name} ({result.returncode}): {result.stderr.strip()[-500:]}")
    run_figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures.write_text(json.dumps(run_figures), encoding="utf-8")
    return run_figures


def main(argv: list[str] | None = None) -> int:
    """Run the comparison, or (with --run) one extractor over one file of pages."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", choices=EXTRACTORS, help="runner mode: extract --pages with this extractor")
    parser.add_argument("--pages", type=Path, help="runner mode: JSON Lines (.gz) of id, url, html")
    parser.add_argument("--out", type=Path, help="runner mode: predictions to write")
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--rivals-python", default=str(ROOT / ".venv-rivals" / "bin" / "python"))
    parser.add_argument("--only", action="append", help="dataset name (repeatable)")
    parser.add_argument("--markdown", type=Path, help="write the report here")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    if args.run:
        if args.pages is None or args.out is None:
            parser.error("--run needs --pages and --out")
        print(json.dumps(run(args.run, args.pages, args.out)))
        return 0

    sys.path.insert(0, str(ROOT / "tools"))
    from evaluate import bulk_input, items_of, load_scorer

    scorer = load_scorer(args.datasets)
    OUT.mkdir(parents=True, exist_ok=True)
    pythons = {name: args.rivals_python if name in _IN_RIVALS_VENV else sys.executable for name in EXTRACTORS}
    versions = {name: _version(pythons[name], name) for name in EXTRACTORS}
    names = args.only or sorted(p.name for p in args.datasets.iterdir() if (p / "truth.json").exists())
    figures: dict[str, dict] = {"versions": versions, "datasets": {}}
    print(f"{'dataset':18} " + " ".join(f"{n + ' ' + versions[n]:>24}" for n in EXTRACTORS))
    for dataset_name in names:
        dataset = args.datasets / dataset_name
        pages = bulk_input(dataset_name, items_of(dataset))
        outs = {n: OUT / f"{dataset_name}.{n}-{versions[n]}.rivals.jsonl" for n in EXTRACTORS}
        # Two at a time: the machine's cores, one extractor on each.
        jobs = [(pythons[n], n, pages, outs[n]) for n in EXTRACTORS]
        with ThreadPoolExecutor(2) as pool:
            runs = dict(zip(EXTRACTORS, pool.map(lambda job: _predict(*job), jobs)))
        row: dict[str, dict] = {}
        for name in EXTRACTORS:
            score, rows = scorer.score(dataset, scorer.load_predictions(outs[name]))
            row[name] = {**score, **runs[name], "by_type": _by_type(dataset, rows)}
        figures["datasets"][dataset_name] = row
        print(f"{dataset_name:18} " + " ".join(f"{row[n]['f1']:>24.3f}" for n in EXTRACTORS), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(_markdown(figures), encoding="utf-8")
    return 0


def _by_type(dataset: Path, rows) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from evaluate import _f1_of, _page_types

    groups: dict[str, set[str]] = {}
    for key, kind in _page_types(dataset).items():
        groups.setdefault(kind, set()).add(key)
    return {kind: _f1_of(rows, ids) for kind, ids in sorted(groups.items())}


def _markdown(figures: dict) -> str:
    import platform

    versions = figures["versions"]
    head = " | ".join(f"{n} {versions[n]}" for n in EXTRACTORS)
    lines = [
        "# scraper and its rivals",
        "",
        ("Produced by `make rivals` (`python tools/rivals.py --markdown docs/rivals.md`) on the development "
        "sets in `../shared/datasets`, scored with `../shared/eval/score.py` (word 4-gram shingles; "
        "precision and recall averaged over pages, F1 from the averages). Every extractor gets the same "
        "pages with the same URLs: scraper with its defaults, trafilatura with its defaults and tables on, "
        "readability-lxml (the Python port of Mozilla's Readability) with its defaults, its HTML summary "
        "turned into text one line per block, and newspaper4k's `Article.parse()` without images. "
        f"Python {platform.python_version()}."),
        "",
        "## F1 (precision / recall)",
        "",
        f"| dataset | pages | {head} |",
        "|---|---:|" + "---:|" * len(EXTRACTORS),
    ]
    datasets = figures["datasets"]
    for name, row in datasets.items():
        cells = []
        best = max(row[n]["f1"] for n in EXTRACTORS)
        for n in EXTRACTORS:
            f1 = f"{row[n]['f1']:.3f}"
            cells.append(f"{'**' + f1 + '**' if row[n]['f1'] == best else f1} ({row[n]['precision']:.2f} / {row[n]['recall']:.2f})")
        lines.append(f"| {name} | {row['scraper']['pages']} | " + " | ".join(cells) + " |")
    for name, row in datasets.items():
        kinds = row["scraper"]["by_type"]
        if kinds:
            lines += ["", f"### {name} by page type (F1)", "", f"| type | {head} |", "|---|" + "---:|" * len(EXTRACTORS)]
            for kind in kinds:
                lines.append(f"| {kind} | " + " | ".join(f"{row[n]['by_type'][kind]:.3f}" for n in EXTRACTORS) + " |")
    lines += [
        "",
        "## Speed",
        "",
        ("CPU milliseconds per page of the extraction calls alone, one page after another in one process "
        "(start-up and reading left out), over all the pages above. `make bench` measures whole runs "
        "of `scraper bulk` against trafilatura's; this table adds the other rivals. Pages on which an "
        "extractor raised count as empty answers; their number is in brackets. A rival's times come "
        "from the run that made its answers (they are kept with them); ours from this run: the "
        "machine is shared, so compare the columns to a few tens of per cent, not finer."),
        "",
        f"| dataset | {head} |",
        "|---|" + "---:|" * len(EXTRACTORS),
    ]
    totals = {n: [0.0, 0, 0] for n in EXTRACTORS}
    for name, row in datasets.items():
        cells = []
        for n in EXTRACTORS:
            run_ = row[n]
            totals[n][0] += run_["cpu_seconds"]
            totals[n][1] += run_["pages"]
            totals[n][2] += run_["errors"]
            errors = f" ({run_['errors']})" if run_["errors"] else ""
            cells.append(f"{1000 * run_['cpu_seconds'] / max(run_['pages'], 1):.1f}{errors}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    per_page = {n: 1000 * s / max(p, 1) for n, (s, p, _) in totals.items()}
    fastest = min(per_page.values())
    lines.append("| all pages | " + " | ".join(
        (f"**{ms:.1f}**" if ms == fastest else f"{ms:.1f}") + (f" ({totals[n][2]})" if totals[n][2] else "")
        for n, ms in per_page.items()) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
