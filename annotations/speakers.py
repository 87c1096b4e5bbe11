"""Speakers: the one Entity per real-world party, found by name or alias, made when missing.

Many workers resolve speakers at once. Creation is insert-or-get (ON CONFLICT on the
case-insensitive name) in name order, and alias updates lock rows in id order, so two
workers meeting the same new speaker neither fail nor deadlock on each other.
"""

from django.db import connection, transaction
from django.utils import timezone

from annotations.models import Entity
from annotations.suggest import Speaker

NAME_MAX = 300


def _key(name: str) -> str:
    return " ".join(name.split()).lower()


def _named(keys: set[str]) -> tuple[dict[str, Entity], dict[str, Entity]]:
    """Entities whose name, or any alias, is one of `keys` (lower case): by name, by alias."""
    found = Entity.objects.extra(
        where=["lower(name) = ANY(%s) OR annotations_lower_array(aliases) && %s::text[]"],
        params=[list(keys), list(keys)],
    )
    by_name, by_alias = {}, {}
    for entity in found:
        by_name[entity.name.lower()] = entity
        for alias in entity.aliases:
            by_alias.setdefault(alias.lower(), entity)
    return by_name, by_alias


def _match(speaker: Speaker, by_name: dict, by_alias: dict) -> Entity | None:
    # Each of the speaker's names in turn, a canonical name before an alias (as entity_find).
    for name in (speaker.name, *speaker.aliases):
        key = _key(name)
        if key in by_name:
            return by_name[key]
        if key in by_alias:
            return by_alias[key]
    return None


def _insert_missing(speakers: list[Speaker]) -> None:
    """Insert each missing speaker unless a concurrent writer already has; in name order."""
    made = []
    now = timezone.now()
    with connection.cursor() as cursor:
        for speaker in sorted(speakers, key=lambda s: _key(s.name)):
            name = " ".join(speaker.name.split())[:NAME_MAX]
            aliases = _new_aliases(name, [], speaker.aliases)
            cursor.execute(
                "INSERT INTO annotations_entity (name, kind, description, aliases, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
                [name, speaker.kind, speaker.description[:NAME_MAX], aliases, now, now],
            )
            row = cursor.fetchone()
            if row:
                made.append(row[0])
    if made:
        Entity.history.bulk_history_create(list(Entity.objects.filter(id__in=made)))


def _new_aliases(name: str, aliases: list[str], more) -> list[str]:
    seen = {name.lower(), *(a.lower() for a in aliases)}
    added = []
    for alias in more:
        alias = " ".join(alias.split())[:NAME_MAX]
        if alias and alias.lower() not in seen:
            seen.add(alias.lower())
            added.append(alias)
    return added


def _merge_names(resolved: dict[Speaker, Entity]) -> None:
    """Give matched entities the speakers' other names as aliases, and a description if
    they had none; rows locked in id order and re-read, so concurrent merges add up."""
    wanted: dict[int, list[Speaker]] = {}
    for speaker, entity in resolved.items():
        names = [speaker.name, *speaker.aliases]
        if _new_aliases(entity.name, entity.aliases, names) or (speaker.description and not entity.description):
            wanted.setdefault(entity.id, []).append(speaker)
    if not wanted:
        return
    changed = []
    for entity in Entity.objects.select_for_update(no_key=True).filter(id__in=wanted).order_by("id"):
        for speaker in wanted[entity.id]:
            entity.aliases = [*entity.aliases,
                              *_new_aliases(entity.name, entity.aliases, [speaker.name, *speaker.aliases])]
            if speaker.description and not entity.description:
                entity.description = speaker.description[:NAME_MAX]
        entity.updated_at = timezone.now()
        changed.append(entity)
    from simple_history.utils import bulk_update_with_history

    bulk_update_with_history(changed, Entity, ["aliases", "description", "updated_at"])
    fresh = {entity.id: entity for entity in changed}
    for speaker, entity in resolved.items():
        resolved[speaker] = fresh.get(entity.id, entity)


def entities_resolve(*, speakers) -> dict[Speaker, Entity]:
    """The Entity of each named speaker (generic ones, "a source", get none), in few queries."""
    speakers = [s for s in dict.fromkeys(speakers) if s is not None and not s.generic and s.name.strip()]
    if not speakers:
        return {}
    keys = {_key(n) for s in speakers for n in (s.name, *s.aliases) if n.strip()}
    with transaction.atomic():
        by_name, by_alias = _named(keys)
        missing = [s for s in speakers if _match(s, by_name, by_alias) is None]
        if missing:
            _insert_missing(missing)
            by_name, by_alias = _named(keys)  # ours, and any a concurrent writer committed
        resolved = {s: _match(s, by_name, by_alias) for s in speakers}
        # A speaker whose insert lost to a writer that has not committed yet is found next pass.
        resolved = {s: e for s, e in resolved.items() if e is not None}
        _merge_names(resolved)
    return resolved


def entity_resolve(*, speaker: Speaker) -> Entity | None:
    """The one Entity for a party, matched by name or alias; created only when none matches."""
    return entities_resolve(speakers=[speaker]).get(speaker)
