// The "build" script: runs at build time, with devDependencies installed.
const isNumber = require("is-number");
const fs = require("fs");
fs.writeFileSync("build-info.json", JSON.stringify({ builtAt: new Date().toISOString(), checked: isNumber(42) }) + "\n");
console.log("wrote build-info.json");
