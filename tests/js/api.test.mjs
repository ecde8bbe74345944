// The API client's pure parts (maps/static/js/api.js): problem+json errors, links.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, failure, localPath, onRefused } from "../../maps/static/js/api.js";

const problem = (status, body) =>
  new Response(JSON.stringify(body), {
    status,
    statusText: "Unprocessable Content",
    headers: { "Content-Type": "application/problem+json" },
  });

test("a problem+json error carries the server's detail and status", async () => {
  const detail = "lat 115: are lon and lat swapped?";
  const error = await failure(problem(422, { title: "Bad", detail }));
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 422);
  assert.equal(error.message, detail);
});

test("a response that is not JSON falls back to its status text", async () => {
  const html = new Response("<h1>Bad gateway</h1>", { status: 502, statusText: "Bad Gateway" });
  const error = await failure(html);
  assert.equal(error.status, 502);
  assert.equal(error.message, "Bad Gateway");
});

test("refused staff calls are told to the listeners, public calls are not", async () => {
  const heard = [];
  onRefused((error) => heard.push(error.status));
  await failure(problem(401, { detail: "token revoked" }), false);
  assert.deepEqual(heard, []);
  await failure(problem(401, { detail: "token revoked" }), true);
  assert.deepEqual(heard, [401]);
});

test("a next link becomes a path under the API root, whatever host the API names", () => {
  const base = "http://127.0.0.1:8000/gis/maps/planner";
  assert.equal(
    localPath("http://gridgis.internal/gis/collections/grids/items?offset=100", base, "/gis"),
    "/collections/grids/items?offset=100"
  );
  const local = "/collections/grids/items?offset=100";
  assert.equal(localPath(local, base, ""), local);
});
