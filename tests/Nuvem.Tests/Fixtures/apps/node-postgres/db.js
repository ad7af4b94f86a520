// One pool for the app, from the add-on's DATABASE_URL, over TLS as Heroku asks Node apps to connect.
const { Pool } = require("pg");

function pool() {
  if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL is not set: attach a heroku-postgresql add-on");
  return new Pool({ connectionString: process.env.DATABASE_URL, ssl: { rejectUnauthorized: false }, max: 4 });
}

module.exports = { pool };
