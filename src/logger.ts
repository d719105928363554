/** The process logger: structured JSON lines (pino). The only file that imports pino. */
import { pino, type Logger } from "pino";
import type { LogLevel } from "./config.ts";

export type { Logger };

/** `destination` (default: standard output) lets tests read what was logged. */
export function createLogger(level: LogLevel, destination?: { write(line: string): void }): Logger {
  const options = { level, base: { service: "parley" }, redact: ["req.headers.authorization", "req.headers.cookie"] };
  return destination === undefined ? pino(options) : pino(options, destination);
}
