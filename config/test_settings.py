"""Settings for the test suite: the real settings with throwaway secrets and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-only-for-the-test-suite-0123456789abcdefghij")
os.environ.setdefault("UIC_SECRET", "test-uic-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")

from .settings import *  # noqa: E402, F403

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
