from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from annotations import pipeline, selectors, services, suggesters
from annotations.importing import admin_views as import_views
from annotations.models import (
    Anchor,
    Article,
    Endorsement,
    Entity,
    ImportBatch,
    Quote,
    SuggesterModel,
    Status,
    SuggestionRun,
    Tag,
)
from annotations.suggest import learned
from annotations.text import one_line


class CheckedForm(forms.ModelForm):
    """An admin form held to the checks the API's writes pass (the services'): what the API
    refuses with a 400 the admin shows as a form error, not as a database error (a 500).
    `renames` maps a service's error key to this form's field."""

    renames: dict[str, str] = {}

    def clean(self):
        data = super().clean()
        try:
            self.check(data, self.instance if self.instance.pk else None)
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                field = self.renames.get(key, key)
                self.add_error(field if field in self.fields else None, errors)
        return data

    def check(self, data: dict, stored) -> None:
        raise NotImplementedError


class ArticleForm(CheckedForm):
    # The revision the form was opened on: a form left open while the text was corrected
    # (through the API, an import, another admin) would put the older text back.
    loaded_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_revision"].initial = self.instance.revision

    def check(self, data, stored):
        loaded = data.get("loaded_revision")
        if stored is not None and loaded is not None and loaded != stored.revision:
            raise ValidationError({"__all__": f"The article text changed since this form was opened (revision "
                                              f"{loaded} is now {stored.revision}). Nothing was saved: reload the "
                                              "page to edit the current text."})
        if not data.get("body"):
            return
        same = selectors.article_find_duplicate(url=data.get("url"), body=data["body"])
        if same is not None and (stored is None or same.pk != stored.pk):
            raise ValidationError({"url" if data.get("url") else "body": f"this article is already stored as "
                                                                        f"article {same.pk} (same url, or same body without url)"})


class EntityForm(CheckedForm):
    def check(self, data, stored):
        if data.get("name"):
            name = one_line(data["name"])
            services.entity_check_names(name, services.entity_clean_aliases(name, data.get("aliases")), this=stored)


class QuoteForm(CheckedForm):
    renames = {"text": "exact"}

    def check(self, data, stored):
        if data.get("article") is None or data.get("start") is None or data.get("end") is None \
                or data.get("anchor", Anchor.ANCHORED) != Anchor.ANCHORED:
            return  # missing fields have their own errors; an orphan's offsets are no longer the body's
        cue = services.quote_check_spans(data["article"].body, {**data, "text": data.get("exact")})
        if cue is not None:
            data["cue"] = cue
        if data.get("status") != Status.REJECTED:
            services.quote_check_not_twice(data["article"].pk, data["start"], data["end"], data.get("speaker"), this=stored)


class EndorsementForm(CheckedForm):
    renames = {"text": "exact", "evidence_id": "evidence", "target_id": "target"}

    def check(self, data, stored):
        if data.get("article") is None:
            return
        spans = {} if data.get("anchor", Anchor.ANCHORED) != Anchor.ANCHORED else \
            {"start": data.get("start"), "end": data.get("end"), "text": data.get("exact") if data.get("start") is not None else None}
        services.endorsement_check(article=data["article"], this=stored, fields={
            **spans, **{name: data.get(name) for name in ("endorser", "target", "target_text", "evidence", "responds_to")}})


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "colour"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleForm
    list_display = ["title", "outlet", "published_on", "language", "revision", "review", "created_at"]
    list_filter = ["review", "language", "published_on", "outlet", "tags"]
    search_fields = ["title", "url", "outlet"]
    date_hierarchy = "published_on"
    # Done and reopened in the editor (or the API), which say who and when.
    readonly_fields = ["body_sha256", "revision", "review", "created_at", "updated_at", "done_by", "done_at"]
    raw_id_fields = ["import_batch"]
    filter_horizontal = ["tags"]

    def save_model(self, request, obj, form, change):
        # A body edit is a new revision with its annotations re-anchored: the one service.
        if change and "body" in form.changed_data:
            stored = Article.objects.get(pk=obj.pk)
            fields = {name: getattr(obj, name) for name in form.changed_data if name not in ("tags", "loaded_revision")}
            services.article_update(article=stored, **fields)
            for f in Article._meta.concrete_fields:  # the new revision, and review if it reopened
                setattr(obj, f.attname, getattr(stored, f.attname))
        elif not change:
            # A new article as the API and imports make one: its text normalised, hashed for
            # deduplication, and queued for suggestions.
            made = services.article_create(**{name: form.cleaned_data.get(name) for name in
                                              ("body", "title", "outlet", "url", "published_on", "language")},
                                           import_batch=form.cleaned_data.get("import_batch"))
            for f in Article._meta.concrete_fields:
                setattr(obj, f.attname, getattr(made, f.attname))
            obj._state.adding, obj._state.db = False, made._state.db
        else:
            super().save_model(request, obj, form, change)


