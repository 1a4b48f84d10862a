"""The fields a document is grouped by (``--by FIELD``): its metadata, and fields its id gives.

A document read from records has the record's other fields as metadata.  Every
document also has fields taken from its id, which is its path relative to the corpus
argument, so that folders of files can be compared without any metadata:

* ``folder``: the id up to its last ``/`` (``aawsat/2015-07-21_00001`` → ``aawsat``;
  "" for a document at the top);
* ``date``, ``year`` and ``month`` (``YYYY-MM``): from the last date written
  ``YYYY-MM-DD`` in the id ("" when there is none).

A metadata field of the same name comes first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .corpus import Document

#: A date YYYY-MM-DD (years 1800-2099, real months and days), not inside a longer number.
_DATE = re.compile(r"(?<![0-9])((?:18|19|20)[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(?![0-9])")


def _date(doc_id: str) -> tuple[str, str, str] | None:
    found = _DATE.findall(doc_id)
    return found[-1] if found else None


def _folder(doc: Document) -> str:
    return doc.id.rpartition("/")[0]


def _full_date(doc: Document) -> str:
    date = _date(doc.id)
    return "-".join(date) if date else ""


def _year(doc: Document) -> str:
    date = _date(doc.id)
    return date[0] if date else ""


def _month(doc: Document) -> str:
    date = _date(doc.id)
    return f"{date[0]}-{date[1]}" if date else ""


#: The fields every document has, taken from its id.
ID_FIELDS: dict[str, Callable[[Document], str]] = {
    "folder": _folder,
    "date": _full_date,
    "year": _year,
    "month": _month,
}


def grouping(field: str) -> Callable[[Document], str]:
    """The value of ``field`` for a document: its metadata, else the field its id gives,
    else "" (a document without the field is in the group "")."""
    from_id = ID_FIELDS.get(field)
    if from_id is None:
        return lambda doc: doc.meta.get(field, "")

    def value(doc: Document) -> str:
        meta = doc.meta.get(field)
        return meta if meta is not None else from_id(doc)

    return value


def unknown_field(field: str, docs: Iterable[Document]) -> str | None:
    """Why grouping ``docs`` by ``field`` puts them all in "" (None: it does not)."""
    if field in ID_FIELDS or any(field in d.meta for d in docs):
        return None
    return f"--by: no document has the field '{field}' (every document has {', '.join(ID_FIELDS)})"
