"""Keep README.md honest: its commands, flags, exit codes, make targets and examples are the real ones."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import inspect
import io
import itertools
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import scraper
from scraper import cli, errors

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
SAMPLE = ROOT / "scraper" / "data" / "sample.html"
LIBRARY_PAGE = ROOT / "tests" / "fixtures" / "pages" / "short-library-hours" / "source.html"
# The port and scratch folder the README's examples use; the tests substitute their own.
README_PORT = "8765"
README_TMP = "/tmp/"


def readme() -> str:
    """Return the README text."""
    return README.read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """Return every fenced code block as (language, body), in order."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def console_steps(text: str) -> list[tuple[str, list[str]]]:
    """Return each `$ command` of the console blocks with the output lines shown under it."""
    steps: list[tuple[str, list[str]]] = []
    for lang, body in fenced_blocks(text):
        if lang != "console":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
    return steps


def inline_spans(text: str) -> list[str]:
    """Return the inline code spans outside fenced blocks."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
    return re.findall(r"`([^`\n]+)`", prose)


# --- commands and flags against the real --help ------------------------------------------


def help_text(path: tuple[str, ...]) -> str:
    """Return the real `--help` output of `scraper PATH...` (or of the `clean` alias)."""
    out = io.StringIO()
    entry = cli.clean_main if path[:1] == ("clean-alias",) else cli.main
    args = [*path[1:]] if path[:1] == ("clean-alias",) else [*path]
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_info:
        entry([*args, "--help"])
    assert exit_info.value.code == 0, f"--help of {path} failed"
    return out.getvalue()


@functools.cache
def cached_help(path: tuple[str, ...]) -> str:
    """Return help_text(path), computed once."""
    return help_text(path)


def subcommands(help_output: str) -> set[str]:
    """Return the subcommand names listed in a --help output."""
    return set(re.findall(r"^ {4}([a-z][\w-]*)(?:\s|$)", help_output, flags=re.MULTILINE))


def has_flag(help_output: str, flag: str) -> bool:
    """Tell whether `flag` appears as an option in a --help output."""
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_output) is not None


def scraper_invocations(text: str) -> list[str]:
    """Return every `scraper ...` / `clean ...` invocation the README shows, console and inline."""
    found: list[str] = []
    for command, _ in console_steps(text):
        for part in re.split(r"\s\|\s|;|&&", command):
            part = re.split(r"\s[12]?>", part)[0].strip()
            if part.startswith(("scraper ", "clean ")):
                found.append(part)
    for span in inline_spans(text):
        if re.match(r"(scraper|clean) [\w-]", span):
            found.append(span)
    return list(dict.fromkeys(found))


def check_invocation(invocation: str) -> list[str]:
    """Return what in one invocation is not in the real --help output (empty when all is)."""
    tokens = shlex.split(re.sub(r"\.\.\.|\[|\]", " ", invocation))
    if tokens[0] == "clean":
        path: tuple[str, ...] = ("clean-alias",)
        rest = tokens[1:]
    else:
        path, rest = (), tokens[1:]
        # Walk down the command tree while the next word names (or is the metavar of) a subcommand.
        while rest and not rest[0].startswith("-"):
            names = subcommands(cached_help(path))
            if not names:
                break
            alternatives = rest[0].split("|")
            known = [a for a in alternatives if a in names]
            placeholder = all(a.isupper() and a in cached_help(path) for a in alternatives)
            if placeholder:
                break
            if len(known) != len(alternatives):
                return [f"unknown subcommand {rest[0]!r} after `scraper {' '.join(path)}`"]
            if len(known) > 1:
                # `rules list|check|...`: every alternative is checked; flags after it are not.
                return []
            path, rest = (*path, known[0]), rest[1:]
    output = cached_help(path)
    return [
        f"{flag} is not an option of `{' '.join(('scraper', *path))}`"
        for flag in (t.split("=", 1)[0] for t in rest if t.startswith("-") and t != "-")
        if not has_flag(output, flag)
    ]


def test_readme_shows_scraper_commands() -> None:
    invocations = scraper_invocations(readme())
    shown = {shlex.split(i)[1] for i in invocations if i.startswith("scraper ")}
    assert {"clean", "bulk", "fetch", "rules"} <= shown


@pytest.mark.parametrize("invocation", scraper_invocations(readme()))
def test_readme_command_is_in_help(invocation: str) -> None:
    assert check_invocation(invocation) == []


def all_help() -> str:
    """Return the --help output of every command and subcommand."""
    texts = [cached_help(()), cached_help(("clean-alias",))]
    for name in subcommands(cached_help(())):
        texts.append(cached_help((name,)))
        texts += [cached_help((name, sub)) for sub in subcommands(cached_help((name,)))]
    return "\n".join(texts)


def test_readme_flags_in_prose_are_real() -> None:
    everything = all_help()
    flags = [span.split()[0].split("=")[0] for span in inline_spans(readme()) if re.match(r"--?\w", span)]
    assert flags, "the README names no flags in prose"
    assert [f for f in flags if not has_flag(everything, f)] == []


def test_check_invocation_catches_made_up_commands_and_flags() -> None:
    assert check_invocation("scraper clean page.html --format json") == []
    assert check_invocation("scraper clean page.html --no-such-flag") != []
    assert check_invocation("scraper rules lint") != []
    assert check_invocation("scraper frobnicate") != []
    assert check_invocation("clean page.html --resume") != []


# --- exit codes ----------------------------------------------------------------------------


def exit_code_rows() -> dict[int, set[str]]:
    """Return the README's exit-code table: code -> error class names in its row."""
    section = readme().split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows: dict[int, set[str]] = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*(\d+)\s*\|([^|]*)\|", line)
        if match:
            rows[int(match.group(1))] = set(re.findall(r"`(\w+)`", match.group(2)))
    return rows


