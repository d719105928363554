/**
 * Raw TCP for tests that must send what no well-behaved client would: WebSocket frames built
 * byte by byte, connections that never speak, uploads cut off halfway.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

/** Opens a TCP connection to the server of `baseUrl` (`http://127.0.0.1:PORT`). */
export function openSocket(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Resolves when the socket closes; fails after `ms`. Reads (and drops) what is still unread. */
export function closed(socket: Socket, ms = 5000): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  // A paused socket never sees the end of the stream.
  socket.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Everything the socket receives, as it arrives. */
export function collect(socket: Socket): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("error", () => {});
  return { bytes: () => Buffer.concat(chunks) };
}

/** Upgrades a raw socket to WebSocket on `path`; resolves once the 101 response has arrived. */
export async function rawWebSocket(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<{ socket: Socket; received: () => Buffer }> {
  const socket = await openSocket(baseUrl);
  const received = collect(socket);
  const head = [
    `GET ${path} HTTP/1.1`,
    `Host: ${new URL(baseUrl).host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    "Sec-WebSocket-Version: 13",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ].join("\r\n");
  socket.write(head);
  const deadline = Date.now() + 5000;
  while (!received.bytes().includes("\r\n\r\n")) {
    if (Date.now() > deadline || socket.destroyed) throw new Error(`no upgrade response: ${received.bytes().toString()}`);
    await new Promise((resolve) => socket.once("data", resolve));
  }
  const text = received.bytes().toString("latin1");
  if (!text.startsWith("HTTP/1.1 101")) throw new Error(`upgrade refused: ${text.split("\r\n")[0]}`);
  const start = received.bytes().indexOf("\r\n\r\n") + 4;
  return { socket, received: () => received.bytes().subarray(start) };
}

/** A client frame: masked unless told otherwise. `first` is the byte holding FIN, RSV and opcode. */
export function frame(first: number, payload: Buffer, options: { masked?: boolean } = {}): Buffer {
  const masked = options.masked !== false;
  const length = payload.length;
  const maskBit = masked ? 0x80 : 0;
  const header = length < 126 ? Buffer.from([first, maskBit | length]) : Buffer.from([first, maskBit | 126, length >> 8, length & 0xff]);
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask.readUInt8(i % 4)));
  return Buffer.concat([header, mask, body]);
}

/** The whole frames the server sent (unmasked), in order; an incomplete last one is left out. */
export function serverFrames(bytes: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes.readUInt8(at) & 0x0f;
    let length = bytes.readUInt8(at + 1) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (at + 4 > bytes.length) break;
      length = bytes.readUInt16BE(at + 2);
      start += 2;
    } else if (length === 127) {
      if (at + 10 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(at + 2));
      start += 8;
    }
    if (start + length > bytes.length) break;
    frames.push({ opcode, payload: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return frames;
}

/** The status code of the first close frame (opcode 8) the server sent, or null. */
export function closeCode(bytes: Buffer): number | null {
  const close = serverFrames(bytes).find((f) => f.opcode === 8);
  return close !== undefined && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
}

/** The text frames (opcode 1) the server sent, in order. */
export function textFrames(bytes: Buffer): string[] {
  return serverFrames(bytes)
    .filter((f) => f.opcode === 1)
    .map((f) => f.payload.toString("utf8"));
}

/**
 * A TCP proxy to `baseUrl` whose connections the test can cut, as a network would; `block` also
 * refuses new ones (the network is down) until `unblock`.
 */
export async function tcpProxy(baseUrl: string): Promise<{ url: string; cut(): void; block(): void; unblock(): void; close(): Promise<void> }> {
  const { createServer } = await import("node:net");
  const target = new URL(baseUrl);
  const open = new Set<Socket>();
  let blocked = false;
  const proxy = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.on("error", () => b.destroy());
      a.on("close", () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const address = proxy.address() as { port: number };
  const cut = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut,
    block() {
      blocked = true;
      cut();
    },
    unblock() {
      blocked = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        proxy.close(() => resolve());
      }),
  };
}
