/**
 * Collects the items callers hand in during one turn of the event loop into groups of at most
 * `maxSize` and runs `run` on each group. At most `concurrency` groups run at once: while they
 * do, new arrivals wait and join the next group, so under load groups grow instead of
 * statements multiplying (group commit). `run` settles its items itself (each may settle at a
 * different time); the promise it returns only says when its slot is free again.
 */
export function groupQueue<T>(run: (items: T[]) => Promise<void>, opts: { maxSize: number; concurrency: number }) {
  const queue: T[] = [];
  let scheduled = false;
  let running = 0;
  const schedule = () => {
    if (scheduled || !queue.length || running >= opts.concurrency) return;
    scheduled = true;
    // setImmediate, not a microtask: requests whose bodies arrived in this same I/O phase join in.
    setImmediate(flush);
  };
  function flush() {
    scheduled = false;
    while (queue.length && running < opts.concurrency) {
      running += 1;
      void run(queue.splice(0, opts.maxSize)).finally(() => {
        running -= 1;
        schedule();
      });
    }
  }
  return (item: T) => {
    queue.push(item);
    schedule();
  };
}

/** A promise with its settle functions, for items settled later by their group. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
