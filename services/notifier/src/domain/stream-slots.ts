/**
 * Open live streams per principal on this instance: each holds a connection, a LISTEN
 * subscription and a heartbeat timer, so one token must not be able to open them without bound.
 */
export interface StreamSlots {
  /** A slot for the principal, or null when they hold `max` already. Calling the release more than once frees one slot. */
  take(principal: string): (() => void) | null;
  /** Slots the principal holds now. */
  held(principal: string): number;
}

export function createStreamSlots(max: number): StreamSlots {
  const open = new Map<string, number>();
  const held = (principal: string) => open.get(principal) ?? 0;
  return {
    held,
    take(principal) {
      if (held(principal) >= max) return null;
      open.set(principal, held(principal) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = held(principal) - 1;
        if (left > 0) open.set(principal, left);
        else open.delete(principal);
      };
    },
  };
}
