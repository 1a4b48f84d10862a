"""Fields that document ids give (``corpus_cli.store.fields``)."""

from __future__ import annotations

from corpus_cli.store.corpus import Document


def test_ids_give_the_fields_folder_date_year_and_month() -> None:
    from corpus_cli.store.fields import grouping

    docs = [
        Document("aawsat/2015-07-21_00001", "", ""),
        Document("archive/2014-06/daily2014-06-11.txt", "", ""),
        Document("top", "", ""),
        Document("a/b/2015-13-01_x", "", ""),  # no month 13: no date
        Document("feed:1", "", "", {"folder": "okaz", "year": "1999"}),  # metadata comes first
    ]
    table = {f: [grouping(f)(d) for d in docs] for f in ("folder", "date", "year", "month", "source")}
    assert table == {
        "folder": ["aawsat", "archive/2014-06", "", "a/b", "okaz"],
        "date": ["2015-07-21", "2014-06-11", "", "", ""],
        "year": ["2015", "2014", "", "", "1999"],
        "month": ["2015-07", "2014-06", "", "", ""],
        "source": ["", "", "", "", ""],
    }
