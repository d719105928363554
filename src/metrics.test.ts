import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMetrics, HotHistogram } from "./metrics.ts";

describe("HotHistogram", () => {
  function histogram() {
    const { registry } = createMetrics();
    const h = new HotHistogram({ name: "t_seconds", help: "test", labelNames: ["op", "code"], buckets: [0.1, 1], registers: [registry] });
    return { registry, h };
  }

  it("is scraped as a Prometheus histogram: cumulative buckets (a bound included), sum and count per series", async () => {
    const { registry, h } = histogram();
    const get = h.series("get", 200);
    for (const seconds of [0.05, 0.1, 0.5, 7]) get(seconds);
    h.series("put", 500)(2);
    const text = await registry.metrics();
    assert.match(text, /# TYPE t_seconds histogram/);
    assert.match(text, /t_seconds_bucket\{op="get",code="200",le="0.1"\} 2\n/);
    assert.match(text, /t_seconds_bucket\{op="get",code="200",le="1"\} 3\n/);
    assert.match(text, /t_seconds_bucket\{op="get",code="200",le="\+Inf"\} 4\n/);
    assert.match(text, /t_seconds_sum\{op="get",code="200"\} 7.65\n/);
    assert.match(text, /t_seconds_count\{op="get",code="200"\} 4\n/);
    assert.match(text, /t_seconds_bucket\{op="put",code="500",le="1"\} 0\n/);
    assert.match(text, /t_seconds_count\{op="put",code="500"\} 1/);
  });

  it("hands out one observer per series, and forgets everything on reset", async () => {
    const { registry, h } = histogram();
    assert.equal(h.series("get", 200), h.series("get", 200));
    assert.notEqual(h.series("get", 200), h.series("get", 404));
    h.series("get", 200)(0.2);
    registry.resetMetrics();
    assert.doesNotMatch(await registry.metrics(), /t_seconds_count/);
  });
});
