"""Shared helpers of the participants tests: the enrolment form's answers and its two steps."""

import html
import re

from django.urls import reverse

MOTHER = "Nguyễn Thị Quyên"
FATHER = "Trần Văn Khôi"
# QU (Quyên) + KH (Khôi) + 03/07/1995 + F
UIC = "QUKH030795F"
SECRETS = (UIC, MOTHER, FATHER, "Quyên", "Khôi")

HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def answers(site=None, **overrides):
    data = {
        "step": "answers",
        "mother_name": MOTHER,
        "father_name": FATHER,
        "birth_date": "1995-07-03",
        "sex": "female",
        "category": "sex_worker",
        "residence": "temporary",
        "enrolled_on": "2024-05-02",
        "consent": "on",
        "consent_on": "2024-05-02",
    }
    if site is not None:
        data["site"] = str(site.pk)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def hidden_fields(content):
    return {name: html.unescape(value) for name, value in HIDDEN_RE.findall(content)}


def enrol(client, data):
    """Step 1 then step 2 of the enrolment form; returns (confirmation page, final page)."""
    url = reverse("participants:enrol")
    first = client.post(url, data)
    assert first.status_code == 200
    fields = hidden_fields(first.content.decode())
    assert fields.get("step") == "confirm", first.content.decode()[:3000]
    final = client.post(url, fields, follow=True)
    return first, final


def assert_no_secret(text, secrets=SECRETS):
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked"
        assert secret.upper() not in text, f"{secret.upper()!r} leaked"
