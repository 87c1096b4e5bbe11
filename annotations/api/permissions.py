import logging

from redis.exceptions import RedisError
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import UserRateThrottle

from annotations import roles

log = logging.getLogger(__name__)


NO_ROLE = "Your account has no role yet (editors or viewers): ask an admin to give it one."


class ReadAnyWriteEditors(BasePermission):
    """Editors and viewers read (what their queryset shows); editors and admins write."""

    message = "Only editors may change annotations."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if not roles.can_read(request.user):
            self.message = NO_ROLE
            return False
        return request.method in SAFE_METHODS or roles.is_editor(request.user)


class ReadAnyWriteAdmins(BasePermission):
    message = "Only admins with the permission to change articles may do that."
    ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if not roles.can_read(request.user):
            self.message = NO_ROLE
            return False
        if request.method in SAFE_METHODS:
            return True
        if getattr(view, "action", None) in getattr(view, "editor_actions", ()):
            self.message = "Only editors may mark an article done or reopen it."
            return roles.is_editor(request.user)
        return roles.may_write_articles(request.user, self.ACTIONS.get(request.method, "change"))


class TokenClientThrottle(UserRateThrottle):
    """Rate-limit API clients that use tokens; the browser editor (session) is not throttled."""

    scope = "token"

    def allow_request(self, request, view):
        if not isinstance(request.auth, Token):
            return True
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            # Counters live in the cache (Redis with CACHE_URL): when it is down, serve the
            # request unthrottled rather than fail every client.
            log.warning("API throttle cache unreachable (%s: %s); request not throttled",
                        type(exc).__name__, exc)
            return True