def error_classes() -> dict[str, type[errors.ScraperError]]:
    """Return every ScraperError class defined in scraper/errors.py, by name."""
    return {
        name: cls
        for name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.ScraperError) and cls.__module__ == errors.__name__
    }


def test_exit_code_table_matches_errors_module() -> None:
    rows = exit_code_rows()
    classes = error_classes()
    assert rows[0] == set() and cli.EXIT_OK == 0
    assert rows[cli.EXIT_INTERRUPTED] == set() and rows[cli.EXIT_INTERNAL] == set()
    named = {name for names in rows.values() for name in names}
    assert named == set(classes), "every error class in exactly the README table, and no others"
    for code, names in rows.items():
        for name in names:
            assert classes[name].exit_code == code, f"{name} exits {classes[name].exit_code}, README says {code}"
    assert set(rows) - {0, cli.EXIT_INTERRUPTED, cli.EXIT_INTERNAL} == {cls.exit_code for cls in classes.values()}


# --- make targets --------------------------------------------------------------------------


def makefile_recipes() -> dict[str, list[str]]:
    """Return each Makefile target with its recipe lines."""
    recipes: dict[str, list[str]] = {}
    current: str | None = None
    for line in MAKEFILE.read_text(encoding="utf-8").splitlines():
        target = re.match(r"^([A-Za-z][\w-]*):(?!=)", line)
        if target:
            current = target.group(1)
            recipes[current] = []
        elif line.startswith("\t") and current is not None:
            recipes[current].append(line.strip())
        elif line.strip() and not line.startswith("#"):
            current = None
    return recipes


def readme_make_calls() -> list[list[str]]:
    """Return every `make ...` the README shows, as argument lists."""
    text = readme()
    calls = [c for c, _ in console_steps(text) if c.startswith("make ")]
    calls += [s for s in inline_spans(text) if s.startswith("make ")]
    return [shlex.split(c.split("#")[0])[1:] for c in calls]


