"""Build hook: ship the top-level rules/ folder inside the wheel as scraper/data/rules.

All project metadata lives in pyproject.toml; this file only adds the copy step,
because rules/ (the source of truth, edited by people) sits outside the package.
An editable install needs no copy: `shipped_rules_dir()` falls back to rules/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithRules(build_py):
    """Copy rules/*.toml into the built package."""

    def run(self) -> None:
        """Build the package, then add the rule files."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = HERE / "rules"
        target = Path(self.build_lib) / "scraper" / "data" / "rules"
        target.mkdir(parents=True, exist_ok=True)
        for file in sorted(source.glob("*.toml")):
            shutil.copyfile(file, target / file.name)


setup(cmdclass={"build_py": BuildPyWithRules})
