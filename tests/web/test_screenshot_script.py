"""scripts/screenshot_web.py (the picture in README.md and docs/web.md) still runs.

Its whole review in a temporary store, then the assessment page in headless Chromium,
into a temporary file; without the restricted-party lists, which only add time.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("DETENTE_CHROMIUM", "/usr/bin/chromium"))
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshot_web.py"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: install Debian's chromium package"
    ),
]


def test_screenshot_script_writes_the_picture(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("screenshot_web", SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "img" / "shot.png"
    home_before = os.environ.get("DETENTE_HOME")
    assert mod.main([str(out), "--no-lists", "--chromium", str(CHROMIUM)]) == 0
    assert mod.png_size(out) == (1440, 900)
    assert out.stat().st_size > 50_000  # a page, not a blank screen
    assert os.environ.get("DETENTE_HOME") == home_before
