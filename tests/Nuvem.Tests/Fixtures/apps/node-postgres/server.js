// GET /notes lists the rows; POST /notes with a body stores one. Everything goes through the add-on's database.
const http = require("http");
const { pool } = require("./db");

const db = pool();

http.createServer(async (req, res) => {
  try {
    if (req.url === "/notes" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const { rows } = await db.query("INSERT INTO notes (body) VALUES ($1) RETURNING id", [body]);
      res.writeHead(201, { "content-type": "application/json" });
      return res.end(JSON.stringify({ id: rows[0].id }));
    }
    if (req.url === "/notes") {
      const { rows } = await db.query("SELECT body FROM notes ORDER BY id");
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(rows.map((r) => r.body)));
    }
    res.writeHead(404);
    res.end("not found\n");
  } catch (e) {
    res.writeHead(500, { "content-type": "text/plain" });
    res.end(`database error: ${e.message}\n`);
  }
}).listen(process.env.PORT, () => console.log(`listening on ${process.env.PORT}`));
