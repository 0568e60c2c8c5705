/** End offsets of every topic of a namespace, to prove rejected requests published nothing. */
import { testKafka } from '@invoice-signal/testkit';

export type Offsets = Map<string, string>;

export async function namespaceOffsets(namespace: string): Promise<Offsets> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets: Offsets = new Map();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`)).sort();
    for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) offsets.set(`${topic}[${p.partition}]`, p.high);
    return offsets;
  } finally {
    await admin.disconnect();
  }
}

/** Partitions whose end offset moved (or that appeared) between two snapshots. */
export function moved(before: Offsets, after: Offsets): string[] {
  return [...after].filter(([k, v]) => before.get(k) !== v).map(([k, v]) => `${k}: ${before.get(k) ?? 'new'} -> ${v}`);
}
