"""Merging duplicate speakers: every reference moves, names become aliases, history says so,
and a failure leaves nothing half-moved."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from annotations import services
from annotations.models import Endorsement, Entity, Quote
from tests.api_helpers import client_for, people, world  # noqa: F401
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dupes(world):  # noqa: F811
    """Jane Roe, and two duplicates of hers used by a quote and endorsements both ways."""
    bob, article = world["bob"], world["article"]
    mrs = EntityFactory(name="Mrs Roe", aliases=["Jane", "j. roe"], description="", wikidata_id="Q42")
    roe = EntityFactory(name="Roe")
    world["suggested"].speaker = mrs
    world["suggested"].save()
    given = Endorsement.objects.create(article=article, endorser=mrs, target=bob, polarity="supports",
                                       evidence=world["accepted"])
    received = Endorsement.objects.create(article=article, endorser=bob, target=roe, polarity="opposes")
    return {**world, "mrs": mrs, "roe": roe, "given": given, "received": received}


def test_merge_moves_every_reference_and_merges_aliases(dupes, people):  # noqa: F811
    jane, mrs, roe = dupes["jane"], dupes["mrs"], dupes["roe"]
    result = services.entity_merge(survivor=jane, others=[roe, mrs], user=people["editor"])
    assert result["merged"] == sorted([mrs.pk, roe.pk])
    assert (result["quotes"], result["endorsements_given"], result["endorsements_received"]) == (1, 1, 1)
    assert not Entity.objects.filter(pk__in=[mrs.pk, roe.pk]).exists()
    assert Quote.objects.get(pk=dupes["suggested"].pk).speaker_id == jane.pk
    assert Endorsement.objects.get(pk=dupes["given"].pk).endorser_id == jane.pk
    assert Endorsement.objects.get(pk=dupes["received"].pk).target_id == jane.pk
    jane.refresh_from_db()
    # "J. Roe" was already there: "j. roe" is not added twice; "Jane" and both names are new.
    assert sorted(a.lower() for a in jane.aliases) == ["j. roe", "jane", "mrs roe", "roe"]
    assert jane.wikidata_id == "Q42"
    assert jane.description == "finance minister"


def test_merge_is_recorded_in_history(dupes, people):  # noqa: F811
    jane, mrs = dupes["jane"], dupes["mrs"]
    services.entity_merge(survivor=jane, others=[mrs], user=people["editor"])
    quote_change = Quote.history.filter(id=dupes["suggested"].pk).latest("history_date")
    assert "merged into Jane Roe" in quote_change.history_change_reason
    assert quote_change.history_user == people["editor"]
    assert Endorsement.history.filter(id=dupes["given"].pk).latest("history_date").endorser_id == jane.pk
    gone = Entity.history.filter(id=mrs.pk).latest("history_date")
    assert gone.history_type == "-" and "merged into" in gone.history_change_reason
    kept = Entity.history.filter(id=jane.pk).latest("history_date")
    assert kept.history_change_reason.startswith("merged Mrs Roe") and kept.history_user == people["editor"]


def test_merge_is_one_transaction(dupes, people):  # noqa: F811
    jane, mrs = dupes["jane"], dupes["mrs"]
    with mock.patch.object(Entity, "full_clean", side_effect=ValidationError("boom")), \
            pytest.raises(ValidationError):
        services.entity_merge(survivor=jane, others=[mrs], user=people["editor"])
    assert Entity.objects.filter(pk=mrs.pk).exists()
    assert Quote.objects.get(pk=dupes["suggested"].pk).speaker_id == mrs.pk
    assert Endorsement.objects.get(pk=dupes["given"].pk).endorser_id == mrs.pk


def test_merge_api_rights(dupes, people):  # noqa: F811
    url = f"/api/v1/speakers/{dupes['jane'].pk}/merge/"
    body = {"others": [dupes["mrs"].pk]}
    assert client_for(None).post(url, body, format="json").status_code in (401, 403)
    assert client_for(people["viewer"]).post(url, body, format="json").status_code in (403, 404)
    assert Entity.objects.filter(pk=dupes["mrs"].pk).exists()
    response = client_for(people["editor"]).post(url, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["survivor"]["id"] == dupes["jane"].pk and "Mrs Roe" in data["survivor"]["aliases"]
    assert data["merged"] == [dupes["mrs"].pk] and data["quotes"] == 1
    assert not Entity.objects.filter(pk=dupes["mrs"].pk).exists()


def test_merge_api_refuses_self_and_unknown_ids(dupes, people):  # noqa: F811
    editor = client_for(people["admin"])
    jane = dupes["jane"]
    url = f"/api/v1/speakers/{jane.pk}/merge/"
    for others in ([jane.pk], [dupes["mrs"].pk, 987654321], [], ["x"]):
        response = editor.post(url, {"others": others}, format="json")
        assert response.status_code == 400, (others, response.content)
    assert Entity.objects.filter(pk=dupes["mrs"].pk).exists()
    assert Quote.objects.get(pk=dupes["suggested"].pk).speaker_id == dupes["mrs"].pk
    assert editor.post("/api/v1/speakers/987654321/merge/", {"others": [jane.pk]}, format="json").status_code == 404
    assert editor.post("/api/v1/speakers/abc/merge/", {"others": [jane.pk]}, format="json").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_the_same_speakers_at_once_do_not_deadlock(dupes, people):  # noqa: F811
    """Each merge locks all its rows in id order: the second waits for the first, then finds
    the other speaker gone (400), instead of a deadlock."""
    import threading

    from django.db import connection

    from tests.api_helpers import client_for as new_client

    jane, mrs = dupes["jane"], dupes["mrs"]
    editor = people["editor"]
    results = {}

    def merge(name, survivor, other):
        try:
            results[name] = new_client(editor).post(f"/api/v1/speakers/{survivor}/merge/", {"others": [other]},
                                                    format="json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=("a", jane.pk, mrs.pk)),
               threading.Thread(target=merge, args=("b", mrs.pk, jane.pk))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) in ([200, 400], [200, 404]), results
    assert Entity.objects.filter(pk__in=[jane.pk, mrs.pk]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_merge_and_an_edit_naming_the_survivor_on_a_moved_quote_both_go_through(dupes, people):  # noqa: F811
    """The edit holds its quote and names the survivor (a key-share lock on it) while the merge
    holds the speakers and wants the quote: with the speakers locked for update of their keys,
    that was a deadlock (a 503 saying the database was down). Both must go through."""
    import threading
    import time

    from django.db import connection, transaction

    jane, mrs, quote = dupes["jane"], dupes["mrs"], dupes["suggested"]  # the quote is Mrs Roe's
    holding, errors = threading.Event(), []

    def edit():
        try:
            with transaction.atomic():
                row = Quote.objects.select_for_update().get(pk=quote.pk)
                holding.set()
                time.sleep(0.5)  # the merge has its speakers by now, and waits for this quote
                row.speaker = jane
                row.save(update_fields=["speaker"])
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    editor = threading.Thread(target=edit)
    editor.start()
    assert holding.wait(10)
    answer = client_for(people["editor"]).post(f"/api/v1/speakers/{jane.pk}/merge/", {"others": [mrs.pk]},
                                               format="json")
    editor.join(30)
    assert answer.status_code == 200 and not errors, (answer.content, errors)
    assert Quote.objects.get(pk=quote.pk).speaker_id == jane.pk and not Entity.objects.filter(pk=mrs.pk).exists()


def test_a_merge_that_would_make_a_self_endorsement_or_a_quote_twice_is_refused(dupes, people):  # noqa: F811
    """One speaker endorsing a duplicate of itself, or two duplicates quoted on the same words:
    merged, the endorsement would be one the API refuses to make, and the words quoted twice. The
    merge is a 400 naming the rows, and nothing moves."""
    jane, mrs, roe, article = dupes["jane"], dupes["mrs"], dupes["roe"], dupes["article"]
    editor = client_for(people["editor"])
    self_endorsing = Endorsement.objects.create(article=article, endorser=mrs, target=roe, polarity="supports")
    answer = editor.post(f"/api/v1/speakers/{jane.pk}/merge/", {"others": [mrs.pk, roe.pk]}, format="json")
    assert answer.status_code == 400, answer.content
    assert f"endorsement {self_endorsing.pk} (supports)" in str(answer.json()) and "themselves" in str(answer.json())
    assert Entity.objects.filter(pk__in=[mrs.pk, roe.pk]).count() == 2
    assert Endorsement.objects.get(pk=dupes["given"].pk).endorser_id == mrs.pk
    self_endorsing.delete()
    # Jane's accepted quote, and the same words marked for Roe: quoted twice once merged.
    first = dupes["accepted"]
    twice = Quote.objects.create(article=article, start=first.start, end=first.end, exact=first.exact, speaker=roe,
                                 status="suggested", kind="direct")
    answer = editor.post(f"/api/v1/speakers/{jane.pk}/merge/", {"others": [roe.pk]}, format="json")
    assert answer.status_code == 400, answer.content
    assert f"quotes {first.pk} and {twice.pk} mark the same words" in str(answer.json())
    assert Quote.objects.get(pk=twice.pk).speaker_id == roe.pk
    # A rejected one counts for nothing: the merge goes through.
    Quote.objects.filter(pk=twice.pk).update(status="rejected")
    answer = editor.post(f"/api/v1/speakers/{jane.pk}/merge/", {"others": [roe.pk, mrs.pk]}, format="json")
    assert answer.status_code == 200, answer.content
    assert Quote.objects.get(pk=twice.pk).speaker_id == jane.pk
