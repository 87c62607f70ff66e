"""`scraper rules list|check|test|import-ftr|learn`: look after site rules from the command line."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from scraper.cli import Bounded
from scraper.errors import InputError, RuleError, UsageError
from scraper.rules import ftr
from scraper.rules.loader import (
    GENERIC_FILE,
    host_problem,
    load_generic,
    load_ruleset_report,
    load_site_rule,
    parse_site_rule,
    rule_dirs_from_env,
    shipped_rules_dir,
)
from scraper.rules.model import RuleSet


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable `--rules DIR` option."""
    parser.add_argument(
        "--rules", action="append", default=[], metavar="DIR",
        help="extra rule folder (TOML or FTR .txt), before the shipped rules; repeatable",
    )
    parser.add_argument("--no-shipped-rules", action="store_true", help="leave the shipped site rules out")


def ruleset_from_args(args: argparse.Namespace) -> RuleSet | None:
    """Return the rule set named by --rules and SCRAPER_RULES, or None for the shipped default."""
    dirs = [Path(d) for d in getattr(args, "rules", []) or []] + rule_dirs_from_env()
    shipped = not getattr(args, "no_shipped_rules", False)
    if not dirs and shipped:
        return None
    return load_ruleset_report(dirs, include_shipped=shipped).ruleset


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `rules` command and its subcommands."""
    parser = sub.add_parser("rules", help="list, check, test, import and learn site rules")
    rsub = parser.add_subparsers(dest="rules_command", metavar="SUBCOMMAND", parser_class=type(parser))

    p = rsub.add_parser("list", help="list the rules in effect (id, hosts, source folder)")
    add_rules_option(p)
    p.set_defaults(handler=handle_list)

    p = rsub.add_parser("check", help="validate rule folders; one line per problem")
    p.add_argument("dirs", nargs="*", metavar="DIR", help="folders to check (default: shipped rules)")
    p.set_defaults(handler=handle_check)

    p = rsub.add_parser("test", help="show which rule matches a page and what each part of it did")
    p.add_argument("source", help="an .html/.html.gz file or - for stdin")
    p.add_argument("--url", help="the page's URL (used to match the rule)")
    add_rules_option(p)
    p.set_defaults(handler=handle_test)

    p = rsub.add_parser("import-ftr", help="convert FiveFilters ftr-site-config files to TOML rules")
    p.add_argument("dir", help="folder of ftr-site-config .txt files")
    p.add_argument("-o", "--output", required=True, metavar="OUT_DIR", help="folder to write .toml files into")
    p.set_defaults(handler=handle_import_ftr)

    p = rsub.add_parser("learn", help="learn a template-removal rule from 3+ pages of one site")
    p.add_argument("pages", nargs="+", help="page files, folders of pages, or WARC files")
    p.add_argument("--host", type=_rule_host, help="the site's host (default: the most common host among the pages)")
    p.add_argument("-o", "--output", required=True, metavar="RULE.toml", help="where to write the rule")
    p.add_argument("--min-share", type=float, action=Bounded, low=0, above=True, high=1, default=0.6,
                   help="share of pages a block must repeat on (default 0.6)")
    p.set_defaults(handler=handle_learn)

    parser.set_defaults(handler=lambda args: _help(parser))


def _rule_host(text: str) -> str:
    """Accept --host only if a rule can name it (argparse `type=`)."""
    problem = host_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return UsageError.exit_code


def handle_list(args: argparse.Namespace) -> int:
    """Print one line per site rule: id, hosts, source folder."""
    dirs = [Path(d) for d in args.rules] + rule_dirs_from_env()
    report = load_ruleset_report(dirs, include_shipped=not args.no_shipped_rules)
    for rule in report.ruleset.sites:
        paths = " paths=" + ",".join(p.pattern for p in rule.paths) if rule.paths else ""
        sys.stdout.write(f"{rule.id}\t{','.join(rule.hosts)}{paths}\t{rule.source}\n")
    sys.stdout.write(f"# {len(report.ruleset.sites)} site rules from {report.files} files\n")
    if report.ftr_files:
        skipped = ", ".join(f"{k} x{v}" for k, v in sorted(report.skipped.items(), key=lambda kv: (-kv[1], kv[0])))
        sys.stdout.write(f"# {report.ftr_files} FTR files read; directives skipped: {skipped or 'none'}\n")
    return 0


def check_folder(folder: Path) -> tuple[int, list[str]]:
    """Validate every rule file in `folder`; return files checked and one line per problem."""
    problems: list[str] = []
    if not folder.is_dir():
        return 0, [f"{folder}: not a folder of rules"]
    checked = 0
    for file in sorted(folder.iterdir()):
        if not file.is_file():
            continue
        try:
            if file.name == GENERIC_FILE:
                load_generic(file)
            elif file.suffix == ".toml":
                load_site_rule(file)
            elif file.suffix == ".txt" and not file.name.startswith(("README", "LICENSE")):
                parsed = ftr.load_ftr_file(file)
                problems.extend(f"{file}: {p}" for p in parsed.problems)
            else:
                continue
        except RuleError as exc:
            problems.append(str(exc))
        checked += 1
    return checked, problems


def handle_check(args: argparse.Namespace) -> int:
    """Validate folders; exit 4 with one line per problem when any file is broken."""
    folders = [Path(d) for d in args.dirs] or [shipped_rules_dir()]
    total, problems = 0, []
    for folder in folders:
        checked, found = check_folder(folder)
        total += checked
        problems.extend(found)
    for line in problems:
        sys.stdout.write(line + "\n")
    sys.stdout.write(f"# {total} files checked, {len(problems)} problems\n")
    return RuleError.exit_code if problems else 0


def handle_test(args: argparse.Namespace) -> int:
    """Clean a page with tracing and say what the matched rule did."""
    from scraper.cli.clean_cmd import read_source
    from scraper.rules.trial import describe_trial

    data = read_source(args.source)
    ruleset = ruleset_from_args(args)
    sys.stdout.write(describe_trial(data, args.url, ruleset))
    return 0


def handle_import_ftr(args: argparse.Namespace) -> int:
    """Convert a folder of FTR files into TOML rules; report what was skipped."""
    source, out = Path(args.dir), Path(args.output)
    if not source.is_dir():
        raise InputError(f"{source}: not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {out}: {exc.strerror or exc}") from exc
    written, empty, broken = 0, 0, 0
    skipped: dict[str, int] = {}
    for file in sorted(f for f in source.iterdir() if f.is_file() and f.suffix == ".txt"):
        if file.name.startswith(("README", "LICENSE")):
            continue
        parsed = ftr.load_ftr_file(file)
        broken += len(parsed.problems)
        for name, count in parsed.skipped.items():
            skipped[name] = skipped.get(name, 0) + count
        if parsed.rule is None:
            empty += 1
            continue
        name = file.name[:-4]
        target = out / (("_wild" + name if name.startswith(".") else name) + ".toml")
        target.write_text(ftr.to_toml(parsed), encoding="utf-8")
        written += 1
    sys.stdout.write(f"# {written} rules written to {out}, {empty} files with nothing to convert\n")
    for name, count in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])):
        sys.stdout.write(f"skipped\t{name}\t{count}\n")
    if broken:  # left out of the rules written: say where to see which lines
        sys.stdout.write(f"# {broken} broken lines left out; `scraper rules check {source}` lists them\n")
    return 0


def handle_learn(args: argparse.Namespace) -> int:
    """Learn a template-removal rule from several pages of one site."""
    from scraper.rules.learn import learn_rule, read_pages, rule_to_toml

    pages = read_pages([Path(p) for p in args.pages])
    learned = learn_rule(pages, host=args.host, min_share=args.min_share)
    text = rule_to_toml(learned)
    out = Path(args.output)
    # What we write must load: checked before writing, so a failure leaves no broken file behind.
    parse_site_rule(tomllib.loads(text), where=str(out), default_id=out.stem, source=str(out.parent))
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from exc
    sys.stdout.write(
        f"# learned {len(learned.selectors)} selectors and {len(learned.phrases)} phrases"
        f" from {learned.pages} pages of {learned.host}; wrote {out}\n"
    )
    return 0
