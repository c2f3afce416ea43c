"""What differs between the two full-text engines, and nothing else.

- SQLite: FTS5 (index.py), ranked with bm25(), snippets from snippet()/highlight().
- PostgreSQL: a weighted tsvector in each post's language's configuration with a GIN index;
  queries use websearch_to_tsquery() in every configuration the index holds (OR), or in the
  `lang` filter's only, ts_rank_cd() and ts_headline() in the post's configuration.
- Runs of writing without spaces (Chinese, Thai, ...) are matched as substrings (scripts.py).

Matches come back wrapped in control-character markers, replaced by <mark> only after the
text is escaped (`marked`): the index holds no control characters, so no post can forge one.
"""
from __future__ import annotations

import math

from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import bindparam, func, literal_column, select

from ..extensions import db
from . import scripts
from .index import INDEX_TABLE, TITLE_WEIGHT, dialect, fts, title_text
from .query import fts5_query

SNIPPET_WORDS = 30
# Markers put around matches by the engine, replaced by <mark> after escaping the text.
OPEN, CLOSE = scripts.OPEN, scripts.CLOSE


class Engine:
    """What differs between SQLite FTS5 and PostgreSQL full-text search."""

    def __init__(self, dialect: str):
        self.sqlite = dialect == "sqlite"
        self.key = fts.c.rowid if self.sqlite else fts.c.post_id

    def match(self, expression):
        """(WHERE clause, score column) for a prepared query `expression`."""
        if self.sqlite:
            name = literal_column(INDEX_TABLE)
            return name.op("MATCH")(expression), -func.bm25(name, 0.0, 0.0, TITLE_WEIGHT, 1.0)
        return fts.c.document.op("@@")(expression), func.ts_rank_cd(fts.c.document, expression, 1)

    def search_query(self, q: str, language: str | None = None):
        """The prepared query for `q` (None when it holds no word the engine indexes as words);
        `language`: the searcher filtered on posts in that language."""
        if self.sqlite:
            expression = fts5_query(q)
            return None if expression is None else bindparam("fts_query", expression)
        if not any(ch.isalnum() for ch in q):
            return None
        return _in_configs(func.websearch_to_tsquery, bindparam("fts_query", q), language)

    def any_words(self, words: list[str], prefix_last: bool):
        """(query, WHERE clause, score) for documents with any of `words` (runs of letters/digits)."""
        terms = [f'"{w}"' for w in words] if self.sqlite else list(words)
        if prefix_last:
            terms[-1] += "*" if self.sqlite else ":*"
        if self.sqlite:
            expression = bindparam("fts_query", " OR ".join(terms))
            return (expression, *self.match(expression))  # bm25 already weighs rare words up
        # Words are only letters and digits, so they cannot carry tsquery syntax.
        expression = _in_configs(func.to_tsquery, bindparam("fts_query", " | ".join(terms)))
        where = fts.c.document.op("@@")(expression)
        # ts_rank knows no word rarity: with OR-matching, a common word ("workers") would
        # outweigh the rare one that says what the question is about. Weigh each word by its
        # inverse document frequency, as bm25 does on SQLite.
        singles = [_in_configs(func.to_tsquery, bindparam(f"fts_word_{i}", t)) for i, t in enumerate(terms)]
        total = db.session.scalar(select(func.count()).select_from(fts)) or 0
        counts = db.session.execute(
            select(*[func.count().filter(fts.c.document.op("@@")(q)) for q in singles])
            .select_from(fts).where(where)).one()
        score = None
        for query, found in zip(singles, counts, strict=True):
            idf = math.log(1 + (total - found + 0.5) / (found + 0.5))
            part = func.ts_rank(fts.c.document, query, 1) * idf
            score = part if score is None else score + part
        return expression, where, score

    def snippets(self, expression, post_ids: list[int]) -> dict[int, tuple[str, str]]:
        """{post_id: (body snippet, highlighted title)} with the engine's markers around matches."""
        if not post_ids:
            return {}
        if self.sqlite:
            name = literal_column(INDEX_TABLE)
            where, _score = self.match(expression)
            rows = db.session.execute(
                select(self.key, func.snippet(name, 3, OPEN, CLOSE, "…", SNIPPET_WORDS),
                       func.highlight(name, 2, OPEN, CLOSE))
                .select_from(fts).where(where, self.key.in_(post_ids)))
        else:
            options = (f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
                       'MaxFragments=2, FragmentDelimiter=" … "')
            config = fts.c.config  # the post's own
            rows = db.session.execute(
                select(self.key, func.ts_headline(config, fts.c.body, expression, options),
                       func.ts_headline(config, fts.c.title, expression,
                                        f"StartSel={OPEN}, StopSel={CLOSE}, HighlightAll=true"))
                .select_from(fts).where(self.key.in_(post_ids)))
        return {row[0]: (row[1] or "", row[2] or "") for row in rows}


def _in_configs(build, text, language: str | None = None):
    """A tsquery built from `text` in English, as written, and in the searcher's language, ORed
    (`language`: the lang filter's only); scripts.query_configs."""
    locale = get_locale()
    configs = scripts.query_configs(language, locale.language if locale is not None else None)
    expression = None
    for config in configs:
        part = build(literal_column(f"'{config}'::regconfig"), text)
        expression = part if expression is None else expression.op("||")(part)
    return expression


def engine() -> Engine:
    return Engine(dialect(db.session.get_bind()))


def marked(value: str) -> Markup:
    """Escape text from the index and turn the engine's match markers into <mark> elements."""
    escaped = str(escape(value or "")).replace(OPEN + CLOSE, "")
    if escaped.count(OPEN) != escaped.count(CLOSE):  # never leave an element open
        escaped = escaped.replace(OPEN, "").replace(CLOSE, "")
    return Markup(escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


def title_marked(highlighted: str, title: str) -> Markup:
    """The thread title with its matches marked, from the highlighted title column (which also
    holds the tags after the title: they are cut off); the plain title if anything differs."""
    want = title_text(title, "")
    out: list[str] = []
    seen, inside = 0, False
    for ch in highlighted:
        if ch in (OPEN, CLOSE):
            inside = ch == OPEN
        elif seen >= len(want):
            break
        else:
            seen += 1
        out.append(ch)
    if inside:
        out.append(CLOSE)
    cut = "".join(out)
    if cut.replace(OPEN, "").replace(CLOSE, "") != want:
        return escape(title)
    return marked(cut)
