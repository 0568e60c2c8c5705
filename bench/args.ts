/** Command line of npm run bench, with the full run's defaults and the --quick smoke run's. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  write: boolean;
  /** Where the markdown goes instead of BENCHMARKS.md (smoke runs that should not touch it). */
  markdown?: string;
  rates: number[];
  warmupSeconds: number;
  seconds: number;
  accounts: number;
  partitions: number;
  profile: boolean;
  env: Record<string, string>;
  /** Connections of the closed loops that find a maximum (gateway, bare Fastify). */
  concurrency: number;
  allowNoise: boolean;
  keepStack: boolean;
  soakSeconds: number;
  nullWarmupSeconds: number;
  nullSeconds: number;
  floorInvoices: number;
  floorBatch: number;
  kafkaRecords: number;
  kafkaBatches: number[];
  references: boolean;
}

export const usage = `npm run bench [-- options]
  --quick                 smoke run: rates 250,500, 5 s warm-up + 10 s steps, 30 s soak, short references; prints only
  --write                 write BENCHMARKS.md after a --quick run too
  --markdown FILE         write the markdown to FILE instead of BENCHMARKS.md
  --rates 250,500,...     offered rates, invoices/s (default 250,500,1000,1500,2000,2500); stops at the first not sustained
  --warmup S --seconds S  warm-up and measured window of each step (default 30 and 60)
  --soak-seconds S        soak at the highest sustained rate (default 600); --no-soak skips it
  --null-warmup S --null-seconds S   steps of the null pipeline (default 10 and 30)
  --floor-invoices N --floor-batch N  Postgres floor: invoices written, invoices per batch (default 20000, 100)
  --kafka-records N --kafka-batches 100,500   Kafka client references
  --no-references         the system only
  --allow-noise           record even when other work uses more than 0.2 cores (the report says so)
  --keep-stack            leave the bench stack (.stack-bench) running afterwards
  --accounts N --concurrency N --profile --env KEY=VALUE`;

export function readOptions(argv = process.argv.slice(2)): BenchOptions {
  const { values: a } = parseArgs({ args: argv, options: {
    quick: { type: 'boolean', default: false }, write: { type: 'boolean', default: false }, markdown: { type: 'string' }, help: { type: 'boolean', default: false },
    rates: { type: 'string' }, warmup: { type: 'string' }, seconds: { type: 'string' }, accounts: { type: 'string', default: '200' },
    profile: { type: 'boolean', default: false }, env: { type: 'string', multiple: true, default: [] }, concurrency: { type: 'string', default: '256' },
    'allow-noise': { type: 'boolean', default: false }, 'keep-stack': { type: 'boolean', default: false },
    'soak-seconds': { type: 'string' }, 'no-soak': { type: 'boolean', default: false },
    'null-warmup': { type: 'string' }, 'null-seconds': { type: 'string' }, 'floor-invoices': { type: 'string' }, 'floor-batch': { type: 'string', default: '100' },
    'kafka-records': { type: 'string' }, 'kafka-batches': { type: 'string', default: '100,500' }, 'no-references': { type: 'boolean', default: false },
  } });
  if (a.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = a.quick!;
  const num = (v: string | undefined, full: number, smoke: number) => Number(v ?? (quick ? smoke : full));
  return {
    quick, write: a.write!, markdown: a.markdown,
    rates: (a.rates ?? (quick ? '250,500' : '250,500,1000,1500,2000,2500')).split(',').map(Number),
    warmupSeconds: num(a.warmup, 30, 5), seconds: num(a.seconds, 60, 10), accounts: Number(a.accounts), partitions: 6,
    profile: a.profile!, env: Object.fromEntries(a.env!.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    concurrency: Number(a.concurrency), allowNoise: a['allow-noise']!, keepStack: a['keep-stack']!,
    soakSeconds: a['no-soak'] ? 0 : num(a['soak-seconds'], 600, 30),
    nullWarmupSeconds: num(a['null-warmup'], 10, 3), nullSeconds: num(a['null-seconds'], 30, 8),
    floorInvoices: num(a['floor-invoices'], 20_000, 2_000), floorBatch: Number(a['floor-batch']),
    kafkaRecords: num(a['kafka-records'], 50_000, 10_000), kafkaBatches: a['kafka-batches']!.split(',').map(Number),
    references: !a['no-references'],
  };
}
