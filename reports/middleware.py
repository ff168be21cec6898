from reports import routing  # the module, not its functions: looked up at each request

WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ReplicaPinMiddleware:
    """After a signed-in user's POST (or any writing method), that user's report pages read from
    the primary for REPLICA_PIN_SECONDS (reports.routing.pinned): what they just saved shows at
    once, however far behind the replica is. Without a replica it does nothing.

    Goes after AuthenticationMiddleware (it needs the user) and so before SessionMiddleware
    saves the session on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in WRITING_METHODS and routing.replica_configured():
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                routing.pin(request)
        return response
