/* The service icons: our own SVG (maps/icons.py), handed over in the page's config. The only
   markup the pages insert as HTML; it is chosen by key, never taken from the data. */

import { t } from "./text.js";

let icons = {};

export function setIcons(table) {
  icons = table || {};
}

/* The icon of a service; `decorative` when its word is written beside it. */
export function serviceIcon(service, decorative) {
  const label = t("service_" + service);
  const node = document.createElement("span");
  node.className = "gg-svc";
  if (decorative) {
    node.setAttribute("aria-hidden", "true");
  } else {
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", label);
    node.title = label;
  }
  node.innerHTML = Object.hasOwn(icons, service) ? icons[service] : "";
  return node;
}
