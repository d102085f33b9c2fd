import { test } from "node:test";
import assert from "node:assert/strict";
import { roundOf } from "../../bench/scenarios/full-index-rounds.ts";
import { row } from "../../bench/report/row.ts";

const run = (wallMs: number, note: string) => row("full-index", 20_000, { wallMs, note });

test("a full-index figure is its median round (of an even count, the faster middle one) or its best, the note listing every round in run order", () => {
  const rounds = [run(11_587, "a"), run(9_679, "b"), run(10_894, "c")];
  assert.deepEqual(roundOf(rounds, "median"), run(10_894, "c; median of 3 rounds, wall 11587 / 9679 / 10894 ms"));
  assert.deepEqual(roundOf(rounds, "best"), run(9_679, "b; best of 3 rounds, wall 11587 / 9679 / 10894 ms"));
  assert.equal(roundOf([run(4, "x"), run(1, "y"), run(3, "z"), run(2, "w")], "median").wallMs, 2);
  assert.deepEqual(roundOf([run(7, "only")], "median"), run(7, "only"), "one round: its row as it is");
  assert.throws(() => roundOf([], "median"), RangeError);
});
