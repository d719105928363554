/**
 * A Chat API v2 chat on the agent desktop (/agent), in real Chromium against the real server: it
 * shows exactly as a v1 chat of the same customer does (the same routed `chat` interaction), the
 * agent's reply reaches the v2 customer's refresh, and files the customer attaches are links the
 * agent downloads through the agent API with their session cookie.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { launchBrowser, newPerson, noBrowser, seriousViolations } from "../support/browser.ts";
import { chatApi } from "../support/chat.ts";
import { assertEnvelope, chatV2Api, type V2Chat } from "../support/chat-v2.ts";
import { eventually, startServer, type TestServer } from "../support/server.ts";
import { describeWith } from "../support/suites.ts";

let server: TestServer;
let browser: Browser;
let api: ReturnType<typeof agentApi>;

/** What the desktop renders of one chat: its name everywhere, its transcript entry by entry, its case data. */
interface Rendered {
  offer: string;
  tab: string;
  heading: string;
  subline: string;
  log: string;
  entries: Array<{ className: string; text: string; tree: string }>;
  caseData: Array<[string, string]>;
  serviceData: Array<[string, string]>;
}

/**
 * What the two APIs attach under names of their own (not the desktop's doing): v1 its `email`
 * and `userDisplayName` parameters, its poke URL and its service id; v2 its `emailAddress` field and the nickname
 * the chat shows.
 */
const V1_ONLY = ["email", "userDisplayName", "poke_url", "gms_service_id"];
const V2_ONLY = ["emailAddress", "nickname"];

