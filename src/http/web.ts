/**
 * The web pages (web/, built by `npm run build` into dist/web): the customer widget at `/`, the
 * agent desktop at `/agent`, `widget.js` for other sites, and their assets. The files are read
 * once at start. Hashed assets are immutable; the pages and widget.js are revalidated, so a new
 * build reaches browsers at once. Every page gets a Content-Security-Policy that allows no inline
 * script and no other origin: the pages talk to parley only. Text files go brotli- or
 * gzip-compressed as the browser accepts, from the variants the build wrote beside them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply } from "fastify";

/** dist/web at the package root: from src/http (tsx) and from dist/http (tsc output) alike. */
const WEB_BUILD_DIR = fileURLToPath(new URL("../../dist/web/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

/** The pages' policy: scripts, styles and connections (CometD's WebSocket included) from parley only; no framing. */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "media-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const COMMON_HEADERS = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
const PAGE_HEADERS = { ...COMMON_HEADERS, "content-security-policy": PAGE_POLICY, "cache-control": "no-cache" };
const ASSET_HEADERS = { ...COMMON_HEADERS, "cache-control": "public, max-age=31536000, immutable" };
// Other sites load widget.js with a script tag; a short cache lets a new build reach them soon.
const EMBED_HEADERS = { ...COMMON_HEADERS, "cache-control": "public, max-age=300", "cross-origin-resource-policy": "cross-origin" };

interface WebFile {
  type: string;
  body: Buffer;
  /** The same, compressed at build time (`<name>.br`, `<name>.gz`), when that is smaller. */
  br?: Buffer;
  gzip?: Buffer;
}

export interface WebPagesOptions {
  /** GMS_APP_NAME: the pages build the Chat API's and Context Services' paths on it (a meta element tells them). */
  gmsAppName: string;
  /** Where the build is: dist/web by default. */
  dir?: string;
}

export function registerWebPages(app: FastifyInstance, options: WebPagesOptions): void {
  const files = readBuild(options.dir ?? WEB_BUILD_DIR);
  for (const [name, file] of files) if (name.endsWith(".html")) tellAppName(file, options.gmsAppName);
  const send = (reply: FastifyReply, name: string, headers: Record<string, string>) => {
    const file = files.get(name);
    if (file === undefined) {
      return reply
        .code(503)
        .headers(COMMON_HEADERS)
        .type("text/plain; charset=utf-8")
        .send("The web pages are not built: run `npm run build` (npm start does), then restart parley.\n");
    }
    reply.headers(headers).header("vary", "accept-encoding").type(file.type);
    const accepted = acceptedEncodings(reply.request.headers["accept-encoding"]);
    if (file.br !== undefined && accepted.has("br")) return reply.header("content-encoding", "br").send(file.br);
    if (file.gzip !== undefined && accepted.has("gzip")) return reply.header("content-encoding", "gzip").send(file.gzip);
    return reply.send(file.body);
  };

  const hidden = { schema: { hide: true } };
  app.get("/", hidden, (_request, reply) => send(reply, "index.html", PAGE_HEADERS));
  app.get("/agent", hidden, (_request, reply) => send(reply, "agent.html", PAGE_HEADERS));
  app.get("/widget.js", hidden, (_request, reply) => send(reply, "widget.js", EMBED_HEADERS));
  app.get<{ Params: { file: string } }>("/assets/:file", hidden, (request, reply) => {
    const name = `assets/${request.params.file}`;
    if (!files.has(name)) return reply.code(404).headers(COMMON_HEADERS).send({ message: "No such file", exception: "NotFoundException" });
    return send(reply, name, ASSET_HEADERS);
  });
}

/** Every file of the build, by its path under `dir` (`index.html`, `assets/agent-X.js`); empty when there is no build. */
function readBuild(dir: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  if (!existsSync(dir)) return files;
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const path = sub === "" ? name : `${sub}/${name}`;
      if (statSync(join(dir, path)).isDirectory()) walk(path);
      else if (!COMPRESSED.test(name)) files.set(path, { type: TYPES[extname(name)] ?? "application/octet-stream", body: readFileSync(join(dir, path)) });
    }
  };
  walk("");
  for (const [path, file] of files) {
    file.br = smaller(join(dir, `${path}.br`), file.body);
    file.gzip = smaller(join(dir, `${path}.gz`), file.body);
  }
  return files;
}

const COMPRESSED = /\.(br|gz)$/;

/** The build says `genesys`; another GMS_APP_NAME is written into the page (and its compressed variants made again). */
function tellAppName(file: WebFile, gmsAppName: string): void {
  if (gmsAppName === "genesys") return;
  const html = file.body.toString("utf8");
  const told = html.replace('<meta name="parley-gms-app" content="genesys">', `<meta name="parley-gms-app" content="${gmsAppName}">`);
  if (told === html) return;
  file.body = Buffer.from(told);
  file.br = brotliCompressSync(file.body);
  file.gzip = gzipSync(file.body);
}

/** The compressed variant at `path`, if the build made one and it saves something. */
function smaller(path: string, body: Buffer): Buffer | undefined {
  if (!existsSync(path)) return undefined;
  const compressed = readFileSync(path);
  return compressed.length < body.length ? compressed : undefined;
}

/** The content codings an Accept-Encoding header allows (`q=0` refuses one). */
function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? "").split(",")) {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding === undefined || coding === "") continue;
    if (params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p))) continue;
    accepted.add(coding);
  }
  return accepted;
}
