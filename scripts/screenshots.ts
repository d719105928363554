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

/** A POST whose answer must be a success; its JSON body. */
async function send(to: string, headers: Record<string, string>, body: unknown): Promise<Record<string, any>> {
  const response = await fetch(to, { method: "POST", headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${to}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text === "" ? {} : JSON.parse(text);
}

const dir = mkdtempSync(join(tmpdir(), "parley-screenshots-"));
const app = await buildApp(
  loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", DATABASE_URL: `sqlite:${join(dir, "parley.db")}`, PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD }),
);
const url = await app.listen();
const browser = await launchBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  const admin = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`, "content-type": "application/json" };
  // agent1 takes one chat at a time, so the second customer waits in the queue the supervisor watches.
  for (const [userName, firstName, lastName, chats] of [
    ["agent1", "Grace", "Hopper", 1],
    ["agent2", "Alan", "Turing", 3],
  ] as const) {
    await send(`${url}/api/v2/users`, admin, {
      userName,
      password: `${userName}-screenshot-password`,
      firstName,
      lastName,
      roles: ["ROLE_AGENT"],
      capacity: { chat: chats },
    });
  }
  // Ada has a profile and a journey in Context Services: the agent's customer panel shows them.
  const cs = `${url}/genesys/1/cs`;
  const json = { "content-type": "application/json" };
  const profile = await send(`${cs}/profiles`, json, { FirstName: "Ada", LastName: "Lovelace", EmailAddress: "ada@example.com" });
  const service = await send(`${cs}/services/start`, json, { customer_id: profile.customer_id, service_type: "delivery", Order: { id: "A-17", items: 2 } });
  await send(`${cs}/services/${service.service_id}/states/start`, json, { state_type: "in-transit" });

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
  await agentPage.getByText("in-transit").first().waitFor(DEADLINE);

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
