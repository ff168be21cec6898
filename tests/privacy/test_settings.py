"""The data-protection settings fail loudly on a bad value instead of starting with a rule that
erases too early or never alerts."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PARTICIPANT_RETENTION_YEARS", "0"),
        ("HARVEST_MAX_PAGE_VIEWS_PER_HOUR", "-5"),
        ("HARVEST_USUAL_HOURS", "22-6"),
        ("HARVEST_USUAL_HOURS", "sáng"),
    ],
)
def test_a_bad_value_stops_the_start_with_a_clear_message(name, value):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        name: value,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "HARVEST_USUAL_HOURS is start-end in hours, e.g. 6-22" in result.stderr


def test_the_defaults():
    assert settings.PARTICIPANT_RETENTION_YEARS == 5
    assert settings.HARVEST_USUAL_HOURS == (6, 22)
    assert settings.HARVEST_ALERT_EMAILS == []
