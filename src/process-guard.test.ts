import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Runs a module body in a child process (the handler is process-wide); resolves with its exit and output. */
async function run(body: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", body], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe("logUnhandledRejections", () => {
  it("logs a rejection nobody caught, with its message, and the process goes on", async () => {
    const result = await run(`
      import { logUnhandledRejections } from "./src/process-guard.ts";
      import { createLogger } from "./src/logger.ts";
      logUnhandledRejections(createLogger("error"));
      Promise.reject(new Error("forgotten catch"));
      setImmediate(() => setImmediate(() => process.stdout.write("still serving\\n")));
    `);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /unhandled promise rejection/);
    assert.match(result.stdout, /forgotten catch/);
    assert.match(result.stdout, /still serving/);
  });

  it("without it, the same rejection ends the process (what the guard prevents)", async () => {
    const result = await run(`Promise.reject(new Error("forgotten catch")); setImmediate(() => setImmediate(() => process.stdout.write("still serving\\n")));`);
    assert.notEqual(result.code, 0);
    assert.doesNotMatch(result.stdout, /still serving/);
  });
});
