/* How a page starts. Folium's inline map script builds the map and its (empty) layers, then
   queues [page, map, layers, config] on window.gridgisPages (maps/base.py PageScript). The
   page's entry module is deferred, so it runs after that script: it takes what is queued
   and, should a page be queued later, starts it then. */

import { setApiRoot } from "./api.js";
import { setIcons } from "./icons.js";
import { setTimeZone, setWords } from "./text.js";

/* Runs start(map, layers, config) for every entry of `name` queued on holder.gridgisPages,
   now and later. Pure (the holder is window in a page): Node's tests call it too. */
export function takePages(holder, name, start) {
  const queue = (holder.gridgisPages = holder.gridgisPages || []);
  const mine = (entry) => entry[0] === name;
  const run = ([, map, layers, config]) => start(map, layers, config);
  const queued = queue.filter(mine);
  const others = queue.filter((entry) => !mine(entry));
  queue.splice(0, queue.length, ...others); // another page's entries stay for it
  const push = queue.push.bind(queue);
  queue.push = (...entries) => {
    entries.filter(mine).forEach(run);
    return push(...entries.filter((entry) => !mine(entry)));
  };
  queued.forEach(run);
}

/* The page's settings from its config: words, time zone, API root, icons. */
export function setup(config) {
  setWords(config.t);
  setTimeZone(config.timezone);
  setApiRoot(config.api);
  setIcons(config.icons);
}

/* The entry of a page: start(map, layers, config) once Folium has handed them over. */
export function onPage(name, start) {
  takePages(window, name, (map, layers, config) => {
    setup(config);
    start(map, layers, config);
  });
}
