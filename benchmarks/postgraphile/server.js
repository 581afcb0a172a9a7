// PostGraphile 4 in library mode: the reference benchmarks/compare.py measures maillage's
// API against. Started as the runtime role (DATABASE_URL: maillage_app, no BYPASSRLS), so
// PostgreSQL's row-level security applies as it does to maillage; each request's
// transaction gets `app.tenant_id` from the X-Tenant-Id header (PostGraphile's pgSettings
// issue set_config(..., true) in the transaction it opens for the request).
//
// WORKERS processes share PORT (node:cluster), as `maillage serve --workers N` does;
// each has a pool of POOL_SIZE connections (maillage's pool_size + max_overflow).
"use strict";

const cluster = require("node:cluster");
const http = require("node:http");

const port = Number(process.env.PORT || 5678);
const workers = Number(process.env.WORKERS || 1);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i += 1) cluster.fork();
  cluster.on("exit", (worker, code) => {
    console.error(`postgraphile worker ${worker.process.pid} exited (${code})`);
    process.exit(1);
  });
} else {
  const { Pool } = require("pg");
  const { postgraphile } = require("postgraphile");
  const { makePgSmartTagsPlugin } = require("graphile-utils");
  // A self-referencing unique foreign key (a period's `previous`) gives a forward and a
  // backward field of the same name; the backward one is renamed here, in the schema
  // PostGraphile builds, leaving the database (maillage's) untouched.
  const SelfReferences = makePgSmartTagsPlugin({
    kind: "constraint",
    match: (c) => {
      if (c.type !== "f" || c.classId !== c.foreignClassId) return false;
      c.tags.foreignSingleFieldName = `reverseOf_${c.name}`;
      return true;
    },
    tags: {},
  });
  SelfReferences.displayName = "SelfReferences";
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.POOL_SIZE || 20),
  });
  const handler = postgraphile(pool, "public", {
    pgSettings: (req) => ({ "app.tenant_id": req.headers["x-tenant-id"] || "" }),
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    ignoreRBAC: false,
    disableQueryLog: true,
    retryOnInitFail: false,
    graphiql: false,
    enableQueryBatching: false,
    appendPlugins: [SelfReferences],
  });
  http.createServer(handler).listen(port, "127.0.0.1", () => {
    console.log(`postgraphile listening on http://127.0.0.1:${port}/graphql`);
  });
}
