/**
 * The Chat API's edges: parameters however real clients send them (query, form, multipart,
 * JSON, JSON labelled as a form), and every refusal with the GMS error body and nothing changed:
 * unknown ids, another gms_user, calls after disconnect, malformed and oversized input.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { chatApi, chatInteraction, entries, postForm } from "../support/chat.ts";
import { assertGmsError, call, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let chat: ReturnType<typeof chatApi>;
before(async () => {
  server = await startServer({ env: { CHAT_MAX_MESSAGE_CHARS: "100", CHAT_MAX_TRANSCRIPT_ENTRIES: "12" } });
  chat = chatApi(server.url);
});
after(() => server.close());

/** The interaction's attached data, as the store holds it (what an agent is offered). */
async function attached(serviceId: string): Promise<Record<string, unknown>> {
  return (await chatInteraction(server, serviceId)).properties;
}

describe("parameters", () => {
  const fields = { firstName: "Vasya", lastName: "Pupkin", subject: "lenient" };
  const senders: [string, (url: string) => Promise<unknown>][] = [
    ["the query string", (url) => call("POST", `${url}?${new URLSearchParams(fields)}`)],
    ["a form", (url) => postForm(url, fields)],
    ["JSON", (url) => call("POST", url, fields)],
    ["JSON labelled as a form", (url) => call("POST", url, JSON.stringify(fields), { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" })],
    [
      "multipart",
      (url) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        form.append("upload", new Blob(["ignored"]), "file.txt");
        return fetch(url, { method: "POST", body: form });
      },
    ],
    ["an empty JSON object with the query", (url) => call("POST", `${url}?${new URLSearchParams(fields)}`, {})],
  ];
  for (const [how, send] of senders) {
    it(`are read from ${how}`, async () => {
      const id = await chat.create();
      await send(`${chat.service}/${id}/ixn/chat`);
      const data = await attached(id);
      assert.deepEqual([data.fldnFirstName, data.fldnLastName, data.subject], ["Vasya", "Pupkin", "lenient"]);
      const refresh = await chat.call(id, "ixn/chat/refresh", { message: "hi" });
      assert.equal(entries(refresh)[0]?.[1], "VasyaP");
    });
  }

  it("are parsed as forms on the Chat API only: Context Services still refuses forms with 415", async () => {
    assertGmsError(await postForm(`${server.cs}/services/start`, { contact_key: "k" }), 415, "UnsupportedMediaTypeException");
    const form = new FormData();
    form.append("contact_key", "k");
    const multipart = await fetch(`${server.cs}/services/start`, { method: "POST", body: form });
    assert.equal(multipart.status, 415);
  });

  it("business data given at creation is attached to the chat; _-prefixed keys are not", async () => {
    const id = await chat.create("request-chat", { MSISDN: "+15550100", _private: "x" });
    await chat.call(id, "ixn/chat");
    const data = await attached(id);
    assert.equal(data.MSISDN, "+15550100");
    assert.equal(data._private, undefined);
  });
});

describe("refusals", () => {
  it("an unknown service id or name is 404, an unknown operation too", async () => {
    assertGmsError(await chat.call("0b0e6b58-0000-4000-8000-000000000000", "ixn/chat"), 404, "NotFoundException");
    assertGmsError(await chat.call("0b0e6b58-0000-4000-8000-000000000000", "ixn/chat/refresh"), 404, "NotFoundException");
    assertGmsError(await chat.call("0b0e6b58-0000-4000-8000-000000000000", "status"), 404, "NotFoundException");
    assertGmsError(await postForm(`${chat.service}/no-such-service`), 404, "NotFoundException");
    const id = await chat.create();
    await chat.call(id, "ixn/chat");
    assertGmsError(await chat.call(id, "ixn/chat/explode"), 404, "NotFoundException");
  });

  it("another gms_user, or none, gets 403 on a user's service, and changes nothing", async () => {
    const id = await chat.create("request-chat", {}, { gms_user: "owner" });
    assertGmsError(await chat.call(id, "ixn/chat", {}, { gms_user: "intruder" }), 403, "ForbiddenException");
    assertGmsError(await chat.call(id, "ixn/chat"), 403, "ForbiddenException");
    assert.equal((await server.app.store.chats.get(id))?.chat, null);
    await chat.call(id, "ixn/chat", {}, { gms_user: "owner" });
    for (const op of ["refresh", "send", "startTyping", "stopTyping", "disconnect"]) {
      assertGmsError(await chat.call(id, `ixn/chat/${op}`, { message: "sneaky" }, { gms_user: "intruder" }), 403, "ForbiddenException");
    }
    const own = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "1" }, { gms_user: "owner" });
    assert.deepEqual(entries(own), []);
  });

  it("chat calls before ixn/chat are 503; a second ixn/chat is refused", async () => {
    const id = await chat.create();
    for (const op of ["refresh", "send", "startTyping", "stopTyping", "disconnect"]) {
      assertGmsError(await chat.call(id, `ixn/chat/${op}`, { message: "x" }), 503, "ServiceUnavailableException");
    }
    await chat.call(id, "ixn/chat");
    assertGmsError(await chat.call(id, "ixn/chat"), 400, "InvalidStateException");
  });

  it("after disconnect: refresh and disconnect answer DISCONNECTED, sending and typing are refused", async () => {
    const id = await chat.create();
    await chat.call(id, "ixn/chat");
    await chat.call(id, "ixn/chat/send", { message: "bye" });
    assert.equal((await chat.call(id, "ixn/chat/disconnect")).body.chatIxnState, "DISCONNECTED");
    for (const op of ["send", "startTyping", "stopTyping"])
      assertGmsError(await chat.call(id, `ixn/chat/${op}`, { message: "late" }), 400, "InvalidStateException");
    const refresh = await chat.call(id, "ixn/chat/refresh", { message: "late" });
    assert.equal(refresh.status, 200);
    assert.equal(refresh.body.chatIxnState, "DISCONNECTED");
    assert.equal(refresh.body.chatServiceMessage, "Chat was finished");
    const again = await chat.call(id, "ixn/chat/disconnect");
    assert.equal(again.body.chatIxnState, "DISCONNECTED");
    const all = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "1" });
    assert.deepEqual(
      entries(all).map((e) => e[2]),
      ["bye", "has left the session"],
      "nothing was added after the end",
    );
  });

  it("malformed, oversized or misplaced input gets 4xx and changes nothing", async () => {
    const id = await chat.create();
    await chat.call(id, "ixn/chat");
    const url = `${chat.service}/${id}/ixn/chat/send`;
    const cases: [string, Promise<Awaited<ReturnType<typeof call>>>, number, string][] = [
      [
        "JSON labelled as a form, broken",
        call("POST", url, '{"message": ', { "content-type": "application/x-www-form-urlencoded" }),
        400,
        "BadRequestException",
      ],
      ["broken JSON", call("POST", url, '{"message": ', { "content-type": "application/json" }), 400, "BadRequestException"],
      ["a JSON array", call("POST", url, "[1,2]", { "content-type": "application/json" }), 400, "BadRequestException"],
      [
        "deep JSON",
        call("POST", url, `{"message":${"[".repeat(100)}${"]".repeat(100)}}`, { "content-type": "application/x-www-form-urlencoded" }),
        400,
        "BadRequestException",
      ],
      ["multipart without a boundary", call("POST", url, "message=x", { "content-type": "multipart/form-data" }), 400, "BadRequestException"],
      ["an unsupported type", call("POST", url, "<message/>", { "content-type": "application/xml" }), 415, "UnsupportedMediaTypeException"],
      ["no message", postForm(url, {}), 400, "BadRequestException"],
      ["a message over CHAT_MAX_MESSAGE_CHARS", postForm(url, { message: "x".repeat(101) }), 400, "BadRequestException"],
      ["a bad transcriptPosition", postForm(`${chat.service}/${id}/ixn/chat/refresh`, { transcriptPosition: "-3" }), 400, "BadRequestException"],
      ["a word for a position", postForm(`${chat.service}/${id}/ixn/chat/refresh`, { transcriptPosition: "first" }), 400, "BadRequestException"],
      ["__proto__ as a parameter", postForm(url, { ["__proto__"]: "x", message: "m" }), 400, "BadRequestException"],
      ["too many parameters", postForm(url, Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, "v"]))), 400, "BadRequestException"],
      ["notify_by other than comet", postForm(`${chat.service}/${id}/ixn/chat`, { notify_by: "sms" }), 400, "BadRequestException"],
    ];
    for (const [what, pending, status, exception] of cases) {
      const reply = await pending;
      assert.equal(reply.status, status, `${what}: ${reply.text}`);
      assertGmsError(reply, status, exception);
    }
    const all = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "1" });
    assert.deepEqual(entries(all), [], "nothing was stored");
    const body = await call("POST", url, `message=${"x".repeat(2 * 1024 * 1024)}`, { "content-type": "application/x-www-form-urlencoded" });
    assertGmsError(body, 413, "PayloadTooLargeException");
  });

  it("notify_by=comet needs a gms_user to push to", async () => {
    const id = await chat.create();
    assertGmsError(await chat.call(id, "ixn/chat", { notify_by: "comet" }), 400, "BadRequestException");
  });

  it("a transcript stops taking messages at CHAT_MAX_TRANSCRIPT_ENTRIES, and can still be ended", async () => {
    const id = await chat.create();
    await chat.call(id, "ixn/chat");
    for (let i = 0; i < 12; i++) assert.equal((await chat.call(id, "ixn/chat/send", { message: `m${i}` })).status, 200);
    assertGmsError(await chat.call(id, "ixn/chat/send", { message: "one too many" }), 400, "InvalidStateException");
    assert.equal((await chat.call(id, "ixn/chat/disconnect")).body.chatIxnState, "DISCONNECTED");
  });
});
