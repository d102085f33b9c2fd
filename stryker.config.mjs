// Mutation testing for src/index and src/pipeline: on demand (`npm run mutate`),
// never in CI. How to run it, what it covers and the triage of survivors:
// docs/mutation.md.

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
    // One Stryker "test" per file. The tests that reach src/index and
    // src/pipeline; not test/logseq (the parser) or test/bench, and not
    // test/spine/deno.test.ts (the same code again, under Deno, slowly).
    testFiles: [
      "dist/test/pipeline/*.test.js",
      "dist/test/index/*.test.js",
      "dist/test/service/*.test.js",
      "dist/test/spine/{bad-input,config,once-sync,page-name-clash,search-filters}.test.js",
    ],
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
