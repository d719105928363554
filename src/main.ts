/**
 * Process entry: configuration, the app, signals. The only file that exits the process.
 */
import { buildApp } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { logUnhandledRejections } from "./process-guard.ts";
import { StoreOpenError } from "./store/store.ts";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`parley: ${err.message}\n`);
    process.exit(2);
  }
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp(config);
  } catch (err) {
    if (!(err instanceof StoreOpenError)) throw err;
    // As for configuration errors: one line, what to do, status 2.
    process.stderr.write(`parley: ${err.message}\n`);
    process.exit(2);
  }
  logUnhandledRejections(app.logger);
  const url = await app.listen();
  app.logger.info({ url, ops: app.opsUrl() ?? undefined, database: config.databaseUrl.replace(/\/\/[^@]*@/, "//***@") }, "parley listening");
  if (app.demoCredentials.length > 0) {
    // Shown once, on the terminal rather than in the log stream; change them, or set PARLEY_ADMIN_PASSWORD.
    const lines = app.demoCredentials.map((c) => `  ${c.userName.padEnd(8)} ${c.password}  (${c.roles.join(", ")})`);
    process.stderr.write(`\nparley: first start, these users were created (passwords shown only now):\n${lines.join("\n")}\n\n`);
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

main().catch((err: unknown) => {
  process.stderr.write(`parley: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
