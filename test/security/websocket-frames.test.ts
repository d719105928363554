/**
 * A WebSocket protocol error closes that socket alone, with the close code RFC 6455 gives it;
 * the server goes on answering. Before, each of these frames ended the whole process.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { closeCode, closed, frame, rawWebSocket } from "../support/sockets.ts";
import { get, startServer, type TestServer } from "../support/server.ts";

const MAX = 4096;
let server: TestServer;
before(async () => {
  server = await startServer({ env: { BAYEUX_MAX_MESSAGE_BYTES: String(MAX) } });
});
after(() => server.close());

const TEXT = 0x81; // FIN + text
const oversizedHeader = () => {
  const header = Buffer.alloc(14);
  header[0] = 0x82; // FIN + binary
  header[1] = 0x80 | 127; // masked, 64-bit length follows
  header.writeBigUInt64BE(BigInt(MAX + 1), 2);
  return header; // the mask follows; no payload needs to be sent
};

const cases: [string, () => Buffer, number][] = [
  ["a 4-byte unmasked frame", () => frame(TEXT, Buffer.from("hi"), { masked: false }), 1002],
  ["a header announcing more than BAYEUX_MAX_MESSAGE_BYTES", oversizedHeader, 1009],
  ["a frame with RSV1 set (no extension negotiated)", () => frame(0xc1, Buffer.from("[]")), 1002],
  ["a text frame that is not UTF-8", () => frame(TEXT, Buffer.from([0xff, 0xfe, 0xfd])), 1007],
  ["a reserved opcode", () => frame(0x83, Buffer.from("x")), 1002],
];

for (const path of ["/genesys/cometd", "/api/v2/notifications"]) {
  describe(`WebSocket protocol errors on ${path}`, () => {
    for (const [name, build, code] of cases) {
      it(`${name}: closes that socket with ${code}, the server answers on`, async () => {
        const bystander = await rawWebSocket(server.url, path, { gms_user: "bystander" });
        const { socket, received } = await rawWebSocket(server.url, path, { gms_user: "attacker" });
        socket.write(build());
        await closed(socket);
        assert.equal(closeCode(received()), code);
        assert.equal(bystander.socket.destroyed, false, "another socket is untouched");
        assert.equal((await get(`${server.url}/health`)).status, 200);
        bystander.socket.destroy();
      });
    }
  });
}

describe("a well-behaved client over the message limit", () => {
  it("gets its socket closed with 1009 (message too big); the server answers on", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/genesys/cometd`, { headers: { gms_user: "big" } });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const code = new Promise<number>((resolve) => ws.once("close", (c) => resolve(c)));
    ws.on("error", () => {});
    ws.send(JSON.stringify([{ channel: "/meta/handshake", version: "1.0", pad: "x".repeat(MAX) }]));
    assert.equal(await code, 1009);
    assert.equal((await get(`${server.url}/health`)).status, 200);
  });
});
