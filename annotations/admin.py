from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from annotations import pipeline, services, suggesters
from annotations.importing import admin_views as import_views
from annotations.models import (
    Article,
    Endorsement,
    Entity,
    ImportBatch,
    Quote,
    SuggesterModel,
    SuggestionRun,
    Tag,
)
from annotations.suggest import learned


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "colour"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "outlet", "published_on", "language", "revision", "review", "created_at"]
    list_filter = ["review", "language", "published_on", "outlet", "tags"]
    search_fields = ["title", "url", "outlet"]
    date_hierarchy = "published_on"
    readonly_fields = ["body_sha256", "revision", "created_at", "updated_at", "done_by", "done_at"]
    raw_id_fields = ["import_batch"]
    filter_horizontal = ["tags"]

    def save_model(self, request, obj, form, change):
        # A body edit is a new revision with its annotations re-anchored: the one service.
        if change and "body" in form.changed_data:
            stored = Article.objects.get(pk=obj.pk)
            fields = {name: getattr(obj, name) for name in form.changed_data if name != "tags"}
            services.article_update(article=stored, **fields)
            obj.revision, obj.body, obj.body_sha256 = stored.revision, stored.body, stored.body_sha256
        else:
            super().save_model(request, obj, form, change)


@admin.register(Entity)
class EntityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "description", "wikidata_id", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases", "description", "wikidata_id"]


@admin.register(Quote)
class QuoteAdmin(SimpleHistoryAdmin):
    list_display = ["exact_short", "speaker", "kind", "status", "origin", "confidence", "article"]
    list_filter = ["status", "origin", "kind", "tags"]
    search_fields = ["exact", "cue", "speaker__name", "article__title"]
    list_select_related = ["speaker", "article"]
    raw_id_fields = ["article", "speaker", "created_by", "reviewed_by"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description="text")
    def exact_short(self, obj):
        return obj.exact[:80]


@admin.register(Endorsement)
class EndorsementAdmin(SimpleHistoryAdmin):
    list_display = ["endorser", "polarity", "target", "target_text", "status", "origin", "article"]
    list_filter = ["polarity", "status", "origin", "tags"]
    search_fields = ["endorser__name", "target__name", "target_text", "exact"]
    list_select_related = ["endorser", "target", "article"]
    raw_id_fields = ["article", "endorser", "target", "evidence", "responds_to",
                     "created_by", "reviewed_by"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(SuggestionRun)
class SuggestionRunAdmin(admin.ModelAdmin):
    """Runs are written by the pipeline only; the admin shows its state and can re-queue."""

    list_display = ["article", "revision", "engine_version", "status", "quotes", "endorsements",
                    "attempts", "duration_ms", "queued_at", "finished_at"]
    list_filter = ["status", "engine_version"]
    search_fields = ["article__title", "error"]
    raw_id_fields = ["article"]
    actions = ["requeue"]
    change_list_template = "admin/annotations/suggestionrun/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "pipeline": pipeline.status()})

    @admin.action(description="Re-queue selected failed runs")
    def requeue(self, request, queryset):
        count = pipeline.runs_requeue(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} run(s) pending again; workers were woken.")


@admin.register(SuggesterModel)
class SuggesterModelAdmin(admin.ModelAdmin):
    """Trained models with their held-out scores; activating an older one is a rollback."""

    # Few enough columns to fit beside nothing (no filter sidebar: the active one is marked).
    list_display = ["version", "active", "created_at", "quote_f1", "attribution_f1", "endorsement_f1", "articles",
                    "promotion"]
    readonly_fields = ["version", "active", "created_at", "activated_at", "sources", "counts", "metrics"]
    exclude = ["artifact"]
    actions = ["activate", "use_rules"]

    def has_add_permission(self, request):
        return False  # models are trained with `manage.py train_suggester --store`

    def has_change_permission(self, request, obj=None):
        return False  # a model is what training made; the list's actions activate one

    def has_delete_permission(self, request, obj=None):
        # The model that suggests stays until another (or the rules) is active.
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.active)

    @admin.display(description="quote F1@0.5")
    def quote_f1(self, obj):
        return obj.metrics.get("quote_f1@0.5")

    @admin.display(description="attribution F1@0.5")
    def attribution_f1(self, obj):
        return obj.metrics.get("attribution_f1@0.5")

    @admin.display(description="endorsement F1")
    def endorsement_f1(self, obj):
        # Out-of-fold, when the model learned endorsements; else the rules suggest them.
        return obj.metrics.get("endorsements", {}).get("endorsement_f1", "rules")

    @admin.display(description="trained on")
    def articles(self, obj):
        fitted, held = obj.counts.get("fit_articles"), obj.counts.get("heldout_articles")
        return f"{fitted} (+{held} held out)" if fitted is not None else obj.counts.get("articles")

    @admin.display(description="retraining")
    def promotion(self, obj):
        decision = obj.metrics.get("promotion")
        if not decision:
            return "-"  # trained by hand (train_suggester)
        scores = decision.get("f1_sum", {})
        return (f"{'promoted over' if decision.get('promoted') else 'refused against'} {decision.get('against')} "
                f"({scores.get('candidate')} vs {scores.get('active')})")

    @admin.action(description="Make the selected model the one that suggests")
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one model.", level="error")
            return
        chosen = queryset.get()
        try:
            suggesters.suggester_activate(version=chosen.version)
        except learned.ModelError as exc:
            self.message_user(request, f"Not activated: {exc}. The model that suggested still does.", level="error")
            return
        # "Model ..." first: the admin capitalises a message's first letter, and a version's is lower case.
        self.message_user(request, f"Model {chosen.version} now suggests; articles needing review get a fresh pass.")

    @admin.action(description="Suggest with the rules (no model)")
    def use_rules(self, request, queryset):
        suggesters.suggester_activate(version=None)
        self.message_user(request, "The rules suggest now; articles needing review get a fresh pass.")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "format", "status", "processed", "created", "duplicates",
                    "failed", "created_by", "created_at", "progress_link"]
    list_filter = ["status", "format"]
    search_fields = ["file_name"]
    # A batch is made by the upload page and moved on by the preview and the worker. The path
    # in particular must never be typed in: the preview shows the file and the worker imports
    # and then removes it.
    # The batch page is read-only and shows no server path; the upload page makes batches.
    fields = ["file_name", "format", "status", "created_by", "imported_articles", "total", "processed",
              "created", "duplicates", "failed", "errors", "created_at", "started_at", "finished_at"]
    readonly_fields = fields
    change_list_template = "admin/annotations/importbatch/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="articles")
    def imported_articles(self, obj):
        url = reverse("admin:annotations_article_changelist") + f"?import_batch__id__exact={obj.pk}"
        return format_html('<a href="{}">the articles this batch created</a>', url)

    @admin.display(description="progress")
    def progress_link(self, obj):
        return format_html('<a href="{}">progress and errors</a>',
                           reverse("admin:annotations_importbatch_progress", args=[obj.pk]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(import_views.upload), name="annotations_importbatch_upload"),
            path("<int:pk>/preview/", wrap(import_views.preview), name="annotations_importbatch_preview"),
            path("<int:pk>/progress/", wrap(import_views.progress), name="annotations_importbatch_progress"),
            path("<int:pk>/progress.json", wrap(import_views.progress_json),
                 name="annotations_importbatch_progress_json"),
            path("<int:pk>/errors.csv", wrap(import_views.errors_csv), name="annotations_importbatch_errors"),
            *super().get_urls(),
        ]
