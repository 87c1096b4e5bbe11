"""Admin imports read and remove only their own uploaded file, inside IMPORT_UPLOAD_DIR."""

import io
import json
from pathlib import Path

import pytest

from annotations.importing.service import import_batch_execute
from annotations.models import Article, ImportBatch

pytestmark = pytest.mark.django_db(transaction=True)  # the import writes from a thread of its own

GOOD_CSV = "title,body\nOne,A body that lands.\n"


@pytest.fixture
def uploads(settings, tmp_path):
    root = tmp_path / "uploads"
    root.mkdir()
    settings.IMPORT_UPLOAD_DIR = root
    return root.resolve()


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "", "pw"))
    return client


def _upload(admin_client, name="news.csv", data=GOOD_CSV) -> ImportBatch:
    upload = io.BytesIO(data.encode())
    upload.name = name
    response = admin_client.post("/admin/annotations/importbatch/upload/", {"file": upload, "format": "auto"})
    assert response.status_code == 302
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))


def _batch(path, **extra) -> ImportBatch:
    return ImportBatch.objects.create(file_name=Path(path).name, format="auto", upload_path=str(path),
                                      options={"suggest": False}, **extra)


def test_the_upload_lands_in_a_folder_of_its_own_under_the_upload_dir(admin_client, uploads):
    from annotations.importing.service import import_batch_file

    batch = _upload(admin_client)
    path = Path(batch.upload_path)
    assert path.parent.parent == uploads and path.read_text() == GOOD_CSV
    assert import_batch_file(batch) == path


def test_admin_forms_cannot_set_path_status_counts_or_options(admin_client, uploads, tmp_path):
    batch = _upload(admin_client)
    before = ImportBatch.objects.filter(pk=batch.pk).values().get()
    response = admin_client.post(f"/admin/annotations/importbatch/{batch.pk}/change/", {
        "file_name": "renamed.csv", "format": "csv", "status": "pending", "upload_path": "/etc/passwd",
        "options": json.dumps({"outlet": "x", "suggest": True}), "total": 9, "processed": 9, "created": 9,
        "duplicates": 9, "failed": 9, "errors": "[]", "created_by": "",
    })
    assert response.status_code == 403  # the batch page is read-only
    assert ImportBatch.objects.filter(pk=batch.pk).values().get() == before
    page = admin_client.get(f"/admin/annotations/importbatch/{batch.pk}/change/").content.decode()
    assert 'name="upload_path"' not in page and 'name="status"' not in page and 'name="options"' not in page
    assert before["upload_path"] not in page  # no server path shown
    assert f"?import_batch__id__exact={batch.pk}" in page  # a link to the articles it created

    secret = tmp_path / "secret.csv"
    secret.write_text("title,body\nSecret,Should never be read.\n")
    admin_client.post("/admin/annotations/importbatch/add/", {
        "file_name": "sneaky.csv", "upload_path": str(secret), "status": "pending", "format": "csv"})
    for sneaky in ImportBatch.objects.filter(file_name="sneaky.csv"):
        assert sneaky.upload_path == ""
        page = admin_client.get(f"/admin/annotations/importbatch/{sneaky.pk}/preview/")
        assert page.status_code == 200 and "Should never be read" not in page.content.decode()


@pytest.mark.parametrize("where", ["outside", "dotdot", "symlink_file", "symlink_folder", "the_root", "relative"])
def test_preview_and_worker_refuse_a_file_not_plainly_inside_the_upload_dir(admin_client, uploads, tmp_path, where):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    secret = outside / "secret.csv"
    secret.write_text("title,body\nSecret,Should never be read.\n")
    sibling = outside / "unrelated.txt"
    sibling.write_text("keep me")
    inside = uploads / "abc"
    inside.mkdir()
    if where == "outside":
        path = str(secret)
    elif where == "dotdot":
        path = f"{inside}/../../elsewhere/secret.csv"
    elif where == "symlink_file":
        (inside / "link.csv").symlink_to(secret)
        path = str(inside / "link.csv")
    elif where == "symlink_folder":
        (uploads / "linked").symlink_to(outside, target_is_directory=True)
        path = str(uploads / "linked" / "secret.csv")
    elif where == "the_root":
        path = str(uploads)
    else:
        path = "elsewhere/secret.csv"
    batch = _batch(path)

    page = admin_client.get(f"/admin/annotations/importbatch/{batch.pk}/preview/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Should never be read" not in text
    assert "refused" in text or "not a plain path" in text
    confirm = admin_client.post(f"/admin/annotations/importbatch/{batch.pk}/preview/", {"format": "csv", "confirm": "1"})
    assert confirm.status_code == 200  # nothing to confirm: the preview was refused

    import_batch_execute(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.errors[-1]["reason"].startswith(batch.file_name + ":")
    assert not Article.objects.exists()
    assert secret.read_text().startswith("title") and sibling.read_text() == "keep me"


def test_cleanup_removes_the_batch_file_only(admin_client, uploads):
    batch = _upload(admin_client)
    path = Path(batch.upload_path)
    neighbour = path.parent / "neighbour.txt"
    neighbour.write_text("not the batch's")
    other = _upload(admin_client, name="other.csv", data="title,body\nTwo,Another body.\n")
    ImportBatch.objects.filter(pk=batch.pk).update(options={"suggest": False})

    import_batch_execute(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == "done" and batch.created == 1
    assert not path.exists()
    assert neighbour.read_text() == "not the batch's"  # its folder was not emptied
    assert Path(other.upload_path).read_text().startswith("title")
    assert uploads.is_dir()


def test_an_emptied_upload_folder_is_removed(admin_client, uploads):
    batch = _upload(admin_client)
    ImportBatch.objects.filter(pk=batch.pk).update(options={"suggest": False})
    import_batch_execute(batch_id=batch.pk)
    assert not Path(batch.upload_path).parent.exists()
    assert uploads.is_dir() and list(uploads.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_the_preview_checks_every_row_and_duplicates_are_listed(admin_client, uploads):
    from annotations import services
    from annotations.importing.service import import_batch_execute

    stored = services.article_create(body="Stored already.", url="https://example.org/old", suggest_after=False)
    rows = ["title,body,url", "Old,Stored already.,https://example.org/old"]
    rows += [f"Story {i},Body number {i}.,https://example.org/{i}" for i in range(20)]
    rows += ["Broken,,https://example.org/broken"]  # no body
    batch = _upload(admin_client, data="\n".join(rows) + "\n")
    page = admin_client.get(f"/admin/annotations/importbatch/{batch.pk}/preview/").content.decode()
    assert "<strong>21</strong> row(s) can be imported" in page and "<strong>1</strong> will fail" in page
    assert "body" in page.split('id="preview-check"')[1].split("</ul>")[0]  # the reason is listed
    admin_client.post(f"/admin/annotations/importbatch/{batch.pk}/preview/", {"confirm": "1", "format": "csv"})
    import_batch_execute(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.created, batch.duplicates, batch.failed) == (20, 1, 1)
    assert {"file": batch.file_name, "line": 2, "reason": f"duplicate of article {stored.pk}"} in batch.errors
