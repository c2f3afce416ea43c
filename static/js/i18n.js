/*
 * The page's JavaScript strings in the reader's language.
 *
 * base.html renders them (community/i18n.py, js_strings) into
 * <script id="js-strings" type="application/json">, a data block the CSP allows.
 *   t("New reply from %(name)s", { name })         -> the translated text, filled in
 *   tn("%(num)s reply", "%(num)s replies", n, {})  -> the plural form for n (Intl.PluralRules,
 *                                                    the same CLDR rules as the server's)
 *   tNodes(...), tnNodes(...)                      -> the same as DOM nodes, every value in a <bdi>
 * A msgid missing from the catalogue is shown in English, as written in the script.
 * Every msgid a script asks for is listed in community/i18n.py (JS_MESSAGES, _js_plurals).
 */

function readCatalogue() {
  try {
    return JSON.parse(document.getElementById("js-strings")?.textContent || "{}") || {};
  } catch {
    return {};
  }
}

const catalogue = readCatalogue();
export const lang = document.documentElement.lang || "en";
let rules = null;
try {
  rules = new Intl.PluralRules(lang);
} catch {
  rules = null;
}

/** Replace %(name)s / %(name)d with params.name (left as is when not given). */
function fill(text, params) {
  if (!params) return text;
  return text.replace(/%\((\w+)\)[sd]/g, (match, key) => (key in params ? String(params[key]) : match));
}

function plural(singular, pluralText, n) {
  const forms = catalogue[`${singular}|${pluralText}`];
  let text = null;
  if (forms && typeof forms === "object") {
    const category = rules ? rules.select(n) : (n === 1 ? "one" : "other");
    text = forms[category] ?? forms.other;
  }
  return typeof text === "string" ? text : (n === 1 ? singular : pluralText);
}

export function t(msgid, params) {
  const text = catalogue[msgid];
  return fill(typeof text === "string" ? text : msgid, params);
}

export function tn(singular, pluralText, n, params = {}) {
  return fill(plural(singular, pluralText, n), { num: n, ...params });
}

/**
 * t() / tn() as DOM nodes, for texts that carry user-written names or titles: each value
 * goes into its own <bdi>, so a right-to-left name (or one with reordering characters)
 * cannot reorder the sentence around it. An array value becomes isolated items joined as the
 * page's language joins a list (Intl.ListFormat).
 */
function listParts(values) {
  try {
    return new Intl.ListFormat(lang, { type: "conjunction" }).formatToParts(values);
  } catch { // an engine without Intl.ListFormat
    return values.flatMap((value, i) => (i ? [{ type: "literal", value: ", " }] : []).concat({ type: "element", value }));
  }
}

function isolated(text, params) {
  const out = document.createDocumentFragment();
  let last = 0;
  text.replace(/%\((\w+)\)[sd]/g, (match, key, offset) => {
    out.append(text.slice(last, offset));
    last = offset + match.length;
    if (!params || !(key in params)) {
      out.append(match);
    } else if (key === "num") {
      out.append(String(params[key]));
    } else {
      const values = (Array.isArray(params[key]) ? params[key] : [params[key]]).map(String);
      // Joined as the page's language joins a list ("A, B and C", "A وB"), each item isolated.
      for (const part of listParts(values)) {
        if (part.type === "element") {
          const bdi = document.createElement("bdi");
          bdi.textContent = part.value;
          out.append(bdi);
        } else {
          out.append(part.value);
        }
      }
    }
    return match;
  });
  out.append(text.slice(last));
  return out;
}

export function tNodes(msgid, params) {
  const text = catalogue[msgid];
  return isolated(typeof text === "string" ? text : msgid, params);
}

export function tnNodes(singular, pluralText, n, params = {}) {
  return isolated(plural(singular, pluralText, n), { num: n, ...params });
}
