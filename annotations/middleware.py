"""Site-wide responses: 503 when PostgreSQL cannot be reached, and the browser policy headers."""

import logging

import psycopg

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
MESSAGE = "The database is unavailable for a moment; nothing was changed. Try again shortly."
CONFLICT_MESSAGE = "Another change to the same items got in the way; nothing was changed. Try again."


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # A lost connection, a server that is down or restarting: transient. Two writes that
        # each waited for the other (a deadlock): the database is fine, the request may be retried.
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if isinstance(exception.__cause__, (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)):
            log.warning("conflicting writes for %s %s: %s", request.method, request.path, exception)
            status, message, retry = 409, CONFLICT_MESSAGE, 1
        else:
            log.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
            status, message, retry = 503, MESSAGE, RETRY_AFTER_SECONDS
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=status)
        else:
            response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(retry)
        return response


# Scripts and everything else only from this site, no inline script (a stored-XSS payload that
# slipped past escaping would not run); inline style attributes are allowed. No framing.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'",
])
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
