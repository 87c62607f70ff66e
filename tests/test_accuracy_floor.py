"""The accuracy gate: F1 on every shared development set stays at or above its floor."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = tomllib.loads((ROOT / "tests" / "accuracy_floors.toml").read_text(encoding="utf-8"))
DATASETS = (ROOT / FLOORS["datasets_dir"]).resolve()


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the evaluation (our bulk command over every dataset) once for all floors."""
    assert DATASETS.is_dir(), f"the development sets are missing: expected them at {DATASETS}"
    out = tmp_path_factory.mktemp("eval") / "figures.json"
    command = [sys.executable, str(ROOT / "tools" / "evaluate.py"), "--datasets", str(DATASETS),
               "--no-peer", "--json", str(out), "-j", "2"]
    for name in FLOORS["f1"]:
        command += ["--only", name]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=1200, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("dataset", sorted(FLOORS["f1"]))
def test_f1_stays_above_floor(figures: dict, dataset: str) -> None:
    f1 = figures[dataset]["scraper"]["f1"]
    floor = FLOORS["f1"][dataset]
    assert f1 >= floor, f"{dataset}: F1 {f1:.4f} fell below its floor {floor:.3f}"


@pytest.mark.parametrize("page_type", sorted(FLOORS.get("f1_wcxb_types", {})))
def test_wcxb_page_type_stays_above_floor(figures: dict, page_type: str) -> None:
    f1 = figures["wcxb-dev"]["by_type"][page_type]["scraper_f1"]
    floor = FLOORS["f1_wcxb_types"][page_type]
    assert f1 >= floor, f"wcxb-dev {page_type}: F1 {f1:.4f} fell below its floor {floor:.3f}"
