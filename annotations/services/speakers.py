"""Writes to speakers (entities): create, edit (names and aliases checked), merge."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from annotations import selectors
from annotations.models import Endorsement, Entity, Quote, Status
from annotations.text import one_line


def entity_clean_aliases(name: str, aliases) -> list[str]:
    seen, result = {one_line(name).lower()}, []
    for alias in aliases or []:
        alias = one_line(alias)
        if alias and alias.lower() not in seen:
            seen.add(alias.lower())
            result.append(alias)
    return result


def entity_check_names(name: str, aliases: list[str], this: Entity | None = None) -> None:
    """A name or alias belongs to one speaker: "Mujahid" cannot point at two parties."""
    for field, names in (("name", [name]), ("aliases", aliases)):
        for other_name in names:
            other = selectors.entity_find(name=other_name)
            if other is not None and (this is None or other.pk != this.pk):
                raise ValidationError({field: f"{other_name!r} already exists as a name or alias of the "
                                              f"speaker {other.name!r} (id {other.pk}); merge the two instead"})


def entity_create(*, name: str, **fields) -> Entity:
    name = one_line(name)
    fields["aliases"] = entity_clean_aliases(name, fields.get("aliases"))
    entity_check_names(name, fields["aliases"])
    entity = Entity(name=name, **fields)
    entity.full_clean()
    entity.save()
    return entity


def entity_update(*, entity: Entity, **fields) -> Entity:
    for name, value in fields.items():
        setattr(entity, name, value)
    entity.name = one_line(entity.name)
    entity.aliases = entity_clean_aliases(entity.name, entity.aliases)
    entity_check_names(entity.name, entity.aliases, this=entity)
    entity.full_clean()
    entity.save()
    return entity


def _merge_check(survivor: Entity, group: list[int]) -> None:
    """What a merge would make that no write may: an endorsement of the speaker by itself, or
    the same words marked twice for it. Refused with the rows to change first, nothing moved."""
    problems = [
        f"endorsement {pk} ({polarity}) is between two of these speakers: as one, {survivor.name} would "
        f"endorse or oppose themselves; delete it or change its endorser or target first"
        for pk, polarity in Endorsement.objects.filter(endorser_id__in=group, target_id__in=group)
        .order_by("pk").values_list("pk", "polarity")]
    seen: dict[tuple, int] = {}
    for pk, article_id, start, end in Quote.objects.filter(speaker_id__in=group).exclude(
            status=Status.REJECTED).order_by("pk").values_list("pk", "article_id", "start", "end"):
        first = seen.setdefault((article_id, start, end), pk)
        if first != pk:
            problems.append(f"quotes {first} and {pk} mark the same words (article {article_id}, {start}-{end}) "
                            f"for two of these speakers: as one, the words would be quoted twice; reject or "
                            f"delete one first")
    if problems:
        raise ValidationError({"others": problems[:20]})


def entity_merge(*, survivor: Entity, others, user) -> dict:
    """Merge `others` into `survivor`, in one transaction: their quotes, endorsements (given and
    received) and names move to the survivor, then they are deleted. Every moved row, the
    survivor and each deleted entity gets a history record naming the merge. Returns counts."""
    other_ids = sorted({o.pk if isinstance(o, Entity) else int(o) for o in others})
    if not other_ids:
        raise ValidationError({"others": "name at least one speaker to merge"})
    if survivor.pk in other_ids:
        raise ValidationError({"others": "a speaker cannot be merged into itself"})
    with transaction.atomic():
        # Rows locked in id order, as speakers.py does, so two merges cannot deadlock; and not
        # against key-share locks (no_key), which a quote's write takes on the speaker it names:
        # an edit that holds its quote while it names one of these would otherwise deadlock.
        locked = list(Entity.objects.select_for_update(no_key=True).filter(
            pk__in=[survivor.pk, *other_ids]).order_by("pk"))
        by_id = {e.pk: e for e in locked}
        missing = [i for i in other_ids if i not in by_id]
        if survivor.pk not in by_id or missing:
            raise ValidationError({"others": f"unknown speaker ids: {missing or [survivor.pk]}"})
        survivor = by_id[survivor.pk]
        merged = [by_id[i] for i in other_ids]
        _merge_check(survivor, [survivor.pk, *other_ids])
        names = ", ".join(f"{e.name} (#{e.pk})" for e in merged)
        reason = f"speaker merged into {survivor.name} (#{survivor.pk}) from {names}"[:100]
        now = timezone.now()
        moved = {"quotes": 0, "endorsements_given": 0, "endorsements_received": 0}
        for model, field, key in ((Quote, "speaker", "quotes"), (Endorsement, "endorser", "endorsements_given"),
                                  (Endorsement, "target", "endorsements_received")):
            rows = list(model.objects.select_for_update().filter(**{f"{field}_id__in": other_ids}).order_by("pk"))
            for row in rows:
                setattr(row, f"{field}_id", survivor.pk)
                row.updated_at = now
            if rows:
                bulk_update_with_history(rows, model, [field, "updated_at"], default_user=user,
                                         default_change_reason=reason)
            moved[key] = len(rows)
        aliases = list(survivor.aliases)
        for entity in merged:
            aliases += [entity.name, *entity.aliases]
            survivor.description = survivor.description or entity.description
            if entity.wikidata_id and not survivor.wikidata_id:
                survivor.wikidata_id = entity.wikidata_id
            entity._change_reason = reason
            entity._history_user = user
            entity.delete()
        survivor.aliases = entity_clean_aliases(survivor.name, aliases)
        survivor._change_reason = f"merged {names}"[:100]
        survivor._history_user = user
        survivor.full_clean()
        survivor.save()
    return {"survivor": survivor, "merged": other_ids, **moved}
