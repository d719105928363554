import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { clientAddress, limitKey } from "./client-address.ts";

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

describe("limitKey", () => {
  it("an IPv6 client is its /64, however it is written; IPv4 and mapped IPv4 are the address", () => {
    assert.equal(limitKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
    assert.equal(limitKey("2001:0db8:0001:0002::1"), "2001:db8:1:2::/64");
    assert.equal(limitKey("2001:DB8:1:2::ffff"), "2001:db8:1:2::/64");
    assert.equal(limitKey("fe80::1%eth0"), "fe80:0:0:0::/64");
    assert.equal(limitKey("::1"), "0:0:0:0::/64");
    assert.equal(limitKey("::ffff:203.0.113.7"), "203.0.113.7");
    assert.equal(limitKey("203.0.113.7"), "203.0.113.7");
    assert.equal(limitKey("unknown"), "unknown");
  });

  it("behind a proxy, every address of one /64 counts as one client", () => {
    const one = clientAddress(request("10.0.0.1", "2001:db8:1:2::1"), 1);
    const other = clientAddress(request("10.0.0.1", "2001:db8:1:2:ffff::9"), 1);
    assert.equal(one, other);
  });
});
