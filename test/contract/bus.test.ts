import { randomBytes } from "node:crypto";
import { MemoryBus, MemoryHub } from "../../src/bus/memory.ts";
import { RedisBus } from "../../src/bus/redis.ts";
import { busContract } from "./bus.contract.ts";

busContract("memory", async () => {
  const hub = new MemoryHub();
  return [new MemoryBus(hub), new MemoryBus(hub)];
});

const url = process.env.TEST_REDIS_URL ?? "";
const prefix = `parley-test-${randomBytes(6).toString("hex")}`;
busContract(
  "redis",
  async () => [await RedisBus.connect({ url, prefix, onError: () => {} }), await RedisBus.connect({ url, prefix, onError: () => {} })],
  url === "" ? "TEST_REDIS_URL is not set: Redis bus contract not run" : false,
);
