// Nuvem test fixture: answers on $PORT with what the build left behind.
const express = require("express");
const build = require("./build-info.json");

const app = express();
app.get("/", (req, res) => res.send(`Hello from Express on Node.js ${process.version}, built at ${build.builtAt}\n`));

const port = Number(process.env.PORT || 5000);
app.listen(port, () => console.log(`listening on ${port}`));
