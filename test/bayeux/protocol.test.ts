/**
 * The protocol on the wire, with a raw HTTP client: meta channels, errors, malformed input,
 * limits. Every bad request gets a Bayeux error reply or a 400, never a crash.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawBayeux, type RawBayeux } from "../support/bayeux.ts";
import { call, startServer, until, type TestServer } from "../support/server.ts";

let server: TestServer;
let bx: RawBayeux;
before(async () => {
  server = await startServer({ env: { BAYEUX_MAX_MESSAGE_BYTES: "8192", BAYEUX_CONNECT_TIMEOUT_MS: "300" } });
  bx = rawBayeux(`${server.url}/genesys/cometd`);
});
after(() => server.close());

const U = { gms_user: "proto" };

async function connected(user = "proto"): Promise<string> {
  const { clientId } = await bx.handshake(user);
  const first = await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling", id: "2" }], { gms_user: user });
  assert.equal(first.body[0].successful, true);
  return clientId;
}

describe("/meta/handshake", () => {
  it("answers the seed 004 handshake as GMS did, with the BAYEUX_BROWSER cookie", async () => {
    const reply = await bx.post({ version: "1.0", minimumVersion: "0.9", channel: "/meta/handshake", id: "0" }, { gms_user: "BuzzBrain" });
    assert.equal(reply.status, 200);
    const [hs] = reply.body;
    assert.equal(hs.successful, true);
    assert.equal(hs.id, "0");
    assert.equal(hs.version, "1.0");
    assert.deepEqual(hs.advice, { reconnect: "retry", interval: 0, timeout: 300 });
    assert.match(reply.headers.get("set-cookie") ?? "", /^BAYEUX_BROWSER=\w+; Path=\/; HttpOnly/);
  });

  it("serves a request without gms_user as an anonymous client: Chat API v2 channels only, never v1's (spec decision 5)", async () => {
    const reply = await bx.post([{ channel: "/meta/handshake", version: "1.0", id: "7" }]);
    assert.equal(reply.status, 200);
    assert.equal(reply.body[0].successful, true);
    const clientId = reply.body[0].clientId;
    const v1 = await bx.post([{ channel: "/meta/subscribe", clientId, subscription: "/_genesys", id: "8" }]);
    assert.equal(v1.body[0].successful, false);
    assert.match(v1.body[0].error, /^403:/);
    const v2 = await bx.post([{ channel: "/meta/subscribe", clientId, subscription: "/service/chatV2/customer-support", id: "9" }]);
    assert.equal(v2.body[0].successful, true);
    assert.equal(v2.body[0].subscription, "/service/chatV2/customer-support");
  });

  it("takes gms_user from the handshake ext when the header cannot be sent (WebSocket)", async () => {
    const { clientId } = await bx.handshake("ext-user", { ext: { gms_user: "ext-user" } });
    assert.ok(clientId);
  });

  it("refuses clients with no connection type in common", async () => {
    const reply = await bx.post([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["flash"] }], U);
    assert.equal(reply.body[0].successful, false);
    assert.match(reply.body[0].error, /^301:/);
  });

  it("accepts the CometD path suffixes", async () => {
    const reply = await bx.post([{ channel: "/meta/handshake", version: "1.0" }], U, "/handshake");
    assert.equal(reply.body[0].successful, true);
  });
});

describe("/meta/connect", () => {
  it("answers the first connect at once with advice, then holds until the timeout", async () => {
    const clientId = await connected();
    const started = Date.now();
    const held = await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling", id: "3" }], U, "/connect");
    assert.ok(Date.now() - started >= 250, "held for the advised timeout");
    assert.deepEqual(held.body, [{ channel: "/meta/connect", successful: true, id: "3" }]);
  });

  it("answers a held connect when a second one arrives, and holds the second", async () => {
    const clientId = await connected();
    const parked = server.app.bayeux.stats().parked;
    const first = bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling", id: "a" }], U);
    await until(() => server.app.bayeux.stats().parked > parked, 5000, "a held connect");
    const second = bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling", id: "b" }], U);
    const firstReply = await first;
    assert.deepEqual(firstReply.body, [{ channel: "/meta/connect", successful: true, id: "a" }]);
    server.app.bayeux.deliver("customer", "proto", "/x", "unsubscribed: not delivered");
    assert.equal((await second).body[0].id, "b");
  });

  it("handles the rest of a batch at once when its connect is held", async () => {
    const clientId = await connected();
    const parked = server.app.bayeux.stats().parked;
    const batch = bx.post(
      [
        { channel: "/meta/connect", clientId, connectionType: "long-polling", id: "c" },
        { channel: "/meta/subscribe", clientId, subscription: "/_genesys", id: "s" },
      ],
      U,
    );
    await until(() => server.app.bayeux.stats().parked > parked, 5000, "a held connect");
    server.app.bayeux.deliver("customer", "proto", "/_genesys", { n: 1 });
    const reply = await batch;
    assert.deepEqual(
      reply.body.map((m: { channel: string; id?: string }) => m.id ?? m.channel),
      ["/_genesys", "c", "s"],
      "the subscription was in place before the delivery",
    );
  });

  it("answers an unknown client with 402 and handshake advice", async () => {
    const reply = await bx.post([{ channel: "/meta/connect", clientId: "nope", connectionType: "long-polling", id: "9" }], U);
    assert.deepEqual(reply.body, [
      { channel: "/meta/connect", successful: false, error: "402::Unknown client", advice: { reconnect: "handshake", interval: 0 }, id: "9" },
    ]);
  });

  it("treats another user's clientId as unknown", async () => {
    const clientId = await connected("owner");
    const reply = await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], { gms_user: "intruder" });
    assert.equal(reply.body[0].error, "402::Unknown client");
  });

  it("tells a second tab of one browser to poll instead of holding (multiple-clients)", async () => {
    const cookie = { cookie: "BAYEUX_BROWSER=tabs", gms_user: "tabs" };
    const a = (await bx.handshake("tabs", {}, cookie)).clientId;
    const b = (await bx.handshake("tabs", {}, cookie)).clientId;
    for (const clientId of [a, b]) await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], cookie);
    const parked = server.app.bayeux.stats().parked;
    const held = bx.post([{ channel: "/meta/connect", clientId: a, connectionType: "long-polling" }], cookie);
    await until(() => server.app.bayeux.stats().parked > parked, 5000, "a held connect");
    const second = await bx.post([{ channel: "/meta/connect", clientId: b, connectionType: "long-polling" }], cookie);
    assert.equal(second.body[0].advice["multiple-clients"], true);
    assert.equal(second.body[0].advice.interval, 2000);
    await held;
  });
});

describe("/meta/subscribe, /meta/unsubscribe, publish", () => {
  it("subscribes and unsubscribes, echoing the subscription", async () => {
    const clientId = await connected();
    const sub = await bx.post([{ channel: "/meta/subscribe", clientId, subscription: "/_genesys", id: "s" }], U);
    assert.deepEqual(sub.body, [{ channel: "/meta/subscribe", successful: true, clientId, subscription: "/_genesys", id: "s" }]);
    const unsub = await bx.post([{ channel: "/meta/unsubscribe", clientId, subscription: "/_genesys" }], U);
    assert.equal(unsub.body[0].successful, true);
  });

  it("refuses meta channels, malformed channels and a missing subscription", async () => {
    const clientId = await connected();
    for (const subscription of ["/meta/connect", "no-slash", "/a/**/b", "", undefined]) {
      const reply = await bx.post([{ channel: "/meta/subscribe", clientId, subscription }], U);
      assert.equal(reply.body[0].successful, false, String(subscription));
      assert.match(reply.body[0].error, /^40[35]:/);
    }
  });

  it("bounds the subscriptions of one client", async () => {
    const clientId = await connected();
    for (let i = 0; i < 2; i++) {
      const subscription = Array.from({ length: 64 }, (_, j) => `/c/${i}/${j}`);
      assert.equal((await bx.post([{ channel: "/meta/subscribe", clientId, subscription }], U)).body[0].successful, true);
    }
    const over = await bx.post([{ channel: "/meta/subscribe", clientId, subscription: "/one/more" }], U);
    assert.match(over.body[0].error, /^403::at most 128 subscriptions/);
  });

  it("refuses client publishes on broadcast channels: /_genesys is shared by every user", async () => {
    const clientId = await connected();
    const reply = await bx.post([{ channel: "/_genesys", clientId, data: { spoof: true }, id: "p" }], U);
    assert.deepEqual(reply.body, [{ channel: "/_genesys", successful: false, error: "403:/_genesys:Publish denied", id: "p" }]);
  });

  it("hands service-channel publishes to the server's handler only", async () => {
    const seen: unknown[] = [];
    server.app.bayeux.onService("customer", "/service/echo", (session, data) => {
      seen.push([session.identity, data]);
    });
    const clientId = await connected();
    const reply = await bx.post([{ channel: "/service/echo", clientId, data: { hi: 1 } }], U);
    assert.equal(reply.body[0].successful, true);
    assert.deepEqual(seen, [["proto", { hi: 1 }]]);
  });

  it("forgets a client on /meta/disconnect", async () => {
    const clientId = await connected();
    assert.equal((await bx.post([{ channel: "/meta/disconnect", clientId }], U)).body[0].successful, true);
    const after = await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], U);
    assert.equal(after.body[0].error, "402::Unknown client");
  });
});

