from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from annotations import selectors


@login_required
def home(request):
    page = Paginator(selectors.article_list_with_counts(), 50).get_page(request.GET.get("page"))
    return render(request, "annotations/home.html", {"page": page})
