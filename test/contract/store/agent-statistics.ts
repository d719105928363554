/** Wrap-ups (a held slot each, ended by Ready or when due), the agent state log, and the work an agent handled. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { AgentInteraction } from "../../../src/domain/agent-interactions.ts";
import type { WrapUp } from "../../../src/domain/wrap-up.ts";
import type { Store } from "../../../src/store/store.ts";
import { T0 } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function agentStatisticsContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  const wrapUp = (interactionId: string, userId: string, over: Partial<WrapUp> = {}): WrapUp => ({
    interactionId,
    userId,
    channel: "chat",
    queue: "wq",
    startedAt: T0,
    endsAt: T0 + 30_000,
    ...over,
  });

  describe("wrap-ups", () => {
    it("lists an agent's running wrap-ups, and ends them by channel or once due", async () => {
      await store.wrapUps.insert(wrapUp("wx1", "wu1"));
      await store.wrapUps.insert(wrapUp("wx2", "wu1", { channel: "email", startedAt: T0 + 1, endsAt: T0 + 10_000 }));
      await store.wrapUps.insert(wrapUp("wx3", "wu2", { endsAt: T0 + 5_000 }));
      assert.deepEqual(await store.wrapUps.of("wu1"), [
        wrapUp("wx1", "wu1"),
        wrapUp("wx2", "wu1", { channel: "email", startedAt: T0 + 1, endsAt: T0 + 10_000 }),
      ]);
      assert.deepEqual(
        (await store.wrapUps.running()).filter((w) => w.userId.startsWith("wu")).map((w) => w.interactionId),
        ["wx1", "wx2", "wx3"],
      );
      assert.deepEqual(await store.wrapUps.dueAgents(T0 + 10_000, 10), ["wu2", "wu1"], "the longest overdue first, each agent once");
      assert.deepEqual(await store.wrapUps.dueAgents(T0 + 4_999, 10), []);
      assert.equal(await store.wrapUps.endDue("wu1", T0 + 10_000), 1, "only the due one");
      assert.equal(await store.wrapUps.endDue("wu1", T0 + 10_000), 0, "once");
      assert.equal(await store.wrapUps.end("wu2", ["email", "sms"]), 0, "not on another channel");
      assert.equal(await store.wrapUps.end("wu2", ["chat"]), 1);
      assert.deepEqual(
        (await store.wrapUps.of("wu1")).map((w) => w.interactionId),
        ["wx1"],
      );
      assert.equal(await store.wrapUps.end("wu1", []), 0);
    });

    it("counts each running wrap-up as one slot of the agent's load on its channel", async () => {
      await store.users.insert({
        id: "lu1",
        userName: "wrapping-up",
        firstName: "",
        lastName: "",
        roles: ["ROLE_AGENT"],
        skills: [],
        capacity: { chat: 3, openmedia: 3, email: 3, sms: 3 },
        passwordHash: "x",
        enabled: true,
        createdAt: T0,
        updatedAt: T0,
      });
      await store.agentChannels.set("lu1", { channel: "sms", state: "Ready", reason: null, changedAt: T0 });
      await store.wrapUps.insert(wrapUp("lx1", "lu1", { channel: "sms" }));
      await store.wrapUps.insert(wrapUp("lx2", "lu1", { channel: "sms", endsAt: T0 + 1000 }));
      assert.equal((await store.agentInteractions.loads("sms")).get("lu1"), 2);
      assert.equal((await store.agentInteractions.loads("chat")).get("lu1"), undefined);
      assert.equal(await store.agentChannels.reserve("lu1", "sms", 2, T0), false, "both slots held");
      await store.wrapUps.endDue("lu1", T0 + 1000);
      assert.equal((await store.agentInteractions.loads("sms")).get("lu1"), 1);
      await store.wrapUps.end("lu1", ["sms"]);
      assert.equal((await store.agentInteractions.loads("sms")).get("lu1"), undefined);
    });
  });

  describe("agent state log", () => {
    it("closes the channel's open row when the next opens, and reads the rows overlapping a period", async () => {
      await store.agentStateLog.enter("su1", { channel: "chat", state: "Ready", reason: null }, T0);
      await store.agentStateLog.enter("su1", { channel: "email", state: "NotReady", reason: "Break" }, T0 + 5);
      await store.agentStateLog.enter("su1", { channel: "chat", state: "NotReady", reason: "Lunch" }, T0 + 100);
      await store.agentStateLog.enter("su1", { channel: "chat", state: "AfterCallWork", reason: "AfterCallWork" }, T0 + 200);
      await store.agentStateLog.enter("su2", { channel: "chat", state: "Ready", reason: null }, T0);
      assert.deepEqual(await store.agentStateLog.overlapping("su1", T0 + 50, T0 + 150), [
        { userId: "su1", channel: "chat", state: "Ready", reason: null, startedAt: T0, endedAt: T0 + 100 },
        { userId: "su1", channel: "email", state: "NotReady", reason: "Break", startedAt: T0 + 5, endedAt: null },
        { userId: "su1", channel: "chat", state: "NotReady", reason: "Lunch", startedAt: T0 + 100, endedAt: T0 + 200 },
      ]);
      assert.deepEqual(
        (await store.agentStateLog.overlapping("su1", T0 + 200, T0 + 300)).map((r) => r.state),
        ["NotReady", "AfterCallWork"],
        "a row that ended at the start is out; open ones are in",
      );
    });

    it("deletes rows that ended before a time, a batch at a time, never an open one", async () => {
      const old = T0 - 100 * 86_400_000;
      for (let i = 0; i < 3; i++) await store.agentStateLog.enter("pu1", { channel: "sms", state: i % 2 === 0 ? "Ready" : "NotReady", reason: null }, old + i);
      assert.equal(await store.agentStateLog.deleteEndedBefore(old + 10, 1), 1);
      assert.equal(await store.agentStateLog.deleteEndedBefore(old + 10, 100), 1);
      assert.equal(await store.agentStateLog.deleteEndedBefore(old + 10, 100), 0);
      assert.equal((await store.agentStateLog.overlapping("pu1", old, T0)).length, 1, "the open row stays");
    });

    it("goes with its user, as their wrap-ups do", async () => {
      const user = {
        id: "du1",
        userName: "statistics-deleted",
        firstName: "",
        lastName: "",
        roles: ["ROLE_AGENT" as const],
        skills: [],
        capacity: { chat: 1, openmedia: 1, email: 1, sms: 1 },
        passwordHash: "scrypt$x",
        enabled: true,
        createdAt: T0,
        updatedAt: T0,
      };
      await store.users.insert(user);
      await store.agentStateLog.enter("du1", { channel: "chat", state: "Ready", reason: null }, T0);
      await store.wrapUps.insert(wrapUp("dx1", "du1"));
      assert.equal(await store.users.delete("du1"), true);
      assert.deepEqual(await store.agentStateLog.overlapping("du1", T0, T0 + 1), []);
      assert.deepEqual(await store.wrapUps.of("du1"), []);
    });
  });

  describe("work an agent handled", () => {
    const done = (id: string, over: Partial<AgentInteraction>): AgentInteraction => ({
      id,
      mediaType: "chat",
      state: "Completed",
      queue: "hq",
      entryQueue: "hq",
      ownerId: "hu1",
      invitation: null,
      conference: [],
      lastRejectedBy: null,
      workbin: null,
      properties: {},
      customerId: null,
      createdAt: T0,
      queuedAt: T0,
      updatedAt: T0 + 1000,
      completedAt: T0 + 1000,
      acceptedAt: T0 + 100,
      answeredAt: T0 + 100,
      abandonedAt: null,
      priority: 0,
      overflowStep: 0,
      customerKey: null,
      saveLastAgent: true,
      ...over,
    });

    it("counts per channel what the agent owned at completion within the period, with accept-to-completion time", async () => {
      await store.agentInteractions.insert(done("h1", {}));
      await store.agentInteractions.insert(done("h2", { acceptedAt: T0 + 400, completedAt: T0 + 2000 }));
      await store.agentInteractions.insert(done("h3", { acceptedAt: null, completedAt: T0 + 3000 }));
      await store.agentInteractions.insert(done("h4", { mediaType: "email", acceptedAt: T0, completedAt: T0 + 500 }));
      await store.agentInteractions.insert(done("h5", { completedAt: T0 - 1 }));
      await store.agentInteractions.insert(done("h6", { ownerId: "hu2" }));
      await store.agentInteractions.insert(done("h7", { state: "Accepted", completedAt: null }));
      assert.deepEqual(await store.agentInteractions.handledBy("hu1", T0, T0 + 3000), [
        { channel: "chat", count: 3, timed: 2, handleMs: 900 + 1600 },
        { channel: "email", count: 1, timed: 1, handleMs: 500 },
      ]);
      assert.deepEqual(await store.agentInteractions.handledBy("hu1", T0 + 5000, T0 + 6000), []);
      assert.equal((await store.agentInteractions.get("h2"))?.acceptedAt, T0 + 400, "accepted_at is kept");
    });
  });
}
