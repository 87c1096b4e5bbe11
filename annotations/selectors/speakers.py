"""Reads of speakers (entities), scoped to what the user may see: lookups by name, their
quotes, endorsements and counts."""

from django.db.models import Count, Exists, F, OuterRef
from django.db.models.functions import TruncMonth

from annotations import roles
from annotations.models import Entity
from annotations.selectors.endorsements import _endorsements_scope, _not_rejected
from annotations.selectors.quotes import quotes_visible
from annotations.text import one_line


def entity_find(*, name: str) -> Entity | None:
    """An entity whose name or any alias equals `name`, ignoring case and spacing."""
    name = one_line(name)
    found = Entity.objects.filter(name__iexact=name).first()
    if found:
        return found
    return Entity.objects.extra(
        where=["annotations_lower_array(aliases) @> ARRAY[lower(%s)]"], params=[name]
    ).first()


def entities_visible(*, user):
    """Editors see every speaker; viewers only those in a quote or endorsement they may see, so
    that a speaker known only from a suggestion stays hidden."""
    if roles.is_editor(user):
        return Entity.objects.all()
    quotes = quotes_visible(user=user)
    endorsements = _endorsements_scope(user)
    return Entity.objects.filter(
        Exists(quotes.filter(speaker_id=OuterRef("id")))
        | Exists(endorsements.filter(endorser_id=OuterRef("id")))
        | Exists(endorsements.filter(target_id=OuterRef("id")))
    )


def entity_quotes(*, user, entity_id: int):
    """The speaker's quotes `user` may see, rejected ones left out."""
    return _not_rejected(quotes_visible(user=user).filter(speaker_id=entity_id))


def entity_counts(*, user, ids) -> dict[int, dict]:
    """{id: {"quotes", "given", "received"}} for the speakers `ids` (one page of them), counted
    over the rows `user` may see (a viewer's counts say nothing of hidden rows), rejected ones
    left out. Counted for the page alone: counting every speaker to show fifty read every quote."""
    ids = list(ids)
    counts = {i: {"quotes": 0, "given": 0, "received": 0} for i in ids}
    endorsements = _not_rejected(_endorsements_scope(user))
    for key, qs, field in (("quotes", _not_rejected(quotes_visible(user=user)), "speaker_id"),
                           ("given", endorsements, "endorser_id"), ("received", endorsements, "target_id")):
        for entity_id, n in (qs.filter(**{f"{field}__in": ids}).order_by().values(field)
                             .annotate(n=Count("id")).values_list(field, "n")):
            counts[entity_id][key] = n
    return counts


def entity_quotes_by_month(*, user, entity_id: int) -> tuple[list[tuple], int]:
    """([(first day of month, count)], undated count) of the speaker's quotes `user` may see
    (not rejected), by the month their article was published."""
    rows = (entity_quotes(user=user, entity_id=entity_id).order_by()
            .values(month=TruncMonth("article__published_on")).annotate(n=Count("*")).values_list("month", "n"))
    months, undated = [], 0
    for month, n in rows:
        if month is None:
            undated = n
        else:
            months.append((month, n))
    return sorted(months), undated


def entity_endorsements(*, user, entity_id: int):
    """(given, received): the speaker's endorsements `user` may see (not rejected), newest article first."""
    # Not the article bodies: a list names its articles, it does not show them.
    qs = _not_rejected(_endorsements_scope(user)).select_related("article", "endorser", "target").defer(
        "article__body").order_by(F("article__published_on").desc(nulls_last=True), "-id")
    return qs.filter(endorser_id=entity_id), qs.filter(target_id=entity_id)