describe("callback-polling (JSONP)", () => {
  it("answers GET ?jsonp=&message= with a script call", async () => {
    const message = encodeURIComponent(JSON.stringify([{ channel: "/meta/handshake", version: "1.0", id: "j" }]));
    const res = await fetch(`${server.url}/genesys/cometd?jsonp=_cometd_jsonp_0&message=${message}`, { headers: U });
    assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.match(await res.text(), /^_cometd_jsonp_0\(\[\{"channel":"\/meta\/handshake".*"successful":true/);
  });

  it("answers a GET without a message with 400", async () => {
    const res = await fetch(`${server.url}/genesys/cometd?jsonp=cb`, { headers: U });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /^cb\(\[\{"channel":"\/meta\/unknown","successful":false,"error":"400::Bad message: no message parameter"/);
  });

  it("refuses a callback name that is not an identifier", async () => {
    const res = await fetch(`${server.url}/genesys/cometd?jsonp=alert(1)//&message=[]`, { headers: U });
    assert.equal(res.status, 400);
  });
});

describe("malformed input", () => {
  const cases: [string, string, number, RegExp][] = [
    ["not JSON", "{oops", 400, /not JSON/],
    ["not an array or message", '"text"', 400, /not a message/],
    ["an empty batch", "[]", 400, /empty batch/],
    ["a huge batch", JSON.stringify(Array.from({ length: 101 }, () => ({ channel: "/meta/connect" }))), 400, /more than 100/],
  ];
  for (const [name, body, status, error] of cases) {
    it(`answers ${name} with ${status}`, async () => {
      const reply = await bx.post(body, U);
      assert.equal(reply.status, status);
      assert.match(reply.body[0].error, error);
    });
  }

  it("answers an oversized body with 413", async () => {
    const reply = await bx.post([{ channel: "/meta/handshake", pad: "x".repeat(10_000) }], U);
    assert.equal(reply.status, 413);
  });

  it("answers messages without a channel, non-objects and unknown meta channels with error replies", async () => {
    const clientId = await connected();
    const reply = await bx.post([{ id: "1" }, 42, { channel: "/meta/nope", clientId, id: "3" }, { channel: "/x", data: 1 }], U);
    assert.equal(reply.status, 200);
    assert.deepEqual(
      reply.body.map((r: { error: string }) => r.error),
      ["400::channel missing", "400::Bad message", "404:/meta/nope:Unknown meta channel", "402::Unknown client"],
    );
  });

  it("refuses other methods", async () => {
    assert.equal((await call("PUT", `${server.url}/genesys/cometd`, "[]")).status, 405);
  });
});
