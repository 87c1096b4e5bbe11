"""The admin's import pages: upload, preview with the column mapping, live progress, errors."""

import csv
import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from annotations.importing.readers import FORMATS, Failure, UnusableInput
from annotations.importing.readers import preview as read_preview
from annotations.importing.rows import FIELD_ALIASES
from annotations.importing.runner import rate
from annotations.importing.service import import_batch_confirm, import_batch_file, import_batch_upload
from annotations.models import ImportBatch

log = logging.getLogger(__name__)


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CSV, JSONL, seed .txt, .zip of seed files, doccano JSONL or Label Studio JSON")
    format = forms.ChoiceField(choices=[("auto", "detect from the file")] + [(f, f) for f in FORMATS])
    outlet = forms.CharField(required=False, max_length=200, help_text="for rows that name no outlet")
    suggest = forms.BooleanField(required=False, initial=True, label="Queue suggestions for new articles")
    update = forms.BooleanField(required=False, initial=False, label="Correct stored articles",
                                help_text="a row whose url is already stored with another text becomes a new "
                                          "revision of that article; its annotations are re-anchored")


def _check(request):
    if not request.user.has_perm("annotations.add_importbatch"):
        raise PermissionDenied


def _context(request, title, **extra):
    return {**admin.site.each_context(request), "title": title, "opts": ImportBatch._meta, **extra}


def upload(request):
    _check(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = import_batch_upload(uploaded=form.cleaned_data["file"], user=request.user,
                                    fmt=form.cleaned_data["format"], outlet=form.cleaned_data["outlet"],
                                    suggest=form.cleaned_data["suggest"], update=form.cleaned_data["update"])
        return redirect("admin:annotations_importbatch_preview", batch.pk)
    return render(request, "admin/annotations/importbatch/upload.html", _context(request, "Import articles", form=form))


def preview(request, pk):
    _check(request)
    batch = get_object_or_404(ImportBatch, pk=pk, status=ImportBatch.State.PENDING)
    fmt = request.POST.get("format") or batch.format or "auto"
    mapping = {f: request.POST[f"map_{f}"] for f in FIELD_ALIASES if request.POST.get(f"map_{f}")} or None
    shown = None
    # Each message opens with words, not the file's name: the admin capitalises a message's first letter.
    try:
        shown = read_preview(import_batch_file(batch), fmt, mapping)
    except UnusableInput as exc:
        messages.error(request, f"Cannot import {exc}")
    except OSError as exc:
        messages.error(request, f"Cannot import {batch.file_name}: cannot read the file ({exc.strerror or exc})")
    except Exception:
        # The file is the uploader's: whatever in it the readers did not foresee is a message
        # on this page, not a server error.
        log.exception("preview of import batch %s failed", batch.pk)
        messages.error(request, f"Cannot import {batch.file_name}: the file could not be read for a preview")
    if request.method == "POST" and "confirm" in request.POST and shown is not None:
        import_batch_confirm(batch=batch, fmt=shown["format"], mapping=shown["mapping"] or None)
        return redirect("admin:annotations_importbatch_progress", batch.pk)
    rows = []
    if shown:
        for item in shown["rows"]:
            if isinstance(item, Failure):
                rows.append({"line": item.line, "error": item.reason})
            else:
                rows.append({"line": item.line, "title": item.title, "body": item.body[:200], "url": item.url,
                             "outlet": item.outlet, "published_on": item.published_on, "spans": len(item.spans)})
    return render(request, "admin/annotations/importbatch/preview.html", _context(
        request, f"Preview: {batch.file_name}", batch=batch, shown=shown, rows=rows, formats=FORMATS,
        fields=list(FIELD_ALIASES), columns=(shown or {}).get("columns", []),
        mapping=(shown or {}).get("mapping") or {}))


def _progress(batch):
    per_s, left = rate(batch)
    return {"status": batch.status, "processed": batch.processed, "total": batch.total,
            "created": batch.created, "duplicates": batch.duplicates, "failed": batch.failed,
            "rows_per_s": round(per_s, 1), "seconds_left": round(left) if left is not None else None,
            "errors": batch.errors[:50]}


def progress(request, pk):
    _check(request)
    batch = get_object_or_404(ImportBatch, pk=pk)
    return render(request, "admin/annotations/importbatch/progress.html", _context(
        request, f"Import: {batch.file_name}", batch=batch, state=_progress(batch),
        json_url=reverse("admin:annotations_importbatch_progress_json", args=[pk]),
        errors_url=reverse("admin:annotations_importbatch_errors", args=[pk])))


def progress_json(request, pk):
    _check(request)
    return JsonResponse(_progress(get_object_or_404(ImportBatch, pk=pk)))


def errors_csv(request, pk):
    _check(request)
    batch = get_object_or_404(ImportBatch, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{pk}-errors.csv"'
    writer = csv.writer(response)
    writer.writerow(["file", "line", "reason"])
    for e in batch.errors:
        writer.writerow([_safe(e.get("file")), e.get("line"), _safe(e.get("reason"))])
    return response


def _safe(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text
