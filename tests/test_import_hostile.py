"""Hostile import files: each bad row is a FILE:LINE reason, the good rows land, the batch ends
done or failed (never running), and the admin preview shows them without a server error."""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command

from annotations.importing import runner
from annotations.models import Article, ImportBatch, Quote

pytestmark = pytest.mark.django_db(transaction=True)  # the import writes from a thread of its own

GOOD = {"title": "Good", "body": "A good body that lands.", "url": "https://good.example/1"}
DEEP = "[" * 100_000 + "]" * 100_000


def run(*args):
    """(exit code, stdout lines, stderr) of import_articles."""
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("import_articles", *map(str, args), "--no-suggest", stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().strip().splitlines(), err.getvalue()


def last_batch() -> ImportBatch:
    return ImportBatch.objects.latest("id")


def test_speaker_span_at_offset_zero(tmp_path):
    text = "Ana Ruiz said “the budget is balanced” on Monday."
    q0, q1 = text.index("“"), text.index("”") + 1
    doccano = tmp_path / "doccano.jsonl"
    doccano.write_text(json.dumps({"text": text, "label": [[0, 8, "SPEAKER"], [q0, q1, "QUOTE"]]}) + "\n")
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps([{"data": {"text": text + " Again."}, "annotations": [{"result": [
        {"value": {"start": 0, "end": 8, "labels": ["Speaker"]}},
        {"value": {"start": q0, "end": q1, "labels": ["Quote"]}}]}]}]))
    code, lines, _ = run(doccano, studio)
    assert (code, lines[-1]) == (0, "created=2 duplicates=0 failed=0")
    assert list(Quote.objects.values_list("speaker__name", "speaker_start", "speaker_end")) == [
        ("Ana Ruiz", 0, 8), ("Ana Ruiz", 0, 8)]
    assert last_batch().status == "done"


def test_nul_and_lone_surrogates_in_any_field(tmp_path):
    path = tmp_path / "nul.jsonl"
    rows = [
        {**GOOD, "title": "Bad\x00title", "url": "https://n.example/1"},
        {**GOOD, "outlet": "Out\x00let", "url": "https://n.example/2"},
        {**GOOD, "url": "https://n.example/\x003"},
        {**GOOD, "language": "e\x00n", "url": "https://n.example/4"},
        {**GOOD, "title": "Half \ud800 a pair", "url": "https://n.example/5"},
        GOOD,
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    code, lines, _ = run(path)
    assert (code, lines[-1]) == (1, "created=1 duplicates=0 failed=5")
    assert lines[:-1] == [
        "nul.jsonl:1: title: contains a NUL character or a lone surrogate",
        "nul.jsonl:2: outlet: contains a NUL character or a lone surrogate",
        "nul.jsonl:3: url: contains a NUL character or a lone surrogate",
        "nul.jsonl:4: language: contains a NUL character or a lone surrogate",
        "nul.jsonl:5: title: contains a NUL character or a lone surrogate",
    ]
    assert list(Article.objects.values_list("url", flat=True)) == [GOOD["url"]]
    assert last_batch().status == "done"


def test_json_nested_100000_deep(tmp_path):
    lines_file = tmp_path / "deep.jsonl"
    lines_file.write_text(DEEP + "\n" + json.dumps(GOOD) + "\n" + '{"body": ' + DEEP + "}\n")
    code, lines, _ = run(lines_file)
    assert (code, lines) == (1, ["deep.jsonl:1: JSON nested too deeply", "deep.jsonl:3: JSON nested too deeply",
                                 "created=1 duplicates=0 failed=2"])
    assert last_batch().status == "done"

    studio = tmp_path / "deep.json"
    studio.write_text(DEEP)
    code, lines, err = run(studio)
    assert code == 2 and "deep.json: not a Label Studio JSON export (JSON nested too deeply)" in err
    assert last_batch().status == "failed"
    assert last_batch().errors[-1]["reason"].endswith("(JSON nested too deeply)")

    # A list cut short (a download that stopped) is refused whole, before any of its tasks lands.
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps([{"data": {"text": f"Body number {i}."}} for i in range(3)], indent=1)[:-12])
    code, lines, err = run(cut)
    assert code == 2 and "cut.json: not a Label Studio JSON export (it ends inside a task or a string" in err
    assert "created=0" in lines[-1]


