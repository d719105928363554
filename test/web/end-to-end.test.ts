/**
 * The whole path through the pages, in real Chromium: a customer chats from `/` with an agent on
 * `/agent`, both ways; the agent transfers the chat to a second agent; the customer reloads in
 * the middle and still sees the whole transcript, once; the chat ends and is in the customer's
 * contact history. Everything goes through the pages by their accessible names (a fixed interface).
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ADMIN_PASSWORD, agentApi } from "../support/agents.ts";
import { launchBrowser, newPerson, noBrowser } from "../support/browser.ts";
import { call, eventually, startServer, type TestServer } from "../support/server.ts";
import { describeWith } from "../support/suites.ts";

const WAIT = { timeout: 15_000 };

describeWith("the pages end to end", noBrowser, () => {
  let server: TestServer;
  let browser: Browser;
  let customerId: string;
  before(async () => {
    // The customer's email names their profile, and this deployment trusts what its widget says.
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, CHAT_TRUST_CLIENT_IDENTITY: "true" } });
    const api = agentApi(server.url);
    await api.createAgent("grace", { firstName: "Grace", lastName: "Hopper" });
    await api.createAgent("alan", { firstName: "Alan", lastName: "Turing" });
    const profile = await call("POST", `${server.cs}/profiles`, { FirstName: "Ada", LastName: "Lovelace", EmailAddress: "ada@example.com" });
    assert.equal(profile.status, 201, profile.text);
    customerId = profile.body.customer_id;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function logIn(page: Page, userName: string): Promise<void> {
    await page.goto(`${server.url}/agent`);
    await page.getByLabel("Username").fill(userName);
    await page.getByLabel("Password").fill(`${userName}-password`);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("button", { name: "Ready", exact: true }).click(WAIT);
  }

  /** The texts of a transcript's entries that contain `needle`, as the log shows them. */
  async function occurrences(page: Page, needle: string): Promise<number> {
    const text = (await page.getByRole("log").first().textContent()) ?? "";
    return text.split(needle).length - 1;
  }

  it("a customer and two agents: both ways, a transfer, a reload, the end, the history", async () => {
    const customer = await newPerson(browser, { width: 390, height: 800 });
    const grace = await newPerson(browser);
    const alan = await newPerson(browser);
    await logIn(grace.page, "grace");

    const c = customer.page;
    await c.goto(`${server.url}/`);
    await c.getByLabel("Name").fill("Ada Lovelace");
    await c.getByLabel("Email").fill("ada@example.com");
    await c.getByLabel("Subject").fill("Parcel");
    await c.getByRole("button", { name: "Start chat" }).click();

    await grace.page.getByRole("button", { name: "Accept" }).click(WAIT);
    await c.getByLabel("Message").fill("Where is my parcel?");
    await c.getByRole("button", { name: "Send" }).click();
    await grace.page.getByRole("log").getByText("Where is my parcel?").waitFor(WAIT);
    await grace.page.getByLabel("Message").fill("Let me check, one moment.");
    await grace.page.getByRole("button", { name: "Send", exact: true }).click();
    await c.getByRole("log").getByText("Let me check, one moment.").waitFor(WAIT);

    // Grace hands the chat to Alan, who accepts and answers.
    await logIn(alan.page, "alan");
    await grace.page.getByRole("button", { name: "Transfer", exact: true }).click();
    const dialog = grace.page.getByRole("dialog");
    await dialog.getByText("Alan Turing").click(WAIT);
    await dialog.getByRole("button", { name: "Transfer" }).click();
    await alan.page.getByRole("button", { name: "Accept" }).click(WAIT);
    await alan.page.getByRole("log").getByText("Where is my parcel?").waitFor(WAIT);
    await alan.page.getByLabel("Message").fill("It leaves the depot today.");
    await alan.page.getByRole("button", { name: "Send", exact: true }).click();
    await c.getByRole("log").getByText("It leaves the depot today.").waitFor(WAIT);

    // A reload in the middle: the whole transcript again, nothing doubled.
    await c.reload();
    await c.getByRole("log").getByText("It leaves the depot today.").waitFor(WAIT);
    for (const line of ["Where is my parcel?", "Let me check, one moment.", "It leaves the depot today."]) {
      assert.equal(await occurrences(c, line), 1, line);
    }
    await c.getByLabel("Message").fill("Thanks, bye!");
    await c.getByRole("button", { name: "Send" }).click();
    await alan.page.getByRole("log").getByText("Thanks, bye!").waitFor(WAIT);

    await c.getByRole("button", { name: "End chat" }).click();
    const history = await eventually(
      async () => {
        const entries = (await call("GET", `${server.cs}/customers/${customerId}/interactions`)).body;
        return Array.isArray(entries) && entries.length > 0 ? entries : undefined;
      },
      15_000,
      "the chat in the customer's history",
    );
    const transcript = await call("GET", `${server.cs}/interactions/${history[0].interaction_id}/plain_text`);
    for (const line of ["Where is my parcel?", "Let me check, one moment.", "It leaves the depot today.", "Thanks, bye!"]) {
      assert.ok(transcript.text.includes(line), `${line} in the history's transcript`);
    }
    for (const person of [customer, grace, alan]) assert.deepEqual(person.errors, []);
  });
});
