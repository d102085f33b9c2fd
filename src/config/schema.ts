import type { FromSchema } from "json-schema-to-ts";
import { conflictStrategyBlocks } from "./conflict-strategies.ts";

/**
 * The configuration schema. `config.schema.json` at the repository root is
 * this object written out (a test keeps the two identical); the
 * `SyncConfiguration` type below is derived from it, so there is no second
 * hand-written copy to drift.
 */
export const configSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://github.com/sync-pipeline/sync-pipeline/config.schema.json",
  title: "sync-pipeline configuration",
  type: "object",
  additionalProperties: false,
  required: ["graph", "database"],
  properties: {
    $schema: { type: "string", description: "Optional pointer to this schema, for editors." },
    graph: {
      type: "string",
      minLength: 1,
      description: "The Logseq graph folder. Relative paths resolve against the config file's folder.",
    },
    database: {
      type: "string",
      minLength: 1,
      description: "The DuckDB file holding the index. Relative paths resolve against the config file's folder.",
    },
    strategy: {
      type: "string",
      enum: ["realtime", "batch", "hybrid"],
      default: "hybrid",
      description:
        "realtime: watcher events only; batch: periodic scans only; hybrid: watcher events plus periodic verification scans.",
    },
    maxFileSizeBytes: {
      type: "integer",
      minimum: 1,
      default: 10485760,
      description: "Files larger than this are not read: their files row gets status 'skipped' with the reason.",
    },
    batch: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "How parsed files are grouped into database transactions (BatchProcessor).",
      properties: {
        maxFiles: {
          type: "integer",
          minimum: 1,
          maximum: 100000,
          default: 1024,
          description: "A batch is written once it holds this many files. While the writer is busy a batch keeps filling up to this size (group commit), so a catch-up writes large batches and an idle service small, prompt ones.",
        },
        maxBlocks: {
          type: "integer",
          minimum: 1,
          default: 20000,
          description: "A batch is written once it holds this many blocks.",
        },
        windowMs: {
          type: "integer",
          minimum: 0,
          maximum: 60000,
          default: 50,
          description: "A non-full batch is written this long after its first file arrived, or as soon as the writer is free if it is busy then. While more files are on their way (a catch-up, a scan, run --once), a batch waits until it holds half of maxFiles or maxBlocks, unless it holds an edit or a delete made meanwhile. Once nothing more is on its way (the end of run --once or of a catch-up), the last batch is written at once.",
        },
      },
    },
    pools: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "The worker-pool bulkheads. Each has its own threads and a bounded queue.",
      properties: {
        threadYoungGenerationMb: {
          type: "integer",
          minimum: 1,
          maximum: 64,
          default: 3,
          description:
            "Young-generation heap of each hashing and writing thread (worker resourceLimits.maxYoungGenerationSizeMb; the parsing threads have pools.parsing.youngGenerationMb). V8's default, 48 MB a thread, held about 35 MB per thread of short-lived garbage during a full index (issue #8); 3 MB costs these threads no measurable CPU. Node only: Deno ignores it.",
        },
        hashing: {
          type: "object",
          additionalProperties: false,
          default: {},
          properties: {
            threads: { type: "integer", minimum: 1, maximum: 64, default: 1, description: "Worker threads in this pool." },
            maxQueue: {
              type: "integer",
              minimum: 1,
              default: 256,
              description: "Tasks waiting for a thread; a full queue makes producers wait (backpressure).",
            },
          },
        },
        parsing: {
          type: "object",
          additionalProperties: false,
          default: {},
          properties: {
            threads: {
              type: "integer",
              minimum: 1,
              maximum: 64,
              description:
                "Worker threads in this pool. Default: half the machine's cores (Node's os.availableParallelism()), at least 1: the other half is the index writer's and DuckDB's, which a full index waits on (issue #8, 2 cores: 1 thread indexed 20,000 files 5% faster than 2, with 80 MB less peak memory).",
            },
            maxQueue: {
              type: "integer",
              minimum: 1,
              default: 256,
              description: "Tasks waiting for a thread; a full queue makes producers wait (backpressure).",
            },
            taskTimeoutMs: {
              type: "integer",
              minimum: 100,
              default: 60000,
              description: "A file whose parse runs longer is aborted: its thread is terminated and replaced, and the file is recorded 'failed' (not parsed again until it changes).",
            },
            youngGenerationMb: {
              type: "integer",
              minimum: 1,
              maximum: 64,
              default: 16,
              description:
                "Young-generation heap of each parsing thread (worker resourceLimits.maxYoungGenerationSizeMb); the hashing and writing threads have pools.threadYoungGenerationMb. Parsing makes most of a full index's short-lived garbage: at 16 MB instead of 3 the parsing thread spent about 0.4 s less of its 4.4 s of CPU on a 20,000-file full index, for about 20 MB more peak memory (issue #8). Node only: Deno ignores it.",
            },
            maxOldGenerationMb: {
              type: "integer",
              minimum: 16,
              default: 1024,
              description: "Heap limit of each parsing thread (worker resourceLimits.maxOldGenerationSizeMb). A file whose parse exceeds it kills only its thread, which is replaced; the file is recorded 'failed'. Node only: Deno ignores it.",
            },
          },
        },
        writing: {
          type: "object",
          additionalProperties: false,
          default: {},
          description: "The index writer always has exactly one thread: it owns the DuckDB file.",
          properties: {
            maxQueue: { type: "integer", minimum: 1, default: 4, description: "Batches waiting for the writer." },
            duckdbThreads: {
              type: "integer",
              minimum: 1,
              maximum: 64,
              default: 2,
              description: "DuckDB's own threads inside the writer (its `threads` setting); they share the cores with the hashing and parsing pools.",
            },
            duckdbMemoryMb: {
              type: "integer",
              minimum: 128,
              default: 128,
              description: "DuckDB's buffer pool limit in MB (its `memory_limit`); beyond it DuckDB evicts cached pages or spills to a temp folder. A full index's peak memory follows it: DuckDB fills it with the WAL's rows and the postings' sort, plus more outside its count. A batch that does not fit (a 70,000-block page rewritten whole needs more than 160 MB) is written again with the limit doubled, up to 8 times, and the limit is set back after it. At 128 instead of 256 a 100,000-file full index peaked about 110 MB lower and took 1-2% longer (3 interleaved runs each; issue #8).",
            },
          },
        },
      },
    },
    retry: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "RetryManager: reads that fail in a way that may clear (EBUSY, EAGAIN, EMFILE, ENFILE, EACCES, EPERM, ENOENT, ETIMEDOUT, EIO) are tried again with exponential backoff and jitter, off the task queue.",
      properties: {
        maxAttempts: {
          type: "integer",
          minimum: 1,
          maximum: 100,
          default: 5,
          description: "Reads of one file in all, the first included. When the last fails, the file is recorded 'failed' with the reason (and read again on the next sync).",
        },
        initialDelayMs: { type: "integer", minimum: 1, default: 200, description: "The first retry's delay (before jitter)." },
        maxDelayMs: { type: "integer", minimum: 1, default: 10000, description: "No retry waits longer than this." },
      },
    },
    breaker: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "The circuit breaker guarding the graph folder: when it cannot be reached (unmounted, renamed, permissions), reads stop and events are kept; when a probe reaches it again, a full catch-up scan runs. Its state is in `status` (service.breaker).",
      properties: {
        threshold: {
          type: "integer",
          minimum: 1,
          default: 5,
          description: "Failed accesses to the graph folder in a row (a scan, or the check made when a file cannot be read or seems gone) that open the breaker.",
        },
        halfOpenAfterMs: {
          type: "integer",
          minimum: 10,
          default: 5000,
          description: "While open, the folder is probed this often; the first probe that reaches it closes the breaker.",
        },
      },
    },
    debounce: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "EventDebouncer: how long a path must be quiet before it is synced.",
      properties: {
        markdownMs: { type: "integer", minimum: 0, default: 100, description: "Quiet time before a Markdown file is synced." },
        orgMs: { type: "integer", minimum: 0, default: 100, description: "Quiet time before an Org file is synced." },
        largeFileMs: {
          type: "integer",
          minimum: 0,
          default: 500,
          description:
            "Quiet time for a file larger than largeFileBytes that is being typed into: a change less than largeFileMs after the file's previous change, once a change of that run was synced. A large file's first change after a quiet spell waits markdownMs/orgMs (src/pipeline/large-file-debounce.ts).",
        },
        largeFileBytes: { type: "integer", minimum: 1, default: 1048576, description: "Files above this size follow the large-file rule (largeFileMs)." },
        maxWaitMs: {
          type: "integer",
          minimum: 0,
          default: 2000,
          description: "A file that keeps changing is synced at the latest this long after its first change.",
        },
      },
    },
    cache: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Bounded in-memory caches (LRU eviction), issue #11.",
      properties: {
        diffStateMaxBytes: {
          type: "integer",
          minimum: 0,
          default: 67108864,
          description:
            "The index writer keeps the blocks of recently changed files, as the block diff compares them, up to about this many bytes of memory: a file edited again is diffed without reading its blocks back from the index. 0 turns the cache off.",
        },
        blockKeysMaxBytes: {
          type: "integer",
          minimum: 0,
          default: 33554432,
          description:
            "The block keys, tree and bytes of recently parsed files of 1,000 blocks or more are kept up to about this many bytes of memory (about the file's size plus 60 bytes a block): the next save of such a file is parsed in part, and index rows are built only for the blocks that changed. 0 turns the cache off.",
        },
        fileMetadataMaxBytes: {
          type: "integer",
          minimum: 0,
          default: 16777216,
          description:
            "The service keeps the index's rows of files (size, mtime, checksum, status) it compared lately up to about this many bytes of memory (about 340 bytes a file): an event or scan compares a file with them without reading the index. Every indexed path's size and a part of its checksum are kept outside this bound (about 150 bytes a file). 0 keeps no rows: each comparison reads the index.",
        },
        hitRowsMaxBytes: {
          type: "integer",
          minimum: 0,
          default: 4194304,
          description:
            "The service's writer keeps the rows (id, content, marker) of recent search hits up to about this many bytes of memory: a search whose hits were all returned lately, as when a query is typed one keystroke at a time, reads nothing from the index. 0 turns the cache off.",
        },
      },
    },
    verify: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Periodic verification in batch and hybrid strategies.",
      properties: {
        scanIntervalMs: {
          type: "integer",
          minimum: 1000,
          default: 60000,
          description: "How often a size+mtime scan looks for what the watcher missed.",
        },
        checksumIntervalMs: {
          type: "integer",
          minimum: 1000,
          default: 3600000,
          description: "How often every file's checksum is verified (catches changes that kept size and mtime).",
        },
      },
    },
    conflicts: {
      type: "object",
      additionalProperties: false,
      default: {},
      description:
        "Per conflict type, which side wins (ConflictResolver). filesystem: the file on disk (today's behaviour); index: keep what the index holds; timestamp: the newer side (per type, see docs/conflicts.md); manual: keep it open, the file's change not applied, until `sync-pipeline resolve`. A strategy that means nothing for a type is refused.",
      properties: conflictStrategyBlocks,
    },
    logLevel: {
      type: "string",
      enum: ["silent", "error", "warn", "info", "debug"],
      description: "Deprecated alias of log.level, kept so existing configs work; when present it is used instead of log.level.",
    },
    log: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Structured logs (pino): what is logged, where, and in which form.",
      properties: {
        level: {
          type: "string",
          enum: ["silent", "error", "warn", "info", "debug"],
          default: "info",
          description: "warn shows failed, skipped and conflicting files (a repeated condition as one line per sync, with a count); info adds sync start and end; debug shows every file.",
        },
        destination: {
          type: "string",
          minLength: 1,
          default: "stderr",
          description: "\"stderr\", or a file the JSON lines are appended to (relative paths resolve against the config file's folder).",
        },
        format: {
          type: "string",
          enum: ["auto", "json", "text"],
          default: "auto",
          description: "json: one JSON object per line (level, time, event, path, batchId, durationMs, error); text: one short human line per record; auto: json in a file, text on stderr.",
        },
      },
    },
    metrics: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Prometheus metrics of the running service (`run` without --once), served on the loopback interface only.",
      properties: {
        port: {
          type: "integer",
          minimum: 0,
          maximum: 65535,
          default: 0,
          description: "TCP port on 127.0.0.1 serving GET /metrics (Prometheus text format) and GET /healthz; 0 (the default) serves nothing.",
        },
        intervalMs: {
          type: "integer",
          minimum: 100,
          default: 5000,
          description: "How often the rates (file-system events and bulkhead tasks per second) are sampled; the rest is read on each scrape.",
        },
      },
    },
    health: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "Health checks (`sync-pipeline health`, the control socket, /healthz) and their alert thresholds.",
      properties: {
        intervalMs: {
          type: "integer",
          minimum: 1000,
          default: 60000,
          description: "How often the running service checks its health; a change between healthy and unhealthy is logged (error when it turns unhealthy).",
        },
        sampleSize: {
          type: "integer",
          minimum: 1,
          maximum: 10000,
          default: 20,
          description: "Random files rows (and, without a service, full-text postings) checked against the graph folder (size, mtime) and the index.",
        },
        maxInconsistentPercent: {
          type: "number",
          minimum: 0,
          maximum: 100,
          default: 10,
          description: "Unhealthy when more than this share of the sampled files rows disagree with the file on disk (while the service is idle), or their page was parsed from other bytes.",
        },
        maxQueuePercent: {
          type: "number",
          minimum: 1,
          maximum: 100,
          default: 90,
          description: "Unhealthy when the service's SyncTaskQueue holds more than this share of its bound (10,000 paths).",
        },
        maxRssMb: {
          type: "integer",
          minimum: 16,
          default: 1024,
          description: "Unhealthy when the service's resident memory (RSS) exceeds this many MB.",
        },
      },
    },
  },
} as const;

/** A configuration as the schema validates it, defaults filled in. */
export type ValidatedConfig = FromSchema<typeof configSchema>;
type Pools = ValidatedConfig["pools"];

/** A validated configuration with every default filled in (the parsing threads by the machine: load-config.ts). */
export type SyncConfigurationInput = Omit<ValidatedConfig, "pools"> & {
  pools: Omit<Pools, "parsing"> & { parsing: Pools["parsing"] & { threads: number } };
};
