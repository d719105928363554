/**
 * The supervisor view in /agent, in real Chromium against the real server: the Queues and
 * Agents tables follow the contact center live (notices on /v2/supervisor/changes, no reload),
 * the longest wait ticks on its own, an administrator creates a queue and a user from the view
 * (keyboard only for the queue), a plain agent gets no such view, and axe finds nothing serious.
 * Everything is found by its accessible name: the headings and tables are a fixed interface.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { launchBrowser, newPerson, noBrowser, seriousViolations } from "../support/browser.ts";
import { call, eventually, startServer, type TestServer } from "../support/server.ts";
import { describeWith } from "../support/suites.ts";

const WAIT = { timeout: 15_000 };

describeWith("the supervisor view", noBrowser, () => {
  let server: TestServer;
  let browser: Browser;
  let ann: TestAgent;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    const api = agentApi(server.url);
    await api.createAgent("sue", { firstName: "Sue", lastName: "Visor" }, ["ROLE_SUPERVISOR"]);
    ann = await api.createAgent("ann", { firstName: "Ann", lastName: "Agent" });
    assert.equal((await call("POST", `${server.url}/api/v2/queues`, { name: "live" }, ADMIN)).body.statusCode, 0);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Logs in on the desktop; a supervisor or admin then opens the Supervisor view. */
  async function logIn(page: Page, userName: string, password = `${userName}-password`, supervise = true): Promise<void> {
    await page.goto(`${server.url}/agent`);
    await page.getByLabel("Username").fill(userName);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("button", { name: "Log out" }).waitFor(WAIT);
    if (supervise) await page.getByRole("button", { name: "Supervisor", exact: true }).click();
  }

  /** The cells of a queue's row: waiting, longest wait, qualified, ready. */
  function queueCells(page: Page, name: string): Locator {
    const table = page.getByRole("table", { name: "Queues" });
    return table
      .getByRole("row")
      .filter({ has: page.getByRole("rowheader", { name, exact: true }) })
      .getByRole("cell");
  }

  async function cellText(cells: Locator, index: number): Promise<string> {
    return ((await cells.nth(index).textContent({ timeout: 1000 })) ?? "").trim();
  }

  /** Waits until `read` gives `expected` (what the page shows), or fails naming what it last saw. */
  async function shows(read: () => Promise<string>, expected: string | RegExp, what: string): Promise<void> {
    let last = "";
    const matched = () => (typeof expected === "string" ? last === expected : expected.test(last));
    await eventually(
      async () => {
        last = await read().catch((err: Error) => `(${err.message.split("\n")[0]})`);
        return matched() ? true : undefined;
      },
      15_000,
      what,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: expected ${expected}, the page showed ${JSON.stringify(last)}`);
    });
  }

  it("shows a supervisor the queues and agents as they change, without a reload", async () => {
    const sue = await newPerson(browser);
    const page = sue.page;
    await logIn(page, "sue");
    await page.getByRole("heading", { name: "Queues" }).waitFor(WAIT);
    await page.getByRole("heading", { name: "Agents" }).waitFor(WAIT);
    const live = queueCells(page, "live");
    await shows(() => cellText(live, 0), "0", "live's waiting count");
    assert.equal(await cellText(live, 1), "0:00");
    assert.equal(await cellText(live, 3), "0");
    await page.evaluate(() => {
      (globalThis as { notReloaded?: boolean }).notReloaded = true;
    });

    // Work arrives and waits: the count moves at once, the longest wait ticks on in the page.
    const api = agentApi(server.url);
    await api.submit({ subject: "watch me" }, "live");
    await shows(() => cellText(live, 0), "1", "live's waiting count");
    await shows(() => cellText(live, 1), /^0:0[1-9]$/, "live's longest wait ticking");

    // Ann goes Ready: she counts as ready, routing offers her the work, and the Agents table tells both.
    await api.ready(ann);
    await shows(() => cellText(live, 3), "1", "live's ready agents");
    await shows(() => cellText(live, 0), "0", "live's waiting count once offered");
    const annRow = page
      .getByRole("table", { name: "Agents" })
      .getByRole("row")
      .filter({ has: page.getByRole("rowheader", { name: /Ann Agent/ }) });
    await shows(async () => ((await annRow.getByRole("cell").nth(1).textContent()) ?? "").trim(), /^Ready\s*(load\s*)?1\/3$/, "Ann's open media state");
    await shows(async () => ((await annRow.getByRole("cell").nth(4).textContent()) ?? "").trim(), "Open media, Invited, queue live", "Ann's interactions");

    assert.equal(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded), true);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(sue.errors, []);
    await sue.context.close();
  });

  it("lets an administrator create a queue (keyboard only) and a user, who appear; errors are alerts", async () => {
    const admin = await newPerson(browser);
    const page = admin.page;
    await logIn(page, "admin", ADMIN_PASSWORD);
    await page.getByRole("heading", { name: "Queues" }).waitFor(WAIT);

    const queueForm = page.getByRole("form", { name: "Create a queue" });
    await queueForm.getByLabel("Queue name").focus();
    await page.keyboard.type("escalations");
    await page.keyboard.press("Tab");
    await page.keyboard.type("billing=5");
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { text: el.textContent, outline: getComputedStyle(el).outlineStyle };
    });
    assert.deepEqual(focused, { text: "Create queue", outline: "solid" });
    await page.keyboard.press("Enter");
    await queueForm.getByRole("status").getByText("Queue escalations created.").waitFor(WAIT);
    await page.getByRole("table", { name: "Queues" }).getByRole("rowheader", { name: "escalations", exact: true }).waitFor(WAIT);
    // Nobody has billing yet.
    await shows(() => cellText(queueCells(page, "escalations"), 2), "0", "escalations' qualified agents");

    // The same name again: refused, and said so.
    await queueForm.getByLabel("Queue name").fill("escalations");
    await queueForm.getByRole("button", { name: "Create queue" }).click();
    await queueForm
      .getByRole("alert")
      .getByText(/exists/)
      .waitFor(WAIT);

    const userForm = page.getByRole("form", { name: "Create a user" });
    await userForm.getByLabel("User name").fill("newbie");
    await userForm.getByLabel("Password").fill("newbie-password");
    await userForm.getByLabel("First name").fill("Nell");
    await userForm.getByLabel("Last name").fill("Newbie");
    await userForm.getByRole("checkbox", { name: "Supervisor" }).check();
    await userForm.getByLabel("Skills").fill("billing=11");
    await userForm.getByRole("group", { name: "Capacity per channel" }).getByLabel("Chat").fill("2");
    await userForm.getByRole("button", { name: "Create user" }).click();
    await userForm
      .getByRole("alert")
      .getByText(/billing=11/)
      .waitFor(WAIT);
    await userForm.getByLabel("Skills").fill("billing=6");
    await userForm.getByRole("button", { name: "Create user" }).click();
    await userForm.getByRole("status").getByText("User newbie created.").waitFor(WAIT);
    await page
      .getByRole("table", { name: "Agents" })
      .getByRole("rowheader", { name: /Nell Newbie/ })
      .waitFor(WAIT);
    await shows(() => cellText(queueCells(page, "escalations"), 2), "1", "escalations' qualified agents");

    const created = (await call("GET", `${server.url}/api/v2/users`, undefined, ADMIN)).body.users.find((u: { userName: string }) => u.userName === "newbie");
    assert.deepEqual(created.roles, ["ROLE_AGENT", "ROLE_SUPERVISOR"]);
    assert.deepEqual(created.skills, [{ name: "billing", level: 6 }]);
    assert.equal(created.capacity.chat, 2);

    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(admin.errors, []);
    await admin.context.close();
  });

  it("listens to the supervisor notices only while the view shows, however often it is opened, and stays live", async () => {
    const sue = await newPerson(browser);
    const page = sue.page;
    const sent: string[] = [];
    page.on("websocket", (ws) => ws.on("framesent", (frame) => sent.push(String(frame.payload))));
    await logIn(page, "sue");
    await page.getByRole("heading", { name: "Queues" }).waitFor(WAIT);
    /** Frames sent on the supervisor channel with `meta` (/meta/subscribe, /meta/unsubscribe). */
    const frames = (meta: string) => sent.filter((f) => f.includes(`"${meta}"`) && f.includes('"/v2/supervisor/changes"')).length;
    const counts = (subscribed: number, unsubscribed: number, what: string) =>
      eventually(async () => (frames("/meta/subscribe") === subscribed && frames("/meta/unsubscribe") === unsubscribed ? true : undefined), 5000, what);
    await counts(1, 0, "subscribed once");
    for (let i = 1; i <= 3; i++) {
      await page.getByRole("button", { name: "Desk", exact: true }).click();
      await counts(i, i, "unsubscribed on leaving the view");
      await page.getByRole("button", { name: "Supervisor", exact: true }).click();
      await counts(i + 1, i, "subscribed again on coming back");
    }
    // Still live: Ann's state changes on the server, and the Agents table follows.
    const annRow = page
      .getByRole("table", { name: "Agents" })
      .getByRole("row")
      .filter({ has: page.getByRole("rowheader", { name: /Ann Agent/ }) });
    const annOpenMedia = async () => ((await annRow.getByRole("cell").nth(1).textContent()) ?? "").trim();
    await call("POST", `${server.url}/api/v2/me/channels/openmedia`, { operationName: "NotReady" }, ann.headers);
    await shows(annOpenMedia, /^Not Ready/, "Ann's open media state after NotReady");
    await call("POST", `${server.url}/api/v2/me/channels/openmedia`, { operationName: "Ready" }, ann.headers);
    await shows(annOpenMedia, /^Ready/, "Ann's open media state after Ready");
    assert.deepEqual(sue.errors, []);
    await sue.context.close();
  });

  it("is not shown to a plain agent", async () => {
    const agent = await newPerson(browser);
    const page = agent.page;
    await logIn(page, "ann", "ann-password", false);
    await page.getByRole("button", { name: "Ready", exact: true }).waitFor(WAIT);
    assert.equal(await page.getByRole("button", { name: "Supervisor", exact: true }).count(), 0);
    assert.equal(await page.getByRole("heading", { name: "Queues" }).count(), 0);
    assert.equal(await page.getByRole("table", { name: "Agents" }).count(), 0);
    assert.equal(await page.getByRole("form", { name: "Create a user" }).count(), 0);
    await agent.context.close();
  });
});
