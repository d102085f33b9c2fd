import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { controlSocketPath, prepareSocketFolder } from "../../src/control/control-socket-path.ts";

/** Sets XDG_RUNTIME_DIR (or removes it) for the rest of the test. */
function runtimeDir(t: TestContext, value: string | undefined): void {
  const previous = process.env["XDG_RUNTIME_DIR"];
  if (value === undefined) delete process.env["XDG_RUNTIME_DIR"];
  else process.env["XDG_RUNTIME_DIR"] = value;
  t.after(() => (previous === undefined ? delete process.env["XDG_RUNTIME_DIR"] : (process.env["XDG_RUNTIME_DIR"] = previous)));
}

const longDatabase = `/data/${"a-rather-long-folder-name/".repeat(4)}index.duckdb`;

test("the socket sits beside the database while its path fits in a Unix socket address", () => {
  const database = `/d/${"x".repeat(107 - "/d/".length - ".sock".length)}`;
  assert.equal(controlSocketPath(database), `${database}.sock`);
  assert.notEqual(controlSocketPath(`${database}y`), `${database}y.sock`);
});

test("a long database path gets a short socket keyed by its hash, in XDG_RUNTIME_DIR or else a private temp folder", (t) => {
  runtimeDir(t, "/run/user/4242");
  const inRuntime = controlSocketPath(longDatabase);
  assert.match(inRuntime, /^\/run\/user\/4242\/sync-pipeline\/[0-9a-f]{16}\.sock$/);
  assert.equal(controlSocketPath(longDatabase), inRuntime, "client and server compute the same path");
  assert.notEqual(controlSocketPath(longDatabase.replace("index", "other")), inRuntime, "another database, another socket");
  runtimeDir(t, undefined);
  assert.equal(controlSocketPath(longDatabase), join(tmpdir(), `sync-pipeline-${process.getuid?.()}`, inRuntime.split("/").pop() as string));
});

test("the fallback folder is created with mode 0700, and one open to others is refused", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "socket-path-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  runtimeDir(t, dir);
  const path = controlSocketPath(longDatabase);
  await prepareSocketFolder(path, longDatabase);
  assert.equal((await stat(join(dir, "sync-pipeline"))).mode & 0o777, 0o700);
  await prepareSocketFolder(path, longDatabase); // already there: fine

  await chmod(join(dir, "sync-pipeline"), 0o755);
  await assert.rejects(prepareSocketFolder(path, longDatabase), {
    message: `${join(dir, "sync-pipeline")} (for the control socket) must be a folder owned by this user with mode 0700; move it away or fix it`,
  });
  await rm(join(dir, "sync-pipeline"), { recursive: true });
  await mkdir(join(dir, "elsewhere"), { mode: 0o700 });
  await symlink(join(dir, "elsewhere"), join(dir, "sync-pipeline"));
  await assert.rejects(prepareSocketFolder(path, longDatabase), /must be a folder owned by this user/);
  await rm(join(dir, "sync-pipeline"));
  await writeFile(join(dir, "sync-pipeline"), "", { mode: 0o600 });
  await assert.rejects(prepareSocketFolder(path, longDatabase), /must be a folder owned by this user/);
});
