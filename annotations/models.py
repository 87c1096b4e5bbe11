"""The annotation data model: articles, the parties who speak, what they say and whom they back.

Offsets (`start`, `end`) are Python code points into `Article.body`. Every
invariant that matters is a database constraint, so a bulk write or a raw SQL
fix cannot break it either.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Status(models.TextChoices):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Origin(models.TextChoices):
    EDITOR = "editor"
    ENGINE = "engine"
    IMPORT = "import"


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    colour = models.CharField(
        max_length=7,
        default="#6b7280",
        help_text="#rrggbb",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")],
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="tag_colour_hex",
                violation_error_message="The colour is # and six hex digits, like #1f6feb.",
            )
        ]

    def __str__(self):
        return self.name


class ImportBatch(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    file_name = models.CharField(max_length=500)
    format = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Where an uploaded file waits for the worker, and how to read it (mapping, outlet, ...).
    upload_path = models.CharField(max_length=1000, blank=True)
    options = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0, help_text="rows expected (an estimate until done)")
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # [{"file": str, "line": int, "reason": str}, ...]
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.file_name} ({self.status})"


class Article(models.Model):
    class Review(models.TextChoices):
        NEEDS_REVIEW = "needs_review", "needs review"
        DONE = "done", "done"  # lower case, as "needs review"

    title = models.CharField(max_length=500)
    body = models.TextField(help_text="Normalised: Unicode NFC, \\n line ends.")
    outlet = models.CharField(max_length=200, blank=True, db_index=True)
    url = models.URLField(max_length=1000, null=True, blank=True, unique=True)
    published_on = models.DateField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=16, default="en")
    # Looked up only where url is null, through the partial unique index below.
    body_sha256 = models.CharField(max_length=64, editable=False)
    revision = models.PositiveIntegerField(default=1, editable=False)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    # Fewer indexes on the table bulk imports write to: state and reviewer are list filters
    # over few rows, not worth slowing every insert for.
    review = models.CharField(max_length=12, choices=Review.choices, default=Review.NEEDS_REVIEW)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["body_sha256"])

    class Meta:
        ordering = ["-published_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="article_body_not_empty",
                                   violation_error_message="The body is empty."),
            models.CheckConstraint(condition=Q(revision__gte=1), name="article_revision_positive"),
            # Without a url, the body hash is the dedup key.
            models.UniqueConstraint(
                fields=["body_sha256"],
                condition=Q(url__isnull=True),
                name="article_unique_body_without_url",
            ),
            models.CheckConstraint(condition=~Q(url=""), name="article_url_null_not_blank"),
        ]

    def __str__(self):
        return self.title


class Entity(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person"
        ORGANISATION = "organisation"
        GROUP = "group"
        PARTY = "party"
        OTHER = "other"

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    description = models.CharField(max_length=300, blank=True)
    aliases = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    wikidata_id = models.CharField(max_length=20, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        constraints = [
            # One Entity per real-world party: names are unique regardless of case.
            models.UniqueConstraint(Lower("name"), name="entity_unique_name_ci"),
            models.CheckConstraint(condition=~Q(name=""), name="entity_name_not_empty",
                                   violation_error_message="The name is empty."),
            models.CheckConstraint(
                condition=Q(wikidata_id__isnull=True) | Q(wikidata_id__regex=r"^Q[1-9][0-9]*$"),
                name="entity_wikidata_id_format",
                violation_error_message="A Wikidata id is Q and a number, like Q42.",
            ),
        ]
        indexes = [GinIndex(fields=["aliases"], name="entity_aliases_gin")]

    def __str__(self):
        return self.name


def _span_constraints(prefix: str, start: str, end: str, optional: bool):
    """0 <= start < end, and for optional spans: both set or both empty."""
    valid = Q(**{f"{start}__gte": 0}) & Q(**{f"{start}__lt": F(end)})
    message = f"{start} must be 0 or more and less than {end}."
    if not optional:
        return [models.CheckConstraint(condition=valid, name=f"{prefix}_span_valid", violation_error_message=message)]
    # A CHECK passes on NULL, so the set branch must say both are set.
    both = Q(**{f"{start}__isnull": False}) & Q(**{f"{end}__isnull": False})
    empty = Q(**{f"{start}__isnull": True}) & Q(**{f"{end}__isnull": True})
    return [models.CheckConstraint(condition=(both & valid) | empty, name=f"{prefix}_span_valid",
                                   violation_error_message=f"Give both {start} and {end}, or neither; {message}")]


def _review_constraints(prefix: str):
    return [
        models.CheckConstraint(
            condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
            name=f"{prefix}_confidence_range",
            violation_error_message="The confidence is a number from 0 to 1, or empty.",
        ),
        models.CheckConstraint(
            condition=~Q(origin=Origin.ENGINE) | ~Q(engine_version=""),
            name=f"{prefix}_engine_has_version",
            violation_error_message="A suggestion from the engine names its engine version.",
        ),
    ]


class Anchor(models.TextChoices):
    # Anchored: body[start:end] == exact, checked by the database on every write.
    ANCHORED = "anchored"
    # The words were lost in an edit of the article: the row keeps its last text and offsets
    # (into an older revision), is never highlighted, and waits for an editor to re-attach it.
    ORPHANED = "orphaned"


class Reviewable(models.Model):
    """Status, origin, anchoring and review trail shared by quotes and endorsements."""

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    anchor = models.CharField(max_length=10, choices=Anchor.choices, default=Anchor.ANCHORED)
    # The words an editor accepted or rejected, when a correction of the text changed them (a
    # fuzzy place keeps the decision on close words): shown for a check until the next review.
    reworded_from = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.EDITOR)
    engine_version = models.CharField(max_length=40, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Quote(Reviewable):
    class Kind(models.TextChoices):
        DIRECT = "direct"
        INDIRECT = "indirect"
        MIXED = "mixed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=32, blank=True)
    suffix = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DIRECT)
    speaker = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="quotes"
    )
    speaker_start = models.PositiveIntegerField(null=True, blank=True)
    speaker_end = models.PositiveIntegerField(null=True, blank=True)
    cue = models.CharField(max_length=200, blank=True)
    cue_start = models.PositiveIntegerField(null=True, blank=True)
    cue_end = models.PositiveIntegerField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="quotes")
    # Stored so that ranking thousands of matches reads vectors instead of re-parsing text.
    search_vector = models.GeneratedField(
        expression=SearchVector("exact", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["article_id", "start", "end", "id"]
        constraints = [
            *_span_constraints("quote", "start", "end", optional=False),
            *_span_constraints("quote_speaker", "speaker_start", "speaker_end", optional=True),
            *_span_constraints("quote_cue", "cue_start", "cue_end", optional=True),
            *_review_constraints("quote"),
            models.CheckConstraint(condition=~Q(exact=""), name="quote_exact_not_empty",
                                   violation_error_message="The quote's words are empty."),
        ]
        indexes = [
            models.Index(fields=["article", "status"], name="quote_article_status"),
            # Cursor pages are ordered by -id: these serve speaker and status filters in order.
            models.Index(fields=["speaker", "status", "-id"], name="quote_speaker_status_id"),
            models.Index(fields=["status", "-id"], name="quote_status_id"),
            # A speaker's quotes by article (the speaker page's chart by month of publication),
            # read from the index alone instead of a heap page per quote.
            models.Index(fields=["speaker", "status", "article"], name="quote_speaker_status_article"),
            GinIndex(fields=["search_vector"], name="quote_search_vector"),
            # What clients (viewers) search: a fifth fewer rows to fetch and rank per word.
            GinIndex(fields=["search_vector"], name="quote_search_accepted", condition=Q(status="accepted")),
        ]

    def __str__(self):
        return self.exact[:80]


class QuoteTerm(models.Model):
    """One word (lexeme) of one quote, with the rank that quote gets in a search for that word
    alone: a search index ordered the way such a search is. Ranking a common word's matches
    straight from the quotes reads every one of them (a word in 1% of a million quotes: 8,000
    rows, 25 ms); this reads the first page's in order (under 1 ms).

    Written only by database triggers on the quote table (migration 0004), so that every way
    quotes change, COPY and bulk writes included, keeps it right; never written from Python."""

    pk = models.CompositePrimaryKey("lexeme", "rank", "quote")
    lexeme = models.TextField()
    # The same number as selectors.quotes_search's rank for this one word (tested).
    rank = models.IntegerField()
    # No foreign key constraint: the quote's delete trigger removes its terms (by primary key,
    # so no index of its own either).
    quote = models.ForeignKey(Quote, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                              related_name="terms")
    # Whether the quote is accepted (kept by the same triggers): viewers' searches read only
    # these terms, through a partial index (migration 0005).
    accepted = models.BooleanField(default=False)

    class Meta:
        # The table is made by migration 0004's SQL, beside its triggers. Unmanaged, so that
        # dumpdata leaves it out (loading the quotes rebuilds it) and flush leaves emptying it
        # to the quote table's truncate trigger.
        managed = False

    def __str__(self):
        return f"{self.lexeme} in quote {self.quote_id}"


class Endorsement(Reviewable):
    class Polarity(models.TextChoices):
        SUPPORTS = "supports"
        OPPOSES = "opposes"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="endorsements")
    endorser = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="endorsements_made")
    target = models.ForeignKey(
        Entity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="endorsements_received",
    )
    target_text = models.CharField(
        max_length=300, blank=True, help_text="A policy or slogan when the target is no party."
    )
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    evidence = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="endorsements"
    )
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    exact = models.TextField(blank=True)
    # The words around the evidence, as a quote keeps them: re-anchoring tells two copies of
    # the same words apart by them, and a correction undone restores an orphan with them.
    prefix = models.CharField(max_length=32, blank=True)
    suffix = models.CharField(max_length=32, blank=True)
    responds_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="endorsements")
    history = HistoricalRecords()

    class Meta:
        ordering = ["article_id", "start", "id"]
        constraints = [
            *_span_constraints("endorsement", "start", "end", optional=True),
            *_review_constraints("endorsement"),
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(target_text=""),
                name="endorsement_has_target",
                violation_error_message="Give a target speaker or a target text.",
            ),
            models.CheckConstraint(
                condition=Q(polarity__in=["supports", "opposes"]), name="endorsement_polarity_known"
            ),
            models.CheckConstraint(
                condition=Q(responds_to__isnull=True) | ~Q(responds_to=F("id")),
                name="endorsement_not_self_response",
            ),
        ]

    def __str__(self):
        target = self.target.name if self.target_id else self.target_text
        return f"{self.endorser} {self.polarity} {target}"


class SuggestionRun(models.Model):
    """The need for one engine pass over one article revision, and then its outcome.

    Written in the same transaction as the article change that needs it (an outbox), so
    the need survives any broker, worker or database fault; the broker message only wakes
    a worker, and the reconciler wakes them again while runs are pending. The unique key
    makes a pass happen once per (article, revision, engine version).
    """

    class State(models.TextChoices):
        # A worker that is storing a pending run holds its row lock; the row stays pending
        # until that transaction commits, so a killed worker leaves nothing half-done.
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"  # the engine itself failed on this text: not retried by itself
        SUPERSEDED = "superseded"  # the article changed (or went) before the pass ran

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestion_runs")
    revision = models.PositiveIntegerField()
    engine_version = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    quotes = models.PositiveIntegerField(default=0)
    endorsements = models.PositiveIntegerField(default=0)
    # Passes interrupted by a transient error (lost connection, deadlock): the run stayed
    # pending, and `error` says what interrupted the last one. On a failed run it is why; on a
    # done one, which engine suggested when the model could not be read.
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "revision", "engine_version"], name="suggestion_run_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "done", "failed", "superseded"]),
                name="suggestion_run_status_known",
            ),
        ]
        indexes = [
            # Workers claim the oldest pending runs; the index holds only those.
            models.Index(fields=["id"], name="suggestion_run_pending",
                         condition=Q(status="pending")),
            models.Index(fields=["status", "finished_at"], name="suggestion_run_status"),
        ]

    def __str__(self):
        return f"{self.article_id}@{self.revision} {self.engine_version} {self.status}"


class SuggesterModel(models.Model):
    """A trained suggestion model, stored here so every worker on every host runs the same one.
    At most one is active; with none, the rules suggest."""

    version = models.CharField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sources = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True, help_text="scores on the held-out articles")
    artifact = models.BinaryField(help_text="the model file: CRF, calibration and metadata")
    active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="suggester_one_active"),
        ]

    def __str__(self):
        return f"{self.version}{' (active)' if self.active else ''}"
