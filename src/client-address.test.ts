import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { clientAddress } from "./client-address.ts";

/** A request from `peer` carrying these X-Forwarded-For headers. */
function request(peer: string, forwardedFor?: string | string[]): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor } } as unknown as IncomingMessage;
}

describe("clientAddress", () => {
  it("without TRUST_PROXY, the peer, whatever the headers say", () => {
    assert.equal(clientAddress(request("10.0.0.5", "203.0.113.1"), 0), "10.0.0.5");
  });

  it("behind one proxy, the entry it appended (the last): what the client wrote before it does not count", () => {
    assert.equal(clientAddress(request("10.0.0.1", "6.6.6.6, 203.0.113.1"), 1), "203.0.113.1");
    assert.equal(clientAddress(request("10.0.0.1", "203.0.113.1"), 1), "203.0.113.1");
    assert.equal(clientAddress(request("10.0.0.1", ["6.6.6.6", "203.0.113.1"]), 1), "203.0.113.1", "repeated headers read as one list");
    assert.equal(clientAddress(request("10.0.0.1"), 1), "10.0.0.1", "no header: the peer");
  });

  it("behind two (a CDN, then a load balancer), the one the outer proxy appended", () => {
    assert.equal(clientAddress(request("10.0.0.1", "6.6.6.6, 203.0.113.1, 198.51.100.9"), 2), "203.0.113.1");
    assert.equal(clientAddress(request("10.0.0.1", "203.0.113.1"), 2), "203.0.113.1", "fewer entries than proxies: the first");
  });
});
