"""Bulk import: every format, every kind of bad input, idempotency, resume after a kill, the admin flow."""

import codecs
import csv
import io
import json
import os
import signal
import subprocess
import sys
import zipfile
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from annotations.models import Article, ImportBatch, Quote
from tests.conftest import wait_for
from tests.pipeline_procs import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args):
    out = StringIO()
    code = 0
    try:
        call_command("import_articles", *map(str, args), "--no-suggest", stdout=out, stderr=StringIO())
    except SystemExit as exc:
        code = exc.code
    lines = out.getvalue().strip().splitlines()
    return code, lines[-1], lines[:-1]


def test_csv_with_aliases_and_bad_rows(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text(
        "headline,text,link,source,date\n"
        "Good one,\"First body, with a comma\",https://a.example/1,Planet,2024-01-02\n"
        "No body,,https://a.example/2,Planet,2024-01-02\n"
        "Bad date,Body three,https://a.example/3,Planet,31/31/2024\n"
        "Too few,Body four\n"
        "Too many,Body five,https://a.example/5,Planet,2024-01-05,surplus\n"
        "Bad url,Body six,not a url,Planet,2024-01-06\n"
        "\"Multi\nline\",\"Body\nseven\",https://a.example/7,Planet,7 March 2024\n", encoding="utf-8")
    code, last, listed = run(path)
    assert code == 1 and last == "created=2 duplicates=0 failed=5"
    assert listed == [
        "news.csv:3: body: missing or empty",
        "news.csv:4: published_on: '31/31/2024' is not a date (use YYYY-MM-DD)",
        "news.csv:5: 2 fields, the header has 5",
        "news.csv:6: 6 fields, the header has 5",
        "news.csv:7: url: 'not a url' is not an http(s) URL",
    ]
    first = Article.objects.get(url="https://a.example/1")
    assert (first.title, first.outlet, str(first.published_on)) == ("Good one", "Planet", "2024-01-02")
    assert Article.objects.get(url="https://a.example/7").body == "Body\nseven"
    # The same file again creates nothing new.
    assert run(path)[1] == "created=0 duplicates=2 failed=5"


def test_jsonl_malformed_lines_and_size_limit(tmp_path):
    path = tmp_path / "news.jsonl"
    big = "x" * 1_000_001
    path.write_text("\n".join([
        json.dumps({"title": "A", "body": "Alpha body.", "date": "2023-05-06"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"title": "Big", "body": big}),
        json.dumps({"title": "B", "text": "Beta body.", "url": "https://b.example/1", "outlet": "Wire"}),
    ]) + "\n", encoding="utf-8")
    code, last, listed = run(path)
    assert (code, last) == (1, "created=2 duplicates=0 failed=3")
    assert listed[0].startswith("news.jsonl:2: malformed JSON")
    assert listed[1] == "news.jsonl:3: expected a JSON object"
    assert listed[2] == "news.jsonl:4: body: 1,000,001 characters, over the limit of 1,000,000"
    # Without a url, the body hash is the dedup key.
    assert run(path)[1] == "created=0 duplicates=2 failed=3"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "latin-1", "mixed"])
def test_encodings(tmp_path, encoding):
    path = tmp_path / "enc.csv"
    header, row1, row2 = "title,body\n", "Café,Crème brûlée said the chef.\n", "Zoë,Naïve question.\n"
    if encoding == "mixed":
        path.write_bytes((header + row1).encode("utf-8") + row2.encode("latin-1"))
    else:
        path.write_bytes((header + row1 + row2).encode(encoding))
    code, last, _ = run(path)
    assert (code, last) == (0, "created=2 duplicates=0 failed=0")
    assert set(Article.objects.values_list("title", flat=True)) == {"Café", "Zoë"}
    assert Article.objects.get(title="Zoë").body == "Naïve question."


