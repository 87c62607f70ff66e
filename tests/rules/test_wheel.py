"""The wheel carries the top-level rules/ folder, and the installed package finds it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_rules_and_installed_package_finds_them(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    # Build from a copy so the shared checkout gets no build/ or egg-info litter.
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "rules", src / "rules")
    shutil.copytree(ROOT / "scraper", src / "scraper", ignore=shutil.ignore_patterns("__pycache__", "rules"))
    shutil.copytree(ROOT / "scraper" / "rules", src / "scraper" / "rules",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(src / "scraper" / "data" / "rules", ignore_errors=True)
    if (ROOT / "README.md").is_file():
        shutil.copy(ROOT / "README.md", src / "README.md")
    else:
        (src / "README.md").write_text("scraper\n", encoding="utf-8")
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(dist), str(src)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next(dist.glob("scraper-*.whl"))
    shipped = sorted(p.name for p in (ROOT / "rules").glob("*.toml"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for name in shipped:
        assert f"scraper/data/rules/{name}" in names, name

    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)  # a wheel is installed by unpacking it into site-packages
    probe = (
        "from scraper.rules import shipped_rules_dir, default_ruleset;"
        "print(shipped_rules_dir()); print(len(default_ruleset().sites))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("SCRAPER_RULES", None)
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    where, count = run.stdout.split()
    assert Path(where) == target / "scraper" / "data" / "rules"
    assert int(count) == len(shipped) - 1  # every file but generic.toml is a site rule


def test_editable_checkout_uses_top_level_rules() -> None:
    from scraper.rules import shipped_rules_dir

    assert shipped_rules_dir() in (ROOT / "rules", ROOT / "scraper" / "data" / "rules")
    assert (shipped_rules_dir() / "generic.toml").read_bytes() == (ROOT / "rules" / "generic.toml").read_bytes()
