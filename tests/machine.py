"""What the suite needs from the machine beyond Python packages, in one list.

``make test`` runs this file before any test, with the system's Python (standard library
only: .venv may not exist yet). A missing part is installed with apt-get when running as
root or with passwordless sudo; otherwise it stops with the one command to run. Redis is
started on 127.0.0.1:6379 when nothing answers there.

Inside the suite, a test whose part is missing calls ``absent()``: under ``make test``
(TRACKER_STRICT_TESTS=1) and CI that is a failure, in a plain ``pytest`` run a skip whose
reason names the command.

    python3 tests/machine.py          # everything make test needs
    python3 tests/machine.py assets   # only npm, for make assets

TRACKER_CHROMIUM points the suite (and this check) at another Chromium; TRACKER_NO_APT=1
never runs apt-get and prints the command instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

CHROMIUM = "/usr/bin/chromium"
REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
# No snapshots: the server is started from wherever make runs, and must leave no dump.rdb.
REDIS_START = ("redis-server", "--daemonize", "yes", "--bind", REDIS_HOST, "--save", "")
APT_INSTALL = "apt-get install -y --no-install-recommends"


def strict() -> bool:
    """True under make test and CI: a missing machine part fails a test, never skips it."""
    return any(
        os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
        for name in ("TRACKER_STRICT_TESTS", "CI")
    )


def chromium_path() -> str | None:
    """The Chromium the suite drives: TRACKER_CHROMIUM when set, else Debian's."""
    chosen = os.environ.get("TRACKER_CHROMIUM")
    candidates = (chosen,) if chosen else (CHROMIUM, shutil.which("chromium"))
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _command(name: str) -> bool:
    return shutil.which(name) is not None


