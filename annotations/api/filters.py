import django_filters as filters
from django import forms
from django.db.models import Q

from annotations import selectors
from annotations.models import Anchor, Article, Endorsement, Entity, Quote, Status


class RequestFilterSet(filters.FilterSet):
    """Builds only the filters a request names: the others would do nothing, yet copying them
    and their form fields was most of the Python time of a filtered list. The browsable API
    still gets every field for its filter form."""

    def __init__(self, data=None, *args, request=None, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if data is not None and getattr(renderer, "format", None) != "api":
            self.base_filters = {name: f for name, f in self.base_filters.items() if name in data}
        super().__init__(data, *args, request=request, **kwargs)

    def filter_reworded(self, queryset, name, value):
        return queryset.exclude(reworded_from="") if value == "true" else queryset.filter(reworded_from="")


class IdFilter(filters.NumberFilter):
    """An id: a whole number (NumberFilter's decimals would cut `?article=1.5` to article 1)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=2**63 - 1, **kwargs)


REWORDED = "true: accepted or rejected ones whose words a correction changed, not reviewed since"
TRUE_FALSE = [("true", "true"), ("false", "false")]  # anything else is a 400, not an unfiltered list


class QuoteFilter(RequestFilterSet):
    speaker = IdFilter(field_name="speaker_id")
    speaker_name = filters.CharFilter(method="filter_speaker_name", max_length=200,
                                      label="Speaker name or alias (contains, any case)")
    article = IdFilter(field_name="article_id")
    outlet = filters.CharFilter(field_name="article__outlet", lookup_expr="iexact", max_length=200)
    published_after = filters.DateFilter(field_name="article__published_on", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="article__published_on", lookup_expr="lte")
    status = filters.ChoiceFilter(choices=Status.choices)
    anchor = filters.ChoiceFilter(choices=Anchor.choices, label="anchored, or orphaned by an edit of the text")
    reworded = filters.ChoiceFilter(choices=TRUE_FALSE, method="filter_reworded", label=REWORDED)
    kind = filters.ChoiceFilter(choices=Quote.Kind.choices)
    tag = filters.CharFilter(field_name="tags__slug", max_length=100)
    q = filters.CharFilter(method="filter_q", max_length=500, label="Full-text search, ranked")
    endorser = filters.CharFilter(method="filter_endorser", max_length=200,
                                  label="Evidence for an endorsement by (speaker id, or name or alias contains)")
    target = filters.CharFilter(method="filter_target", max_length=200,
                                label="Evidence for an endorsement of (speaker id, or name or alias contains)")

    class Meta:
        model = Quote
        fields = []

    def filter_speaker_name(self, queryset, name, value):
        return queryset.filter(speaker_id__in=selectors.entity_ids_named(name=value))

    def filter_q(self, queryset, name, value):
        return selectors.quotes_search(queryset, text=value, user=self.request.user) if value.strip() else queryset

    def filter_endorser(self, queryset, name, value):
        return queryset.filter(id__in=selectors.quote_ids_endorsed(user=self.request.user, **_party("endorser", value)))

    def filter_target(self, queryset, name, value):
        return queryset.filter(id__in=selectors.quote_ids_endorsed(user=self.request.user, **_party("target", value)))


def _party(role: str, value: str) -> dict:
    """`?endorser=12` is a speaker id, `?endorser=taliban` a name or alias it contains."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return {f"{role}_id": min(int(value), 2**63 - 1)}
    return {f"{role}_name": value}


class EndorsementFilter(RequestFilterSet):
    endorser = IdFilter(field_name="endorser_id")
    target = IdFilter(field_name="target_id")
    endorser_name = filters.CharFilter(method="filter_endorser_name", max_length=200)
    target_name = filters.CharFilter(method="filter_target_name", max_length=200)
    article = IdFilter(field_name="article_id")
    outlet = filters.CharFilter(field_name="article__outlet", lookup_expr="iexact", max_length=200)
    published_after = filters.DateFilter(field_name="article__published_on", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="article__published_on", lookup_expr="lte")
    polarity = filters.ChoiceFilter(choices=Endorsement.Polarity.choices)
    status = filters.ChoiceFilter(choices=Status.choices)
    status_not = filters.ChoiceFilter(field_name="status", choices=Status.choices, exclude=True,
                                      label="All but this status (the network page's default: not rejected)")
    anchor = filters.ChoiceFilter(choices=Anchor.choices, label="anchored, or orphaned by an edit of the text")
    reworded = filters.ChoiceFilter(choices=TRUE_FALSE, method="filter_reworded", label=REWORDED)
    tag = filters.CharFilter(field_name="tags__slug", max_length=100)

    class Meta:
        model = Endorsement
        fields = []

    def filter_endorser_name(self, queryset, name, value):
        return queryset.filter(endorser_id__in=selectors.entity_ids_named(name=value))

    def filter_target_name(self, queryset, name, value):
        return queryset.filter(
            Q(target_id__in=selectors.entity_ids_named(name=value)) | Q(target_text__icontains=value)
        )


class ArticleFilter(RequestFilterSet):
    outlet = filters.CharFilter(field_name="outlet", lookup_expr="iexact", max_length=200)
    published_after = filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="published_on", lookup_expr="lte")
    review = filters.ChoiceFilter(choices=Article.Review.choices)
    tag = filters.CharFilter(field_name="tags__slug", max_length=100)
    q = filters.CharFilter(method="filter_q", max_length=500, label="Title or body contains")

    class Meta:
        model = Article
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value))


class SpeakerFilter(RequestFilterSet):
    name = filters.CharFilter(method="filter_name", max_length=200, label="Name or alias contains")
    name_exact = filters.CharFilter(method="filter_name_exact", max_length=300,
                                    label="Name or alias is exactly this (any case)")
    kind = filters.ChoiceFilter(choices=Entity.Kind.choices)

    class Meta:
        model = Entity
        fields = []

    def filter_name(self, queryset, name, value):
        return queryset.filter(id__in=selectors.entity_ids_named(name=value))

    def filter_name_exact(self, queryset, name, value):
        found = selectors.entity_find(name=value)
        return queryset.filter(pk=found.pk) if found else queryset.none()
