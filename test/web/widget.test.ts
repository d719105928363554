/**
 * The customer widget (issue 17) in real Chromium against the real server: a customer on `/`
 * (and on another site through widget.js) chats with an agent who works through the agent API
 * over HTTP. Messages and typing both ways, a pushed link, text never becoming HTML, a reload and
 * a dropped network with nothing missing or doubled, keyboard only, a phone screen, axe-core.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, it } from "node:test";
import type { Message } from "cometd";
import type { Browser, Page } from "playwright-core";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { gate, holdFirst, launchBrowser, newPerson, noBrowser, seriousViolations } from "../support/browser.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { eventually, startServer, type TestServer } from "../support/server.ts";
import { tcpProxy } from "../support/sockets.ts";
import { describeWith } from "../support/suites.ts";

const WAIT = 15_000;
const XSS = `<img src=x onerror="window.__xss=1">`;

describeWith("customer chat widget", noBrowser, () => {
  let browser: Browser;
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  /** Another site (its own origin: `localhost`, parley is on 127.0.0.1) whose page embeds widget.js. */
  let site: Server;
  let siteOrigin: string;
  const agents: TestAgent[] = [];

  before(async () => {
    site = createServer((request, response) => {
      if (request.url !== "/shop") {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      // The host's own CSS would hide every button and field of a widget not in a shadow root.
      response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A shop</title>
<style>button, input, textarea { display: none !important; } * { font-size: 40px !important; }</style></head>
<body><main><h1>A shop</h1><p>Things for sale.</p></main>
<script src="${server.url}/widget.js" data-service="request-chat"></script></body></html>`);
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    siteOrigin = `http://localhost:${(site.address() as { port: number }).port}`;
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50", CORS_ORIGINS: siteOrigin } });
    api = agentApi(server.url);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => site?.close(resolve));
  });

  /** A new agent, the only one Ready on chat: the next chat is theirs. */
  async function onlyAgent(firstName: string): Promise<TestAgent> {
    for (const other of agents) await api.request("POST", "/me/channels/chat", other.headers, { operationName: "NotReady" });
    const agent = await api.createAgent(`widget${agents.length + 1}`, { firstName });
    agents.push(agent);
    await api.ready(agent, "chat");
    return agent;
  }

  /** Waits for the chat offered to `agent` and accepts it; its interaction id. */
  async function accept(agent: TestAgent): Promise<string> {
    const id = await eventually(async () => (await api.mine(agent)).find((ix) => ix.state === "Invited")?.id, WAIT, "a chat offered to the agent");
    const reply = await api.operate(agent, id, { operationName: "Accept" });
    assert.equal(reply.body.statusCode, 0, reply.text);
    return id;
  }

  async function say(agent: TestAgent, id: string, body: object): Promise<void> {
    const reply = await api.operate(agent, id, body);
    assert.equal(reply.body.statusCode, 0, reply.text);
  }

  /** Fills and submits the start form. */
  async function startChat(page: Page, name = "Vasya Pupkin"): Promise<void> {
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Email").fill("vasya@example.com");
    await page.getByLabel("Subject").fill("refund");
    await page.getByRole("button", { name: "Start chat" }).click();
  }

  /** The transcript's message texts, in order. */
  const messages = (page: Page) => page.getByRole("log").locator(".pw-bubble").allTextContents();

  /** Waits until the transcript shows `text` (in a message or a notice). */
  const shows = (page: Page, text: string) => page.getByRole("log").getByText(text, { exact: true }).first().waitFor({ timeout: WAIT });

  async function agentClient(agent: TestAgent): Promise<TestClient> {
    const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
    await client.handshake();
    await client.subscribe("/v2/me/interactions");
    return client;
  }

  /** Waits until the agent's client got an entry of `type` (from the customer) matching `text`. */
  function agentGot(client: TestClient, id: string, type: string, text?: string): Promise<Message> {
    return eventually(
      async () =>
        client.received.find(
          (m) =>
            m.data?.notificationType === "NewMessages" &&
            m.data.id === id &&
            m.data.messages.some(
              (e: { type: string; text: string; from: { type: string } }) =>
                e.type === type && e.from.type === "Customer" && (text === undefined || e.text === text),
            ),
        ),
      WAIT,
      `the customer's ${type} ${text ?? ""} at the agent`,
    );
  }

  it("chats with an agent both ways: typing, messages with times, a pushed link, then ends and offers a new chat", async () => {
    const ann = await onlyAgent("Ann");
    const annBus = await agentClient(ann);
    const { context, page, errors } = await newPerson(browser);
    try {
      await page.goto(`${server.url}/`);
      await page.getByRole("heading", { name: "Chat with us" }).waitFor();
      // The page is the form: Name has the focus at once.
      await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "name");
      await startChat(page);
      await page.getByText("Waiting for an agent…").waitFor({ timeout: WAIT });
      const id = await accept(ann);
      await shows(page, "Ann has joined the session");
      await page.getByText("Waiting for an agent…").waitFor({ state: "detached" });

      // The customer types: the agent is told, then the message goes with Enter; Shift+Enter is a new line.
      const box = page.getByRole("textbox", { name: "Message" });
      await box.pressSequentially("hello agent");
      await agentGot(annBus, id, "TypingStarted");
      await box.press("Enter");
      await agentGot(annBus, id, "Text", "hello agent");
      await box.pressSequentially("line one");
      await box.press("Shift+Enter");
      await box.pressSequentially("line two");
      await page.getByRole("button", { name: "Send" }).click();
      await agentGot(annBus, id, "Text", "line one\nline two");
      await shows(page, "line one\nline two");
      assert.equal(await box.inputValue(), "", "the box is empty after sending");

      // The agent types, writes, pushes a link.
      await say(ann, id, { operationName: "StartTyping" });
      await page.getByText("Ann is typing…").waitFor({ timeout: WAIT });
      await say(ann, id, { operationName: "SendMessage", text: "hello customer" });
      await shows(page, "hello customer");
      await page.getByText("Ann is typing…").waitFor({ state: "detached" });
      await say(ann, id, { operationName: "PushUrl", url: "https://example.com/faq" });
      const link = page.getByRole("log").getByRole("link", { name: "https://example.com/faq" });
      await link.waitFor({ timeout: WAIT });
      assert.equal(await link.getAttribute("href"), "https://example.com/faq");
      assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
      assert.equal(await link.getAttribute("target"), "_blank");

      assert.deepEqual(await messages(page), ["hello agent", "line one\nline two", "hello customer"]);
      const agentMessage = page.locator(".pw-theirs", { hasText: "hello customer" });
      assert.match((await agentMessage.locator("time").getAttribute("datetime")) ?? "", /^\d{4}-\d\d-\d\dT/, "a time on the message");
      assert.match((await agentMessage.locator("time").textContent()) ?? "", /\d/);

      await page.getByRole("button", { name: "End chat" }).click();
      await page.getByRole("button", { name: "Start a new chat" }).waitFor({ timeout: WAIT });
      await agentGot(annBus, id, "ParticipantLeft");
      await page.getByRole("button", { name: "Start a new chat" }).click();
      await page.getByLabel("Name").waitFor();
      assert.equal(await page.getByRole("log").count(), 0, "a fresh start");
      assert.deepEqual(errors, []);
    } finally {
      await annBus.disconnect();
      await context.close();
    }
  });

  it("on an advanced service, shows its queue status until an agent is available, then opens the chat", async () => {
    for (const other of agents) await api.request("POST", "/me/channels/chat", other.headers, { operationName: "NotReady" });
    const { context, page, errors } = await newPerson(browser);
    try {
      await page.goto(`${server.url}/?service=request-chat-poll`);
      await startChat(page);
      await page.getByRole("status").filter({ hasText: "You are in the queue" }).waitFor({ timeout: WAIT });
      assert.equal(await page.getByRole("textbox", { name: "Message" }).count(), 0, "no chat to write in yet");
      const hal = await onlyAgent("Hal");
      const id = await accept(hal);
      await shows(page, "Hal has joined the session");
      await say(hal, id, { operationName: "SendMessage", text: "thanks for waiting" });
      await shows(page, "thanks for waiting");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("opens an advanced service's chat once when a push and a poll in flight both say an agent is available", async () => {
    for (const other of agents) await api.request("POST", "/me/channels/chat", other.headers, { operationName: "NotReady" });
    const { context, page, errors } = await newPerson(browser);
    try {
      // The first ixn/chat is held: whatever says "available" meanwhile must not send another.
      let opened = 0;
      const firstChat = gate();
      await page.route("**/ixn/chat", async (route) => {
        if (++opened === 1) await firstChat.passed;
        await route.continue();
      });
      // A status poll is held too, until the agent's push has started the chat.
      let holdStatus = false;
      let statusHeld = false;
      const status = gate();
      await page.route("**/status", async (route) => {
        if (holdStatus) {
          statusHeld = true;
          await status.passed;
        }
        await route.continue();
      });
      let availableReplies = 0;
      page.on("response", (response) => {
        if (!response.url().endsWith("/status")) return;
        response.text().then(
          (text) => {
            if (text.includes('"available"')) availableReplies++;
          },
          () => {},
        );
      });
      await page.goto(`${server.url}/?service=request-chat-poll`);
      await startChat(page, "Ivo Twice");
      await page.getByRole("status").filter({ hasText: "You are in the queue" }).waitFor({ timeout: WAIT });
      holdStatus = true;
      await eventually(async () => (statusHeld ? true : undefined), WAIT, "a status poll on its way");
      const ivy = await onlyAgent("Ivy");
      await eventually(async () => (opened === 1 ? true : undefined), WAIT, "the chat opening on the server's push");
      // The poll now answers "available" (and the server pushes that answer again) while ixn/chat is on its way.
      status.open();
      await eventually(async () => (availableReplies >= 1 ? true : undefined), WAIT, "the poll's answer");
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      assert.equal(opened, 1, "one ixn/chat while the first is on its way");
      firstChat.open();
      const id = await accept(ivy);
      await shows(page, "Ivy has joined the session");
      await say(ivy, id, { operationName: "SendMessage", text: "only one chat" });
      await shows(page, "only one chat");
      assert.equal(opened, 1, "one ixn/chat in all");
      assert.equal(((await page.locator(".pw-error").textContent()) ?? "").trim(), "", "no error beside the chat");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("shows what anyone types as text, never HTML; the agent leaving ends the chat", async () => {
    const bob = await onlyAgent("Bob");
    const { context, page, errors } = await newPerson(browser);
    try {
      await page.goto(`${server.url}/`);
      await startChat(page, XSS);
      const id = await accept(bob);
      await shows(page, "Bob has joined the session");
      const box = page.getByRole("textbox", { name: "Message" });
      await box.fill(XSS);
      await box.press("Enter");
      await say(bob, id, { operationName: "SendMessage", text: XSS });
      await eventually(async () => ((await messages(page)).length === 2 ? true : undefined), WAIT, "both messages");
      assert.deepEqual(await messages(page), [XSS, XSS]);
      assert.equal(await page.locator("img").count(), 0, "no img element");
      assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
      // The agent ends the chat: the customer sees them leave, and may start a new one.
      await say(bob, id, { operationName: "StopProcessing" });
      await shows(page, "Bob has left the session");
      await page.getByRole("button", { name: "Start a new chat" }).waitFor({ timeout: WAIT });
      assert.equal(await page.getByRole("textbox", { name: "Message" }).count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("shows the whole transcript again after a reload, nothing missing or doubled, and goes on", async () => {
    const cid = await onlyAgent("Cid");
    const { context, page, errors } = await newPerson(browser);
    try {
      await page.goto(`${server.url}/?service=request-chat`);
      await startChat(page);
      const id = await accept(cid);
      await say(cid, id, { operationName: "SendMessage", text: "one" });
      await shows(page, "one");
      const box = page.getByRole("textbox", { name: "Message" });
      await box.fill("two");
      await box.press("Enter");
      await shows(page, "two");
      await say(cid, id, { operationName: "SendMessage", text: "three" });
      await shows(page, "three");

      // After the reload the widget reads the transcript from the start; that read is held until
      // the agent's next message has been pushed, so the two overlap: each entry must show once.
      const frames: string[] = [];
      page.on("websocket", (ws) => ws.on("framereceived", (frame) => frames.push(String(frame.payload))));
      const refresh = await holdFirst(page, (url) => url.pathname.endsWith("/ixn/chat/refresh"));
      await page.reload();
      await eventually(
        async () => (refresh.held() && frames.some((f) => f.includes('"/meta/subscribe","successful":true')) ? true : undefined),
        WAIT,
        "the refresh held",
      );
      await say(cid, id, { operationName: "SendMessage", text: "four" });
      await shows(page, "four");
      refresh.release();
      await shows(page, "three");
      assert.deepEqual(await messages(page), ["one", "two", "three", "four"]);
      assert.equal(await page.getByRole("log").getByText("Cid has joined the session").count(), 1);
      await box.fill("five");
      await box.press("Enter");
      await shows(page, "five");
      assert.deepEqual(await messages(page), ["one", "two", "three", "four", "five"]);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("says it is reconnecting while the network is down, then shows what the agent sent meanwhile, once", async () => {
    const dee = await onlyAgent("Dee");
    const proxy = await tcpProxy(server.url);
    const { context, page, errors } = await newPerson(browser);
    try {
      await page.goto(`${proxy.url}/`);
      await startChat(page);
      const id = await accept(dee);
      await say(dee, id, { operationName: "SendMessage", text: "before" });
      await shows(page, "before");
      const banner = page.getByRole("status").filter({ hasText: "Reconnecting…" });

      proxy.block();
      await banner.waitFor({ timeout: WAIT });
      await say(dee, id, { operationName: "SendMessage", text: "during 1" });
      await say(dee, id, { operationName: "SendMessage", text: "during 2" });
      proxy.unblock();

      await shows(page, "during 2");
      await banner.waitFor({ state: "detached", timeout: WAIT });
      assert.deepEqual(await messages(page), ["before", "during 1", "during 2"]);
      const box = page.getByRole("textbox", { name: "Message" });
      await box.fill("back");
      await box.press("Enter");
      await shows(page, "back");
      await say(dee, id, { operationName: "SendMessage", text: "after" });
      await shows(page, "after");
      assert.deepEqual(await messages(page), ["before", "during 1", "during 2", "back", "after"]);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await proxy.close();
    }
  });

  it("works with the keyboard alone, with a visible focus", async () => {
    const eve = await onlyAgent("Eve");
    const { context, page, errors } = await newPerson(browser);
    try {
      await page.goto(`${server.url}/`);
      // The full page focuses Name on load: typing starts there, no Tab needed.
      await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "name");
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.tagName ?? "");
      assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle), "solid", "a visible focus");
      await page.keyboard.type("Keyboard User");
      await page.keyboard.press("Tab");
      assert.equal(await focused(), "email");
      await page.keyboard.press("Tab");
      assert.equal(await focused(), "subject");
      await page.keyboard.type("keys");
      await page.keyboard.press("Enter");
      const id = await accept(eve);
      await shows(page, "Eve has joined the session");
      // The message box has the focus once the chat is open.
      await eventually(async () => ((await focused()) === "TEXTAREA" ? true : undefined), WAIT, "the focus in the message box");
      await page.keyboard.type("typed only");
      await page.keyboard.press("Enter");
      await shows(page, "typed only");
      await say(eve, id, { operationName: "SendMessage", text: "bye" });
      await shows(page, "bye");
      // Tab from the message box reaches End chat; Enter presses it.
      await page.getByRole("textbox", { name: "Message" }).focus();
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "End chat");
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: "Start a new chat" }).waitFor({ timeout: WAIT });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("fits a 375 px phone screen and has no serious axe violations, before and during a chat", async () => {
    const fay = await onlyAgent("Fay");
    const { context, page, errors } = await newPerson(browser, { width: 375, height: 667 });
    try {
      await page.goto(`${server.url}/`);
      await page.getByLabel("Name").waitFor();
      assert.deepEqual(await seriousViolations(page), [], "the start form");
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), "no horizontal scroll on the start form");
      await startChat(page);
      const id = await accept(fay);
      await say(fay, id, { operationName: "SendMessage", text: `a-very-long-word-${"x".repeat(120)}` });
      await say(fay, id, { operationName: "PushUrl", url: `https://example.com/${"path/".repeat(30)}` });
      await say(fay, id, { operationName: "StartTyping" });
      await page.getByText("Fay is typing…").waitFor({ timeout: WAIT });
      const box = page.getByRole("textbox", { name: "Message" });
      await box.fill("a message of mine");
      await box.press("Enter");
      await shows(page, "a message of mine");
      assert.deepEqual(await seriousViolations(page), [], "the chat");
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), "no horizontal scroll in the chat");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("is embedded on another site by widget.js: a floating button opens it, Escape closes it, a chat works cross-origin", async () => {
    const gil = await onlyAgent("Gil");
    const { context, page, errors } = await newPerson(browser);
    try {
      await page.goto(`${siteOrigin}/shop`);
      const launcher = page.getByRole("button", { name: "Chat with us" });
      await launcher.waitFor();
      assert.equal(await launcher.getAttribute("aria-expanded"), "false");
      assert.equal(await page.getByLabel("Name").isVisible(), false, "closed at first");
      assert.equal(
        await page.evaluate(() => document.querySelector("[data-parley-widget]")?.shadowRoot?.activeElement ?? null),
        null,
        "the host page keeps its focus while the widget is closed",
      );
      await launcher.click();
      assert.equal(await launcher.getAttribute("aria-expanded"), "true");
      await page.getByLabel("Name").waitFor();
      await page.waitForFunction(() => document.querySelector("[data-parley-widget]")?.shadowRoot?.activeElement?.getAttribute("name") === "name");
      await page.keyboard.press("Escape");
      assert.equal(await launcher.getAttribute("aria-expanded"), "false");
      await page.getByLabel("Name").waitFor({ state: "hidden" });
      assert.equal(
        await page.evaluate(() => document.querySelector("[data-parley-widget]")?.shadowRoot?.activeElement?.className),
        "pw-launcher",
        "the focus back on the button",
      );

      await launcher.click();
      await startChat(page);
      const id = await accept(gil);
      await shows(page, "Gil has joined the session");
      await say(gil, id, { operationName: "SendMessage", text: "hello from parley" });
      await shows(page, "hello from parley");
      const box = page.getByRole("textbox", { name: "Message" });
      await box.fill("hello from the shop");
      await box.press("Enter");
      await shows(page, "hello from the shop");
      assert.deepEqual(await messages(page), ["hello from parley", "hello from the shop"]);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