def test_label_studio_with_wrong_types(tmp_path):
    text = "Bo Lin said taxes would fall."
    good = {"data": {"text": text}, "annotations": [{"result": [
        {"value": {"start": 12, "end": 28, "labels": ["Quote"]}}]}]}
    tasks = [
        {"data": {"text": "One body."}, "annotations": "not a list"},
        {"data": {"text": "Two body."}, "annotations": [{"result": ["a string", "another"]}]},
        {"data": {"text": "Three body."}, "annotations": [{"result": [{"value": [1, 2, 3]}]}]},
        {"data": {"text": "Four body."}, "annotations": [{"result": [{"value": {"labels": "Quote"}}]}]},
        {"data": {"text": 12345}},
        {"data": "a string"},
        ["a", "list"],
        {"data": {"text": "Eight body."}, "annotations": ["not an object"]},
        {"data": {"text": "Nine body."}, "annotations": [{"result": {"not": "a list"}}]},
        good,
    ]
    path = tmp_path / "studio.json"
    path.write_text(json.dumps(tasks))
    code, lines, _ = run(path)
    assert (code, lines[-1]) == (1, "created=1 duplicates=0 failed=9")
    assert lines[:-1] == [
        "studio.json:1: task 1: annotations: expected a list of objects",
        "studio.json:1: task 2: annotations: result: expected a list of objects",
        "studio.json:1: task 3: annotations: result: value: expected an object, got a list",
        "studio.json:1: task 4: annotations: result: value: labels: expected a list, got a string",
        "studio.json:1: task 5: data.text: expected a string, got a number",
        "studio.json:1: task 6: task without a data object",
        "studio.json:1: task 7: task without a data object",
        "studio.json:1: task 8: annotations: expected a list of objects",
        "studio.json:1: task 9: annotations: result: expected a list of objects",
    ]
    assert Quote.objects.get().exact == "taxes would fall"
    assert last_batch().status == "done"


def test_doccano_with_wrong_types(tmp_path):
    rows = [
        {"text": 12345, "label": [[0, 2, "QUOTE"]]},
        {"text": "Entities are strings.", "entities": ["QUOTE", "SPEAKER"]},
        {"text": "Entities is a string.", "entities": "QUOTE"},
        {"text": ["a", "list"], "label": []},
        {"text": "Classification labels are no spans.", "label": ["positive"]},
        {"text": "Ana Ruiz said “yes”.", "entities": [{"start_offset": 14, "end_offset": 19, "label": "QUOTE"}]},
    ]
    path = tmp_path / "doccano.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    code, lines, _ = run(path, "--format", "doccano")
    assert (code, lines[-1]) == (1, "created=2 duplicates=0 failed=4")
    assert lines[:-1] == [
        "doccano.jsonl:1: text: expected a string, got a number",
        "doccano.jsonl:2: entities: expected a list of objects with start_offset, end_offset and label",
        "doccano.jsonl:3: entities: expected a list of objects with start_offset, end_offset and label",
        "doccano.jsonl:4: text: expected a string, got a list",
    ]
    assert Quote.objects.get().exact == "“yes”"


def test_a_body_that_is_not_text_is_a_line_error(tmp_path):
    path = tmp_path / "numbers.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (
        {"title": "N", "body": 12345}, {"title": "L", "body": ["a", "list"]}, GOOD)) + "\n")
    code, lines, _ = run(path)
    assert (code, lines) == (1, ["numbers.jsonl:1: body: expected a string, got a number",
                                 "numbers.jsonl:2: body: expected a string, got a list",
                                 "created=1 duplicates=0 failed=2"])


def test_a_missing_file_exits_2_with_a_message_and_a_failed_batch(tmp_path):
    for name in ("missing.jsonl", "missing.csv", "missing.json"):
        code, lines, err = run(tmp_path / name)
        assert code == 2, name
        assert f"unusable: {tmp_path / name}: no such file or folder" in err
        assert "Traceback" not in err
        batch = last_batch()
        assert batch.status == "failed" and "no such file or folder" in batch.errors[-1]["reason"]
    # With other files, the missing one is listed and the rest lands.
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(GOOD) + "\n")
    code, lines, err = run(tmp_path / "missing.jsonl", good)
    assert (code, lines[-1]) == (1, "created=1 duplicates=0 failed=0") and "no such file" in err
    assert last_batch().status == "done"


def test_a_folder_given_as_a_file_is_unusable_not_a_crash(tmp_path):
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    code, _, err = run(folder, "--format", "jsonl")
    assert code == 2 and "folder.jsonl: cannot read" in err
    assert last_batch().status == "failed"


