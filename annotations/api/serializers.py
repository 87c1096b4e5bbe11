"""API shapes. Reads nest the related objects; writes take ids (`*_id`) and slugs (`tags`)."""

import datetime
import re

from django.core.validators import RegexValidator
from django.db import models
from rest_framework import serializers

from annotations import selectors
from annotations.api.concurrency import etag_of
from annotations.models import Article, Endorsement, Entity, Quote, Tag
from annotations.text import MAX_BODY_CHARS


class ArticleSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "title", "url", "outlet", "published_on"]


class SpeakerSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["id", "name", "description"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "colour"]


class SpeakerSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=100
    )

    class Meta:
        model = Entity
        fields = ["id", "name", "kind", "description", "aliases", "wikidata_id", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness (name or alias, any case) is checked by the service with a clear message.
        validators = []
        # The format is the database's rule (entity_wikidata_id_format), said here in words.
        extra_kwargs = {"wikidata_id": {"validators": [RegexValidator(
            r"^Q[1-9][0-9]*$", "a Wikidata item id is Q and a number, such as Q42")]}}

    def validate_wikidata_id(self, value):
        return value or None  # "" is no id (the database keeps ids unique and well formed)


class MergeSerializer(serializers.Serializer):
    """Body of a speaker merge: the ids of the speakers that go into this one."""

    others = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                   min_length=1, max_length=100)


class MergeResultSerializer(serializers.Serializer):
    survivor = SpeakerSerializer()
    merged = serializers.ListField(child=serializers.IntegerField())
    quotes = serializers.IntegerField(help_text="quotes moved")
    endorsements_given = serializers.IntegerField()
    endorsements_received = serializers.IntegerField()


class GraphQuerySerializer(serializers.Serializer):
    min_count = serializers.IntegerField(min_value=1, max_value=2**31 - 1, default=1, required=False,
                                         help_text="keep edges with at least this many endorsements")


class GraphNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    given = serializers.IntegerField(help_text="endorsements on this party's outgoing edges")
    received = serializers.IntegerField(help_text="endorsements on its incoming edges")


class GraphEdgeSerializer(serializers.Serializer):
    endorser = serializers.IntegerField()
    target = serializers.IntegerField()
    polarity = serializers.ChoiceField(choices=Endorsement.Polarity.choices)
    count = serializers.IntegerField()


class GraphSerializer(serializers.Serializer):
    nodes = GraphNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True)
    truncated = serializers.BooleanField(help_text="more edges matched than the 500 returned")
    slogans = serializers.IntegerField(help_text="matching endorsements of a slogan, not a party")


class CalendarDateField(serializers.DateField):
    """A date; "2021-02-29" is told it is no day of the calendar, not that its format is wrong."""

    def to_internal_value(self, value):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise serializers.ValidationError(f"{value.strip()} is not a day of the calendar.") from None
        return super().to_internal_value(value)


class ArticleSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DateField: CalendarDateField}
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Article
        fields = ["id", "title", "body", "outlet", "url", "published_on", "language", "revision",
                  "review", "done_by", "done_at", "created_at", "updated_at"]
        read_only_fields = ["revision", "review", "done_by", "done_at", "created_at", "updated_at"]
        extra_kwargs = {"url": {"validators": []}, "title": {"required": False}}

    def to_internal_value(self, data):
        # DRF would store a number sent for a text as its digits ({"body": 123} as "123").
        if isinstance(data, dict):
            wrong = {name: [f"expected text, not {type(data[name]).__name__}"] for name in ("title", "body", "outlet")
                     if data.get(name) is not None and not isinstance(data[name], str)}
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)

    def validate_body(self, value):
        if len(value) > MAX_BODY_CHARS:
            raise serializers.ValidationError(f"{len(value):,} characters, over the limit of {MAX_BODY_CHARS:,}")
        return value


class ArticleListSerializer(ArticleSerializer):
    # Left out where the list did not count it (for viewers, see selectors.article_list_with_counts).
    suggested_count = serializers.IntegerField(read_only=True, help_text="editors only")
    accepted_count = serializers.IntegerField(read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [f for f in ArticleSerializer.Meta.fields if f != "body"] + [
            "suggested_count", "accepted_count"]


def _tags_field():
    return serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Tag.objects.all(), required=False
    )


