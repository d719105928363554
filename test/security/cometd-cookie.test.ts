/**
 * The BAYEUX_BROWSER cookie: `Secure` over HTTPS (directly or through a trusted proxy), and
 * `SameSite=None; Secure; Partitioned` for a widget on another site when configured. JSONP
 * answers are never sniffed as anything but script.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rawBayeux } from "../support/bayeux.ts";
import { startServer } from "../support/server.ts";

async function cookieOf(env: Record<string, string>, headers: Record<string, string> = {}): Promise<string> {
  const server = await startServer({ env });
  try {
    const { reply } = await rawBayeux(`${server.url}/genesys/cometd`).handshake("cookie", {}, headers);
    return reply.headers.get("set-cookie") ?? "";
  } finally {
    await server.close();
  }
}

describe("the BAYEUX_BROWSER cookie", () => {
  it("is not Secure over plain HTTP, and SameSite=Lax", async () => {
    const cookie = await cookieOf({});
    assert.match(cookie, /^BAYEUX_BROWSER=\w+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it("is Secure when a trusted proxy says the request came over HTTPS", async () => {
    assert.match(await cookieOf({ TRUST_PROXY: "true" }, { "x-forwarded-proto": "https" }), /; SameSite=Lax; Secure$/);
  });

  it("ignores X-Forwarded-Proto from an untrusted client", async () => {
    assert.doesNotMatch(await cookieOf({}, { "x-forwarded-proto": "https" }), /Secure/);
  });

  it("is SameSite=None; Secure; Partitioned with BAYEUX_COOKIE_CROSS_SITE", async () => {
    assert.match(await cookieOf({ BAYEUX_COOKIE_CROSS_SITE: "true" }), /; HttpOnly; SameSite=None; Secure; Partitioned$/);
  });
});

describe("JSONP", () => {
  it("answers with X-Content-Type-Options: nosniff", async () => {
    const server = await startServer();
    try {
      const message = encodeURIComponent(JSON.stringify([{ channel: "/meta/handshake", version: "1.0" }]));
      const res = await fetch(`${server.url}/genesys/cometd/handshake?jsonp=cb&gms_user=j&message=${message}`);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.match(await res.text(), /^cb\(\[/);
    } finally {
      await server.close();
    }
  });
});
