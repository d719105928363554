/** A stored file sent as a download: its type, its name (an ASCII fallback and UTF-8), never sniffed or run by a browser. */
import type { FastifyReply } from "fastify";

export function sendAttachment(reply: FastifyReply, file: { name: string; type: string }, bytes: Buffer) {
  const ascii = file.name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return reply
    .type(file.type)
    .header("content-disposition", `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`)
    .header("x-content-type-options", "nosniff")
    .header("content-security-policy", "default-src 'none'; sandbox")
    .send(bytes);
}
