"""The code keeps its shape: its layers (import-linter's contracts in pyproject.toml, also run
by `make lint`) and files short enough to read whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tracker.config import PROJECT_ROOT

MAX_LINES = 600


def test_no_python_file_in_tracker_is_longer_than_the_limit():
    too_long = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for path in (PROJECT_ROOT / "tracker").rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
        [str(lint_imports), "--no-cache"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