def test_an_import_that_dies_ends_failed_with_the_reason(tmp_path, monkeypatch):
    path = tmp_path / "good.jsonl"
    path.write_text(json.dumps(GOOD) + "\n")

    def broken(rows, batch):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runner, "_write", broken)
    with pytest.raises(RuntimeError):
        run(path)
    batch = last_batch()
    assert batch.status == "failed" and batch.finished_at
    assert batch.errors[-1]["reason"] == "the import stopped: RuntimeError: disk on fire"


def test_an_admin_batch_that_dies_ends_failed_and_its_file_is_removed(tmp_path, settings, monkeypatch,
                                                                     client, django_user_model):
    from annotations.importing.service import import_batch_execute

    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    client.force_login(django_user_model.objects.create_superuser("boss", "", "pw"))
    upload = io.BytesIO(json.dumps(GOOD).encode() + b"\n")
    upload.name = "good.jsonl"
    client.post("/admin/annotations/importbatch/upload/", {"file": upload, "format": "auto"})
    batch = last_batch()
    monkeypatch.setattr(runner, "_write", lambda rows, batch: 1 / 0)
    import_batch_execute(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "ZeroDivisionError" in batch.errors[-1]["reason"]
    assert not list((tmp_path / "uploads").rglob("good.jsonl"))


HOSTILE = {
    "deep.jsonl": DEEP + "\n",
    "deep.json": DEEP,
    "nul.jsonl": json.dumps({**GOOD, "title": "a\x00b"}) + "\n",
    "nul.csv": "title,body\na\x00b,body\n",
    "nulheader.csv": "ti\x00tle,body\nA,body\n",
    "types.json": json.dumps([{"data": {"text": 1}}, {"data": {"text": "x"}, "annotations": "s"}, ["x"]]),
    "types.jsonl": json.dumps({"text": 1, "entities": ["x"]}) + "\n",
    "notalist.json": json.dumps("just a string"),
    "binary.csv": "\x00\x01\x02\xff" * 100,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_admin_preview_never_answers_500(name, tmp_path, settings, client, django_user_model):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    client.force_login(django_user_model.objects.create_superuser("boss", "", "pw"))
    upload = io.BytesIO(HOSTILE[name].encode("utf-8", "surrogatepass"))
    upload.name = name
    response = client.post("/admin/annotations/importbatch/upload/", {"file": upload, "format": "auto"})
    assert response.status_code == 302
    for fmt in ("", "csv", "jsonl", "doccano", "labelstudio", "seed", "nonsense"):
        page = client.post(response["Location"], {"format": fmt} if fmt else {})
        assert page.status_code == 200, (name, fmt)


@pytest.mark.django_db(transaction=True)
def test_an_unclosed_csv_quote_names_the_row_where_it_opened(tmp_path):
    import io

    from django.core.management import call_command

    path = tmp_path / "news.csv"
    path.write_text('title,body\nOne,First story.\nTwo,"Second story, never closed\nThree,Third story.\n'
                    'Four,Fourth story.\n')
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", str(path), stdout=out)
    text = out.getvalue()
    assert "news.csv:3: a quoted field opened in this row is never closed: lines 3-5" in text, text
    assert "created=1 duplicates=0 failed=1" in text


@pytest.mark.django_db(transaction=True)
def test_an_overlong_line_and_a_zip_bomb_are_skipped_with_their_reasons(tmp_path, monkeypatch):
    import io
    import json
    import zipfile

    from django.core.management import call_command

    from annotations.importing import decode

    monkeypatch.setattr(decode, "MAX_LINE_BYTES", 4096)  # the same code path as 64 MB, smaller
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps({"body": "First story."}) + "\n"
                    + json.dumps({"body": "x " * 10_000}) + "\n"
                    + json.dumps({"body": "Third story."}) + "\n")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", str(path), stdout=out)
    assert "news.jsonl:2: line over the" in out.getvalue()
    assert "created=2 duplicates=0 failed=1" in out.getvalue()

    bomb = tmp_path / "seeds.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ok.txt", "date 2024-01-02 A normal story about the council.")
        archive.writestr("bomb.txt", "date 2024-01-02 " + "a" * 5_000_000)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", str(bomb), stdout=out)
    assert "seeds.zip:bomb.txt:0: member compressed" in out.getvalue()
    assert "created=1 duplicates=0 failed=1" in out.getvalue()
