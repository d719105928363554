import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventTime, mergeExtension, parseExtensionSelector, resolveAutoCompleteAfter, splitEvent, typeFilterCandidates } from "./journeys.ts";

describe("splitEvent", () => {
  it("separates documented fields, entity fields and extensions", () => {
    const split = splitEvent({ customer_id: "C", session_id: "s", service_type: 1, Survey: { q: 1 }, service_id: 9 }, "service", "start");
    assert.deepEqual(split.event, { session_id: "s" });
    assert.deepEqual(split.own, { customer_id: "C", service_type: 1 });
    assert.deepEqual(split.extensions, { Survey: { q: 1 } });
  });

  it("refuses every key a presenter writes as an extension name, a field of another kind included", () => {
    assert.throws(() => splitEvent({ task_type: 1 }, "state", "start"), /task_type: /);
    assert.throws(() => splitEvent({ started: {} }, "task", "start"), /started: /);
    assert.throws(() => splitEvent({ service_type: 1 }, "task", "start"), /service_type: /);
  });

  it("ignores start-only fields in an end event (they cannot change there), never making them extensions", () => {
    const split = splitEvent({ customer_id: "OTHER", state_id: 3, task_type: "t", previous_state_id: 1, service_id: 9, Note: 1 }, "task", "end");
    assert.deepEqual(split, { event: {}, own: {}, extensions: { Note: 1 } });
    assert.deepEqual(splitEvent({ customer_id: "OTHER", contact_key: "k", service_type: "s" }, "service", "end"), { event: {}, own: {}, extensions: {} });
  });

  it("keeps a documented field of the other phase in the event, where it shadows nothing", () => {
    const split = splitEvent({ disposition: 10, coupon: 1 }, "service", "start");
    assert.deepEqual(split.event, { disposition: 10 });
    assert.deepEqual(split.extensions, { coupon: 1 });
  });
});

describe("parseExtensionSelector", () => {
  it("reads bare names for the queried kind and prefixed names for nested kinds", () => {
    const sel = parseExtensionSelector("a, State.b,Task.", "service");
    assert.deepEqual([...(sel.service as Set<string>)], ["a"]);
    assert.deepEqual([...(sel.state as Set<string>)], ["b"]);
    assert.equal(sel.task, "all");
    assert.deepEqual(parseExtensionSelector("*", "state"), { service: "all", state: "all", task: "all" });
    assert.deepEqual([...(parseExtensionSelector("x", "task").task as Set<string>)], ["x"]);
  });
});

describe("rules", () => {
  it("merges objects only", () => {
    assert.deepEqual(mergeExtension({ a: 1, b: 1 }, { b: 2 }, "e"), { a: 1, b: 2 });
    assert.deepEqual(mergeExtension(undefined, { b: 2 }, "e"), { b: 2 });
    assert.throws(() => mergeExtension([1], { b: 2 }, "e"));
    assert.throws(() => mergeExtension({ a: 1 }, [2], "e"));
  });

  it("reads event times as UTC when no zone is given", () => {
    assert.equal(eventTime({ timestamp: "2009-05-07T12:05:20.157" }, 0), Date.parse("2009-05-07T12:05:20.157Z"));
    assert.equal(eventTime({ timestamp: "2009-05-07T14:05:20.157+02:00" }, 0), Date.parse("2009-05-07T12:05:20.157Z"));
    assert.equal(eventTime({}, 42), 42);
  });

  it("matches both spellings of a numeric business attribute", () => {
    assert.deepEqual(typeFilterCandidates(["1", "a"]).sort(), ['"1"', '"a"', "1"].sort());
  });

  it("applies auto-complete only when enabled", () => {
    assert.equal(resolveAutoCompleteAfter(5, { enabled: false, defaultAfterSeconds: 60 }), null);
    assert.equal(resolveAutoCompleteAfter(5, { enabled: true, defaultAfterSeconds: 60 }), 5);
    assert.equal(resolveAutoCompleteAfter(undefined, { enabled: true, defaultAfterSeconds: 60 }), 60);
    assert.equal(resolveAutoCompleteAfter(undefined, { enabled: true, defaultAfterSeconds: null }), null);
  });
});