def test_seed_files_folders_and_zip_archives(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.txt").write_text("date 2020-01-01 First seed body.", encoding="utf-8")
    (folder / "b.txt").write_text("no date line", encoding="utf-8")
    archive = tmp_path / "more.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("c.txt", "date 2020-01-03\nThird seed body.")
        z.writestr("../evil.txt", "date 2020-01-04 Escaping body.")
        z.writestr("/abs.txt", "date 2020-01-05 Absolute body.")
        z.writestr("d.txt", "date 2020-02-30 Bad date.")
    code, last, listed = run(folder, archive)
    assert (code, last) == (1, "created=2 duplicates=0 failed=4")
    assert "b.txt:1: line 1: expected 'date YYYY-MM-DD' at the start of the file" in listed
    assert "more.zip:../evil.txt:0: member name leaves the archive's folder; skipped" in listed
    assert "more.zip:/abs.txt:0: member name leaves the archive's folder; skipped" in listed
    assert any(line.startswith("more.zip:d.txt:1: line 1: date '2020-02-30'") for line in listed)
    assert set(Article.objects.values_list("body", flat=True)) == {"First seed body.", "Third seed body."}


def test_zip_that_expands_past_the_limit_stops(tmp_path, monkeypatch):
    from annotations.importing import readers

    monkeypatch.setattr(readers, "MAX_ZIP_BYTES", 100)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", "date 2020-01-01 " + "a" * 60)
        z.writestr("b.txt", "date 2020-01-01 " + "b" * 60)
    code, last, listed = run(archive)
    assert (code, last) == (1, "created=1 duplicates=0 failed=1")
    assert listed == ["bomb.zip:b.txt:0: archive expands past 0 GB; stopped here"]


def test_doccano_and_label_studio_spans_become_accepted_quotes(tmp_path):
    text = "Officials met. Ana Ruiz said “the budget is balanced” on Monday."
    q0, s0 = text.index("“"), text.index("Ana")
    doccano = tmp_path / "doccano.jsonl"
    doccano.write_text(json.dumps({"text": text, "label": [[q0, text.index("”") + 1, "QUOTE"],
                                                          [s0, s0 + 8, "SPEAKER"], [0, 9, "OTHER"]]}) + "\n")
    code, last, _ = run(doccano)
    assert (code, last) == (0, "created=1 duplicates=0 failed=0")
    quote = Quote.objects.get()
    assert (quote.exact, quote.speaker.name, quote.status, quote.origin) == (
        "“the budget is balanced”", "Ana Ruiz", "accepted", "import")
    assert (quote.speaker_start, quote.speaker_end) == (s0, s0 + 8)

    text2 = "  Later, Bo Lin told reporters that taxes would fall."
    start = text2.index("that")
    studio = tmp_path / "export.json"
    studio.write_text(json.dumps([{"data": {"text": text2, "title": "LS"}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": start, "end": len(text2) - 1, "labels": ["Quote"]}},
        {"type": "labels", "value": {"start": 9, "end": 15, "labels": ["Speaker"]}}]}]},
        {"nodata": True}]))
    code, last, listed = run(studio, "--label-map", json.dumps({"quote": "quote", "speaker": "speaker"}))
    assert (code, last) == (1, "created=1 duplicates=0 failed=1")
    assert listed == ["export.json:1: task 2: task without a data object"]
    # The body lost its leading spaces; the quote was re-anchored to the normalised text.
    q = Quote.objects.get(article__title="LS")
    assert q.exact == "that taxes would fall" and q.article.body[q.start:q.end] == q.exact
    assert q.speaker.name == "Bo Lin"


def test_a_labelled_span_is_the_occurrence_at_its_offsets_and_a_corrected_rows_labels_are_kept(tmp_path):
    text = 'Mary said "no" to the plan. Then John said "no" again, firmly.'
    johns, john = text.rindex('"no"'), text.index("John")
    path = tmp_path / "doccano.jsonl"
    path.write_text(json.dumps({"text": text, "url": "https://example.org/plan",
                                "label": [[johns, johns + 4, "QUOTE"], [john, john + 4, "SPEAKER"]]}) + "\n")
    assert run(path)[:2] == (0, "created=1 duplicates=0 failed=0")
    quote = Quote.objects.get()
    assert (quote.start, quote.speaker.name) == (johns, "John")  # John's "no", not Mary's
    # The row corrected, with a new label: the correction keeps the re-anchored quote and adds it.
    fixed = text.replace("firmly", "and never") + " John Smith said never."
    never = fixed.rindex("never")
    smith = fixed.index("John Smith")
    path.write_text(json.dumps({"text": fixed, "url": "https://example.org/plan",
                                "label": [[johns, johns + 4, "QUOTE"], [never, never + 5, "QUOTE"],
                                          [smith, smith + 10, "SPEAKER"]]}) + "\n")
    assert run(path, "--update")[:2] == (0, "created=0 duplicates=0 failed=0 updated=1")
    stored = sorted(Quote.objects.all(), key=lambda q: q.start)
    assert [(q.exact, q.start) for q in stored] == [('"no"', johns), ("never", never)]
    assert all(q.article.body[q.start:q.end] == q.exact for q in stored)


