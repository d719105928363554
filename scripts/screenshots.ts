/**
 * The README's screenshots of the three pages, taken from the real app in Debian's Chromium:
 * `npm run screenshots` writes docs/screenshots/*.png. A customer chats with agent1 while admin
 * watches the supervisor view; every step goes through the pages by their accessible names.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { launchBrowser } from "../test/support/browser.ts";

const OUT = join(import.meta.dirname, "..", "docs", "screenshots");
const ADMIN_PASSWORD = "screenshot-admin-password";
const DEADLINE = { timeout: 15_000 };

const dir = mkdtempSync(join(tmpdir(), "parley-screenshots-"));
const app = await buildApp(
  loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", DATABASE_URL: `sqlite:${join(dir, "parley.db")}`, PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD }),
);
const url = await app.listen();
const browser = await launchBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  const admin = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`, "content-type": "application/json" };
  for (const [userName, firstName, lastName] of [
    ["agent1", "Grace", "Hopper"],
    ["agent2", "Alan", "Turing"],
  ] as const) {
    await fetch(`${url}/api/v2/users`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ userName, password: `${userName}-screenshot-password`, firstName, lastName, roles: ["ROLE_AGENT"] }),
    });
  }

  const agentPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await agentPage.goto(`${url}/agent`);
  await agentPage.getByLabel("Username").fill("agent1");
  await agentPage.getByLabel("Password").fill("agent1-screenshot-password");
  await agentPage.getByRole("button", { name: "Log in" }).click();
  await agentPage.getByRole("button", { name: "Ready", exact: true }).click(DEADLINE);

  const customer = await (await browser.newContext({ viewport: { width: 390, height: 760 } })).newPage();
  await customer.goto(`${url}/`);
  await customer.getByLabel("Name").fill("Ada Lovelace");
  await customer.getByLabel("Email").fill("ada@example.com");
  await customer.getByLabel("Subject").fill("My parcel has not arrived");
  await customer.getByRole("button", { name: "Start chat" }).click();

  await agentPage.getByRole("button", { name: "Accept" }).click(DEADLINE);
  await customer.getByLabel("Message").fill("Hello! Order A-17 was due on Monday.");
  await customer.getByRole("button", { name: "Send" }).click();
  await agentPage.getByText("Order A-17 was due on Monday").waitFor(DEADLINE);
  await agentPage.getByLabel("Message").fill("Sorry about that, Ada. Let me look it up for you.");
  await agentPage.getByRole("button", { name: "Send", exact: true }).click();
  await customer.getByText("Let me look it up for you").waitFor(DEADLINE);
  await customer.getByLabel("Message").fill("Thank you!");
  await customer.getByRole("button", { name: "Send" }).click();
  await agentPage.getByText("Thank you!").waitFor(DEADLINE);

  await customer.screenshot({ path: join(OUT, "widget.png") });
  await agentPage.screenshot({ path: join(OUT, "agent-desktop.png") });

  // A second chat waits in queue, so the supervisor has something to see.
  const waiting = await (await browser.newContext()).newPage();
  await waiting.goto(`${url}/`);
  await waiting.getByLabel("Name").fill("Charles Babbage");
  await waiting.getByLabel("Email").fill("charles@example.com");
  await waiting.getByLabel("Subject").fill("Invoice");
  await waiting.getByRole("button", { name: "Start chat" }).click();

  const supervisor = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await supervisor.goto(`${url}/agent`);
  await supervisor.getByLabel("Username").fill("admin");
  await supervisor.getByLabel("Password").fill(ADMIN_PASSWORD);
  await supervisor.getByRole("button", { name: "Log in" }).click();
  await supervisor.getByRole("button", { name: "Supervisor", exact: true }).click(DEADLINE);
  const queues = supervisor.getByRole("heading", { name: "Queues" });
  await queues.waitFor(DEADLINE);
  await supervisor
    .getByRole("row", { name: /default/ })
    .first()
    .waitFor(DEADLINE);
  await supervisor.screenshot({ path: join(OUT, "supervisor.png") });
  process.stdout.write(`screenshots written to ${OUT}\n`);
} finally {
  await browser.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
