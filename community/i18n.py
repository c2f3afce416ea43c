"""Languages and time zones: which locale a request uses, and locale-aware formatting.

Shipped: English, Spanish, French, Arabic (right to left) and Simplified Chinese.
The locale comes from the language picker (a cookie, and the user's saved
choice), else the browser's Accept-Language; the time zone from the user's
profile. Catalogues live in community/translations/ as .po files; `make`
compiles them (.mo files are never committed).
"""
from __future__ import annotations

import decimal
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager

from babel import Locale, lists, numbers, units
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, force_locale, format_decimal, get_locale, get_timezone, get_translations
from flask_babel import format_number as flask_babel_format_number
from flask_login import current_user
from markupsafe import Markup, escape

from .language import POST_LANGUAGES, language_name

LANGUAGES = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ar": "العربية",
    "zh": "简体中文",
}
RTL = {"ar"}
COOKIE = "lang"
# Pages whose ?lang=<code> shows only the posts written in that language (Post.language).
CONTENT_LANG_ENDPOINTS = frozenset({"main.thread", "main.topic"})

babel = Babel()


def select_locale() -> str | None:
    if not has_request_context():
        return None  # the CLI, the mail sender, tests calling actions: the default, English
    # On pages where ?lang= filters posts by their language, it is not an interface choice.
    override = None if request.endpoint in CONTENT_LANG_ENDPOINTS else request.args.get("lang")
    chosen = override or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    user = current_user if current_user and current_user.is_authenticated else None
    if user is not None and user.locale in LANGUAGES and user.locale != "en":
        return user.locale
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def recipient_language(user) -> str:
    """The language of what is said to `user` outside their own requests: their saved locale, else English."""
    lang = getattr(user, "locale", None)
    return lang if lang in LANGUAGES else "en"


def text_direction(lang: str) -> str:
    """"rtl" or "ltr": the dir of a page or an email in `lang` (emails have no request, no g.dir)."""
    return "rtl" if str(lang).split("_")[0] in RTL else "ltr"


@contextmanager
def recipient_locale(user) -> Iterator[None]:
    """Word what is said to `user` (a notification, an email, a disconnect reason) in their language.

    For texts built in someone else's request and stored or sent once: the user's saved
    locale, else English.
    """
    with force_locale(recipient_language(user)):
        yield


def format_number(n: int) -> str:
    """1,234 in English, 1.234 in Spanish...: the reader's way of writing numbers."""
    if not has_request_context():  # scripts and the CLI: English grouping
        return f"{n:,}"
    return format_decimal(n)


# --- the pages' strings and numbers, once per request / per locale ----------------------------
def _page_translations():
    """get_translations(), kept for the request while its locale is the same object: a page
    asks for a hundred strings, and each lookup through Flask-Babel's context costs more than
    the translation. force_locale() and refresh() replace or drop that object: still honoured."""
    ctx = g.get("_flask_babel")
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:
        return get_translations()  # resolves the locale; the next call keeps it
    domain = getattr(ctx, "babel_domain", None)
    kept = g.get("_rt_translations")
    if kept is not None and kept[0] is locale and kept[1] is domain:
        return kept[2]
    translations = get_translations()
    g._rt_translations = (locale, domain, translations)
    return translations


@functools.lru_cache(maxsize=4096)
def _number_in(number, locale: str) -> str:
    return numbers.format_decimal(number, locale=locale)


def _numberformat(number) -> str:
    """Jinja's |numberformat: the same as Flask-Babel's, remembered per (number, locale)
    (CLDR formatting costs tens of microseconds; a page shows the same counts over and over)."""
    locale = get_locale()
    if isinstance(number, int) and locale is not None:
        return _number_in(number, str(locale))
    return flask_babel_format_number(number)


_KB, _MB = 1024, 1024 * 1024


@functools.lru_cache(maxsize=4096)
def _size_in(size: int, locale: str) -> str:
    if size < _KB:
        return units.format_unit(size, "digital-byte", length="long", locale=locale)
    unit, divisor = ("digital-megabyte", _MB) if size >= _MB else ("digital-kilobyte", _KB)
    # Rounded half up to a tenth, as Intl.NumberFormat does in static/js/attachments.js.
    value = (decimal.Decimal(size) / divisor).quantize(decimal.Decimal("0.1"), decimal.ROUND_HALF_UP)
    return units.format_unit(value, unit, length="short", format="#,##0.#", locale=locale)


def file_size(size) -> str:
    """Jinja's |filesize: "380 bytes", "11.4 kB", "2.5 MB" in the reader's language (CLDR units,
    multiples of 1024). fileSize() in static/js/attachments.js writes the same with Intl.NumberFormat."""
    return _size_in(int(size or 0), str(get_locale() or "en"))


