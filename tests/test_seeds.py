import datetime
import unicodedata
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from annotations.models import Article
from annotations.seeds import SeedError, parse_seed

EXAMPLE = Path(settings.BASE_DIR) / "seeds" / "000_ce8bf6a7a6e85c4c.txt"


def test_example_seed_parses_to_one_normalised_article():
    seed = parse_seed(EXAMPLE.read_text(encoding="utf-8"), source=EXAMPLE.name)
    assert seed.published_on == datetime.date(2020, 10, 11)
    assert seed.body.startswith("After the Taliban said it hopes US President Donald Trump")
    assert seed.body.endswith("described the move as a “very positive step”.")
    assert "date 2020" not in seed.body
    assert seed.body == unicodedata.normalize("NFC", seed.body)
    assert "\r" not in seed.body
    # Paragraphs, the heading line and the embedded tweet keep their own lines.
    assert "\n\nTrump seeks complete retraction of US troops\n\n" in seed.body
    assert "— Donald J. Trump (@realDonaldTrump) October 7, 2020" in seed.body
    assert seed.title.startswith("After the Taliban said it hopes US President Donald Trump")
    assert len(seed.title) <= 120


def test_crlf_and_decomposed_text_are_normalised():
    seed = parse_seed("date 2021-01-02\r\nCafe\u0301 owner said \u201chi\u201d.\r\n\r\nNext.", source="x.txt")
    assert seed.body == "Caf\u00e9 owner said \u201chi\u201d.\n\nNext."
    assert seed.title == "Caf\u00e9 owner said \u201chi\u201d."


@pytest.mark.parametrize(
    "text, message",
    [
        ("After the vote, the senator said no.", "bad.txt: line 1: expected 'date YYYY-MM-DD'"),
        ("date 2020-10-11\n   \n", "bad.txt: the body is empty"),
        ("date 2020-13-45 Body text.", "bad.txt: line 1: date '2020-13-45' is not a valid"),
        ("date yesterday Body text.", "bad.txt: line 1: date 'yesterday' is not a valid"),
    ],
)
def test_bad_seed_files_name_the_file_and_the_problem(text, message):
    with pytest.raises(SeedError) as err:
        parse_seed(text, source="bad.txt")
    assert str(err.value).startswith(message)


@pytest.mark.django_db
def test_load_seeds_reports_bad_files_and_still_loads_the_good_ones(tmp_path):
    (tmp_path / "a_good.txt").write_text("date 2022-03-04 A good article body.", encoding="utf-8")
    (tmp_path / "b_nodate.txt").write_text("No date here.", encoding="utf-8")
    (tmp_path / "c_empty.txt").write_text("date 2022-03-04", encoding="utf-8")
    (tmp_path / "d_baddate.txt").write_text("date 2022-02-30 Body.", encoding="utf-8")
    (tmp_path / "e_good.txt").write_text("date 2022-03-05\nAnother good one.", encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("load_seeds", str(tmp_path), stdout=out, stderr=err)
    assert exc.value.returncode == 1
    errors = err.getvalue()
    assert "b_nodate.txt: line 1: expected 'date YYYY-MM-DD'" in errors
    assert "c_empty.txt: the body is empty" in errors
    assert "d_baddate.txt: line 1: date '2022-02-30' is not a valid" in errors
    assert sorted(Article.objects.values_list("body", flat=True)) == [
        "A good article body.",
        "Another good one.",
    ]
    assert "created=2 existing=0 failed=3" in out.getvalue()


@pytest.mark.django_db
def test_loading_the_example_twice_creates_one_article():
    call_command("load_seeds", stdout=StringIO())
    out = StringIO()
    call_command("load_seeds", stdout=out)
    assert "created=0 existing=1 failed=0" in out.getvalue()
    article = Article.objects.get()
    assert article.published_on == datetime.date(2020, 10, 11)
    assert article.revision == 1
