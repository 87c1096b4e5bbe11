from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import UserRateThrottle

from annotations import roles


class ReadAnyWriteEditors(BasePermission):
    """Signed-in users read (what their queryset shows); editors and admins write."""

    message = "Only editors may change annotations."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or roles.is_editor(request.user)


class ReadAnyWriteAdmins(BasePermission):
    message = "Only admins may change articles."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        if getattr(view, "action", None) in getattr(view, "editor_actions", ()):
            return roles.is_editor(request.user)
        return roles.is_admin(request.user)


class TokenClientThrottle(UserRateThrottle):
    """Rate-limit API clients that use tokens; the browser editor (session) is not throttled."""

    scope = "token"

    def allow_request(self, request, view):
        if not isinstance(request.auth, Token):
            return True
        return super().allow_request(request, view)
