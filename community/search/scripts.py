"""Search in our suppliers' languages: which words each engine can find as words, and how
the others are found.

- Languages with a PostgreSQL text-search configuration are indexed (and searched) with it:
  "trabajadores" finds "trabajador" in a Spanish post as "wages" finds "wage" in an English
  one. A post of no known language keeps English, as before. SQLite's porter tokenizer
  (English stems, any script's words) stays for all.
- Writing without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese; and
  posts in zh/ja/ko/th/vi) is one "word" per sentence to both engines, so a word inside a
  sentence is never found there. Such posts are also indexed for substring search:
  PostgreSQL a pg_trgm GIN index on their text (a partial index: only these posts),
  SQLite an FTS5 trigram table holding only these posts. A query's runs of such script are
  matched as substrings: three characters or more through the trigram index; a shorter word
  (most Chinese words are two characters, below any trigram) by LIKE over those posts only.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape
from sqlalchemy import Integer, and_, case, column, func, literal, literal_column, or_, select, table

# The markers around matched terms in snippets (the engines' and ours), turned into <mark> later.
OPEN, CLOSE = "\x02", "\x03"

# Languages of POST_LANGUAGES with a PostgreSQL configuration (the others, and posts whose
# language is unknown but written in such a script, use "simple": words as written).
PG_CONFIGS = {
    "en": "english", "es": "spanish", "fr": "french", "pt": "portuguese", "tr": "turkish",
    "ar": "arabic", "hi": "hindi", "ta": "tamil", "id": "indonesian", "ms": "indonesian",
}
DEFAULT_PG_CONFIG = "english"  # a post of unknown language: as everything was before
# A query is read in these and in the searcher's language's configuration (ORed).
QUERY_CONFIGS = (DEFAULT_PG_CONFIG, "simple")

UNSPACED_LANGUAGES = ("zh", "ja", "ko", "th", "vi")
# Scripts written without spaces between words: CJK ideographs (and extensions, compatibility),
# kana, Thai, Lao, Khmer, Myanmar. Hangul has spaces but its words carry particles ("공장에서"):
# a Korean word is found inside them the same way.
_UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
             "\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002fa1f")
UNSPACED_RE = re.compile(f"[{_UNSPACED}]+")
MAX_UNSPACED_TERMS = 8
# The markers the engines put around matches, replaced by <mark> after escaping the text
# (engines.marked); the index holds no control characters, so no post can forge one.
OPEN, CLOSE = "\x02", "\x03"
MAX_GRAMS = 5000
TRIGRAM_TABLE = "post_fts_tri"
BIGRAM_TABLE = "post_fts_bi"

tri = table(TRIGRAM_TABLE, column("rowid", Integer), column("title"), column("body"))
bi = table(BIGRAM_TABLE, column("rowid", Integer), column("grams"))

SQLITE_TRIGRAM_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TRIGRAM_TABLE} USING fts5(title, body, tokenize = 'trigram')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {BIGRAM_TABLE} USING fts5(grams, "
    "tokenize = 'unicode61 remove_diacritics 0')",
]


def bigrams(text: str) -> str:
    """Every two neighbouring characters of the text's unspaced runs (a lone one alone), once
    each, as space-separated words."""
    seen: dict[str, None] = {}
    for run in UNSPACED_RE.findall(text or ""):
        if len(run) == 1:
            seen.setdefault(run)
        for i in range(len(run) - 1):
            seen.setdefault(run[i:i + 2])
        if len(seen) >= MAX_GRAMS:
            break
    return " ".join(list(seen)[:MAX_GRAMS])


def query_configs(language: str | None, searcher_language: str | None) -> tuple[str, ...]:
    if language:
        return (pg_config(language),)
    extra = (PG_CONFIGS[searcher_language],) if searcher_language in PG_CONFIGS else ()
    return tuple(dict.fromkeys([*QUERY_CONFIGS, *extra]))


def pg_config(language: str | None) -> str:
    if language in PG_CONFIGS:
        return PG_CONFIGS[language]
    return "simple" if language in UNSPACED_LANGUAGES or language else DEFAULT_PG_CONFIG


def unspaced(language: str | None, text: str) -> bool:
    """Is this post also indexed for substring search?"""
    return language in UNSPACED_LANGUAGES or UNSPACED_RE.search(text) is not None


def split_query(q: str) -> tuple[str, list[str]]:
    """(the query without its unspaced runs, those runs as terms, each once, in order)."""
    terms = list(dict.fromkeys(UNSPACED_RE.findall(q)))[:MAX_UNSPACED_TERMS]
    return UNSPACED_RE.sub(" ", q), terms


def _like(term: str) -> str:
    return f"%{term}%"  # terms are letters of the scripts above: no LIKE wildcards


def conditions(sqlite: bool, fts, terms: list[str], *, dense: bool = False):
    """(WHERE clause, score) for index rows (`fts`, joined to Post) holding every term.

    `dense` (PostgreSQL): more posts match than are ranked, so the newest matches are wanted,
    not all of them: the terms are then written as strpos(), which no index answers, so the
    planner walks the unspaced posts newest first (ix_post_fts_unspaced_id) and stops at the
    LIMIT, instead of fetching every match through the GIN indexes and sorting them (80,000
    rows for a common word at a million posts: seconds)."""
    if not terms:
        return None, literal(0.0)
    if not sqlite and dense:
        wheres = [literal_column(f"{fts.name}.unspaced")]
        for term in terms:  # a two-character term is one of the grams; these scripts have no case
            wheres.append(func.strpos(fts.c.grams if len(term) == 2 else fts.c.title.op("||")(" ").op("||")(fts.c.body),
                                      term) > 0)
        score = literal(1.0)
        for t in terms:
            score = score + case((func.strpos(fts.c.title, t) > 0, 3.0), else_=0.0)
        return and_(*wheres), score
    if sqlite:
        wheres = []
        for term in terms:
            if len(term) >= 3:
                found = select(tri.c.rowid).where(literal_column(TRIGRAM_TABLE).op("MATCH")('"' + term + '"'))
            elif len(term) == 2:
                found = select(bi.c.rowid).where(literal_column(BIGRAM_TABLE).op("MATCH")('"' + term + '"'))
            else:  # one character: LIKE, over the posts of the trigram table only
                found = select(tri.c.rowid).where(or_(tri.c.title.like(_like(term)), tri.c.body.like(_like(term))))
            wheres.append(fts.c.rowid.in_(found))
        title_hits = [fts.c.title.like(_like(t)) for t in terms]
    else:
        text = fts.c.title.op("||")(" ").op("||")(fts.c.body)
        grams = func.to_tsvector(literal_column("'simple'::regconfig"), fts.c.grams)
        # `WHERE unspaced` as the partial indexes say it (the planner proves "IS true" no match)
        wheres = [literal_column(f"{fts.name}.unspaced")]
        for term in terms:
            if len(term) == 2:
                wheres.append(grams.op("@@")(func.plainto_tsquery(literal_column("'simple'::regconfig"), term)))
            else:
                wheres.append(text.ilike(_like(term)))
        title_hits = [fts.c.title.ilike(_like(t)) for t in terms]
    score = literal(1.0)
    for hit in title_hits:  # a word in the title weighs more, as elsewhere
        score = score + case((hit, 3.0), else_=0.0)
    return and_(*wheres), score


def sqlite_driver(terms: list[str], post, thread):
    """For a query of unspaced terms only, on SQLite: (the substring table to read matches from,
    its rowid, WHERE clause, score) with the first term of two characters or more, or None.

    Read newest first straight from that table (FTS5 walks its rowids backwards and stops at the
    LIMIT): going through post_fts's rowids for every match costs a lookup each (1.7 s for a
    common Chinese word at a million posts). The title bonus comes from the thread (an opening
    post's indexed title is its thread's title and tags: a run of these scripts never spans the
    space between them), not from a lookup in post_fts."""
    first = next((t for t in terms if len(t) >= 2), None)
    if first is None:
        return None
    source = bi if len(first) == 2 else tri
    name = BIGRAM_TABLE if source is bi else TRIGRAM_TABLE
    wheres = [literal_column(name).op("MATCH")('"' + first + '"')]
    for term in terms:
        if term == first:
            continue
        if len(term) >= 3:
            found = select(tri.c.rowid).where(literal_column(TRIGRAM_TABLE).op("MATCH")('"' + term + '"'))
        elif len(term) == 2:
            found = select(bi.c.rowid).where(literal_column(BIGRAM_TABLE).op("MATCH")('"' + term + '"'))
        else:
            found = select(tri.c.rowid).where(or_(tri.c.title.like(_like(term)), tri.c.body.like(_like(term))))
        wheres.append(source.c.rowid.in_(found))
    score = literal(1.0)
    for t in terms:
        score = score + case((and_(post.is_opening.is_(True), or_(thread.title.like(_like(t)),
                                                                   thread.tags.like(_like(t)))), 3.0), else_=0.0)
    return source, source.c.rowid, and_(*wheres), score


def snippet(text: str, terms: list[str], width: int = 80) -> str:
    """A window of `text` around the first term found, every term wrapped in the engines'
    markers (OPEN/CLOSE): for results found by substring, which the engines' own
    snippets cannot mark."""
    text = text or ""
    found = [i for i in (text.find(t) for t in terms) if i >= 0]
    start = max(min(found) - width // 2, 0) if found else 0
    part = text[start:start + width * 2]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    out = pattern.sub(lambda m: OPEN + m.group(0) + CLOSE, part)
    return ("…" if start > 0 else "") + out + ("…" if start + width * 2 < len(text) else "")


def mark_title(title: str, terms: list[str]) -> Markup:
    if not terms:
        return escape(title)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    parts, last = [], 0
    for m in pattern.finditer(title):
        parts.append(str(escape(title[last:m.start()])) + "<mark>" + str(escape(m.group(0))) + "</mark>")
        last = m.end()
    parts.append(str(escape(title[last:])))
    return Markup("".join(parts))
