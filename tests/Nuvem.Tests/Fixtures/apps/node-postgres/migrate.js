// The release phase: create the schema (idempotent), so the web dynos of this release find it.
const { pool } = require("./db");

(async () => {
  const db = pool();
  await db.query("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL, created_at timestamptz DEFAULT now())");
  const { rows } = await db.query("SELECT count(*)::int AS n FROM notes");
  console.log(`migrated: notes table ready (${rows[0].n} rows)`);
  await db.end();
})().catch((e) => {
  console.error(`migration failed: ${e.message}`);
  process.exit(1);
});
