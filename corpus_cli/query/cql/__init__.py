"""CQL, the corpus query language of CQP (the IMS Corpus Workbench), on the token layer:
``parse`` reads a query, ``find_matches`` finds its matches, ``hits`` places them in their
documents for a concordance."""

from .evaluate import Match, find_matches
from .syntax import CqlQuery, CqlSyntaxError, parse

__all__ = ["CqlQuery", "CqlSyntaxError", "Match", "find_matches", "parse"]