@admin.register(Entity)
class EntityAdmin(SimpleHistoryAdmin):
    form = EntityForm
    list_display = ["name", "kind", "description", "wikidata_id", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases", "description", "wikidata_id"]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        services.entity_update(entity=obj)  # the name stripped, the aliases cleaned, then saved


class SpanAdmin(SimpleHistoryAdmin):
    """Quotes and endorsements: the W3C selector's context follows the span."""

    def save_model(self, request, obj, form, change):
        if obj.anchor == Anchor.ANCHORED:
            services.span_set(obj, obj.article.body)
        super().save_model(request, obj, form, change)


@admin.register(Quote)
class QuoteAdmin(SpanAdmin):
    form = QuoteForm
    list_display = ["exact_short", "speaker", "kind", "status", "origin", "confidence", "article"]
    list_filter = ["status", "origin", "kind", "tags"]
    search_fields = ["exact", "cue", "speaker__name", "article__title"]
    list_select_related = ["speaker", "article"]
    raw_id_fields = ["article", "speaker", "created_by", "reviewed_by"]
    readonly_fields = ["prefix", "suffix", "created_at", "updated_at"]

    @admin.display(description="text")
    def exact_short(self, obj):
        return obj.exact[:80]


@admin.register(Endorsement)
class EndorsementAdmin(SpanAdmin):
    form = EndorsementForm
    list_display = ["endorser", "polarity", "target", "target_text", "status", "origin", "article"]
    list_filter = ["polarity", "status", "origin", "tags"]
    search_fields = ["endorser__name", "target__name", "target_text", "exact"]
    list_select_related = ["endorser", "target", "article"]
    raw_id_fields = ["article", "endorser", "target", "evidence", "responds_to",
                     "created_by", "reviewed_by"]
    readonly_fields = ["prefix", "suffix", "created_at", "updated_at"]


@admin.register(SuggestionRun)
class SuggestionRunAdmin(admin.ModelAdmin):
    """Runs are written by the pipeline only; the admin shows its state and can re-queue."""

    list_display = ["article", "revision", "engine_version", "status", "quotes", "endorsements",
                    "attempts", "duration_ms", "queued_at", "finished_at", "note"]
    list_filter = ["status", "engine_version"]
    search_fields = ["article__title", "error"]
    raw_id_fields = ["article"]
    actions = ["requeue"]
    change_list_template = "admin/annotations/suggestionrun/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="note")
    def note(self, obj):
        """Why it failed, what interrupted it, or which engine suggested in the model's place."""
        return obj.error[:100]

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

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.active:  # say why, rather than a bare "permission denied"
            self.message_user(request, f"The model that suggests ({obj.version}) cannot be deleted: make another "
                                       "model (or the rules) suggest first.", messages.ERROR)
            return redirect("admin:annotations_suggestermodel_changelist")
        return super().delete_view(request, object_id, extra_context)

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
