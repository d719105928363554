/**
 * What the process does with a promise rejected where nobody catches it. Node's default ends the
 * process: one forgotten `catch` on a path a client can reach would let any client stop the
 * server for everyone. Such a rejection is a bug to fix, so it is logged with its stack, and
 * the process goes on serving everything else. (An uncaught exception still ends it: the
 * state it leaves behind is unknown.)
 */
import type { Logger } from "./logger.ts";

export function logUnhandledRejections(logger: Logger): void {
  process.on("unhandledRejection", (reason: unknown) => {
    logger.error({ err: reason }, "unhandled promise rejection (a bug: a promise without a catch); the server goes on");
  });
}
