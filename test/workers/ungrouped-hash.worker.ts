/**
 * The real hashing worker without its group export (task-groups.ts): every
 * group task fails as a whole, as one on a crashed thread would. Loaded by a
 * real hashing Bulkhead in task-groups.test.ts.
 */
export { default } from "../../src/workers/hash.worker.ts";