def test_labelled_spans_that_cannot_be_placed_are_line_errors_not_silent_drops(tmp_path):
    text = "Ana Ruiz said “the budget is balanced” on Monday."
    q0, q1 = text.index("“"), text.index("”") + 1
    rows = [
        {"text": text, "label": [[q0, q1, "QUOTE"], [0, 8, "SPEAKER"]]},  # good
        {"text": text + " 2", "label": [[5, 500, "QUOTE"]]},
        {"text": text + " 3", "label": [[q1, q0, "QUOTE"]]},
        {"text": text + " 4", "label": [["1", "9", "QUOTE"]]},
        {"text": text + " 5", "label": "QUOTE"},
        {"text": text + " 6", "label": [[0, 8, "Zitat"]]},
        {"text": text + " 7", "label": [[q0, q1, "quote"], [0, 3, "DATE"]], "cats": 1},  # DATE: another layer
        {"text": text + " 8", "label": ["positive"]},  # a label of the whole text
    ]
    doccano = tmp_path / "doc.jsonl"
    doccano.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, last, listed = run(doccano)
    assert (code, last) == (1, "created=3 duplicates=0 failed=5")
    assert listed == [
        f"doc.jsonl:2: label[0]: span 5-500 is not inside the text (0-{len(text) + 2})",
        f"doc.jsonl:3: label[0]: span {q1}-{q0} is not inside the text (0-{len(text) + 2})",
        "doc.jsonl:4: label[0]: start and end must be whole numbers, got a string and a string",
        "doc.jsonl:5: label: expected a list of [start, end, label], got a string",
        "doc.jsonl:6: labels 'Zitat' are none of cue, quote, speaker: map them with import_articles --label-map",
    ]
    assert Quote.objects.count() == 2

    studio = tmp_path / "ls.json"
    tasks = [
        {"data": {"text": "WXYZ is right"}, "annotations": [{"result": [
            {"type": "labels", "value": {"start": 0, "end": 4, "text": "Mism", "labels": ["Quote"]}}]}]},
        {"data": {"text": "Short text here, [with {brackets}] and \"quotes\""}, "annotations": [{"result": [
            {"type": "labels", "value": {"start": 5, "end": 500, "labels": ["Quote"]}}]}]}]
    # A file's line is where the task begins (as Label Studio writes it, indented), and the
    # task's number tells apart tasks written on one line.
    studio.write_text(json.dumps(tasks, indent=2))
    begins = [i for i, line in enumerate(studio.read_text().splitlines(), 1) if line == "  {"]
    code, last, listed = run(studio)
    assert (code, last) == (1, "created=0 duplicates=0 failed=2")
    assert listed == [
        f"ls.json:{begins[0]}: task 1: annotations[0].result[0]: its text 'Mism' is not what the text holds at 0-4 ('WXYZ')",
        f"ls.json:{begins[1]}: task 2: annotations[0].result[0]: span 5-500 is not inside the text (0-47)"]
    assert begins == [2, 24]
    studio.write_text(json.dumps(tasks))
    assert [line.split(": annotations")[0] for line in run(studio)[2]] == ["ls.json:1: task 1", "ls.json:1: task 2"]


def test_unusable_input_exits_2(tmp_path):
    code, last, _ = run(tmp_path / "missing.csv")
    assert code == 2
    headerless = tmp_path / "x.csv"
    headerless.write_text("a,b\n1,2\n")
    assert run(headerless)[0] == 2  # no body column



def test_an_import_killed_halfway_completes_when_run_again(tmp_path):
    path = tmp_path / "many.jsonl"
    with path.open("w") as fh:
        for i in range(12000):
            fh.write(json.dumps({"title": f"T{i}", "body": f"Body number {i}. " * 40, "url": f"https://k.example/{i}"}) + "\n")
    env = {**os.environ, "DATABASE_URL": database_url()}
    cmd = [sys.executable, "manage.py", "import_articles", str(path), "--no-suggest", "--batch-size", "200"]
    proc = subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: Article.objects.count() >= 400, timeout=60, interval=0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    landed = Article.objects.count()
    assert 0 < landed < 12000
    again = subprocess.run(cmd, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-1] == f"created={12000 - landed} duplicates={landed} failed=0"
    assert Article.objects.count() == 12000


