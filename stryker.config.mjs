// Mutation testing for src/index and src/pipeline: on demand (`npm run mutate`),
// never in CI. How to run it, what it covers and the triage of survivors:
// docs/mutation.md.

const TEST_FILES = {
  unit: "dist/test/{pipeline/*,index/*,service/event-router}.test.js",
  cli: "dist/test/{pipeline/*,index/*,service/event-router,spine/!(deno)}.test.js",
  all: "dist/test/{pipeline/*,index/*,service/event-router,spine/!(deno),service/!(event-router|file-events)}.test.js",
};

const testSet = process.env.MUTATE_TESTS ?? "all";
if (!Object.hasOwn(TEST_FILES, testSet)) {
  throw new Error(`MUTATE_TESTS must be one of ${Object.keys(TEST_FILES).join(", ")}, got ${JSON.stringify(testSet)}`);
}

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  mutate: ["src/index/**/*.ts", "src/pipeline/**/*.ts"],
  // Compiles the instrumented sources into the sandbox's dist/: the tests run
  // from there, and so does bin/sync-pipeline.js, so the CLI children that the
  // spine and service tests spawn run the mutants too (Stryker passes the
  // active mutant in an environment variable, which children inherit).
  buildCommand: "tsc -p tsconfig.json",
  testRunner: "tap",
  tap: {
    // One Stryker "test" per file: the tests that reach src/index and
    // src/pipeline. Not test/logseq (the parser) or test/bench, and not
    // test/spine/deno.test.ts (the same code again, under Deno, slowly), and
    // not test/service/file-events.test.ts while its rename race (issue 14) is
    // open: one flaky failure in the initial run aborts the whole run.
    // Order matters: for each mutant the runner tries the covering files in
    // this order and stops at the first failure, so the in-process files
    // (milliseconds) come first, then the one-shot CLI files (spine), then the
    // running-service files. One brace pattern keeps that order.
    // MUTATE_TESTS=unit keeps only the in-process files (minutes instead of
    // hours, but mutants reached only through the CLI show as "no coverage");
    // MUTATE_TESTS=cli adds the one-shot CLI files but not the running-service
    // ones, whose 30 s waits can fail on a loaded machine at nice 19.
    testFiles: [TEST_FILES[testSet]],
    // child-coverage.cjs comes before Stryker's hook: see that file.
    nodeArgs: ["--require", "./mutation/sandbox-readable.cjs", "--require", "./mutation/child-coverage.cjs", "-r", "{{hookFile}}", "--test-reporter=tap", "{{testFile}}"],
    forceBail: true,
  },
  coverageAnalysis: "perTest",
  ignorePatterns: ["dist", "bench/results", "examples/*.duckdb*"],
  // Inside dist/ so that nothing Stryker writes needs a .gitignore entry.
  tempDirName: "dist/.stryker-tmp",
  cleanTempDir: "always",
  // The machine has 2 cores; most tests wait on child processes and DuckDB.
  concurrency: 2,
  // A mutant that hangs the service is caught by the tests' own waits (60 s);
  // a loaded machine must not turn a slow pass into a "timeout" kill.
  timeoutMS: 30_000,
  timeoutFactor: 2,
  // Re-runs only mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: "dist/mutation/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "dist/mutation/mutation.html" },
  jsonReporter: { fileName: "dist/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
};