def names_list(items) -> Markup:
    """Jinja's |names_list: "A and B", "A, B et C", "A وB" (CLDR's list patterns in the reader's
    language, not a Latin comma). Each item escaped unless already Markup (names in <bdi>)."""
    escaped = [str(escape(item)) for item in items]
    return Markup(lists.format_list(escaped, locale=str(get_locale() or "en")))  # noqa: S704 - every item escaped above; CLDR's patterns hold no markup


def select_timezone() -> str | None:
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return current_user.timezone or "UTC"
    return "UTC"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", os.path.join(os.path.dirname(__file__), "translations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _page_translations().ugettext(s),
        ngettext=lambda s, p, n: _page_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["numberformat"] = _numberformat
    app.jinja_env.filters["filesize"] = file_size
    app.jinja_env.filters["names_list"] = names_list

    @app.before_request
    def _language_direction():
        lang = str(get_locale() or "en")
        g.lang = lang.split("_")[0]
        g.dir = text_direction(g.lang)

    # Globals, not context: macros and templates rendered without context processors see them too.
    app.add_template_global(language_name)
    app.add_template_global(POST_LANGUAGES, "POST_LANGUAGES")

    @app.context_processor
    def _languages():
        locale = get_locale()
        return {"LANGUAGES": LANGUAGES, "js_strings": js_strings(),
                # The language this rendering is in.
                "page_language": locale.language if locale is not None else "en",
                # The reader's time zone (IANA name): <html time-zone> for the <relative-time> elements.
                "time_zone": str(get_timezone())}


# --- the strings of static/js -------------------------------------------------------------
# static/js/i18n.js reads them from <script id="js-strings" type="application/json"> in
# base.html (a JSON data block: never executed, so the CSP allows it); the modules import
# t(msgid, params) and tn(singular, plural, n, params) from it. Keys are the English msgids; the
# %(name)s placeholders are left for the script to fill. pybabel extracts them from the
# N_(...) and ngettext(...) calls below (both default keywords).
def N_(message: str) -> str:
    """Marks a msgid for extraction; translated later, in js_strings()."""
    return message


