/**
 * The README's examples, run as printed so they stay true: every ```sh block after a
 * `<!-- README test: NAME -->` marker, the blocks of one NAME in one bash with `set -eu` (a
 * variable used before it is set fails), against a server started as `npm start` starts one,
 * whose first start prints the demo users' passwords. The settings a reader is told to set
 * (`BASE=`, `..._PASSWORD=`) get this server's URL and the printed passwords. The answers a block
 * shows in comments (`# {...}`, continued on `#   ...` lines; `...` standing for what varies) must
 * be all its commands print, in order.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { spawnServer, type ServerProcess } from "../support/process.ts";
import { eventually } from "../support/server.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");
/** Where the README says parley listens: an answer that names it names the test's server instead. */
const README_BASE = "http://localhost:8080";

/** The blocks marked `README test: name`, in the README's order, as one script. */
function runnable(name: string): string {
  const marked = [...README.matchAll(/<!-- README test: (\S+)[^\n]*-->\n```sh\n([\s\S]*?)```/g)].filter((m) => m[1] === name);
  assert.ok(marked.length > 0, `README.md has a block marked "README test: ${name}"`);
  return marked.map((m) => m[2]).join("");
}

/** The script with each setting line (`NAME=...`, which must be there) given this test's value. */
function withSettings(script: string, settings: Record<string, string>): string {
  let result = script;
  for (const [name, value] of Object.entries(settings)) {
    const line = new RegExp(`^${name}=.*$`, "m");
    assert.match(result, line, `the block sets ${name}`);
    result = result.replace(line, `${name}='${value}'`);
  }
  return result;
}

/** The answers a script shows in its comments, each up to its last `}` or `]` (a note may follow). */
function shownAnswers(script: string): string[] {
  const answers: string[] = [];
  let current: string | null = null;
  for (const line of script.split("\n")) {
    if (current !== null && /^# {2,}/.test(line)) {
      current += line.replace(/^#\s+/, "");
      continue;
    }
    if (current !== null) answers.push(current);
    current = /^# [{[]/.test(line) ? line.slice(2) : null;
  }
  if (current !== null) answers.push(current);
  return answers.map((answer) => answer.slice(0, Math.max(answer.lastIndexOf("}"), answer.lastIndexOf("]")) + 1));
}

/** Everything the commands may print: the shown answers one after the other, `...` any string content. */
function printedPattern(script: string, base: string): RegExp {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const answers = shownAnswers(script).map((answer) => answer.replaceAll(README_BASE, base).split("...").map(literal).join('[^"]*'));
  return new RegExp(`^${answers.join("")}$`);
}

async function bash(script: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn("bash", ["-eu", "-o", "pipefail", "-s"], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(script);
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

// The examples build on each other as a reader's would: the agent API's ada, then the CLI on the
// same database once the server is stopped. The tests run in this order.
describe("the README's examples, run as printed", () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-readme-"));
  const database = { DATABASE_URL: `sqlite:${join(dir, "parley.db")}` };
  let server: ServerProcess | null = null;
  let base = "";
  const passwords = new Map<string, string>();

  const stop = async () => {
    if (server === null) return;
    server.child.kill("SIGTERM");
    await server.exited;
    server = null;
  };

  before(async () => {
    const started = await spawnServer({ ...database, PARLEY_DEMO_USERS: "true", PARLEY_ADMIN_PASSWORD: "" });
    server = started;
    base = started.url;
    // As a reader finds them: the lines the first start prints, `  agent1   <password>  (ROLE_AGENT)`.
    const printed = await eventually(async () => (/^ {2}agent2 /m.test(started.stderr()) ? started.stderr() : undefined), 10_000, "the demo passwords");
    for (const [, name, password] of printed.matchAll(/^ {2}(\S+) +(\S+) {2}\(/gm))
      if (name !== undefined && password !== undefined) passwords.set(name, password);
  });
  after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("First chat in five commands: a customer and agent1, with curl alone", async () => {
    const script = withSettings(runnable("first-chat"), { BASE: base, AGENT1_PASSWORD: passwords.get("agent1") ?? "" });
    const result = await bash(script);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, printedPattern(script, base));
  });

  it("Agent API: who the admin is, a new user ada, a queue and an interaction she accepts", async () => {
    const script = withSettings(runnable("agent-api"), { BASE: base, ADMIN_PASSWORD: passwords.get("admin") ?? "" });
    const result = await bash(script);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, printedPattern(script, base));
  });

  it("Chat API v2: a customer starts a chat, sends, reads it back and leaves, with curl alone", async () => {
    const script = withSettings(runnable("chat-v2"), { BASE: base });
    const result = await bash(script);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, printedPattern(script, base));
  });

  it("Operator CLI: on the same database, once the server is stopped (SQLite)", async () => {
    await stop();
    const result = await bash(runnable("cli"), database);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^created grace \(id \w+\), password: \S+$/m);
    assert.match(result.stdout, /^created sam \(id \w+\)$/m);
    assert.match(result.stdout, /^password of grace changed: \S+$/m);
    assert.match(result.stdout, /^\w+ {2}ada {2}ROLE_AGENT$/m, "the agent API's ada is listed");
    assert.match(result.stdout, /^removed grace$/m);
  });
});
