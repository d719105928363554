import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UniqueViolation } from "../store/store.ts";
import { onceMoreIfDuplicate } from "./chat-transcript.ts";

describe("onceMoreIfDuplicate", () => {
  /** An attempt that fails with `errors` in turn, then answers how many attempts it took. */
  const attempts = (...errors: Error[]) => {
    let n = 0;
    return async () => {
      const error = errors[n++];
      if (error !== undefined) throw error;
      return n;
    };
  };

  it("runs a send once more after a UniqueViolation (a retry that raced its original: the second run finds the entry)", async () => {
    assert.equal(await onceMoreIfDuplicate(true, attempts(new UniqueViolation("entry"))), 2);
  });

  it("gives up after the second run, and never runs again for another error or a send without an id", async () => {
    await assert.rejects(onceMoreIfDuplicate(true, attempts(new UniqueViolation("a"), new UniqueViolation("b"))), /b already exists/);
    await assert.rejects(onceMoreIfDuplicate(true, attempts(new Error("down"))), /down/);
    await assert.rejects(onceMoreIfDuplicate(false, attempts(new UniqueViolation("entry"))), UniqueViolation);
  });
});
