import pytest
from django.contrib.auth.models import Group, Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.models import Quote
from annotations.roles import groups_ensure
from tests.factories import ArticleFactory, EntityFactory


def make_user(username, role):
    groups_ensure()  # a transactional test before this one may have flushed them
    user = User.objects.create_user(username, password="pw-" + username, is_staff=(role == "admin"))
    if role in ("editors", "viewers"):
        user.groups.add(Group.objects.get(name=role))
    if role == "admin":  # an admin is given the article permissions, as in the admin
        user.user_permissions.add(*Permission.objects.filter(
            content_type__app_label="annotations", codename__endswith="_article"))
    return user


def client_for(user):
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def people(db):
    return {
        "anonymous": None,
        "viewer": make_user("vera", "viewers"),
        "editor": make_user("eddie", "editors"),
        "admin": make_user("ada", "admin"),
    }


BODY = "Intro. Jane Roe said “taxes will fall” on Monday. Later, Bob Poe said “no they will not”."


@pytest.fixture
def world(db):
    """An article with one accepted and one suggested quote, by two speakers."""
    article = ArticleFactory(body=BODY, outlet="Daily Planet", published_on="2024-05-01",
                             url="https://planet.example/a1")
    jane = EntityFactory(name="Jane Roe", aliases=["J. Roe"], description="finance minister")
    bob = EntityFactory(name="Bob Poe")
    s1 = BODY.index("taxes")
    accepted = Quote.objects.create(
        article=article, start=s1, end=s1 + len("taxes will fall"), exact="taxes will fall",
        speaker=jane, status="accepted", kind="direct",
    )
    s2 = BODY.index("no they")
    suggested = Quote.objects.create(
        article=article, start=s2, end=s2 + len("no they will not"), exact="no they will not",
        speaker=bob, status="suggested", origin="engine", engine_version="t", confidence=0.7,
    )
    return {"article": article, "jane": jane, "bob": bob, "accepted": accepted, "suggested": suggested}