describeWith("a Chat API v2 chat on the agent desktop", noBrowser, () => {
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50", ROUTING_OFFER_TIMEOUT_MS: "60000" } });
    api = agentApi(server.url);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  let agents = 0;
  /** A new agent, and a page logged in as them, Ready on chat. */
  async function agentAt() {
    const userName = `agent${++agents}`;
    const agent = await api.createAgent(userName, { firstName: "Vera", lastName: `Agent${agents}` });
    const person = await newPerson(browser);
    const { page } = person;
    await page.goto(`${server.url}/agent`);
    await page.getByLabel("Username").fill(userName);
    await page.getByLabel("Password").fill(`${userName}-password`);
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await page.getByRole("button", { name: "Ready on chat", exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-channel="chat"]')?.textContent?.startsWith("Ready"));
    return { agent, ...person };
  }
  async function done(agent: TestAgent, person: { context: { close(): Promise<void> }; errors: string[] }) {
    await api.request("POST", "/me", agent.headers, { operationName: "NotReady", reason: "Other" });
    await person.context.close();
    assert.deepEqual(person.errors, [], "no page errors");
  }
  /** The one interaction `agent` is offered or holds that is not among `known`. */
  async function newInteraction(agent: TestAgent, known: string[]): Promise<string> {
    return eventually(async () => (await api.mine(agent)).find((ix) => !known.includes(ix.id))?.id, 5000, "a new interaction");
  }

  /** The offer's text (less its countdown), then Accept: the chat's tab opens. */
  async function accept(page: Page): Promise<string> {
    const offer = page.getByRole("article");
    await offer.waitFor();
    const text = (await offer.locator("h2, dl").allTextContents()).join(" | ").replace(/\d\d:\d\d/g, "<time>");
    await offer.getByRole("button", { name: "Accept", exact: true }).click();
    await offer.waitFor({ state: "detached" });
    return text;
  }

  /** What the selected tab's panel shows, its chat's ids (`ids`) masked. */
  async function rendered(page: Page, offer: string, ids: string[]): Promise<Rendered> {
    // Raw text here, tidied below: the callback runs in the page, with no helpers of this file.
    const shown = await page.evaluate(() => {
      const panel = document.querySelector('[role="tabpanel"]');
      const tab = document.querySelector('[role="tab"][aria-selected="true"]');
      if (panel === null || tab === null) throw new Error("no chat open");
      const log = panel.querySelector('[role="log"]');
      return {
        tab: tab.textContent ?? "",
        heading: panel.querySelector(".work-head h2")?.textContent ?? "",
        subline: panel.querySelector(".work-head p")?.textContent ?? "",
        log: log?.getAttribute("aria-label") ?? "",
        entries: [...(log?.querySelectorAll("li") ?? [])].map((li) => ({
          className: li.className,
          text: li.textContent ?? "",
          // Each element under the entry (its parent, tag, class and role): its structure without its text.
          tree: [...li.querySelectorAll("*")]
            .map((el) => `${el.parentElement === li ? "" : el.parentElement?.tagName}>${el.tagName}.${el.className}[${el.getAttribute("role") ?? ""}]`)
            .join(" "),
        })),
        caseData: [...panel.querySelectorAll(".case-data table.kv tr")].map((tr) => [
          tr.querySelector("th")?.textContent ?? "",
          (tr.querySelector("input") as HTMLInputElement).value,
        ]),
        serviceData: [...panel.querySelectorAll(".case-data .service-data dl > div")].map((d) => [
          d.querySelector("dt")?.textContent ?? "",
          d.querySelector("dd")?.textContent ?? "",
        ]),
      };
    });
    const tidy = (s: string) => s.replace(/\s+/g, " ").trim();
    const mask = (s: string) =>
      tidy(
        ids
          .filter((id) => id !== "")
          .reduce((acc, id) => acc.replaceAll(id, "<id>"), s)
          .replace(/\d\d:\d\d/g, "<time>"),
      );
    const pairs = (rows: string[][]) => rows.map(([k, v]) => [tidy(k ?? ""), mask(v ?? "")] as [string, string]);
    return {
      offer,
      tab: tidy(shown.tab),
      heading: tidy(shown.heading),
      subline: tidy(shown.subline),
      log: shown.log,
      entries: shown.entries.map((e) => ({ ...e, text: mask(e.text) })),
      caseData: pairs(shown.caseData),
      serviceData: pairs(shown.serviceData),
    };
  }

  /** The chat's v1 service id, as attached to its interaction (a v2 chat's is never attached: it is no capability there). */
  async function serviceIdOf(agent: TestAgent, id: string): Promise<string> {
    return (await api.request("GET", `/interactions/${id}`, agent.headers)).body.interaction.userData.gms_service_id ?? "";
  }

  it("shows a v2 chat as it shows a v1 chat of the same customer; the agent's reply reaches the v2 customer's refresh", async () => {
    const { agent, page, ...person } = await agentAt();
    const log = page.getByRole("tabpanel").getByRole("log");
    const name = { firstName: "Ada", lastName: "Lovelace" };
    const asked = "Where is my parcel?";
    const answer = "Let me check, one moment.";

    // v1: the customer names themselves as v2's default nickname does ("First Last").
    const v1 = chatApi(server.url);
    const service = await v1.create("request-chat");
    const started = await v1.call(service, "ixn/chat", {
      ...name,
      userDisplayName: "Ada Lovelace",
      email: "ada@example.com",
      subject: "Parcel",
      orderId: "A-17",
    });
    assert.equal(started.status, 200, started.text);
    const v1Id = await newInteraction(agent, []);
    const v1Offer = await accept(page);
    assert.equal((await v1.call(service, "ixn/chat/send", { message: asked })).status, 200);
    await log.getByText(asked).waitFor();
    await page.getByRole("textbox", { name: "Message", exact: true }).fill(answer);
    await page.getByRole("textbox", { name: "Message", exact: true }).press("Enter");
    await log.getByText(answer).waitFor();
    const first = await rendered(page, v1Offer, [v1Id, await serviceIdOf(agent, v1Id)]);

    // v2, on the same chat service.
    const v2 = chatV2Api(server.url, "request-chat");
    const chat = await v2.start({ ...name, emailAddress: "ada@example.com", subject: "Parcel", "userData[orderId]": "A-17" });
    const v2Id = await newInteraction(agent, [v1Id]);
    const v2Offer = await accept(page);
    await page
      .getByRole("tab", { selected: true })
      .and(page.locator(`#tab-${v2Id}`))
      .waitFor();
    assert.equal(assertEnvelope((await v2.op(chat, "send", { message: asked })).body).statusCode, 0);
    await log.getByText(asked).waitFor();
    await page.getByRole("textbox", { name: "Message", exact: true }).fill(answer);
    await page.getByRole("textbox", { name: "Message", exact: true }).press("Enter");
    await log.getByText(answer).waitFor();
    const second = await rendered(page, v2Offer, [v2Id, await serviceIdOf(agent, v2Id)]);

    // The same name, offer, header and transcript, entry by entry: text, role (class) and structure.
    assert.equal(second.heading, "Ada Lovelace · chat");
    assert.deepEqual(
      second.entries.map((e) => e.className),
      ["entry notice", "entry text customer", "entry text agent"],
    );
    assert.deepEqual({ ...second, caseData: [], serviceData: [] }, { ...first, caseData: [], serviceData: [] });
    // The same case data, apart from what each API attaches under names of its own.
    // (in any order: each API attaches them in the order it reads them)
    const without = (rows: Array<[string, string]>, keys: string[]) => rows.filter(([k]) => !keys.includes(k)).sort(([a], [b]) => a.localeCompare(b));
    assert.equal(new Map(second.caseData).get("orderId"), "A-17");
    assert.deepEqual(without(second.caseData, V2_ONLY), without(first.caseData, V1_ONLY));
    assert.deepEqual(without(second.serviceData, V2_ONLY), without(first.serviceData, V1_ONLY));
    assert.equal(new Map(second.caseData).get("nickname"), "Ada Lovelace");

    // The v2 customer reads the agent's reply through the REST refresh.
    const refreshed = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "1" })).body);
    const reply = refreshed.messages.find((m) => m.type === "Message" && m.from.type === "Agent");
    assert.equal(reply?.text, answer);
    assert.equal(reply?.from.nickname, "Vera");

    await v1.call(service, "ixn/chat/disconnect");
    await v2.op(chat, "disconnect");
    await done(agent, person);
  });

  it("a file the customer attaches is a link that downloads it with the agent's cookie; a new nickname and a deleted file are notices", async () => {
    const { agent, page, ...person } = await agentAt();
    const log = page.getByRole("tabpanel").getByRole("log");
    const v2 = chatV2Api(server.url);
    const chat = await v2.start({ firstName: "Ada", lastName: "Lovelace", subject: "Files" });
    const id = await newInteraction(agent, []);
    await accept(page);
    // Files need an agent in the chat (CHAT_V2_FILE_NEED_AGENT): once the desktop has accepted, the customer may send one.
    await api.sees(agent, id, "Accepted");
    const content = "Order A-17: the parcel never came.\n";
    const fileId = await upload(chat, "note.txt", content, "the delivery note");

    const link = log.getByRole("link", { name: `note.txt (${Buffer.byteLength(content)} bytes)`, exact: true });
    await link.waitFor();
    const entry = log.getByRole("listitem").filter({ hasText: "sent a file: note.txt" });
    assert.match((await entry.textContent()) ?? "", /^\d\d:\d\d.* Ada Lovelace sent a file: note\.txt \(35 bytes\) – the delivery note$/);
    assert.equal(await link.getAttribute("download"), "");
    const href = new URL((await link.getAttribute("href")) ?? "", page.url());
    assert.equal(href.origin, new URL(server.url).origin);
    assert.equal(href.pathname, `/api/v2/interactions/${id}/files/${fileId}`);
    // The agent's session cookie is what lets it through: the browser's download, and the same request without the cookie.
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    assert.equal(download.suggestedFilename(), "note.txt");
    assert.equal(await download.failure(), null);
    const fetched = await page.request.get(href.toString());
    assert.equal(fetched.status(), 200);
    assert.equal((await fetched.body()).toString(), content);
    assert.match(fetched.headers()["content-disposition"] ?? "", /^attachment; filename="note\.txt"/);
    assert.equal((await fetch(href)).status, 401, "no cookie, no file");
    assert.deepEqual(await seriousViolations(page), []);

    // A file's name is text, never HTML.
    const hostile = "<img src=x onerror=alert(1)>.txt";
    await upload(chat, hostile, "x");
    await log.getByRole("link", { name: `${hostile} (1 byte)`, exact: true }).waitFor();
    assert.equal(await log.locator("img").count(), 0);

    assert.equal(assertEnvelope((await v2.op(chat, "updateNickname", { nickname: "Addie" })).body).statusCode, 0);
    await log.getByRole("listitem").filter({ hasText: "Ada Lovelace is now Addie" }).waitFor();

    assert.equal(assertEnvelope((await v2.op(chat, `file/${fileId}/delete`)).body).statusCode, 0);
    await log.getByRole("listitem").filter({ hasText: "Addie removed the file note.txt" }).waitFor();
    // The upload's line stays, without its link: the file is gone.
    await link.waitFor({ state: "detached" });
    assert.match((await entry.textContent()) ?? "", /sent a file: note\.txt \(35 bytes\) \(removed\) – the delivery note$/);
    assert.equal((await page.request.get(href.toString())).status(), 404);

    // After a reload the transcript is read again (RequestChatHistory): the same lines, the same links.
    const lines = await log.getByRole("listitem").allTextContents();
    await page.reload();
    await page.getByRole("tab", { name: /Ada Lovelace/ }).click();
    await log.getByRole("listitem").filter({ hasText: "Addie removed the file note.txt" }).waitFor();
    assert.deepEqual(await log.getByRole("listitem").allTextContents(), lines);
    assert.equal(await log.getByRole("link").count(), 1);

    await v2.op(chat, "disconnect");
    await done(agent, person);
  });

  /** Uploads a file as Widgets does (multipart: the chat's keys and the `file` part); resolves with its id. */
  async function upload(chat: V2Chat, name: string, content: string, description = ""): Promise<string> {
    const form = new FormData();
    for (const [key, value] of Object.entries(chat.keys)) form.set(key, value);
    form.set("userData[file-description]", description);
    form.set("file", new Blob([content], { type: "text/plain" }), name);
    const response = await fetch(`${chatV2Api(server.url).base}/${chat.chatId}/file`, { method: "POST", body: form });
    const body = assertEnvelope(await response.json());
    assert.equal(body.statusCode, 0, JSON.stringify(body));
    return body.userData?.["file-id"] ?? assert.fail("the upload's answer names its file");
  }
});
