/* DOM nodes built from text: whatever the API says is set as text, never parsed as HTML.
   Leaflet parses a *string* given to bindTooltip, bindPopup, setContent or divIcon({html})
   as HTML: give it a node from here instead (text()), never a string with data in it. */

import { t } from "./text.js";

/* A DOM element: el("li", {class: "x", onclick: f}, "text", child, ...). Attributes are set
   as attributes, `on…` functions as listeners, children as nodes or text. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/* Text for Leaflet's tooltips and popups: a <span> whose content is text. */
export function text(value) {
  return el("span", {}, value);
}

export function phoneLink(phone) {
  if (!phone) return null;
  return el("a", { class: "gg-phone", href: "tel:" + phone.replace(/[^0-9+]/g, "") }, phone);
}

/* The status line. */
export function say(node, text, kind) {
  if (!node) return;
  node.textContent = text || "";
  node.dataset.kind = kind || "";
}

export function failed(node, error) {
  console.warn(error);
  say(node, t("load_failed", { detail: error.message }), "error");
}
