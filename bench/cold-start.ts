// Cold start: process spawn to the first 200 from /ready, several times per server, alternating servers.
import { startServer, type ServerSpec } from './processes';
import { median, type ColdStart } from './report';

export async function measureColdStarts(
  specs: readonly ServerSpec[],
  count: number,
  progress: (line: string) => void,
): Promise<ColdStart[]> {
  const samples = new Map<string, number[]>(specs.map((spec) => [spec.name, []]));
  const rss = new Map<string, number[]>(specs.map((spec) => [spec.name, []]));
  for (let round = 0; round < count; round++) {
    for (const spec of specs) {
      const server = await startServer(spec);
      samples.get(spec.name)?.push(server.readyMs);
      rss.get(spec.name)?.push(server.memory().rssMB);
      await server.stop();
    }
    progress(
      `cold start ${round + 1}/${count}: ${specs.map((s) => `${s.name} ${samples.get(s.name)?.at(-1)?.toFixed(0)} ms`).join(', ')}`,
    );
  }
  return specs.map((spec) => {
    const values = samples.get(spec.name) ?? [];
    return {
      name: spec.name,
      samplesMs: values.map((v) => Math.round(v * 10) / 10),
      medianMs: median(values),
      rssAtReadyMB: median(rss.get(spec.name) ?? []),
    };
  });
}
