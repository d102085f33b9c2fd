import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/pipeline/clock.ts";

// Beside clock.test.ts rather than in it: the messages, which a mutant emptied unseen.
test("ManualClock's errors name the bad value", () => {
  assert.throws(() => new ManualClock(Number.NaN), { name: "RangeError", message: "start must be finite, got NaN" });
  assert.throws(() => new ManualClock().advance(-1), { name: "RangeError", message: "advance(ms) needs a finite ms >= 0, got -1" });
});
