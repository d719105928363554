/**
 * A lingering close, as nginx does it, for a request refused before its body was read (413):
 * the answer goes out with `Connection: close`, then what the client still sends is read and
 * discarded for a while before the connection is closed.
 *
 * Why: Node closes a `Connection: close` connection as soon as the answer is written. When the
 * client is still sending, the kernel answers its next bytes with a reset, and a client that
 * writes its whole body before reading (most do) then sees "connection reset" instead of the
 * 413, which its own kernel may already hold. Reading on until the client is done (it closes
 * its side, or the body ends), goes quiet, or HTTP_LINGER_MS has passed lets it read the answer;
 * a peer that never stops sending is still cut off. Discarding costs a callback per chunk and
 * holds nothing: the bytes are dropped as they arrive. Used by the REST error handlers and the
 * CometD long-polling binding; node:http only.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** A client that sends nothing for this share of the linger time is done (or stuck): close. */
const IDLE_SHARE = 5;

/**
 * Call before sending the refusal of a request whose body is still coming: marks the answer as
 * the connection's last and lingers after it. Does nothing when the whole body was read (the
 * connection then stays open as usual).
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse, lingerMs: number): void {
  if (req.complete || req.destroyed) return;
  res.setHeader("connection", "close");
  // Read and drop the rest from now on. A listener of our own also keeps Node from "dumping"
  // the request when the answer is done, which would stop the chunks from reaching us.
  let lastData = Date.now();
  const onData = () => {
    lastData = Date.now();
  };
  req.on("data", onData);
  req.resume();
  const socket = req.socket;
  // Once the last answer is written, node:http calls destroySoon(): end our side, and destroy
  // the socket when that is flushed, unread bytes or not. The linger takes its place, on this
  // one socket. (node:http's own behaviour, seen in Node 20's resOnFinish; should a later Node
  // close differently, test/security/body-drain.test.ts fails with a reset instead of a 413.)
  socket.destroySoon = () => linger(socket, req, lingerMs, () => lastData, onData);
}

function linger(socket: Socket, req: IncomingMessage, lingerMs: number, lastData: () => number, onData: () => void): void {
  socket.end();
  const started = Date.now();
  const idleMs = Math.max(1, Math.floor(lingerMs / IDLE_SHARE));
  let check: NodeJS.Timeout | undefined;
  const stop = () => {
    clearInterval(check);
    req.off("data", onData);
    req.off("end", stop);
    socket.off("end", stop);
    socket.off("close", stop);
    socket.destroy();
  };
  // The whole body arrived, or the client closed its side: nothing is left unread, so closing
  // now resets nothing.
  if (req.complete || socket.readableEnded) {
    stop();
    return;
  }
  req.once("end", stop);
  socket.once("end", stop);
  socket.once("close", stop);
  check = setInterval(() => {
    const now = Date.now();
    if (now - started >= lingerMs || now - lastData() >= idleMs) stop();
  }, idleMs);
  check.unref();
}
