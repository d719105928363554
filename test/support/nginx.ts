/**
 * Debian's nginx in front of parley nodes, for the deployment test: deploy/nginx/parley.conf as
 * shipped, with only its node addresses and listen port replaced, run as an unprivileged
 * process under a prefix of its own (temp dirs, pid, logs) on a free loopback port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually } from "./server.ts";

export const NGINX = "/usr/sbin/nginx";
const SHIPPED = fileURLToPath(new URL("../../deploy/nginx/parley.conf", import.meta.url));
/** What `nobody` is on Debian: nginx is never run as root by the tests, even when they are. */
const NOBODY = 65534;

export interface Nginx {
  url: string;
  /** What nginx wrote to its error log so far (for failure messages). */
  errors(): string;
  stop(): Promise<void>;
}

/** deploy/nginx/parley.conf with the nodes at `upstreams` (host:port) and listening on `port`; each placeholder must be there once. */
export function renderParleyConf(upstreams: string[], port: number): string {
  let conf = readFileSync(SHIPPED, "utf8");
  const replace = (from: string, to: string) => {
    const parts = conf.split(from);
    if (parts.length !== 2) throw new Error(`deploy/nginx/parley.conf: expected "${from}" once, found it ${parts.length - 1} times`);
    conf = parts.join(to);
  };
  for (const [i, address] of upstreams.entries()) replace(`server parley${i + 1}:8080 `, `server ${address} `);
  replace("listen 80;", `listen 127.0.0.1:${port};`);
  return conf;
}

/** Starts nginx with the rendered configuration in `dir` (which it may write); resolves once it answers /health through a node. */
export async function startNginx(dir: string, upstreams: string[]): Promise<Nginx> {
  const port = await freePort();
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, "temp", sub), { recursive: true });
  writeFileSync(join(dir, "parley.conf"), renderParleyConf(upstreams, port));
  writeFileSync(join(dir, "nginx.conf"), mainConf(dir));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownTree(dir);
  const log = join(dir, "error.log");
  const child = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", log, "-g", `daemon off; pid ${join(dir, "nginx.pid")};`], {
    stdio: ["ignore", "ignore", "pipe"],
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  const exited = once(child, "exit");
  const errors = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
  const nginx: Nginx = { url: `http://127.0.0.1:${port}`, errors, stop: () => stop(child, exited) };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${errors()}`);
        const reply = await fetch(`${nginx.url}/health`).catch(() => null);
        return reply?.status === 200 ? true : undefined;
      },
      10_000,
      "nginx to answer /health",
    );
  } catch (err) {
    await nginx.stop();
    throw err;
  }
  return nginx;
}

/** The top level nginx.conf around parley.conf (what /etc/nginx/nginx.conf is on a server), every path under `dir`. */
function mainConf(dir: string): string {
  const temp = (name: string) => join(dir, "temp", name);
  return `worker_processes 1;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path ${temp("client_body")};
    proxy_temp_path ${temp("proxy")};
    fastcgi_temp_path ${temp("fastcgi")};
    uwsgi_temp_path ${temp("uwsgi")};
    scgi_temp_path ${temp("scgi")};
    include ${join(dir, "parley.conf")};
}
`;
}

function chownTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const path of [dir, join(dir, "temp"), ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((s) => join(dir, "temp", s))]) {
    chownSync(path, NOBODY, NOBODY);
  }
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
