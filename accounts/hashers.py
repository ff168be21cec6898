"""The password hasher: Argon2id with OWASP's parameters for a server that signs people in
(19 MiB of memory, 2 passes, 1 lane; OWASP Password Storage Cheat Sheet). Django's own
Argon2PasswordHasher takes 100 MiB and 8 lanes: about 0.24 s of CPU per sign-in on this
project's 2-core server, as much as PBKDF2 at 1,000,000 iterations, so fifty people signing in
at the start of a day queued every page behind them. These parameters cost about 27 ms of
CPU per check (measured with `time.process_time` over 10 checks, against 234 ms).

The algorithm name is Django's ("argon2"): a hash made with other parameters (Django's
defaults) still checks, and `must_update` rewrites it with these at the next sign-in."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
