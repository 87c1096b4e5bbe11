from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotations import selectors, services
from annotations.seeds import SeedError, parse_seed


def seeds_load(folder: Path, out, err) -> tuple[int, int, int]:
    """Load every *.txt seed in `folder`; a bad file is reported and the rest still load."""
    created = existing = failed = 0
    for path in sorted(folder.glob("*.txt")):
        try:
            seed = parse_seed(path.read_text(encoding="utf-8"), source=path.name)
        except (SeedError, UnicodeDecodeError) as exc:
            err.write(f"{path.name}: {exc}" if isinstance(exc, UnicodeDecodeError) else str(exc))
            failed += 1
            continue
        if selectors.article_find_duplicate(url=None, body=seed.body):
            existing += 1
            continue
        services.article_create(
            body=seed.body, title=seed.title, published_on=seed.published_on
        )
        out.write(f"{path.name}: loaded")
        created += 1
    return created, existing, failed


class Command(BaseCommand):
    help = "Load the seed articles (date YYYY-MM-DD, then the body; one article a file)."

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", default=str(settings.BASE_DIR / "seeds"))

    def handle(self, *args, folder, **options):
        folder = Path(folder)
        if not folder.is_dir():
            raise CommandError(f"{folder}: not a folder")
        created, existing, failed = seeds_load(folder, self.stdout, self.stderr)
        self.stdout.write(f"seeds: created={created} existing={existing} failed={failed}")
        if failed:
            raise CommandError(f"{failed} seed file(s) could not be loaded", returncode=1)