def test_admin_import_flow_with_a_real_worker(client, celery_worker, django_user_model):
    admin_user = django_user_model.objects.create_superuser("boss", "", "pw")
    client.force_login(admin_user)
    assert client.get("/admin/annotations/importbatch/").status_code == 200
    page = client.get("/admin/annotations/importbatch/upload/")
    assert b"Upload and preview" in page.content
    data = "story,headline,when\nA body from the admin.,Admin one,2024-03-01\n,Missing,2024-03-02\n"
    upload = io.BytesIO(codecs.BOM_UTF8 + data.encode())
    upload.name = "admin.csv"
    response = client.post("/admin/annotations/importbatch/upload/",
                           {"file": upload, "format": "auto", "outlet": "Desk", "suggest": "on"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{batch.pk}/preview/")
    preview = client.get(response["Location"]).content.decode()
    assert "Detected format" in preview and "A body from the admin." in preview
    # "story" is no known name for the body: the admin maps it by hand.
    assert 'name="map_body"' in preview
    confirm = client.post(response["Location"], {"format": "csv", "map_body": "story", "map_title": "headline",
                                                 "map_published_on": "when", "confirm": "1"})
    assert confirm.status_code == 302
    state = wait_for(lambda: (s := client.get(f"/admin/annotations/importbatch/{batch.pk}/progress.json").json())
                     ["status"] == "done" and s, timeout=60)
    assert (state["created"], state["failed"], state["processed"]) == (1, 1, 2)
    assert state["errors"] == [{"file": "admin.csv", "line": 3, "reason": "body: missing or empty"}]
    article = Article.objects.get()
    assert (article.title, article.outlet, article.import_batch_id) == ("Admin one", "Desk", batch.pk)
    errors = client.get(f"/admin/annotations/importbatch/{batch.pk}/errors.csv").content.decode()
    assert list(csv.reader(errors.splitlines())) == [["file", "line", "reason"], ["admin.csv", "3", "body: missing or empty"]]
    assert "progress" in client.get(f"/admin/annotations/importbatch/{batch.pk}/progress/").content.decode()
    # New articles get their suggestions from the worker.
    wait_for(lambda: article.suggestion_runs.filter(status="done").exists(), timeout=30)


def test_a_slashed_date_is_read_only_when_it_can_be_read_one_way(tmp_path):
    """03/04/2024 is 4 March in the US and 3 April elsewhere: said, not guessed. 13/02 and 02/13
    can be read one way only."""
    path = tmp_path / "dates.csv"
    long_title = "word " * 120
    path.write_text(
        "title,body,url,date\n"
        "Ambiguous,Body one,https://d.example/1,03/04/2024\n"
        "Day first,Body two,https://d.example/2,13/02/2024\n"
        "Month first,Body three,https://d.example/3,02/13/2024\n"
        "Same both ways,Body four,https://d.example/4,05/05/2024\n"
        "No such day,Body five,https://d.example/5,31/02/2024\n"
        f"{long_title},Body six,https://d.example/6,2024-01-06\n", encoding="utf-8")
    code, last, listed = run(path)
    assert (code, last) == (1, "created=3 duplicates=0 failed=3")
    assert listed == [
        "dates.csv:2: published_on: '03/04/2024' could be month/day or day/month (use YYYY-MM-DD)",
        "dates.csv:6: published_on: '31/02/2024' is not a date (use YYYY-MM-DD)",
        "dates.csv:7: title: 599 characters, over the limit of 500",
    ]
    dates = {a.url[-1]: str(a.published_on) for a in Article.objects.filter(url__startswith="https://d.example/")}
    assert dates == {"2": "2024-02-13", "3": "2024-02-13", "4": "2024-05-05"}


def test_the_import_title_limit_is_the_articles():
    from annotations.importing.rows import MAX_TITLE_CHARS

    assert MAX_TITLE_CHARS == Article._meta.get_field("title").max_length
