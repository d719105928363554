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
import { gate, holdFirst, launchBrowser, newPerson, noBrowser, seriousViolations } from "../support/browser.ts";
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
  async function acceptOffer(page: Page, subjectText: string) {
    await page.getByRole("article").filter({ hasText: subjectText }).getByRole("button", { name: "Accept", exact: true }).click();
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

  /** The interaction id of the chat of service `serviceId`. */
  async function chatId(agent: TestAgent, subjectText: string) {
    return eventually(async () => (await api.mine(agent)).find((ix) => ix.userData.subject === subjectText)?.id, 5000, `the chat about ${subjectText}`);
  }
  const transcript = async (serviceId: string) => entries(await chat.call(serviceId, "ixn/chat/refresh", { transcriptPosition: "1" }));

  it("an offer shows its media, queue, subject and time left in the page and the title; Reject sends it back, Accept opens it", async () => {
    const { agent, page, ...person } = await agentAt();
    await readyOnChat(page);
    const rejected = await customerChat({ subject: "first-offer" });
    const offer = page.getByRole("article").filter({ hasText: "first-offer" });
    await offer.waitFor();
    assert.match((await offer.textContent()) ?? "", /chat.*default.*first-offer.*\d\d:\d\d/s);
    await page.waitForFunction(() => document.title === "(1) New chat – parley");
    const first = await chatId(agent, "first-offer");
    await offer.getByRole("button", { name: "Reject", exact: true }).click();
    await offer.waitFor({ state: "detached" });
    await eventually(async () => ((await api.request("GET", `/interactions/${first}`, ADMIN)).body.interaction.state !== "Invited" ? true : undefined));
    await page.waitForFunction(() => document.title === "parley agent desktop");
    // The customer gives up: nothing of this test is left waiting for the next test's agent.
    await chat.call(rejected, "ixn/chat/disconnect");
    await customerChat({ subject: "second-offer" });
    await page.getByRole("article").filter({ hasText: "second-offer" }).waitFor();
    await acceptOffer(page, "second-offer");
    await page.getByRole("tab", { name: /Vasya Pupkin/ }).waitFor();
    await api.sees(agent, await chatId(agent, "second-offer"), "Accepted");
    await done(agent, person);
  });

  it("a chat both ways: times, the customer's typing, Enter sends, Push URL, XSS shown as text, case data, Complete", async () => {
    const { agent, page, ...person } = await agentAt();
    await readyOnChat(page);
    const service = await customerChat({ subject: "both-ways" });
    await acceptOffer(page, "both-ways");
    const id = await chatId(agent, "both-ways");
    const log = page.getByRole("log");
    await chat.call(service, "ixn/chat/send", { message: "hello agent" });
    const entry = log.getByRole("listitem").filter({ hasText: "hello agent" });
    await entry.waitFor();
    assert.match((await entry.textContent()) ?? "", /\d\d:\d\d/, "the entry's time");
    await chat.call(service, "ixn/chat/startTyping");
    await page.getByText("VasyaP is typing…").waitFor();
    await chat.call(service, "ixn/chat/stopTyping");
    await page.getByText("VasyaP is typing…").waitFor({ state: "detached" });

    const box = page.getByRole("textbox", { name: "Message", exact: true });
    await box.fill("line one");
    await box.press("Shift+Enter");
    await box.pressSequentially("line two");
    await box.press("Enter");
    await eventually(async () => ((await transcript(service)).some((e) => e[0] === "Message.Text" && e[2] === "line one\nline two") ? true : undefined));
    await log.getByText("line two").waitFor();
    assert.equal(await box.inputValue(), "");

    await page.getByRole("button", { name: "Push URL", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("textbox", { name: "URL" }).fill("javascript:alert(1)");
    await dialog.getByRole("button", { name: "Push URL", exact: true }).click();
    await dialog.getByRole("alert").waitFor();
    await dialog.getByRole("textbox", { name: "URL" }).fill("https://example.com/help");
    await dialog.getByRole("button", { name: "Push URL", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await eventually(async () =>
      (await transcript(service)).some((e) => e[0] === "Notice.PushUrl" && e[2] === "https://example.com/help") ? true : undefined,
    );
    assert.ok(!(await transcript(service)).some((e) => e[2]?.startsWith("javascript:")), "no javascript: URL pushed");

    const xss = '<img src=x onerror="window.__xss=1">';
    await chat.call(service, "ixn/chat/send", { message: xss });
    await log.getByText(xss, { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await log.locator("img").count(), 0);

    // What the chat service attached for itself is shown apart, not as case data to edit.
    await page.getByText(/From the chat service/).waitFor();
    assert.equal(await page.getByRole("textbox", { name: "Value of gms_service_id" }).count(), 0);
    assert.equal(await page.getByRole("textbox", { name: "Value of poke_url" }).count(), 0);
    await page.getByRole("textbox", { name: "Key", exact: true }).fill("disposition");
    await page.getByRole("textbox", { name: "Value", exact: true }).fill("solved");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("textbox", { name: "Value of disposition" }).waitFor();
    const stored = (await api.request("GET", `/interactions/${id}`, agent.headers)).body.interaction;
    assert.equal(stored.userData.disposition, "solved");
    // Someone else's change (a PUT) arrives as PropertiesUpdated.
    await api.request("PUT", `/interactions/${id}`, agent.headers, { properties: { priority: "high" } });
    await page.getByRole("textbox", { name: "Value of priority" }).waitFor();

    await page.getByRole("button", { name: "Complete", exact: true }).click();
    await page.getByRole("tab").waitFor({ state: "detached" });
    await eventually(async () => ((await api.request("GET", `/interactions/${id}`, ADMIN)).body.interaction?.state === "Completed" ? true : undefined));
    await done(agent, person);
  });

  it("two chats at once in tabs: arrow keys move between them; the other one counts its unread messages", async () => {
    const { agent, page, ...person } = await agentAt();
    await readyOnChat(page);
    const one = await customerChat({ firstName: "Olga", subject: "tab-one" });
    await acceptOffer(page, "tab-one");
    await customerChat({ firstName: "Petra", subject: "tab-two" });
    await page.getByRole("article").filter({ hasText: "tab-two" }).getByRole("button", { name: "Accept", exact: true }).click();
    const olga = page.getByRole("tab", { name: /Olga/ });
    const petra = page.getByRole("tab", { name: /Petra/ });
    await petra.waitFor();
    await page.getByRole("tab", { name: /Petra/, selected: true }).waitFor();
    await chat.call(one, "ixn/chat/send", { message: "are you there?" });
    await chat.call(one, "ixn/chat/send", { message: "hello?" });
    await page.getByRole("tab", { name: /Olga.*2 unread/ }).waitFor();
    await petra.focus();
    await page.keyboard.press("ArrowUp");
    await page.getByRole("tab", { name: /Olga/, selected: true }).waitFor();
    assert.equal(await olga.evaluate((el) => el === document.activeElement), true);
    await page.getByRole("log").getByText("hello?").waitFor();
    assert.doesNotMatch((await olga.textContent()) ?? "", /unread/);
    await page.getByRole("tabpanel").waitFor();
    await done(agent, person);
  });

  it("open media is worked without the chat parts: case data and Complete", async () => {
    const { agent, page, ...person } = await agentAt();
    await page.getByRole("button", { name: "Ready on openmedia", exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-channel="openmedia"]')?.textContent?.startsWith("Ready"));
    const id = await api.submit({ subject: "paper-form", orderId: "A-17" });
    const offer = page.getByRole("article").filter({ hasText: "paper-form" });
    await offer.waitFor();
    assert.match((await offer.textContent()) ?? "", /open media/);
    await offer.getByRole("button", { name: "Accept", exact: true }).click();
    await page.getByRole("tabpanel").waitFor();
    assert.equal(await page.getByRole("textbox", { name: "Value of orderId" }).inputValue(), "A-17");
    assert.equal(await page.getByRole("log").count(), 0);
    assert.equal(await page.getByRole("textbox", { name: "Message", exact: true }).count(), 0);
    assert.equal(await page.getByRole("button", { name: "Push URL", exact: true }).count(), 0);
    for (const name of ["Transfer", "Conference", "Place in queue", "Place in workbin"]) await page.getByRole("button", { name, exact: true }).waitFor();
    await page.getByRole("textbox", { name: "Value of orderId" }).fill("A-18");
    await page.getByRole("textbox", { name: "Value of orderId" }).press("Enter");
    await eventually(async () =>
      (await api.request("GET", `/interactions/${id}`, agent.headers)).body.interaction.userData.orderId === "A-18" ? true : undefined,
    );
    await page.getByRole("button", { name: "Complete", exact: true }).click();
    await page.getByRole("tabpanel").waitFor({ state: "detached" });
    await api.sees(agent, id, "Completed").catch(() => {});
    assert.equal((await api.request("GET", `/interactions/${id}`, ADMIN)).body.interaction?.state, "Completed");
    await done(agent, person);
  });

  it("Place in queue suggests the queues by name and places the interaction there", async () => {
    assert.equal((await api.request("POST", "/queues", ADMIN, { name: "billing-desk" })).body.statusCode, 0);
    const { agent, page, ...person } = await agentAt();
    await page.getByRole("button", { name: "Ready on openmedia", exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-channel="openmedia"]')?.textContent?.startsWith("Ready"));
    const id = await api.submit({ subject: "to-billing" });
    await page.getByRole("article").filter({ hasText: "to-billing" }).getByRole("button", { name: "Accept", exact: true }).click();
    await page.getByRole("tabpanel").waitFor();
    // Not offered straight back to the one who placed it.
    await api.request("POST", "/me/channels/openmedia", agent.headers, { operationName: "NotReady" });
    await page.getByRole("button", { name: "Place in queue", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.locator('datalist option[value="billing-desk"]').waitFor({ state: "attached" });
    await dialog.getByRole("combobox", { name: "Queue" }).fill("billing-desk");
    await dialog.getByRole("button", { name: "Place in queue", exact: true }).click();
    await eventually(async () => {
      const ix = (await api.request("GET", `/interactions/${id}`, ADMIN)).body.interaction;
      return ix.queue === "billing-desk" && ix.state === "Queued" ? true : undefined;
    });
    await done(agent, person);
  });

  it("keyboard only: log in, Ready, Accept, reply with Enter", async () => {
    const userName = `keys${++agents}`;
    const agent = await api.createAgent(userName, { firstName: "Kim", lastName: "Keys" });
    const person = await newPerson(browser);
    const { page } = person;
    await page.goto(`${server.url}/agent`);
    await page.getByLabel("Username").waitFor();
    // The form focuses Username on load.
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "username");
    await page.keyboard.type(userName);
    await page.keyboard.press("Tab");
    await page.keyboard.type(`${userName}-password`);
    await page.keyboard.press("Enter");
    const ready = page.getByRole("button", { name: "Ready", exact: true });
    await ready.waitFor();
    for (let i = 0; i < 20 && !(await ready.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await eventually(async () =>
      (await api.request("GET", "/me/channels", agent.headers)).body.channels.every((c: { userState: { state: string } }) => c.userState.state === "Ready")
        ? true
        : undefined,
    );
    const service = await customerChat({ subject: "keyboard" });
    // Ready on every channel: an earlier test's leftover may be offered too; this test's chat is the one taken.
    const accept = page.getByRole("article").filter({ hasText: "keyboard" }).getByRole("button", { name: "Accept", exact: true });
    await accept.waitFor();
    for (let i = 0; i < 30 && !(await accept.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    assert.equal(await accept.evaluate((el) => el === document.activeElement), true, "Accept reached with Tab");
    await page.keyboard.press("Enter");
    const box = page.getByRole("textbox", { name: "Message", exact: true });
    await page.waitForFunction(() => document.activeElement?.tagName === "TEXTAREA");
    await page.keyboard.type("typed with keys only");
    await page.keyboard.press("Enter");
    await eventually(async () => ((await transcript(service)).some((e) => e[2] === "typed with keys only") ? true : undefined));
    // The box empties once the page has the server's answer, which may come a moment after the customer sees the message.
    await page.waitForFunction((el) => (el as HTMLTextAreaElement).value === "", await box.elementHandle(), { timeout: 5000 });
    await done(agent, person);
  });

  it("reconnects after a network drop: a banner meanwhile, then the messages sent while offline, once each", async () => {
    const { agent, page, context, ...person } = await agentAt();
    await readyOnChat(page);
    const service = await customerChat({ subject: "offline" });
    await acceptOffer(page, "offline");
    await chat.call(service, "ixn/chat/send", { message: "before the drop" });
    await page.getByRole("log").getByText("before the drop").waitFor();
    await context.setOffline(true);
    await page.getByRole("alert").filter({ hasText: "Offline – reconnecting…" }).waitFor({ timeout: 60_000 });
    await chat.call(service, "ixn/chat/send", { message: "sent while offline 1" });
    await chat.call(service, "ixn/chat/send", { message: "sent while offline 2" });
    await context.setOffline(false);
    await page.getByRole("alert").filter({ hasText: "Offline" }).waitFor({ state: "detached", timeout: 60_000 });
    await page.getByRole("log").getByText("sent while offline 2").waitFor();
    for (const text of ["before the drop", "sent while offline 1", "sent while offline 2"]) {
      assert.equal(await page.getByRole("log").getByText(text, { exact: true }).count(), 1, text);
    }
    await done(agent, { context, ...person });
  });

  it("the customer panel shows the journey from Context Services and earlier contacts with their transcript", async () => {
    const profile = await fetch(`${server.cs}/profiles`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ FirstName: "Jules", EmailAddress: "jules@example.com" }),
    }).then((r) => r.json() as Promise<{ customer_id: string }>);
    const customerId = profile.customer_id;
    const started = (await fetch(`${server.cs}/services/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customer_id: customerId, service_type: "booking", Cart: { items: 2 } }),
    }).then((r) => r.json())) as { service_id: number };
    await fetch(`${server.cs}/services/${started.service_id}/states/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ state_type: "payment" }),
    });
    const { agent, page, ...person } = await agentAt();
    await readyOnChat(page);
    // An earlier chat of the same customer, completed: contact history with its transcript.
    const earlier = await customerChat({ firstName: "Jules", customer_id: customerId, subject: "earlier" });
    const earlierId = await chatId(agent, "earlier");
    await api.operate(agent, earlierId, { operationName: "Accept" });
    await chat.call(earlier, "ixn/chat/send", { message: "my parcel is late" });
    await api.operate(agent, earlierId, { operationName: "StopProcessing" });
    await chat.call(earlier, "ixn/chat/disconnect");
    await eventually(async () => ((await fetch(`${server.cs}/interactions/${earlierId}`)).status === 200 ? true : undefined));
    await page
      .getByRole("tab")
      .waitFor({ state: "detached" })
      .catch(() => {});

    await customerChat({ firstName: "Jules", customer_id: customerId, subject: "later" });
    await acceptOffer(page, "later");
    const panel = page.getByRole("region", { name: "Customer" });
    await panel.getByText(`Customer ${customerId}`).waitFor();
    await panel.getByText("booking").waitFor();
    await panel.getByText("State payment (active)").waitFor();
    await panel.getByText("Cart").waitFor();
    const history = panel.getByRole("region", { name: "Contact history" });
    await history.locator("summary").first().click();
    await history.getByText("my parcel is late").waitFor();
    // Looking someone up by email.
    await panel.getByRole("textbox", { name: "Find a customer" }).fill("jules@example.com");
    await panel.getByRole("button", { name: "Look up", exact: true }).click();
    await panel.getByText("Unverified").waitFor();
    await done(agent, person);
  });

  it("keeps an offer notified while the interactions are re-read after the handshake", async () => {
    const userName = `agent${++agents}`;
    const agent = await api.createAgent(userName, { firstName: "Rae", lastName: `Agent${agents}` });
    const person = await newPerson(browser);
    const { page } = person;
    const frames: string[] = [];
    page.on("websocket", (ws) => ws.on("framereceived", (frame) => frames.push(String(frame.payload))));
    // The re-read after the first handshake is answered with what the server had then, but only
    // once an offer has come over CometD meanwhile. Its snapshot also names an interaction of
    // its own, so the page shows when it has taken the snapshot in.
    let held = false;
    const snapshot = gate();
    await page.route(
      (url) => url.pathname === "/api/v2/me/interactions",
      async (route) => {
        if (held) return route.continue();
        held = true;
        const response = await route.fetch();
        const body = (await response.json()) as { interactions: object[] };
        const marker = {
          id: "snapshot-marker",
          mediaType: "openmedia",
          state: "Invited",
          queue: "default",
          ownerId: agent.id,
          participants: [],
          workbin: null,
          customerId: null,
          unverifiedCustomerId: null,
          userData: { subject: "snapshot-marker" },
          receivedDate: new Date().toISOString(),
        };
        await snapshot.passed;
        await route.fulfill({ response, json: { ...body, interactions: [...body.interactions, marker] } });
      },
    );
    await page.goto(`${server.url}/agent`);
    await page.getByLabel("Username").fill(userName);
    await page.getByLabel("Password").fill(`${userName}-password`);
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await eventually(
      async () =>
        held && frames.some((f) => f.includes("/meta/subscribe") && f.includes("/v2/me/interactions") && f.includes('"successful":true')) ? true : undefined,
      5000,
      "the re-read held, the notifications subscribed",
    );
    await api.ready(agent, "chat");
    const service = await customerChat({ subject: "during-resync" });
    const offer = page.getByRole("article").filter({ hasText: "during-resync" });
    await offer.waitFor();
    snapshot.open();
    await page.getByRole("article").filter({ hasText: "snapshot-marker" }).waitFor();
    assert.equal(await offer.count(), 1, "the offer notified meanwhile is still there");
    await chat.call(service, "ixn/chat/disconnect");
    await offer.waitFor({ state: "detached" });
    await done(agent, person);
  });

  it("shows the customer the agent looked up, not an earlier lookup that answered later", async () => {
    const profile = async (fields: object) =>
      (
        (await fetch(`${server.cs}/profiles`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(fields),
        }).then((r) => r.json())) as { customer_id: string }
      ).customer_id;
    const slow = await profile({ FirstName: "Sloane", EmailAddress: "sloane@example.com" });
    await fetch(`${server.cs}/services/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customer_id: slow, service_type: "slow-booking" }),
    });
    const sought = await profile({ FirstName: "Quinn", EmailAddress: "quinn@example.com" });
    const { agent, page, ...person } = await agentAt();
    // The panel's own lookup of the chat's customer is held until the agent's search has shown.
    const lookup = await holdFirst(page, (url) => url.pathname.endsWith(`/customers/${slow}/services`));
    await readyOnChat(page);
    const service = await customerChat({ firstName: "Sloane", customer_id: slow, subject: "slow-lookup" });
    await acceptOffer(page, "slow-lookup");
    await eventually(async () => (lookup.held() ? true : undefined), 5000, "the first lookup held");
    const panel = page.getByRole("region", { name: "Customer" });
    await panel.getByRole("textbox", { name: "Find a customer" }).fill("quinn@example.com");
    await panel.getByRole("button", { name: "Look up", exact: true }).click();
    await panel.getByText(`Customer ${sought}`).waitFor();
    const answered = page.waitForResponse((r) => r.url().includes(`/customers/${slow}/services`));
    lookup.release();
    await (await answered).finished();
    // Two frames after the held answer was read: the page has handled it (and painted what it chose).
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    assert.equal(await panel.getByText("slow-booking").count(), 0, "the earlier lookup's journey is not shown");
    await panel.getByText(`Customer ${sought}`).waitFor();
    await chat.call(service, "ixn/chat/disconnect");
    await done(agent, person);
  });

  it("has no serious or critical axe violations, logged out and with a chat open", async () => {
    const { context, page, errors } = await newPerson(browser);
    await page.goto(`${server.url}/agent`);
    await page.getByRole("button", { name: "Log in", exact: true }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await context.close();
    const { agent, page: desk, ...person } = await agentAt();
    await readyOnChat(desk);
    const service = await customerChat({ subject: "axe" });
    await acceptOffer(desk, "axe");
    await chat.call(service, "ixn/chat/send", { message: "checking contrast" });
    await desk.getByRole("log").getByText("checking contrast").waitFor();
    assert.deepEqual(await seriousViolations(desk), []);
    await done(agent, person);
    assert.deepEqual(errors, []);
  });

  it("Transfer and Conference pick an agent by name and state in a dialog (Escape closes it, focus returns); the conference can be ended", async () => {
    const first = await agentAt();
    const second = await agentAt();
    await readyOnChat(first.page);
    await readyOnChat(second.page);
    // Only the first agent may get the chat: the second goes Ready on chat once it is taken.
    await second.page.getByRole("button", { name: "Ready on chat", exact: true }).click();
    await second.page.waitForFunction(() => document.querySelector('[data-channel="chat"]')?.textContent?.startsWith("Not Ready"));
    const service = await customerChat({ subject: "handover" });
    await acceptOffer(first.page, "handover");
    await second.page.getByRole("button", { name: "Ready on chat", exact: true }).click();
    const secondName = `Ann Agent${agents}`;

    const conference = first.page.getByRole("button", { name: "Conference", exact: true });
    await conference.click();
    let dialog = first.page.getByRole("dialog");
    await dialog.getByText(secondName).waitFor();
    assert.match(
      (await dialog
        .getByRole("radio", { name: new RegExp(secondName) })
        .locator("xpath=..")
        .textContent()) ?? "",
      /Ready on chat/,
    );
    await first.page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.equal(await conference.evaluate((el) => el === document.activeElement), true, "focus back on Conference");

    await conference.click();
    dialog = first.page.getByRole("dialog");
    await dialog.getByText(secondName).click();
    await dialog.getByRole("button", { name: "Conference", exact: true }).click();
    await second.page.getByRole("article").filter({ hasText: "Conference invitation" }).getByRole("button", { name: "Accept", exact: true }).click();
    await second.page.getByRole("log").waitFor();
    await first.page.getByRole("button", { name: "End conference", exact: true }).click();
    await second.page.getByRole("tabpanel").waitFor({ state: "detached" });

    await first.page.getByRole("button", { name: "Transfer", exact: true }).click();
    dialog = first.page.getByRole("dialog");
    await dialog.getByText(secondName).click();
    await dialog.getByRole("button", { name: "Transfer", exact: true }).click();
    await second.page.getByRole("article").filter({ hasText: "handover" }).getByRole("button", { name: "Accept", exact: true }).click();
    await first.page.getByRole("tabpanel").waitFor({ state: "detached" });
    await chat.call(service, "ixn/chat/send", { message: "still there?" });
    await second.page.getByRole("log").getByText("still there?").waitFor();
    await done(second.agent, second);
    await done(first.agent, first);
  });

  it("a chat the customer leaves while open stays as an ended, read-only tab; the selection never jumps to another chat; Close removes it", async () => {
    const { agent, page, ...person } = await agentAt();
    await readyOnChat(page);
    const olga = await customerChat({ firstName: "Olga", subject: "leaves" });
    await acceptOffer(page, "leaves");
    await customerChat({ firstName: "Petra", subject: "stays" });
    await acceptOffer(page, "stays");
    await page.getByRole("tab", { name: /Olga/ }).click();
    await page.getByRole("tab", { name: /Olga/, selected: true }).waitFor();
    await chat.call(olga, "ixn/chat/disconnect");
    await page.getByRole("status").filter({ hasText: "This interaction has ended" }).waitFor();
    await page.getByRole("status").filter({ hasText: "The customer left the chat" }).waitFor();
    // Still Olga's tab, marked ended; Petra's chat is not selected and nothing can be typed or completed here.
    await page.getByRole("tab", { name: /Olga.*ended/, selected: true }).waitFor();
    assert.equal(await page.getByRole("tab", { name: /Petra/, selected: true }).count(), 0);
    assert.equal(await page.getByRole("textbox", { name: "Message", exact: true }).count(), 0);
    assert.equal(await page.getByRole("button", { name: "Complete", exact: true }).count(), 0);
    assert.equal(await page.getByRole("button", { name: "Transfer", exact: true }).count(), 0);
    await page.getByRole("button", { name: "Close", exact: true }).click();
    await page.getByRole("tab", { name: /Olga/ }).waitFor({ state: "detached" });
    await page.getByRole("status").filter({ hasText: "No interaction is selected" }).waitFor();
    assert.equal(await page.getByRole("tab", { name: /Petra/, selected: true }).count(), 0);
    assert.equal(await page.getByRole("textbox", { name: "Message", exact: true }).count(), 0);
    // The agent's own Complete removes the tab at once.
    await page.getByRole("tab", { name: /Petra/ }).click();
    await page.getByRole("button", { name: "Complete", exact: true }).click();
    await page.getByRole("tab").waitFor({ state: "detached" });
    await done(agent, person);
  });

  it("Place in workbin shows the item at once with Take back, which opens it again; Open workbin says why it is unavailable", async () => {
    const { agent, page, ...person } = await agentAt();
    const workbins = page.getByRole("region", { name: "Workbins" });
    const open = workbins.getByRole("button", { name: "Open workbin", exact: true });
    assert.equal(await open.isDisabled(), true, "nothing held: Open workbin is disabled");
    await workbins.getByText(/needs an interaction you hold/).waitFor();
    await page.getByRole("button", { name: "Ready on openmedia", exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-channel="openmedia"]')?.textContent?.startsWith("Ready"));
    const id = await api.submit({ subject: "to-park", FirstName: "Parker" });
    await page.getByRole("article").filter({ hasText: "to-park" }).getByRole("button", { name: "Accept", exact: true }).click();
    await page.getByRole("tabpanel").waitFor();
    await api.request("POST", "/me/channels/openmedia", agent.headers, { operationName: "NotReady" });
    await page.getByRole("button", { name: "Place in workbin", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Place in workbin", exact: true }).click();
    const takeBack = workbins.getByRole("button", { name: "Take back", exact: true });
    await takeBack.waitFor();
    await page.getByRole("tabpanel").waitFor({ state: "detached" });
    assert.equal(await open.isDisabled(), false);
    await takeBack.click();
    await page.getByRole("tabpanel").waitFor();
    await page.getByRole("tab", { selected: true }).waitFor();
    await takeBack.waitFor({ state: "detached" });
    await api.sees(agent, id, "Accepted");
    await page.getByRole("button", { name: "Complete", exact: true }).click();
    await page.getByRole("tabpanel").waitFor({ state: "detached" });
    await done(agent, person);
  });

  it("a transfer waits for its answer (Transfer and Conference disabled meanwhile); the dialog lists only those who can take work", async () => {
    await api.createAgent("onlyadmin", { firstName: "Ada", lastName: "Adminonly" }, ["ROLE_ADMIN"]);
    const first = await agentAt();
    const second = await agentAt();
    const secondName = `Ann Agent${agents}`;
    await readyOnChat(first.page);
    await customerChat({ subject: "pending-transfer" });
    await acceptOffer(first.page, "pending-transfer");
    await first.page.getByRole("button", { name: "Transfer", exact: true }).click();
    const dialog = first.page.getByRole("dialog");
    await dialog.getByText(secondName).waitFor();
    assert.equal(await dialog.getByText("Ada Adminonly").count(), 0, "an administrator only is not offered");
    await dialog.getByText(secondName).click();
    await dialog.getByRole("button", { name: "Transfer", exact: true }).click();
    await first.page
      .getByRole("status")
      .filter({ hasText: `Waiting for ${secondName} to accept` })
      .waitFor();
    assert.equal(await first.page.getByRole("button", { name: "Transfer", exact: true }).isDisabled(), true);
    assert.equal(await first.page.getByRole("button", { name: "Conference", exact: true }).isDisabled(), true);
    await second.page.getByRole("article").filter({ hasText: "pending-transfer" }).getByRole("button", { name: "Reject", exact: true }).click();
    await first.page.getByRole("status").filter({ hasText: "Waiting for" }).waitFor({ state: "detached" });
    assert.equal(await first.page.getByRole("button", { name: "Transfer", exact: true }).isDisabled(), false);
    await first.page.getByRole("button", { name: "Complete", exact: true }).click();
    await first.page.getByRole("tabpanel").waitFor({ state: "detached" });
    await done(second.agent, second);
    await done(first.agent, first);
  });

  it("at 1280x800: focus on Username, then on the desk; the header is one line that does not move with Ready; the transcript is tall and follows the newest entry", async () => {
    const userName = `agent${++agents}`;
    const agent = await api.createAgent(userName, { firstName: "Wilhelmina", lastName: `Longname-Agent${agents}` });
    const person = await newPerson(browser);
    const { page } = person;
    await page.goto(`${server.url}/agent`);
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "username");
    await page.keyboard.type(userName);
    await page.getByLabel("Password").fill(`${userName}-password`);
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await page.waitForFunction(() => document.activeElement?.tagName === "H1");
    await api.request("POST", "/me", agent.headers, { operationName: "NotReady", reason: "Training" });
    await page.locator('[data-channel="chat"]').filter({ hasText: "Not Ready (Training)" }).waitFor();
    const header = page.locator("header.top");
    const box = async () => {
      const b = await header.boundingBox();
      assert.ok(b !== null);
      return b;
    };
    const notReady = await box();
    assert.ok(notReady.height < 60, `one line: ${notReady.height}px`);
    const logOutAt = await page.getByRole("button", { name: "Log out", exact: true }).boundingBox();
    await page.getByText("No interactions. Go Ready to receive some.").waitFor();
    await readyOnChat(page);
    await page.getByText("No open interactions.", { exact: true }).waitFor();
    assert.equal((await box()).height, notReady.height, "the header keeps its height");
    assert.deepEqual(await page.getByRole("button", { name: "Log out", exact: true }).boundingBox(), logOutAt, "Log out does not move");

    const service = await customerChat({ subject: "tall" });
    await acceptOffer(page, "tall");
    const log = page.getByRole("log");
    const height = (await log.boundingBox())?.height ?? 0;
    assert.ok(height >= 0.45 * 800, `the transcript is ${height}px high`);
    for (let i = 1; i <= 30; i++) await chat.call(service, "ixn/chat/send", { message: `line ${i}` });
    await log.getByText("line 30", { exact: true }).waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector('[role="log"]');
      return el !== null && el.scrollHeight > el.clientHeight && el.scrollHeight - el.scrollTop - el.clientHeight < 4;
    });
    await chat.call(service, "ixn/chat/disconnect");
    await done(agent, person);
  });

  it("messages read before Log out are not unread again after Log in", async () => {
    const { agent, page, ...person } = await agentAt();
    const userName = `agent${agents}`;
    const frames: string[] = [];
    page.on("websocket", (ws) => ws.on("framereceived", (frame) => frames.push(String(frame.payload))));
    await readyOnChat(page);
    const service = await customerChat({ firstName: "Rita", subject: "reread" });
    await acceptOffer(page, "reread");
    await chat.call(service, "ixn/chat/send", { message: "read already" });
    await page.getByRole("log").getByText("read already").waitFor();
    await api.request("POST", "/me", agent.headers, { operationName: "NotReady", reason: "Other" });
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await page.getByLabel("Username").fill(userName);
    frames.length = 0;
    await page.getByLabel("Password").fill(`${userName}-password`);
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    const tab = page.getByRole("tab", { name: /Rita/ });
    await tab.waitFor();
    // The transcript read again has come (over CometD), and the page has handled it.
    await eventually(async () => (frames.some((f) => f.includes("read already")) ? true : undefined), 5000, "the history re-read");
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    assert.equal(await tab.getAttribute("aria-selected"), "false", "nothing is selected after Log in");
    assert.doesNotMatch((await tab.textContent()) ?? "", /unread/);
    await tab.click();
    await page.getByRole("log").getByText("read already").waitFor();
    await chat.call(service, "ixn/chat/disconnect");
    await done(agent, person);
  });
});
