"""What the suggester learns from: editors' decisions in the database as gold articles."""

from annotations.models import Anchor, Article, Endorsement, Quote, Status


def gold_from_editors(*, limit: int | None = None) -> list[dict]:
    """The editors' decisions as gold articles (the eval format). An article marked done is
    complete: its accepted, anchored quotes and its accepted endorsements are the truth and
    everything else in it is not. An article still in review where editors rejected something
    comes as "partial": what they accepted and rejected there, and the suggestions still open
    (which teach nothing yet)."""
    done = Article.objects.filter(review=Article.Review.DONE).order_by("id")
    if limit:
        done = done[:limit]
    done_ids = list(done.values_list("id", flat=True))
    partial_ids = set(Quote.objects.filter(status=Status.REJECTED).exclude(article__review=Article.Review.DONE)
                      .values_list("article_id", flat=True).distinct()[:limit or None])
    partial_ids |= set(Endorsement.objects.filter(status=Status.REJECTED)
                       .exclude(article__review=Article.Review.DONE)
                       .values_list("article_id", flat=True).distinct()[:limit or None])
    docs = {}
    for a in Article.objects.filter(id__in=[*done_ids, *partial_ids]).order_by("id").only("id", "body"):
        doc = {"id": f"article-{a.id}", "text": a.body, "quotes": [], "stances": []}
        if a.id in partial_ids:
            doc.update(partial=True, rejected_quotes=[], open_quotes=[], rejected_stances=[])
        docs[a.id] = doc
    quotes = Quote.objects.filter(article_id__in=docs, anchor=Anchor.ANCHORED).order_by("start")
    for q in quotes.values("article_id", "status", "start", "end", "exact", "speaker_start", "speaker_end",
                           "cue_start", "cue_end", "speaker__name"):
        doc = docs[q["article_id"]]
        if q["status"] == Status.ACCEPTED:
            doc["quotes"].append({
                "start": q["start"], "end": q["end"], "text": q["exact"], "speaker": q["speaker__name"],
                "speaker_start": q["speaker_start"], "speaker_end": q["speaker_end"],
                "cue_start": q["cue_start"], "cue_end": q["cue_end"]})
        elif doc.get("partial"):
            key = "rejected_quotes" if q["status"] == Status.REJECTED else "open_quotes"
            doc[key].append([q["start"], q["end"]])
    endorsements = Endorsement.objects.filter(article_id__in=docs).exclude(status=Status.SUGGESTED)
    for e in endorsements.values("article_id", "status", "polarity", "endorser__name", "target__name",
                                 "target_text"):
        doc, target = docs[e["article_id"]], e["target__name"] or e["target_text"]
        if not target:
            continue
        if e["status"] == Status.ACCEPTED:
            doc["stances"].append({"subject": e["endorser__name"], "object": target, "polarity": e["polarity"]})
        elif doc.get("partial"):
            doc["rejected_stances"].append([e["endorser__name"], target])
    return list(docs.values())
