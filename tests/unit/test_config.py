"""Configuration read from the environment, as a fresh process would read it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _base_url(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "PORT", "PORTAL_ENV")} | env
    result = subprocess.run(
        [sys.executable, "-c", "import config; print(config.config_from_environment().BASE_URL)"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_in_development_links_follow_the_port_unless_a_base_url_is_set():
    assert _base_url() == "http://127.0.0.1:5000"
    assert _base_url(PORT="5201") == "http://127.0.0.1:5201"
    assert _base_url(PORT="5201", BASE_URL="https://grants.example.org/") == "https://grants.example.org"


def test_make_hands_its_default_port_to_the_commands_it_runs():
    environment = {k: v for k, v in os.environ.items() if k != "PORT"}
    result = subprocess.run(  # noqa: S603 (a fixed command, run in the repository)
        [shutil.which("make") or "/usr/bin/make", "-s", "--eval", 'show-port: ; @echo "$$PORT"', "show-port"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "5000"
