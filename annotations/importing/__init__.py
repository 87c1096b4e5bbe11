"""Bulk import of articles (and annotations made in other tools) from files."""
