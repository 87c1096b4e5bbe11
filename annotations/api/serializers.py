"""API shapes. Reads nest the related objects; writes take ids (`*_id`) and slugs (`tags`)."""

from rest_framework import serializers

from annotations.models import Article, Endorsement, Entity, Quote, Tag


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
        extra_kwargs = {"wikidata_id": {"validators": []}}


class ArticleSerializer(serializers.ModelSerializer):
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Article
        fields = ["id", "title", "body", "outlet", "url", "published_on", "language", "revision",
                  "review", "done_by", "done_at", "created_at", "updated_at"]
        read_only_fields = ["revision", "review", "done_by", "done_at", "created_at", "updated_at"]
        extra_kwargs = {"url": {"validators": []}, "title": {"required": False}}


class ArticleListSerializer(ArticleSerializer):
    suggested_count = serializers.IntegerField(read_only=True)
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

    REVIEW_FIELDS = ["tags", "status", "origin", "engine_version", "confidence",
                     "created_by", "created_at", "reviewed_by", "reviewed_at", "updated_at"]
    REVIEW_READ_ONLY = ["origin", "engine_version", "confidence", "created_at", "reviewed_at",
                        "updated_at"]


class QuoteSerializer(ReviewableFields):
    text = serializers.CharField(source="exact", trim_whitespace=False, max_length=100_000)
    speaker = SpeakerSummarySerializer(read_only=True, allow_null=True)
    speaker_id = serializers.PrimaryKeyRelatedField(
        source="speaker", queryset=Entity.objects.all(), write_only=True, allow_null=True, required=False
    )
    endorsements = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = ["id", "article", "article_id", "text", "start", "end", "prefix", "suffix", "kind",
                  "speaker", "speaker_id", "speaker_start", "speaker_end", "cue", "cue_start",
                  "cue_end", *ReviewableFields.REVIEW_FIELDS, "endorsements"]
        read_only_fields = ["prefix", "suffix", *ReviewableFields.REVIEW_READ_ONLY]
        extra_kwargs = {"start": {"max_value": 2**31 - 1}, "end": {"max_value": 2**31 - 1}}


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

    class Meta:
        model = Endorsement
        fields = ["id", "article", "article_id", "endorser", "endorser_id", "target", "target_id",
                  "target_text", "polarity", "evidence_id", "start", "end", "text", "responds_to",
                  *ReviewableFields.REVIEW_FIELDS]
        read_only_fields = ReviewableFields.REVIEW_READ_ONLY
        extra_kwargs = {"start": {"max_value": 2**31 - 1}, "end": {"max_value": 2**31 - 1}}


class ReviewSerializer(serializers.Serializer):
    """Body of accept-all: the article and the lowest confidence to accept."""

    article_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    min_confidence = serializers.FloatField(min_value=0, max_value=1)
