"""Full-text search over threads and posts, with the database's own engine.

  index.py    the index table (SQLite FTS5 / PostgreSQL tsvector) and the hook that keeps it
              in step with the posts, in the same transaction
  query.py    reading the query text and the filters a searcher typed
  engines.py  what differs between the two engines (matching, ranking, snippets)
  find.py     what a searcher may find (the Guardian's scope), ranked; similar questions

Importing the package installs the index's session and schema hooks.
"""
from __future__ import annotations

from .engines import marked
from .find import CANDIDATES, DEFAULT_LIMIT, Hit, SearchPage, SimilarQuestion, search, similar_questions
from .index import INDEX_TABLE, clear_index, index_post, indexed, is_index_table, rebuild_index, remove_post, title_text
from .query import MAX_QUERY_CHARS, Filters, clean_query, parse_filters, significant_words

__all__ = [
    "CANDIDATES", "DEFAULT_LIMIT", "INDEX_TABLE", "MAX_QUERY_CHARS", "Filters", "Hit", "SearchPage",
    "SimilarQuestion", "clean_query", "clear_index", "index_post", "indexed", "is_index_table", "marked",
    "parse_filters", "rebuild_index", "remove_post", "search", "significant_words", "similar_questions",
    "title_text",
]
