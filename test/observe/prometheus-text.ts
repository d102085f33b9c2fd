import assert from "node:assert/strict";
import { createServer } from "node:net";

/** One sample line of the Prometheus text format: `name{label="value",...} value`. */
export type Sample = { name: string; labels: Record<string, string>; value: number };

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

/**
 * Parses the text exposition format strictly enough to catch a broken line:
 * every sample's family has HELP and TYPE lines before it, every label is
 * well quoted, every value is a number.
 */
export function parsePrometheusText(text: string): Sample[] {
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment) {
      if (comment[1] === "TYPE") typed.set(comment[2] as string, comment[3] as string);
      else helped.add(comment[2] as string);
      continue;
    }
    const match = SAMPLE.exec(line);
    assert.ok(match, `not a Prometheus sample line: ${line}`);
    const [, name = "", labelText = "", valueText = ""] = match;
    const family = [...typed.keys()].find((f) => name === f || (name.startsWith(f) && /^_(bucket|sum|count|total|created)$/.test(name.slice(f.length))));
    assert.ok(family !== undefined && helped.has(family), `no HELP/TYPE before ${name}`);
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const label = LABEL.exec(labelText);
      assert.ok(label, `bad labels in ${line}`);
      labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c));
    }
    const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
    // prom-client writes NaN as "Nan" (an event-loop gauge with no samples yet); Prometheus reads values with Go's
    // strconv.ParseFloat, which takes NaN in any case.
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(valueText), `bad value in ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The value of the one sample with this name and these labels (0 when absent, as Prometheus treats a counter never incremented). */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

/** A TCP port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
