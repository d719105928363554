/**
 * The agent desktop (/agent) in real Chromium against the real server: customers chat over the
 * Chat API v1 from Node, open media is submitted by an admin over HTTP. One browser and one
 * server for the file; each test has its own agent and leaves them NotReady, so routing never
 * offers one test's work to another's agent.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { launchBrowser, newPerson, noBrowser, seriousViolations } from "../support/browser.ts";
import { chatApi, entries } from "../support/chat.ts";
import { eventually, startServer, type TestServer } from "../support/server.ts";
import { describeWith } from "../support/suites.ts";

let server: TestServer;
let browser: Browser;
let api: ReturnType<typeof agentApi>;
let chat: ReturnType<typeof chatApi>;

describeWith("agent desktop", noBrowser, () => {
  before(async () => {
    server = await startServer({
      env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50", ROUTING_OFFER_TIMEOUT_MS: "60000", CHAT_TRUST_CLIENT_IDENTITY: "true" },
    });
    api = agentApi(server.url);
    chat = chatApi(server.url);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  let agents = 0;
  /** A new agent (its own name), and a page logged in as them. */
  async function agentAt(extra: object = {}) {
    const userName = `agent${++agents}`;
    const agent = await api.createAgent(userName, { firstName: "Ann", lastName: `Agent${agents}`, ...extra });
    const person = await newPerson(browser);
    await person.page.goto(`${server.url}/agent`);
    await person.page.getByLabel("Username").fill(userName);
    await person.page.getByLabel("Password").fill(`${userName}-password`);
    await person.page.getByRole("button", { name: "Log in", exact: true }).click();
    await person.page.getByRole("button", { name: "Log out", exact: true }).waitFor();
    return { agent, ...person };
  }
  /** The test's agent stops taking work (so the next test's agent gets it) and its context closes. */
  async function done(agent: TestAgent, person: { context: { close(): Promise<void> }; errors: string[] }) {
    await api.request("POST", "/me", agent.headers, { operationName: "NotReady", reason: "Other" });
    await person.context.close();
    assert.deepEqual(person.errors, [], "no page errors");
  }
  async function readyOnChat(page: Page) {
    await page.getByRole("button", { name: "Ready on chat", exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-channel="chat"]')?.textContent?.startsWith("Ready"));
  }
  /** A customer opens a chat; resolves with the service id. */
  async function customerChat(form: Record<string, string> = {}) {
    const id = await chat.create("request-chat");
    const start = await chat.call(id, "ixn/chat", { firstName: "Vasya", lastName: "Pupkin", subject: "refund", ...form });
    assert.equal(start.status, 200, start.text);
    return id;
  }
  async function acceptOffer(page: Page) {
    await page.getByRole("button", { name: "Accept", exact: true }).click();
    await page.getByRole("textbox", { name: "Message", exact: true }).waitFor();
  }

  it("logs in: a wrong password is an alert in the form; then the desk, kept across a reload; Log out", async () => {
    await api.createAgent("lena", { firstName: "Lena", lastName: "Login" });
    const { page, context, errors } = await newPerson(browser);
    await page.goto(`${server.url}/agent`);
    await page.getByLabel("Username").fill("lena");
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong username or password" }).waitFor();
    await page.getByLabel("Password").fill("lena-password");
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await page.getByText("Lena Login").waitFor();
    await page.reload();
    await page.getByText("Lena Login").waitFor();
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await page.getByRole("button", { name: "Log in", exact: true }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Log in", exact: true }).waitFor();
    await context.close();
    assert.deepEqual(errors, []);
  });

  it("Ready and Not Ready with a reason act on every channel; a channel's own toggle; the server's changes show", async () => {
    const { agent, page, ...person } = await agentAt();
    const channels = async () =>
      (await api.request("GET", "/me/channels", agent.headers)).body.channels as { channel: string; userState: { state: string; reason?: string } }[];
    await page.getByRole("button", { name: "Ready", exact: true }).click();
    await eventually(async () => ((await channels()).every((c) => c.userState.state === "Ready") ? true : undefined), 5000, "Ready everywhere");
    await page.getByRole("combobox", { name: "Not Ready reason" }).selectOption("Lunch");
    await page.getByRole("button", { name: "Not Ready", exact: true }).click();
    await eventually(
      async () => ((await channels()).every((c) => c.userState.state === "NotReady" && c.userState.reason === "Lunch") ? true : undefined),
      5000,
      "NotReady (Lunch) everywhere",
    );
    await page.getByRole("button", { name: "Ready on openmedia", exact: true }).click();
    await eventually(async () => {
      const list = await channels();
      return list.find((c) => c.channel === "openmedia")?.userState.state === "Ready" && list.find((c) => c.channel === "chat")?.userState.state === "NotReady"
        ? true
        : undefined;
    });
    await page
      .locator('[data-channel="openmedia"]')
      .filter({ hasText: /^Ready \d\d:\d\d/ })
      .waitFor();
    // The server changes it (here through the API, as another desktop would): the notification shows it.
    await api.request("POST", "/me/channels/openmedia", agent.headers, { operationName: "NotReady", reason: "Meeting" });
    await page.locator('[data-channel="openmedia"]').filter({ hasText: "Not Ready (Meeting)" }).waitFor();
    await done(agent, person);
  });
});
