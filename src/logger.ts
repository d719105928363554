/** The process logger: structured JSON lines (pino). The only file that imports pino. */
import { pino, type Logger } from "pino";
import type { LogLevel } from "./config.ts";

export type { Logger };

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: "parley" }, redact: ["req.headers.authorization", "req.headers.cookie"] });
}
