"""Reading what a searcher typed: the query text (websearch-like: "a phrase", OR, -word)
and the filters, each refused with a clear message naming its field; and the query as
SQLite FTS5 needs it, built only from quoted words so that no user text is read as syntax.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import Invalid
from ..i18n import format_number
from ..language import POST_LANGUAGES
from ..models.organisation import ORG_KINDS
from ..models.thread import THREAD_KINDS
from .index import CONTROL_RE

MAX_QUERY_CHARS = 200
MAX_TERMS = 16
_WORD_RE = re.compile(r"[^\W_]+")  # letters and digits of any script

# Words too common to say what a question is about (both engines ignore them in similar_questions,
# and in search when the query has other words).
STOP_WORDS = frozenset("""
a about after again against all am an and any anyone are as at be been before being below between
both but by can could did do does doing done down during each else ever few for from further get
had has have having he her here hers him his how i if in into is it its itself just let me more
most my no nor not now of off on once one only or other our ours out over own please same she
should so some such than that the their theirs them then there these they this those through to
too under until up us very was we were what when where which while who whom why will with would
you your yours yourself yourselves
""".split())  # noqa: SIM905  (a paragraph of words reads better than 180 quoted ones)


# --- reading the query and the filters ------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to; every field optional."""

    topic: str | None = None          # a topic slug
    kind: str | None = None           # discussion / question / announcement / archive
    answered: bool | None = None      # questions with (True) or without (False) an accepted answer
    org_kind: str | None = None       # the author's organisation: member / supplier
    author: str | None = None         # the author's @handle or full name
    since: date | None = None         # written on or after this day (UTC)
    until: date | None = None         # written on or before this day (UTC)
    type: str | None = None           # thread (opening posts) / post (replies)
    lang: str | None = None           # the language the post is written in (a POST_LANGUAGES code)

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links to other pages of results)."""
        args = {"topic": self.topic, "kind": self.kind, "org_kind": self.org_kind,
                "author": self.author, "type": self.type, "lang": self.lang,
                "answered": None if self.answered is None else ("yes" if self.answered else "no"),
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}
        return {k: v for k, v in args.items() if v}


RESULT_TYPES = ("thread", "post")


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Filters from query-string arguments; an unusable value raises Invalid naming its field."""

    def value(name: str) -> str | None:
        raw = args.get(name)
        if raw is None:
            return None
        if not isinstance(raw, str) or len(raw) > 100:
            raise Invalid(_("The %(name)s filter is too long.", name=name), field=name)
        return raw.strip() or None

    def one_of(name: str, choices, label: str) -> str | None:
        raw = value(name)
        if raw is not None and raw not in choices:
            raise Invalid(_("%(label)s must be one of: %(choices)s.", label=label, choices=", ".join(choices)),
                          field=name)
        return raw

    def day(name: str) -> date | None:
        raw = value(name)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise Invalid(_("“%(value)s” is not a date like 2025-03-31.", value=raw), field=name) from None

    answered_raw = value("answered")
    answered = None
    if answered_raw is not None:
        lowered = answered_raw.lower()
        if lowered in ("yes", "true", "1", "answered"):
            answered = True
        elif lowered in ("no", "false", "0", "unanswered"):
            answered = False
        else:
            raise Invalid(_("answered must be yes or no."), field="answered")
    author = value("author")
    filters = Filters(
        topic=value("topic"),
        kind=one_of("kind", THREAD_KINDS, _l("The kind")),
        answered=answered,
        org_kind=one_of("org_kind", ORG_KINDS, _l("The organisation kind")),
        author=author.lstrip("@") if author else None,
        since=day("since"),
        until=day("until"),
        type=one_of("type", RESULT_TYPES, _l("The type")),
        lang=one_of("lang", tuple(POST_LANGUAGES), _l("The language")),
    )
    if filters.since and filters.until and filters.since > filters.until:
        raise Invalid(_("The start date is after the end date."), field="since")
    return filters


def clean_query(q) -> str:
    """The search text, stripped; empty or oversized raises Invalid (field "q")."""
    if q is None or (isinstance(q, str) and not q.strip()):
        raise Invalid(_("Type something to search for."), field="q")
    if not isinstance(q, str):
        raise Invalid(_("The search must be text."), field="q")
    q = q.strip()
    if len(q) > MAX_QUERY_CHARS:
        raise Invalid(_("The search is too long: %(count)s characters, the limit is %(limit)s.",
                        count=format_number(len(q)), limit=format_number(MAX_QUERY_CHARS)), field="q")
    if not _WORD_RE.search(q):
        raise Invalid(_("Search for at least one word or number."), field="q")
    return CONTROL_RE.sub(" ", q)


def _words(value: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(value)]


def fts5_query(q: str) -> str | None:
    """websearch-like syntax ("a phrase", OR, -word) as an FTS5 expression built only from
    quoted words, so no user text is ever read as FTS5 syntax; None if nothing is left."""
    groups: list[list[str]] = [[]]  # OR-groups of positive terms, ANDed together
    negatives: list[str] = []
    join_next = False
    for match in re.finditer(r'(-?)"([^"]*)"?|(\S+)', q):
        negate, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare == "OR" and groups[-1]:
                join_next = True
                continue
            negate = "-" if bare.startswith("-") and len(bare) > 1 else ""
            words = _words(bare)
        else:
            words = _words(phrase)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'  # several words: an FTS5 phrase
        if negate:
            negatives.append(term)
        elif join_next and groups[-1]:
            groups[-1].append(term)
        else:
            if groups[-1]:
                groups.append([])
            groups[-1].append(term)
        join_next = False
    groups = [g for g in groups if g]
    # Lone stop words are dropped like PostgreSQL's websearch_to_tsquery does,
    # unless nothing else is left ("the who").
    significant = [g for g in groups if not (len(g) == 1 and g[0].strip('"') in STOP_WORDS)]
    groups = (significant or groups)[:MAX_TERMS]
    if not groups:
        return None
    expression = " AND ".join("(" + " OR ".join(g) + ")" for g in groups)
    if negatives:
        expression = f"({expression}) NOT ({' OR '.join(negatives[:MAX_TERMS])})"
    return expression


def significant_words(title: str) -> list[str]:
    """The words of a title that say what it is about: stop words out, each once, in order."""
    seen: list[str] = []
    for word in _words(title):
        if word not in STOP_WORDS and (len(word) > 1 or word.isdigit()) and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