def test_readme_make_targets_exist_and_their_tools_too() -> None:
    recipes = makefile_recipes()
    makefile = MAKEFILE.read_text(encoding="utf-8")
    calls = readme_make_calls()
    targets = {arg for call in calls for arg in call if "=" not in arg}
    assert {"run", "test", "install", "eval", "bench", "golden"} <= targets
    for call in calls:
        for arg in call:
            if "=" in arg:
                variable = arg.split("=")[0]
                assert re.search(rf"^{variable}\s*\??=", makefile, flags=re.MULTILINE), f"no variable {variable}"
                continue
            assert arg in recipes, f"make {arg}: no such target"
            for step in recipes[arg]:
                for module in re.findall(r"python -m ([\w.]+)", step):
                    assert importlib.util.find_spec(module) is not None, f"make {arg}: no module {module}"
                for script in re.findall(r"python (\S+\.py)\b", step):
                    assert (ROOT / script).is_file(), f"make {arg}: no script {script}"


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# --- examples that really run ----------------------------------------------------------------


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[int]:
    """Serve `folder` on 127.0.0.1 on a free port; yield the port."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def example_pairs(text: str) -> list[tuple[str, str]]:
    """Return each python block of the README with the text block that shows its output."""
    blocks = fenced_blocks(text)
    pairs = []
    for (lang, code), (next_lang, shown) in itertools.pairwise(blocks):
        if lang == "python":
            assert next_lang == "text", "every python example is followed by its output"
            pairs.append((code, shown))
    return pairs


def test_library_examples_print_what_the_readme_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = example_pairs(readme())
    assert len(pairs) >= 3, "clean, fetch and bulk examples"
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(SAMPLE, site / "sample.html")
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(SAMPLE, pages / "sample.html")
    shutil.copy(LIBRARY_PAGE, pages / "library.html")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme_example"}
    with serve(site) as port:
        for code, shown in pairs:
            out = io.StringIO()
            local = code.replace(f"127.0.0.1:{README_PORT}", f"127.0.0.1:{port}")
            with contextlib.redirect_stdout(out):
                exec(compile(local, "README.md", "exec"), namespace)  # noqa: S102 - running it is the point
            assert out.getvalue() == shown, code
    assert namespace["scraper"] is scraper


def normalize(line: str) -> str:
    """Blank out what changes from run to run: durations and rates."""
    line = re.sub(r"\d+(\.\d+)? s\b", "N s", line)
    return re.sub(r"\d+(\.\d+)? pages/s", "N pages/s", line)


def test_console_examples_print_what_the_readme_shows(tmp_path: Path) -> None:
    steps = console_steps(readme())
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""), "COLUMNS": "80"}
    env.pop("SCRAPER_RULES", None)
    port = str(free_port())
    scratch = f"{tmp_path}/"

    def localize(text: str) -> str:
        return text.replace(README_TMP, scratch).replace(README_PORT, port).replace("/work/main", str(ROOT))

    background: list[subprocess.Popen[bytes]] = []
    mismatches: list[str] = []
    ran = 0
    try:
        for command, shown in steps:
            if command.startswith("make "):
                continue  # the make targets are checked above; `make test` would recurse
            command = localize(command)
            if command.rstrip().endswith("&"):
                background.append(subprocess.Popen(
                    ["bash", "-c", "exec " + command.rstrip().rstrip("&")], cwd=ROOT, env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                ))
                wait_for_port(int(port))
                continue
            result = subprocess.run(
                ["bash", "-c", "{ " + command + "\n} 2>&1"], cwd=ROOT, env=env,
                capture_output=True, text=True, timeout=120, check=False,
            )
            ran += 1
            got = [normalize(line) for line in result.stdout.splitlines()]
            want = [normalize(localize(line)) for line in shown]
            if got != want:
                mismatches.append(f"$ {command}\n--- README\n" + "\n".join(want) + "\n--- real\n" + "\n".join(got))
    finally:
        for process in background:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
    assert ran >= 15
    assert mismatches == [], "\n\n".join(mismatches)


def test_readme_links_exist() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", readme())
    assert "docs/accuracy.md" in links
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_layout_lists_every_module_and_only_those() -> None:
    section = readme().split("## Package layout", 1)[1].split("\n## ", 1)[0]
    tree = next(body for lang, body in fenced_blocks(section) if lang == "text")
    listed = set(re.findall(r"^ {2}(\S+\.py)\s", tree, flags=re.MULTILINE))
    package = ROOT / "scraper"
    actual = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    # Subpackage __init__ files only re-export; the README lists what each stage module does.
    actual -= {p for p in actual if p.endswith("/__init__.py") and p != "cli/__init__.py"}
    assert listed == actual