JS_MESSAGES = (
    # socket.js, rooms.js, notifications.js, topic.js: the connection and notifications (every page)
    N_("connected"), N_("reconnecting"), N_("offline"),
    N_("Live updates are off: %(reason)s."), N_("the server refused the connection"), N_("Reload"),
    N_("Your session has ended."), N_("%(reason)s Sign in again to continue."), N_("Sign in"), N_("Close"),
    N_("Live updates for this page are not available."), N_("Updates were missed while you were away."),
    N_("You left this page's live updates: %(reason)s"), N_("You left this page's live updates."),
    N_("Live updates stopped for this page."), N_("New thread: %(title)s"),
    # library_live.js: the topic page and the library page
    N_("New resource: %(title)s"), N_("Updated resource: %(title)s"),
    # thread.js, composer.js, posts.js: the thread page
    N_("Anonymous member"), N_("Anonymous supplier"), N_("Edited %(time)s"), N_("an earlier post"),
    N_("The opening post is not available."), N_("This post is no longer available."),
    N_("Accept answer"), N_("Unaccept answer"), N_("An answer was accepted."),
    N_("The accepted answer was withdrawn."), N_("This thread is locked."), N_("This thread is open again."),
    N_("This thread was moved to another topic."), N_("This thread was closed as a duplicate of another thread."),
    N_("This thread was closed as a duplicate of “%(title)s”. Please continue there."), N_("Go there"),
    # titles.js: the site's own thread titles
    N_("Live session archive: %(title)s"), N_("Follow-up: %(title)s"),
    N_("%(name)s is typing…"), N_("%(first)s and %(second)s are typing…"), N_("Someone"), N_("someone"),
    N_("New reply from %(name)s"), N_("A moderator moved some replies to a new thread."),
    N_("Sending…"), N_("Post reply"), N_("a post"),
    N_("Not sent yet: it will be sent when the connection is back."),
    N_("Your reply is awaiting review by a moderator."), N_("Your reply was posted."),
    N_("No answer from the server yet. Your reply is kept and will be sent again automatically."),
    N_("Your reply was not posted."),
    N_("You are offline. Your reply is kept and will be sent when the connection is back."),
    N_("%(name)s wrote:"), N_("A reply in another language arrived: clear the language filter to see it."),
    # attachments.js, attach.js, blur.js: files in posts
    N_("Hidden by a moderator"), N_("The image, to blur parts of it"),
    N_("Drag over faces or anything else that should not be seen, to blur it. Then send the image."),
    N_("Send image"), N_("Undo blurs"), N_("Do not send"),
    N_("%(name)s is too large: files may be up to %(size)s."), N_("Sending %(name)s…"),
    N_("%(name)s was not sent."), N_("%(name)s is ready: it will be in your post."),
    N_("%(name)s was not sent: no connection."), N_("Wait until your files are sent, then post."),
    # own_posts.js, thread_changes.js: one's own posts and threads follow their state
    N_("Your post was approved: everyone who reads the thread sees it now."),
    N_("Your post is back with the moderators: they will review it."),
    N_("A moderator hid your post. Why, and what you can do, is shown with it."),
    N_("One of your posts changed. Reload the page to see it as it is now."),
    N_("One of your posts was deleted. Why is shown with it."),
    N_("This thread was renamed: “%(title)s”."), N_("This thread was moved to the topic “%(topic)s”."),
    N_("This thread was approved: everyone in its topic can see it now."),
    N_("This thread was merged into another thread: taking you to its posts."), N_("Go to the original thread"),
    # live_session.js, questions.js, chat.js, live_host.js
    N_("Scheduled"), N_("Live now"), N_("Ended"),
    N_("The server could not be reached. Nothing was changed; try again."), N_("That did not work (%(status)s)."),
    N_("The session is live now. The chat is open."),
    N_("The session has ended. Links to its archive and to the follow-up discussion are at the top of the page."),
    N_("The session is scheduled."),
    N_("Anonymous"), N_("(you)"), N_("(%(name)s, %(organisation)s — revealed to you)"),
    N_("(%(name)s — revealed to you)"), N_("Edit the answer"), N_("Write the answer"),
    N_("Answering now: %(question)s"), N_("Answered: %(question)s"),
    N_("A question is waiting for approval: %(question)s"), N_("New question: %(question)s"),
    N_("Questions sorted by newest first."), N_("Questions sorted by most votes."), N_("New messages below"),
    N_("%(name)s: %(text)s"), N_("organisations: %(names)s"),
    N_("A host silenced you for the rest of this session."), N_("Reason: “%(reason)s”."), N_("Your text is kept."),
    N_("No answer from the server yet. Your question is kept: send it again."),
    N_("Your question was not sent. It is kept here."),
    N_("Your question is waiting for a host's approval; only you and the hosts see it until then."),
    N_("Your question was posted."), N_("Your vote did not reach the server; try again."),
    N_("Your vote was not counted."), N_("The answer is saved and shown to everyone."), N_("The question is hidden."),
    N_("The question is approved and shown to everyone."), N_("The message is hidden."),
    N_("%(name)s is silenced for the rest of this session."), N_("They are silenced for the rest of this session."),
    N_("Your message cannot be empty."), N_("No answer from the server yet. Your message is kept: send it again."),
    N_("Your message was not sent. It is kept here."),
    # moderation.js
    N_("approved it"), N_("rejected it"), N_("hid it"), N_("restored it"), N_("deleted it"), N_("edited it"),
    N_("handled it"), N_("a thread"), N_("another moderator"),
    N_("Nothing to review. Held and flagged posts appear here."),
    N_("New in the review queue: a post flagged in “%(title)s”. %(num)s to review."),
    N_("New in the review queue: a post held for review in “%(title)s”. %(num)s to review."),
    N_("Back in the review queue: a post in “%(title)s”."), N_("New flag on a post in “%(title)s”."),
    N_("Handled by %(name)s: %(action)s. Nothing more to do here."),
    N_("%(name)s %(action)s: the post in “%(title)s”."),
    N_("Held for review"), N_("Visible"), N_("Hidden"), N_("Deleted"),
    # appeals.js
    N_("upheld: the post stays hidden"), N_("overturned: the post is visible again"),
    N_("withdrawn: the post was edited and sent back to the moderators"),
    N_("closed: a moderator acted on the post in the meantime"),
    N_("New appeal about a post in “%(title)s”."), N_("Settled by %(name)s: %(state)s."), N_("Settled: %(state)s."),
    N_("An appeal was settled: %(state)s."),
    # sending.js, composer.js: a send refused for going too fast, or too long
    N_("You can send it in %(seconds)s s."), N_("You can send it now."),
    N_("%(label)s is too long: %(count)s characters, the limit is %(max)s."), N_("Your text"),
    # textlimit.js, preview.js: the counter and the preview of composers
    N_("%(count)s of %(max)s characters"), N_("Preview"), N_("Preview…"), N_("Hide the preview"),
    N_("Update the preview"), N_("Nothing to preview yet."),
    N_("The server could not be reached. Your text is kept; try the preview again."),
    N_("Your post is too long: %(count)s characters, the limit is %(max)s."),
    # reactions.js: reactions and bookmarks on posts
    N_("Nobody yet."), N_("Bookmark"), N_("Bookmarked"), N_("Bookmarked."),
    N_("Bookmarked. Open it again to add a note or a reminder."),
    # mentions.js, suggest.js
    N_("People to mention"), N_("(opens in a new tab)"), N_("Answered"),
    # live_end.js, speech.js: the end of a session on an open page; reading the chat aloud
    N_("The session has ended, so questions are closed. Your question is kept: you can ask it in "
       "the follow-up discussion."),
    N_("The session has ended, so the chat is closed. Your message is kept: you can post it in "
       "the follow-up discussion."),
    N_("Your question"), N_("Your message"),
    N_("Continue in the follow-up discussion, where late questions are answered"),
    N_("Leave it"), N_("Approve"), N_("Decline"), N_("This browser cannot read messages aloud."),
)


