"""Names people and organisations go by: the one rule against impostors, for every path.

Registration, invitations, the profile settings, the command line, the administrators'
pages and organisation names all call `display_name()` / `organisation_name()`. A name is

- normalised: NFKC (full-width letters, ligatures, non-breaking spaces become plain ones),
  runs of spaces collapsed;
- refused when it holds control or format characters (bidirectional overrides and
  isolates, zero-width characters, any default-ignorable "invisible" character), or a
  pile of combining marks;
- refused when it equals, or is confusable with, a reserved word: the anonymous labels and
  "Anonymous", "Moderator", "Administrator", "Someone" in every interface language (taken
  from the translation catalogues, so a new language is covered by its catalogue),
  "admin", "Roundtable", "system"; a person's name may not even contain an anonymous label
  or a role word, an organisation's may not contain an anonymous label;
- refused when confusable with another person's display name (or, for an organisation,
  with another organisation's name it is not exactly).

"Confusable" is judged by the Unicode confusables skeleton (UTS #39) computed by ICU's
SpoofChecker, the reference implementation, through the `pyicu-wheels` distribution
(PyICU with ICU bundled: installs with pip, no system ICU). Two keys are compared, both
letters and digits only (spacing and punctuation aside): the caseless one, casefold then
skeleton to a fixed point ("ADMIN", "Αdmin" and "admin" meet), and the case-sensitive
skeleton itself ("WiI" with a capital I meets "Wil"). They are stored (user.name_key and
user.name_skeleton, organisation.name_key), kept in step by the attribute listeners below,
so "like someone else's" is one indexed query.
"""
from __future__ import annotations

import re
import unicodedata

import icu
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event, func, select

from ..errors import Invalid
from ..events import action
from ..extensions import db
from ..i18n import LANGUAGES
from ..models import Organisation, User
from . import validate

_spoof = icu.SpoofChecker()
_IGNORABLE = icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
MAX_MARKS_IN_A_ROW = 3  # more stacked combining marks is "zalgo" text, drawn over its neighbours

# Words the application says itself: translated through the catalogues (msgids).
ANONYMOUS_WORDS = ("Anonymous supplier", "Anonymous member", "Anonymous")
ROLE_WORDS = ("Moderator", "Administrator")
OTHER_WORDS = ("Someone", "someone")
# Reserved in English whatever the catalogues say.
ROLE_WORDS_EN = ("admin", "administrators", "moderators", "mod")
SITE_WORDS = ("Roundtable", "system")


def skeleton(text: str) -> str:
    """The UTS #39 confusables skeleton of `text` (ICU)."""
    return _spoof.getSkeleton(0, text)


