/**
 * Auto-complete (`cview/auto-complete-*`) and expiry, with a clock the test moves: the sweeper
 * runs every 20 ms in tests, and the test waits for its effect with a deadline.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventually, get, manualClock, post, put, startServer } from "../support/server.ts";

const ENABLED = { CS_AUTO_COMPLETE_ENABLED: "true", CS_AUTO_COMPLETE_AFTER: "60" };

async function completedWithin(url: string) {
  return eventually(
    async () => {
      const service = (await get(url)).body;
      return service.completed === undefined ? undefined : service;
    },
    5000,
    `${url} to be completed`,
  );
}

describe("auto-complete", () => {
  it("completes an idle service with its active states and tasks after the configured delay", async () => {
    const clock = manualClock();
    const server = await startServer({ env: ENABLED, now: clock.now });
    try {
      const id = (await post(`${server.cs}/services/start`, { customer_id: "AC" })).body.service_id;
      await post(`${server.cs}/services/${id}/states/start`, {});
      await post(`${server.cs}/services/${id}/tasks/start`, {});
      clock.advance(59_000);
      await server.app.housekeeping.sweep();
      assert.equal((await get(`${server.cs}/services/${id}`)).body.completed, undefined, "not before the delay");
      clock.advance(2_000);
      await completedWithin(`${server.cs}/services/${id}`);
      assert.equal((await get(`${server.cs}/services/${id}/states/active`)).body.length, 0);
      assert.equal((await get(`${server.cs}/services/${id}/tasks/active`)).body.length, 0);
    } finally {
      await server.close();
    }
  });

  it("counts updates to states, tasks and extensions as activity", async () => {
    const clock = manualClock();
    const server = await startServer({ env: ENABLED, now: clock.now });
    try {
      const id = (await post(`${server.cs}/services/start`, { customer_id: "AC2" })).body.service_id;
      clock.advance(50_000);
      await post(`${server.cs}/services/${id}/tasks/start`, {});
      clock.advance(50_000);
      await put(`${server.cs}/services/${id}/extensions/Note`, { n: 1 });
      clock.advance(50_000);
      await server.app.housekeeping.sweep();
      assert.equal((await get(`${server.cs}/services/${id}`)).body.completed, undefined);
      clock.advance(11_000);
      await completedWithin(`${server.cs}/services/${id}`);
    } finally {
      await server.close();
    }
  });

  it("uses the start event's auto_complete_after over the option, and does nothing when disabled", async () => {
    const clock = manualClock();
    const enabled = await startServer({ env: ENABLED, now: clock.now });
    const disabled = await startServer({ now: clock.now });
    try {
      const fast = (await post(`${enabled.cs}/services/start`, { customer_id: "AC3", auto_complete_after: 5 })).body.service_id;
      const off = (await post(`${disabled.cs}/services/start`, { customer_id: "AC3", auto_complete_after: 5 })).body.service_id;
      clock.advance(6_000);
      await completedWithin(`${enabled.cs}/services/${fast}`);
      await disabled.app.housekeeping.sweep();
      assert.equal((await get(`${disabled.cs}/services/${off}`)).body.completed, undefined);
    } finally {
      await enabled.close();
      await disabled.close();
    }
  });

  it("survives a restart: the deadline is stored, not held in memory", async () => {
    const clock = manualClock();
    const first = await startServer({ env: ENABLED, now: clock.now, keep: true });
    const id = (await post(`${first.cs}/services/start`, { customer_id: "AC4" })).body.service_id;
    await first.close();
    clock.advance(120_000);
    const second = await startServer({ env: ENABLED, now: clock.now, dir: first.dir });
    try {
      await completedWithin(`${second.cs}/services/${id}`);
    } finally {
      await second.close();
    }
  });
});

describe("expiry", () => {
  it("deletes a service when its ttl has passed, and not before", async () => {
    const clock = manualClock();
    const server = await startServer({ now: clock.now });
    try {
      const id = (await post(`${server.cs}/services/start`, { customer_id: "EXP", ttl: 30 })).body.service_id;
      const kept = (await post(`${server.cs}/services/start`, { customer_id: "EXP" })).body.service_id;
      clock.advance(29_000);
      await server.app.housekeeping.sweep();
      assert.equal((await get(`${server.cs}/services/${id}`)).status, 200);
      clock.advance(2_000);
      await eventually(async () => ((await get(`${server.cs}/services/${id}`)).status === 404 ? true : undefined), 5000, "expiry");
      assert.equal((await get(`${server.cs}/services/${kept}`)).status, 200, "the default expiry is years away");
    } finally {
      await server.close();
    }
  });

  it("Update Expiration Time pins a new expiry", async () => {
    const clock = manualClock();
    const server = await startServer({ now: clock.now });
    try {
      const id = (await post(`${server.cs}/services/start`, { customer_id: "EXP2" })).body.service_id;
      await put(`${server.cs}/services/${id}`, { ttl: 10 });
      clock.advance(11_000);
      await eventually(async () => ((await get(`${server.cs}/services/${id}`)).status === 404 ? true : undefined), 5000, "expiry");
    } finally {
      await server.close();
    }
  });
});
