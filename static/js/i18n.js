/*
 * The page's JavaScript strings in the reader's language.
 *
 * base.html renders them (community/i18n.py, js_strings) into
 * <script id="js-strings" type="application/json">, a data block the CSP allows.
 * Loaded before the other scripts:
 *   t("New reply from %(name)s", { name })         -> the translated text, filled in
 *   tn("%(num)s reply", "%(num)s replies", n, {})  -> the plural form for n (Intl.PluralRules,
 *                                                    the same CLDR rules as the server's)
 * A msgid missing from the catalogue is shown in English, as written in the script.
 */
(() => {
  "use strict";

  let catalogue = {};
  try {
    catalogue = JSON.parse(document.getElementById("js-strings")?.textContent || "{}") || {};
  } catch {
    catalogue = {};
  }
  const lang = document.documentElement.lang || "en";
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

  function t(msgid, params) {
    const text = catalogue[msgid];
    return fill(typeof text === "string" ? text : msgid, params);
  }

  function tn(singular, plural, n, params = {}) {
    const forms = catalogue[`${singular}|${plural}`];
    let text = null;
    if (forms && typeof forms === "object") {
      const category = rules ? rules.select(n) : (n === 1 ? "one" : "other");
      text = forms[category] ?? forms.other;
    }
    if (typeof text !== "string") text = n === 1 ? singular : plural;
    return fill(text, { num: n, ...params });
  }

  window.t = t;
  window.tn = tn;
})();
