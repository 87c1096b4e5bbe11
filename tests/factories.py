import factory

from annotations.models import Article, Entity, Quote, Tag
from annotations.text import body_sha256


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Sequence(lambda n: f"Article number {n}. The minister said “we will act now” on Monday.")
    outlet = "Example Times"
    body_sha256 = factory.LazyAttribute(lambda o: body_sha256(o.body))


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Speaker {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    article = factory.SubFactory(ArticleFactory)
    start = 0
    end = 7
    exact = factory.LazyAttribute(lambda o: o.article.body[o.start : o.end])
