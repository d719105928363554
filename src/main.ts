/**
 * Process entry: configuration, the app, signals. A start that cannot succeed for a reason the
 * operator fixes (configuration, the database, a port) prints one line and exits with status 2.
 */
import { buildApp, type App } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { logUnhandledRejections } from "./process-guard.ts";
import { BusOpenError } from "./bus/bus.ts";
import { busProblem, databaseProblem, listenProblem, printableUrl } from "./start-problems.ts";
import { StoreOpenError } from "./store/store.ts";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return cannotStart(err.message);
  }
  const logger = createLogger(config.logLevel);
  warnAboutConfig(config, logger);
  let app: App;
  try {
    app = await buildApp(config, { logger });
  } catch (err) {
    const problem = err instanceof StoreOpenError ? err.message : err instanceof BusOpenError ? busProblem(config, err.message) : databaseProblem(config, err);
    if (problem === null) throw err;
    return cannotStart(problem);
  }
  logUnhandledRejections(app.logger);
  let url: string;
  try {
    url = await app.listen();
  } catch (err) {
    const problem = listenProblem(config, err);
    if (problem === null) throw err;
    return cannotStart(problem);
  }
  app.logger.info({ url, ops: app.opsUrl() ?? undefined, database: printableUrl(config.databaseUrl) }, "parley listening");
  if (app.demoCredentials.length > 0) {
    // Shown once, on the terminal rather than in the log stream; change them, or set PARLEY_ADMIN_PASSWORD.
    const lines = app.demoCredentials.map((c) => `  ${c.userName.padEnd(8)} ${c.password}  (${c.roles.join(", ")})`);
    const site = browsableUrl(config, url);
    const agent = app.demoCredentials.find((c) => c.roles.includes("ROLE_AGENT"))?.userName ?? app.demoCredentials[0]?.userName;
    process.stderr.write(
      `\nparley: first start, these users were created (passwords shown only now):\n${lines.join("\n")}\n\n` +
        `Open ${site}/ as a customer and ${site}/agent as ${agent}; admin sees the supervisor view there too.\n\n`,
    );
  }

  const shutdown = (signal: string) => {
    app.logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      app.logger.error("graceful shutdown timed out");
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

/** Where a person on this machine opens the pages: PUBLIC_URL, or localhost on the port parley listens on. */
function browsableUrl(config: Config, listening: string): string {
  if (config.publicUrl !== null) return config.publicUrl.replace(/\/+$/, "");
  return `http://localhost:${new URL(listening).port}`;
}

/** Settings that work but lose something the operator may not expect: said once, at start. */
function warnAboutConfig(config: Config, logger: Logger): void {
  if (!config.databaseUrl.startsWith("sqlite:") && config.redisUrl === null) {
    logger.warn(
      "DATABASE_URL is PostgreSQL and REDIS_URL is unset: CometD messages (chat pushes, agent notifications) reach only the clients of the node that sends them. With several nodes, set REDIS_URL; with one, nothing is lost",
    );
  }
}

/** As for configuration errors: one line saying what to do, status 2. */
function cannotStart(message: string): never {
  process.stderr.write(`parley: ${message}\n`);
  process.exit(2);
}

main().catch((err: unknown) => {
  process.stderr.write(`parley: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
