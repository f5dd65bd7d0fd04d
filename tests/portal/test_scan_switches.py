"""The switches the sqlmap run uses (captcha answered "PASSED", no lockout or rate limits) are
refused by the settings unless DEBUG is on: production can never start with them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def settings_with(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DEBUG", "CAPTCHA_TEST_MODE", "SCAN_WITHOUT_LIMITS", "DJANGO_SETTINGS_MODULE")}
    code = ("import portal.settings as s; "
            "print(s.CAPTCHA_TEST_MODE, getattr(s, 'AXES_ENABLED', True), getattr(s, 'RATELIMIT_ENABLE', True))")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("switch", ["CAPTCHA_TEST_MODE", "SCAN_WITHOUT_LIMITS"])
def test_a_scan_switch_is_refused_without_debug(switch):
    result = settings_with(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.cn",
                           **{switch: "true"})
    assert result.returncode != 0
    assert f"{switch} is for development servers only" in result.stderr


def test_with_debug_the_switches_turn_the_captcha_lockout_and_rate_limits_off():
    result = settings_with(DEBUG="true", CAPTCHA_TEST_MODE="true", SCAN_WITHOUT_LIMITS="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False"]


def test_by_default_everything_is_on():
    result = settings_with(DEBUG="true")
    assert result.stdout.split() == ["False", "True", "True"]
