/*
 * The time zone this browser is in (Intl's IANA name, such as "Asia/Tokyo").
 *
 * - Registration, sign-in and invitation forms: fills their hidden `timezone` field
 *   (input[data-device-zone]); the server keeps it only while the account has no zone yet, and
 *   ignores a name it does not know. Without script the field stays empty: nothing is sent.
 * - The settings page: shows the "Use this device's time zone (…)" button (#device-zone), which
 *   picks that zone in the <select name="timezone"> of its form; saving stays the person's click.
 * Imports nothing.
 */

/** The browser's zone, or "" when it does not say. */
export function deviceZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

const UTC_NAMES = ["UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"];

/** The name the server lists the zone under ("UTC" for any of UTC's names). */
function listedName(zone) {
  return UTC_NAMES.includes(zone) ? "UTC" : zone;
}

function fillHiddenFields(zone) {
  for (const input of document.querySelectorAll("input[data-device-zone]")) input.value = zone;
}

/** Pick `zone` in `select`, adding it (under the last group) when the list lacks it. */
function pick(select, zone) {
  let option = Array.from(select.options).find((o) => o.value === zone);
  if (!option) {
    option = new Option(zone, zone);
    const groups = select.querySelectorAll("optgroup");
    (groups.length ? groups[groups.length - 1] : select).append(option);
  }
  select.value = zone;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  select.focus();
}

function offerButton(zone) {
  const button = document.getElementById("device-zone");
  const select = button?.form?.querySelector("select[name=timezone]");
  if (!button || !select) return;
  // The label's "{zone}" becomes the zone's name, isolated so it reads left to right in any page.
  const [before, after = ""] = (button.dataset.label || "{zone}").split("{zone}");
  const name = document.createElement("bdi");
  name.dir = "ltr";
  name.textContent = zone;
  button.replaceChildren(before, name, after);
  button.hidden = false;
  button.addEventListener("click", () => pick(select, listedName(zone)));
}

const zone = deviceZone();
if (zone) {
  fillHiddenFields(zone);
  offerButton(zone);
}
