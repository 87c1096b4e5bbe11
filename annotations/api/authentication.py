from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from annotations import roles, security


def _user_by_token_sql() -> str:
    user = get_user_model()
    memberships = user.groups.through._meta.db_table
    member = (f'EXISTS (SELECT 1 FROM "{memberships}" m JOIN "{Group._meta.db_table}" g '
              f'ON g.id = m.group_id WHERE m.user_id = u.id AND g.name = %s)')
    return (
        f'SELECT u.*, {member} AS newsdesk_is_editor, {member} AS newsdesk_is_viewer '
        f'FROM "{Token._meta.db_table}" t JOIN "{user._meta.db_table}" u ON u.id = t.user_id '
        f'WHERE t.key = %s'
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check as one plain query that also loads the user's role. Every API
    request needs both; the ORM's two queries (or one with a subquery expression) cost
    several times the query itself to build, a fifth of a small page's time."""

    def authenticate(self, request):
        # DRF makes one authenticator per request: the token check below needs the address.
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        # An address that sent too many wrong tokens gets 429 for any token, the right one too:
        # else guessing would go on, only answered 429 for misses and 200 for a hit.
        wait = security.failed_tokens_wait(self._request)
        if wait is not None:
            raise exceptions.Throttled(wait=wait, detail="Too many invalid tokens from this address.")
        found = list(get_user_model().objects.raw(_user_by_token_sql(), [roles.EDITORS, roles.VIEWERS, key]))
        if not found:
            security.failed_token_record(self._request)
            raise exceptions.AuthenticationFailed("Invalid token.")
        user = found[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        roles.remember_roles(user, editor=user.newsdesk_is_editor, viewer=user.newsdesk_is_viewer)
        return user, Token(key=key, user=user)
