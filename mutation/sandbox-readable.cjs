// Stryker makes its sandbox with mkdtemp, so only its owner can enter it.
// test/spine/bad-input.test.ts runs the CLI as user "nobody" (setpriv), which
// must reach bin/ and dist/ inside the sandbox, as it does in a normal checkout.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const sandbox = process.cwd();
if (path.basename(sandbox).startsWith("sandbox-") && path.basename(path.dirname(sandbox)) === ".stryker-tmp") {
  fs.chmodSync(sandbox, 0o755);
}