def _js_plurals(ngettext=lambda singular, plural: (singular, plural)):
    """The (singular, plural) msgids of static/js that depend on a count.

    Written as ngettext(...) calls so that pybabel extracts them as plural entries; the
    default `ngettext` here only hands the pair back.
    """
    return (
        ngettext("Notifications, %(num)s unread", "Notifications, %(num)s unread"),
        ngettext("%(num)s new or updated thread — show", "%(num)s new or updated threads — show"),
        ngettext("%(num)s person is typing…", "%(num)s people are typing…"),
        ngettext("Someone is typing…", "%(num)s people are typing…"),
        ngettext("%(num)s organisation", "%(num)s organisations"),
        ngettext("%(num)s reading", "%(num)s reading"),
        ngettext("%(num)d open appeal", "%(num)d open appeals"),
        ngettext("%(num)s reading: %(names)s", "%(num)s reading: %(names)s"),
        ngettext("Upvote: %(question)s, %(num)s vote", "Upvote: %(question)s, %(num)s votes"),
        ngettext("%(num)s person here", "%(num)s people here"),
        ngettext("%(num)d post to review, oldest first.", "%(num)d posts to review, oldest first."),
        ngettext("%(num)s handled by another moderator is marked below.",
                 "%(num)s handled by another moderator are marked below."),
        ngettext("%(num)s reply", "%(num)s replies"),
        ngettext("%(num)s question is still waiting for approval. Decide it now, or leave it: it is listed in the "
                 "archive as not reached.",
                 "%(num)s questions are still waiting for approval. Decide them now, or leave them: they are listed "
                 "in the archive as not reached."),
        # read_state.js: unread and new badges
        ngettext("%(num)s unread", "%(num)s unread"),
        ngettext("%(num)s new", "%(num)s new"),
        ngettext("%(num)s person", "%(num)s people"),
        ngettext("%(names)s and %(num)s other", "%(names)s and %(num)s others"),
        ngettext("%(num)s similar question was already asked (answered first). Does one of them answer yours?",
                 "%(num)s similar questions were already asked (answered first). Does one of them answer yours?"),
    )


@functools.lru_cache(maxsize=32)
def _plural_samples(language: str) -> dict[str, int]:
    """One count per CLDR plural category of `language` ({"one": 1, "other": 0} in English):
    tn() in the browser picks the category with Intl.PluralRules, the same CLDR rules."""
    rule = Locale.parse(language).plural_form
    samples: dict[str, int] = {}
    # 1 and 2 first: where a catalogue lacks a text, gettext's English fallback is right for them.
    for n in (1, 2, *range(0, 1000)):
        samples.setdefault(rule(n), n)
    return samples


def js_strings() -> dict:
    """msgid -> text (or "singular|plural" -> {category: text}) in the current locale.

    Only texts that differ from the English are sent: t() and tn() show the English msgid
    otherwise, so an English page carries an empty catalogue (and no page carries text it
    does not show). A few hundred catalogue look-ups, tens of microseconds: no cache.
    """
    locale = get_locale()
    language = locale.language if locale is not None else "en"
    translations = get_translations()
    strings: dict = {}
    # The catalogue's own texts, placeholders untouched (nothing is %-formatted here).
    for msgid in JS_MESSAGES:
        text = translations.gettext(msgid)
        if text != msgid:
            strings[msgid] = text
    samples = _plural_samples(language)
    for singular, plural in _js_plurals():
        forms = {category: translations.ngettext(singular, plural, n) for category, n in samples.items()}
        if any(text != (singular if samples[category] == 1 else plural) for category, text in forms.items()):
            strings[f"{singular}|{plural}"] = forms
    return strings
