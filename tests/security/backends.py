from axes.backends import AxesStandaloneBackend


class AxesUnlessNoRequestBackend(AxesStandaloneBackend):
    """Test-only: `client.login()` calls authenticate() without a request; skip the lock-out
    check then (there is no client address to key it on). Requests are checked as in production."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
