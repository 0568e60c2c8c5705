/**
 * The bench's helpers (load generator, latency tracker, reference clients, null pipeline stages)
 * run as child processes of their own, so their CPU is measured apart from the bench and from the
 * system. They talk JSON over Node's IPC channel: requests with an id, answers with the same id,
 * and events (e.g. "the warm-up is over") in between.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

type Message = { id: number; type: string; payload: unknown } | { id: number; result?: unknown; error?: string } | { event: string; data: unknown } | { ready: true };

export class Worker {
  private next = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly listeners = new Map<string, Array<(data: unknown) => void>>();

  readonly name: string;
  readonly child: ChildProcess;

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.child = child;
    child.on('message', (m: Message) => {
      if ('event' in m) for (const fn of this.listeners.get(m.event) ?? []) fn(m.data);
      else if ('id' in m && !('type' in m)) {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.error !== undefined) w?.reject(new Error(`${name}: ${m.error}`));
        else w?.resolve(m.result);
      }
    });
    child.once('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /** Starts bench/<file> with `args` and waits until it says it is ready. */
  static async start(file: string, name: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<Worker> {
    const child = fork(join(import.meta.dirname, file), args, { env, execArgv: ['--disable-warning=TimeoutNegativeWarning'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const worker = new Worker(name, child);
    const ready = new Promise<void>((resolve) => child.on('message', (m: Message) => 'ready' in m && resolve()));
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`${name} exited (${code}) before it was ready`);
    });
    await Promise.race([ready, exited]);
    exited.catch(() => undefined);
    return worker;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T>(type: string, payload: unknown = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, type, payload });
    });
  }

  on(event: string, fn: (data: unknown) => void): () => void {
    const list = this.listeners.get(event) ?? [];
    list.push(fn);
    this.listeners.set(event, list);
    return () => list.splice(list.indexOf(fn), 1);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15000).unref())]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

type Handler = (payload: never) => Promise<unknown> | unknown;

/** The worker side: answers requests with its handlers; `emit` sends an event to the parent. */
export function serve(handlers: Record<string, Handler>, onStop?: () => Promise<void>): void {
  process.on('message', (m: { id: number; type: string; payload: unknown }) => {
    const handler = handlers[m.type];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown request ${m.type}`);
        return handler(m.payload as never);
      })
      .then((result) => process.send!({ id: m.id, result }), (error: Error) => process.send!({ id: m.id, error: error.stack ?? error.message }));
  });
  process.once('SIGTERM', () => void (onStop ?? (async () => undefined))().finally(() => process.exit(0)));
  process.once('disconnect', () => void (onStop ?? (async () => undefined))().finally(() => process.exit(0)));
  process.send!({ ready: true });
}

export function emit(event: string, data: unknown): void {
  process.send?.({ event, data });
}
