"""Settings for the test suite: the real settings with throwaway secrets and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-only-for-the-test-suite-0123456789abcdefghij")
os.environ.setdefault("UIC_SECRET", "test-uic-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
# The suite runs the demo builder and the benchmark's smoke test (the `tooling` app).
os.environ.setdefault("DEV_TOOLS", "true")
if not os.environ.get("OFFLINE_PRIVATE_KEY"):
    # A throwaway key pair for this run (never committed); subprocesses inherit it.
    from offline.keys import MIN_KEY_SIZE, new_private_key_pem

    os.environ["OFFLINE_PRIVATE_KEY"] = new_private_key_pem(MIN_KEY_SIZE)

from .settings import *  # noqa: E402, F403

if "reports" in DATABASES:  # noqa: F405
    # The replica replays the whole primary server, the test database included: the suite reads
    # the primary's test database through the replica's own host and port (Django's test
    # mirror only takes the database NAME), and creates nothing on it.
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# Django's test client signs in with `authenticate()` without a request (client.login), which
# django-axes refuses; this backend lets those through and checks every real login request
# exactly like axes.backends.AxesStandaloneBackend (lock-out stays on and is tested).
AUTHENTICATION_BACKENDS = [
    "tests.security.backends.AxesUnlessNoRequestBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_VERBOSE = False
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # noqa: F405
