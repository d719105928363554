/**
 * A body over the limit on a keep-alive connection: the client must read the whole 413, never
 * a reset connection. The server answers, then reads and discards what the client still sends
 * for up to HTTP_LINGER_MS (a lingering close, as nginx does); a peer that never stops sending
 * is cut off after that. Raw TCP, as a client that writes its whole body before reading does.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD } from "../support/agents.ts";
import { eventually, startServer, type TestServer } from "../support/server.ts";
import { collect, openSocket } from "../support/sockets.ts";

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 0x61);

let server: TestServer;
let chatId: string;
before(async () => {
  // The drain used to stop at max(8 MiB, 4 x BODY_LIMIT_BYTES): 20 MB went well past it.
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const created = await fetch(`${server.url}/genesys/1/service/request-chat`, { method: "POST" });
  chatId = ((await created.json()) as { _id: string })._id;
});
after(() => server.close());

interface Upload {
  received: () => Buffer;
  /** The first error on the socket: a write cut by a reset, or a reset while reading. */
  error: () => (Error & { code?: string }) | null;
  /** Whether the whole body was taken before the client read anything. */
  sentAll: () => boolean;
  closed: () => boolean;
}

/**
 * A POST with a `length`-byte body on a keep-alive connection, sent as most HTTP clients send it:
 * the whole body first, reading nothing meanwhile (the socket is paused), then the answer.
 */
async function upload(path: string, type: string, length: number, headers: Record<string, string> = {}): Promise<Upload> {
  const socket = await openSocket(server.url);
  socket.pause();
  let error: (Error & { code?: string }) | null = null;
  let closed = false;
  let sentAll = false;
  socket.on("error", (err) => {
    error ??= err;
  });
  socket.on("close", () => {
    closed = true;
  });
  const write = (chunk: string | Buffer) => new Promise<boolean>((resolve) => socket.write(chunk, (err) => resolve(err == null)));
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  await write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n${extra.join("")}\r\n`);
  let sent = 0;
  while (sent < length && !socket.destroyed) {
    const chunk = length - sent < CHUNK.length ? CHUNK.subarray(0, length - sent) : CHUNK;
    if (!(await write(chunk))) break;
    sent += chunk.length;
  }
  sentAll = sent === length;
  const received = collect(socket);
  socket.resume();
  return { received: () => received.bytes(), error: () => error, sentAll: () => sentAll, closed: () => closed };
}

/** The response in `bytes` when it is complete (head and a body of its Content-Length), else null. */
function completeResponse(bytes: Buffer): { status: number; headers: string; body: string } | null {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const headers = bytes.subarray(0, end).toString("latin1");
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? Number.NaN);
  const body = bytes.subarray(end + 4);
  if (!(body.length >= length)) return null;
  return { status: Number(headers.slice(9, 12)), headers, body: body.subarray(0, length).toString("utf8") };
}

/** Waits until the connection is over (closed by either side) and returns the response it carried. */
async function outcome(try_: Upload) {
  await eventually(async () => (try_.closed() ? true : undefined), 30_000, "the connection's end");
  return { response: completeResponse(try_.received()), error: try_.error(), sentAll: try_.sentAll() };
}

const routes = [
  ["Context Services", "/genesys/1/cs/services/start", "application/json", "PayloadTooLargeException", {}],
  ["the Chat API", () => `/genesys/1/service/${chatId}/ixn/chat/send`, "application/x-www-form-urlencoded", "PayloadTooLargeException", {}],
  ["CometD over HTTP", "/genesys/cometd", "application/json", "413::Message too large", {}],
  ["the agent API", "/api/v2/interactions", "application/json", '"status":"error"', ADMIN],
] as const;

describe("a 20 MB body on a keep-alive connection", () => {
  for (const [what, path, type, refusal, headers] of routes) {
    it(`${what}: every one of 10 tries reads the whole 413 before the connection ends`, async () => {
      for (let i = 0; i < 10; i++) {
        const { response, error, sentAll } = await outcome(await upload(typeof path === "string" ? path : path(), type, 20 * MB, headers));
        assert.ok(response, `try ${i + 1}: a complete response (got ${error?.code ?? "no error"} instead)`);
        assert.equal(error, null, `try ${i + 1}: never reset`);
        assert.ok(sentAll, `try ${i + 1}: the whole body was taken`);
        assert.equal(response.status, 413, `try ${i + 1}`);
        assert.match(response.headers, /\r\nconnection: close/i, "the connection is not kept");
        assert.ok(response.body.includes(refusal), response.body);
      }
    });
  }
});

describe("a peer that never stops sending", () => {
  let lingering: TestServer;
  before(async () => {
    lingering = await startServer({ env: { HTTP_LINGER_MS: "300" } });
  });
  after(() => lingering.close());

  for (const [what, path, type] of [routes[0], routes[2]]) {
    it(`${what}: gets the 413, and is cut off after HTTP_LINGER_MS`, async () => {
      const socket = await openSocket(lingering.url);
      const received = collect(socket);
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      // A chunked body that never ends: only the server can end this.
      const chunk = Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from("\r\n")]);
      const deadline = Date.now() + 20_000;
      while (!socket.destroyed && Date.now() < deadline) await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
      assert.ok(socket.destroyed, "cut off");
      assert.equal(completeResponse(received.bytes())?.status, 413);
    });
  }
});
