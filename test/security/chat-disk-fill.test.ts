/**
 * Issue 15, item 3: `request-chat` took 1 MB of business data, kept it an hour, and had no rate
 * limit: 16-33 MB/s of database growth from one anonymous client. Now business data has caps,
 * service creation a rate per address and per gms_user, open services a count per address, and
 * a service that never opens its chat a short life. Addresses come through TRUST_PROXY here, as
 * behind a load balancer: the address is the one the proxy appended, whatever the client wrote.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertRateLimited, chatApi, from, GMS_SECRET, postForm, provenUser, withChat } from "../support/chat.ts";
import { assertGmsError, eventually } from "../support/server.ts";
import { collect, openSocket } from "../support/sockets.ts";

describe("business data", () => {
  it("is capped per value (CHAT_MAX_DATA_VALUE_CHARS) and in all (CHAT_MAX_DATA_BYTES); a refused service is not created", () =>
    withChat({}, async (server) => {
      const service = `${server.url}/genesys/1/service/request-chat`;
      const refusals = [
        { blob: "x".repeat(1_000_000) },
        { blob: "x".repeat(4097) },
        Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, "x".repeat(4000)])),
      ];
      for (const data of refusals) assertGmsError(await postForm(service, data, from("198.51.100.1")), 400, "BadRequestException");
      assert.equal(await server.app.store.chats.openServicesFrom("198.51.100.1", server.app.ctx.now()), 0);
      const within = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`k${i}`, "x".repeat(4000)]));
      const created = await postForm(service, within, from("198.51.100.1"));
      assert.equal(created.status, 200, created.text);
      // What ixn/chat adds counts with what the service holds.
      const more = await postForm(`${server.url}/genesys/1/service/${created.body._id}/ixn/chat`, { k3: "x".repeat(4000), k4: "x".repeat(4000) });
      assert.match(assertGmsError(more, 400, "BadRequestException").message, /business data: at most 16384 bytes/);
    }));

  it("is measured as the JSON it is kept as: a service it accepts can always open its chat, however its data is escaped", () =>
    withChat({}, async (server) => {
      const service = `${server.url}/genesys/1/service/request-chat`;
      // 9,000 control characters are 54,000 bytes as JSON.
      const control = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`c${i}`, "\u0001".repeat(3000)]));
      assertGmsError(await postForm(service, control, from("198.51.100.8")), 400, "BadRequestException");
      // The most a service takes, in the costliest characters, and the longest named fields at ixn/chat.
      const quotes = Object.fromEntries(Array.from({ length: 2 }, (_, i) => [`q${i}`, '"'.repeat(3500)]));
      const created = await postForm(service, quotes, from("198.51.100.8"));
      assert.equal(created.status, 200, created.text);
      const named = { firstName: '"'.repeat(256), lastName: '"'.repeat(256), email: '"'.repeat(256) };
      const opened = await postForm(`${server.url}/genesys/1/service/${created.body._id}/ixn/chat`, named, from("198.51.100.8"));
      assert.equal(opened.status, 200, opened.text);
    }));
});

describe("creating chat services", () => {
  it("has a rate per client address (CHAT_SERVICES_PER_MINUTE_PER_IP): 429 with Retry-After; a spoofed X-Forwarded-For does not escape it", () =>
    withChat({ CHAT_SERVICES_PER_MINUTE_PER_IP: "3" }, async (server, clock) => {
      const chat = chatApi(server.url);
      for (let i = 0; i < 3; i++) await chat.create("request-chat", {}, from("198.51.100.2"));
      const refused = await postForm(`${chat.service}/request-chat`, {}, from("198.51.100.2"));
      assertRateLimited(refused);
      assert.equal(refused.headers.get("retry-after"), "20", "one more every 20 s at 3 a minute");
      assertRateLimited(await postForm(`${chat.service}/request-chat`, {}, from("198.51.100.2", "203.0.113.99")));
      assert.equal(await server.app.store.chats.openServicesFrom("198.51.100.2", clock.now()), 3, "refusals created nothing");
      await chat.create("request-chat", {}, from("198.51.100.3"));
      clock.advance(20_000);
      await chat.create("request-chat", {}, from("198.51.100.2"));
    }));

  it("past its rate, an address is refused before its body is read: a flood of large bodies costs no parsing", () =>
    withChat({ CHAT_SERVICES_PER_MINUTE_PER_IP: "1" }, async (server) => {
      const chat = chatApi(server.url);
      await chat.create("request-chat", {}, from("198.51.100.9"));
      // Headers announcing a body that never comes: only a refusal that reads no body answers.
      const socket = await openSocket(server.url);
      try {
        const { bytes } = collect(socket);
        socket.write(
          "POST /genesys/1/service/request-chat HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.9\r\n" +
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n",
        );
        await eventually(async () => (bytes().includes("\r\n\r\n") ? true : undefined), 5000, "an answer before the body");
        assert.match(bytes().toString(), /^HTTP\/1\.1 429 /);
      } finally {
        socket.destroy();
      }
    }));

  it("has a rate per proven gms_user (CHAT_SERVICES_PER_MINUTE_PER_USER), whatever address it comes from", () =>
    withChat({ CHAT_SERVICES_PER_MINUTE_PER_USER: "2", GMS_USER_SECRET: GMS_SECRET }, async (server) => {
      const chat = chatApi(server.url);
      const flooder = await provenUser("flooder");
      await chat.create("request-chat", {}, { ...flooder, ...from("198.51.100.4") });
      await chat.create("request-chat", {}, { ...flooder, ...from("198.51.100.5") });
      assertRateLimited(await postForm(`${chat.service}/request-chat`, {}, { ...flooder, ...from("198.51.100.6") }));
      await chat.create("request-chat", {}, { ...(await provenUser("someone-else")), ...from("198.51.100.6") });
    }));

  it("counts a gms_user nobody proved (no GMS_USER_SECRET) by its address only: claiming someone's name uses up nothing of theirs", () =>
    withChat({ CHAT_SERVICES_PER_MINUTE_PER_USER: "2" }, async (server) => {
      const chat = chatApi(server.url);
      for (let i = 0; i < 3; i++) await chat.create("request-chat", {}, { gms_user: "victim", ...from("203.0.113.66") });
      await chat.create("request-chat", {}, { gms_user: "victim", ...from("198.51.100.4") });
    }));

  it("counts open services per address (CHAT_OPEN_SERVICES_PER_IP); one that is gone makes room", () =>
    withChat({ CHAT_OPEN_SERVICES_PER_IP: "2", CHAT_SERVICES_PER_MINUTE_PER_IP: "0", CHAT_UNUSED_SERVICE_TTL_SECONDS: "60" }, async (server, clock) => {
      const chat = chatApi(server.url);
      await chat.create("request-chat", {}, from("198.51.100.7"));
      await chat.create("request-chat", {}, from("198.51.100.7"));
      assertRateLimited(await postForm(`${chat.service}/request-chat`, {}, from("198.51.100.7")));
      clock.advance(61_000);
      await chat.create("request-chat", {}, from("198.51.100.7"));
    }));
});

describe("a service that never opens its chat", () => {
  it("is removed CHAT_UNUSED_SERVICE_TTL_SECONDS after its last request; asking for its status keeps it; an open chat keeps its service", () =>
    withChat({ CHAT_UNUSED_SERVICE_TTL_SECONDS: "60" }, async (server, clock) => {
      const chat = chatApi(server.url);
      const idle = await chat.create("request-chat");
      const polled = await chat.create("request-chat-poll");
      const opened = await chat.create("request-chat");
      assert.equal((await chat.call(opened, "ixn/chat")).status, 200);
      // The housekeeping timer sweeps at any moment in between: each poll comes well within the service's time.
      for (let i = 0; i < 6; i++) {
        clock.advance(20_000);
        assert.equal((await chat.call(polled, "status")).status, 200);
      }
      await server.app.housekeeping.sweep();
      assert.equal(await server.app.store.chats.get(idle), null, "the idle service is gone after 2 minutes");
      assert.notEqual(await server.app.store.chats.get(polled), null, "a service still polled stays");
      assert.notEqual(await server.app.store.chats.get(opened), null, "a service with an open chat stays");
      assertGmsError(await chat.call(idle, "ixn/chat"), 404, "NotFoundException");
    }));
});