class ReviewableFields(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    tags = _tags_field()
    article = ArticleSummarySerializer(read_only=True)
    article_id = serializers.PrimaryKeyRelatedField(
        source="article", queryset=Article.objects.all(), write_only=True
    )

    REVIEW_FIELDS = ["tags", "status", "anchor", "reworded_from", "origin", "engine_version", "confidence",
                     "created_by", "created_at", "reviewed_by", "reviewed_at", "updated_at"]
    REVIEW_READ_ONLY = ["anchor", "reworded_from", "origin", "engine_version", "confidence", "created_at",
                        "reviewed_at", "updated_at"]


def iso_utc(value):
    """A time as the API writes it ("...Z"), in the JSON pages and in every export alike."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def quote_representation(row: dict) -> dict:
    """QuoteSerializer's output, built from a selectors.quote_values row (completed with tags
    and endorsements): lists of hundreds of quotes need no model instances."""
    published = row["article__published_on"]
    return {
        "id": row["id"],
        "article": {"id": row["article_id"], "title": row["article__title"], "url": row["article__url"],
                    "outlet": row["article__outlet"],
                    "published_on": published.isoformat() if published else None},
        "text": row["exact"],
        "start": row["start"],
        "end": row["end"],
        "prefix": row["prefix"],
        "suffix": row["suffix"],
        "kind": row["kind"],
        "speaker": ({"id": row["speaker_id"], "name": row["speaker__name"],
                     "description": row["speaker__description"]} if row["speaker_id"] else None),
        "speaker_start": row["speaker_start"],
        "speaker_end": row["speaker_end"],
        "cue": row["cue"],
        "cue_start": row["cue_start"],
        "cue_end": row["cue_end"],
        "tags": row["tag_slugs"],
        "status": row["status"],
        "anchor": row["anchor"],
        "reworded_from": row["reworded_from"],
        "origin": row["origin"],
        "engine_version": row["engine_version"],
        "confidence": row["confidence"],
        "created_by": row["created_by__username"],
        "created_at": iso_utc(row["created_at"]),
        "reviewed_by": row["reviewed_by__username"],
        "reviewed_at": iso_utc(row["reviewed_at"]),
        "updated_at": iso_utc(row["updated_at"]),
        "endorsements": row["endorsement_ids"],
        "etag": f'"{row["id"]}-{int(row["updated_at"].timestamp() * 1_000_000)}"',
    }


class QuoteSerializer(ReviewableFields):
    text = serializers.CharField(source="exact", trim_whitespace=False, max_length=100_000)
    speaker = SpeakerSummarySerializer(read_only=True, allow_null=True)
    speaker_id = serializers.PrimaryKeyRelatedField(
        source="speaker", queryset=Entity.objects.all(), write_only=True, allow_null=True, required=False
    )
    endorsements = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    etag = serializers.CharField(read_only=True, help_text="Send as If-Match to write this quote")

    class Meta:
        model = Quote
        fields = ["id", "article", "article_id", "text", "start", "end", "prefix", "suffix", "kind",
                  "speaker", "speaker_id", "speaker_start", "speaker_end", "cue", "cue_start",
                  "cue_end", *ReviewableFields.REVIEW_FIELDS, "endorsements", "etag"]
        read_only_fields = ["prefix", "suffix", *ReviewableFields.REVIEW_READ_ONLY]
        extra_kwargs = {"start": {"max_value": 2**31 - 1}, "end": {"max_value": 2**31 - 1}}

    def to_representation(self, instance):
        if isinstance(instance, dict):
            return quote_representation(instance)
        request = self.context.get("request")
        row = selectors.quote_values(Quote.objects.filter(pk=instance.pk), user=request and request.user).get()
        return quote_representation(row)


class EndorsementSerializer(ReviewableFields):
    endorser = SpeakerSummarySerializer(read_only=True)
    endorser_id = serializers.PrimaryKeyRelatedField(
        source="endorser", queryset=Entity.objects.all(), write_only=True
    )
    target = SpeakerSummarySerializer(read_only=True, allow_null=True)
    target_id = serializers.PrimaryKeyRelatedField(
        source="target", queryset=Entity.objects.all(), write_only=True, allow_null=True, required=False
    )
    evidence_id = serializers.PrimaryKeyRelatedField(
        source="evidence", queryset=Quote.objects.all(), allow_null=True, required=False
    )
    responds_to = serializers.PrimaryKeyRelatedField(
        queryset=Endorsement.objects.all(), allow_null=True, required=False
    )
    text = serializers.CharField(source="exact", required=False, allow_blank=True, trim_whitespace=False)
    etag = serializers.SerializerMethodField()

    class Meta:
        model = Endorsement
        fields = ["id", "article", "article_id", "endorser", "endorser_id", "target", "target_id",
                  "target_text", "polarity", "evidence_id", "start", "end", "text", "responds_to",
                  *ReviewableFields.REVIEW_FIELDS, "etag"]
        read_only_fields = ReviewableFields.REVIEW_READ_ONLY
        extra_kwargs = {"start": {"max_value": 2**31 - 1}, "end": {"max_value": 2**31 - 1}}

    def get_etag(self, obj) -> str:
        return etag_of(obj)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # A viewer's scope says which referred-to rows they may see (selectors.endorsements_visible);
        # the id of a hidden one would tell them it exists.
        if hasattr(instance, "evidence_shown"):
            data["evidence_id"] = instance.evidence_shown
            data["responds_to"] = instance.responds_to_shown
        return data


class ReviewSerializer(serializers.Serializer):
    """Body of accept-all: the article and the lowest confidence to accept."""

    article_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    min_confidence = serializers.FloatField(min_value=0, max_value=1)