def _chinese_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        out = subprocess.run(  # noqa: S603 (fixed arguments)
            [fc_list, ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


def _libraries(*names: str) -> Callable[[], bool]:
    def present() -> bool:
        ldconfig = shutil.which("ldconfig") or next(
            (p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.path.exists(p)), None
        )
        if ldconfig is None:
            return False
        try:
            known = subprocess.run(  # noqa: S603 (fixed arguments)
                [ldconfig, "-p"], capture_output=True, text=True, timeout=30, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return False
        return all(f"{name}.so" in known for name in names)

    return present


@dataclass(frozen=True)
class Part:
    what: str  # as the messages name it
    packages: tuple[str, ...]  # the Debian packages that provide it
    present: Callable[[], bool]
    apt: bool = True  # False: named in the command, never installed by this check


PARTS = (
    Part("Chromium", ("chromium",), lambda: chromium_path() is not None),
    Part("fc-list", ("fontconfig",), lambda: _command("fc-list")),
    Part("a Chinese font", ("fonts-noto-cjk",), _chinese_font),
    Part("pdftotext", ("poppler-utils",), lambda: _command("pdftotext")),
    Part("pdfinfo", ("poppler-utils",), lambda: _command("pdfinfo")),
    Part("redis-server", ("redis-server",), lambda: _command("redis-server")),
    # WeasyPrint (the PDF bulletin) draws with Pango and subsets fonts with HarfBuzz.
    Part(
        "Pango",
        ("libpango-1.0-0", "libpangoft2-1.0-0"),
        _libraries("libpango-1.0", "libpangoft2-1.0"),
    ),
    Part("HarfBuzz's subsetter", ("libharfbuzz-subset0",), _libraries("libharfbuzz-subset")),
    # Node.js 20 with npm, for `npm ci` (make assets): the version is the developer's choice.
    Part("npm", ("nodejs", "npm"), lambda: _command("npm"), apt=False),
)
BY_WHAT = {part.what: part for part in PARTS}


def packages(parts) -> list[str]:
    return list(dict.fromkeys(p for part in parts for p in part.packages))


def install_command(names) -> str:
    """The command a person runs to install the Debian packages ``names``."""
    sudo = "" if os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get update && {sudo}{APT_INSTALL} {' '.join(names)}"


def install_hint(what: str) -> str:
    return install_command(BY_WHAT[what].packages)


def chromium_absent() -> tuple[str, str]:
    """What is missing when chromium_path() finds nothing, and the command that helps."""
    chosen = os.environ.get("TRACKER_CHROMIUM")
    if chosen:
        return (
            f"Chromium at {chosen} (TRACKER_CHROMIUM)",
            f"unset TRACKER_CHROMIUM to use {CHROMIUM}",
        )
    return f"Chromium ({CHROMIUM})", install_hint("Chromium")


def redis_answers(timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_hint() -> str:
    if not _command("redis-server"):
        return install_hint("redis-server")
    return " ".join(arg or "''" for arg in REDIS_START)


def absent(what: str, fix: str) -> NoReturn:
    """Stop a test whose machine part is missing: a failure under make test and CI, a skip in
    a plain pytest run. ``fix`` is the command that provides the part."""
    import pytest

    if strict():
        pytest.fail(f"{what} is missing (make test and CI never skip for it): {fix}", pytrace=False)
    pytest.skip(f"{what} is missing: {fix}")


# --- the check make test runs ---------------------------------------------------------------------


def _apt_prefix() -> list[str] | None:
    """How apt-get can run here: as root, through passwordless sudo, or not at all."""
    if os.environ.get("TRACKER_NO_APT", "").strip() not in ("", "0"):
        return None
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo is None:
        return None
    asked = subprocess.run([sudo, "-n", "true"], capture_output=True, check=False)  # noqa: S603
    return [sudo] if asked.returncode == 0 else None


def _apt_get(prefix: list[str], names: list[str]) -> bool:
    apt_get = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
    quiet = {"stdout": subprocess.DEVNULL, "check": False}
    if subprocess.run([*apt_get, "update", "-qq"], **quiet).returncode != 0:  # noqa: S603
        return False
    install = [*apt_get, "install", "-y", "-qq", "--no-install-recommends", *names]
    return subprocess.run(install, **quiet).returncode == 0  # noqa: S603


def _start_redis() -> bool:
    try:
        subprocess.run(REDIS_START, stdout=subprocess.DEVNULL, check=False)  # noqa: S603
    except OSError:
        return False
    for _ in range(50):
        if redis_answers():
            return True
        time.sleep(0.1)
    return False


def check(target: str = "test") -> int:
    """Install or name what ``make <target>`` needs; 0 when the machine has it all."""
    say = f"make {target}"
    if target == "test" and os.environ.get("TRACKER_CHROMIUM") and chromium_path() is None:
        what, fix = chromium_absent()
        print(f"{say}: {what} is not a program: {fix}", file=sys.stderr)
        return 1
    wanted = [BY_WHAT["npm"]] if target == "assets" else list(PARTS)
    missing = [part for part in wanted if not part.present()]
    to_install = [part for part in missing if part.apt]
    if to_install:
        prefix = _apt_prefix()
        if prefix is None:
            print(f"{say} needs: {install_command(packages(missing))}", file=sys.stderr)
            return 1
        names = packages(to_install)
        print(f"{say}: apt-get install {' '.join(names)}", file=sys.stderr)
        ok = _apt_get(prefix, names)
        still = [part for part in to_install if not part.present()]
        if not ok or still:
            what = ", ".join(part.what for part in still) or "the packages"
            print(f"{say}: still missing after apt-get install: {what}", file=sys.stderr)
            return 1
        missing = [part for part in missing if not part.apt]
    if missing:
        print(f"{say} needs: {install_command(packages(missing))}", file=sys.stderr)
        return 1
    if target == "test" and not redis_answers() and not _start_redis():
        print(
            f"{say}: nothing answers on {REDIS_HOST}:{REDIS_PORT}, and `{redis_hint()}` "
            "did not start Redis there",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(check(*sys.argv[1:2]))
