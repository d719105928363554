/** The Bayeux engine alone, no sockets, as the in-process benchmarks use it: a customer endpoint and a request context per user. */
import { gmsUserVerifier } from "../src/access/gms-user.ts";
import { BayeuxEngine, type RequestContext } from "../src/bayeux/engine.ts";
import { customerEndpoint } from "../src/bayeux/endpoints.ts";
import { MemoryBus } from "../src/bus/memory.ts";
import { createLogger } from "../src/logger.ts";

/** A started engine with the default limits (per-address caps lifted: every client is 127.0.0.1). */
export async function benchEngine(): Promise<BayeuxEngine> {
  const engine = new BayeuxEngine({
    bus: new MemoryBus(),
    now: Date.now,
    logger: createLogger("silent"),
    limits: {
      maxQueue: 1000,
      maxQueueBytes: 8 * 1024 * 1024,
      maxQueueBytesPerIp: 1024 * 1024 * 1024,
      maxCustomerQueueBytes: 1024 * 1024 * 1024,
      maxClientsPerIdentity: 16,
      maxSessionsPerConnection: 8,
      maxSessionsPerIp: 100_000,
      maxSessions: 50_000,
      maxSubscriptionBytes: 16 * 1024,
      maxChannelSegments: 32,
      maxParkedPerBrowser: 1,
      connectTimeoutMs: 30_000,
      maxIntervalMs: 10_000,
    },
  });
  engine.addEndpoint(customerEndpoint("genesys", gmsUserVerifier(null)).policy);
  await engine.start();
  return engine;
}

/** What a long-polling request of `user` brings with it. */
export function requestOf(user: string): RequestContext {
  return { transport: "long-polling", identity: user, browserId: null, ip: "127.0.0.1", connection: null, onClose: () => () => {} };
}