def normalise(text: str) -> str:
    """NFKC, with every run of white space one plain space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


KEY_MAX = 800  # the key columns' size; a longer key is compared on its start


def _alnum(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())[:KEY_MAX]


def _caseless(text: str) -> str:
    """casefold, then skeleton, until nothing changes (a skeleton may map to capitals: 0 -> O)."""
    text = normalise(text)
    for _round in range(4):
        folded = skeleton(text.casefold())
        if folded == text:
            break
        text = folded
    return text


def key(text: str) -> str:
    """The caseless comparison key: "ADMIN", "Αdmin" (Greek Alpha) and "admin" share it; so
    do names that differ only in spacing and punctuation."""
    return _alnum(_caseless(text))


def visual_key(text: str) -> str:
    """The case-sensitive key (the skeleton as UTS #39 defines it): "WiI" (capital I) and
    "Wil" share it, "Ian" and "Lan" do not (folding case first would merge I and l)."""
    return _alnum(skeleton(normalise(text)))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+", _caseless(text)) if w]


# --- what may not appear -------------------------------------------------------------
def _refused_character(text: str) -> tuple[str, str] | None:
    """The first character a name may not hold, and why ("invisible" or "marks")."""
    marks = 0
    for ch in text:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES or icu.Char.hasBinaryProperty(ch, _IGNORABLE):
            return ch, "invisible"
        marks = marks + 1 if unicodedata.combining(ch) else 0
        if marks > MAX_MARKS_IN_A_ROW:
            return ch, "marks"
    return None


def _reserved() -> dict[str, set[str]]:
    """Keys of the reserved words, by kind, in every interface language (once per app)."""
    cached = current_app.extensions.get("rt_reserved_names")
    if cached is not None:
        return cached
    texts: dict[str, set[str]] = {"anonymous": set(), "role": set(ROLE_WORDS_EN), "other": set(SITE_WORDS)}
    for lang in LANGUAGES:
        with force_locale(lang):
            texts["anonymous"].update(_(w) for w in ANONYMOUS_WORDS)
            texts["role"].update(_(w) for w in ROLE_WORDS)
            texts["other"].update(_(w) for w in OTHER_WORDS)
    reserved = {kind: {key(t) for t in words} - {""} for kind, words in texts.items()}
    # The same words as written (case kept), for the case-sensitive skeleton.
    reserved["visual"] = {visual_key(form) for words in texts.values() for t in words
                          for form in (t, t.lower(), t.title(), t.upper())} - {""}
    current_app.extensions["rt_reserved_names"] = reserved
    return reserved


def _impersonates(name: str, *, person: bool) -> bool:
    """Is `name` a reserved word, or (anonymous labels) does it contain one, or (a person's
    name) does it hold a role word as one of its words?"""
    reserved = _reserved()
    name_key = key(name)
    if name_key in reserved["anonymous"] | reserved["role"] | reserved["other"]:
        return True
    if visual_key(name) in reserved["visual"]:
        return True
    if any(label in name_key for label in reserved["anonymous"]):
        return True
    return person and any(word in reserved["role"] for word in _words(name))


def _checked(value, field: str, label, max_chars: int, *, person: bool) -> str:
    text = validate.text(value, field, label=label, max_chars=max_chars * 2, min_chars=2)
    if (bad := _refused_character(text)) is not None:
        char, why = bad
        raise Invalid(_("%(label)s contains an invisible or control character (U+%(code)04X), such as "
                        "those that reverse text or join letters unseen. Type it with visible letters only.",
                        label=label, code=ord(char)) if why == "invisible" else
                      _("%(label)s stacks too many accents on one letter.", label=label), field=field)
    text = normalise(text)
    text = validate.text(text, field, label=label, max_chars=max_chars, min_chars=2)
    if not key(text):
        raise Invalid(_("%(label)s needs letters or digits.", label=label), field=field)
    if _impersonates(text, person=person):
        raise Invalid(_("“%(name)s” is, or looks like, a word Roundtable uses itself (such as an "
                        "anonymous label or a role). Choose another name.", name=text), field=field)
    return text


# --- the rule, per kind of name ----------------------------------------------------------
def display_name(value, *, field: str = "name", label=None, user: User | None = None) -> str:
    """A person's display name, cleaned, or Invalid saying why not (`user`: who is renamed)."""
    label = label or _("Your name")
    name = _checked(value, field, label, 80, person=True)
    clash = db.session.scalar(select(User.id).where(
        (User.name_key == key(name)) | (User.name_skeleton == visual_key(name)),
        User.id != (user.id if user is not None else 0)).limit(1))
    if clash is not None:
        raise Invalid(_("Someone on Roundtable already has a name that is, or looks like, “%(name)s”. "
                        "Add a middle name or an initial so that people can tell you apart.", name=name),
                      field=field)
    return name


def organisation_name(value, *, field: str = "organisation", label=None) -> tuple[str, Organisation | None]:
    """An organisation's name, cleaned, and the organisation that already has it (same name,
    whatever the case and spacing), if any. A name only confusable with another
    organisation's (“Shаkti Garments” with a Cyrillic а) is refused."""
    label = label or _("Organisation")
    name = _checked(value, field, label, 200, person=False)
    same = db.session.scalars(select(Organisation).where(Organisation.name_key == key(name))).all()
    for org in same:
        if normalise(org.name).casefold() == name.casefold():
            return name, org
    if same:
        raise Invalid(_("“%(name)s” looks like “%(existing)s”, already on Roundtable. Type that name exactly "
                        "to join it, or choose a clearly different one.", name=name, existing=same[0].name),
                      field=field)
    # Older rows (before keys) or another case: the plain comparison still finds them.
    org = db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
    return name, org


@action
def rename(user: User, name) -> User:
    """A person changes their own display name (the profile settings), through the rule."""

    user.name = display_name(name, user=user)
    return user


# --- keys kept in step with the names, whichever path sets them --------------------------
@event.listens_for(User.name, "set")
def _user_name_set(target, value, _old, _initiator):
    target.name_key = key(value) if isinstance(value, str) else None
    target.name_skeleton = visual_key(value) if isinstance(value, str) else None


@event.listens_for(Organisation.name, "set")
def _organisation_name_set(target, value, _old, _initiator):
    target.name_key = key(value) if isinstance(value, str) else None
