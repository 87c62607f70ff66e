"""Write expected.txt for the fixture pages whose snippet checks pass (`make golden`).

Run as ``python -m tests.regenerate_golden [SLUG ...]``. A case whose must_include or
must_exclude check fails gets no new golden file: freezing a wrong extraction would
only hide the bug. The exit code is 1 when any selected case was left out.
"""

from __future__ import annotations

import argparse
import sys

import scraper
from tests.test_pages import load_cases, missing_snippets, normalize_text, present_snippets


def main(argv: list[str] | None = None) -> int:
    """Regenerate golden files and report the cases that were skipped."""
    parser = argparse.ArgumentParser(prog="python -m tests.regenerate_golden", description=__doc__)
    parser.add_argument("slugs", nargs="*", help="only these cases (default: all)")
    args = parser.parse_args(argv)

    cases = load_cases()
    known = {c.slug for c in cases}
    unknown = sorted(set(args.slugs) - known)
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    selected = [c for c in cases if not args.slugs or c.slug in args.slugs]

    left_out = 0
    for case in selected:
        article = scraper.clean(case.source_path.read_bytes(), case.url)
        lost = missing_snippets(article.text, case.must_include)
        leaked = present_snippets(article.text, case.must_exclude)
        if lost or leaked:
            left_out += 1
            print(f"SKIP  {case.slug}: {len(lost)} lost, {len(leaked)} leaked; golden not written")
            continue
        text = normalize_text(article.text) + "\n"
        old = (
            case.expected_path.read_text(encoding="utf-8") if case.expected_path.is_file() else None
        )
        case.expected_path.write_text(text, encoding="utf-8")
        state = "new" if old is None else ("same" if old == text else "changed")
        print(f"OK    {case.slug}: expected.txt {state}")
    print(f"{len(selected) - left_out} written, {left_out} left out")
    return 1 if left_out else 0


if __name__ == "__main__":
    sys.exit(main())
