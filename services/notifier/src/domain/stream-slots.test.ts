import { describe, expect, it } from 'vitest';
import { createStreamSlots } from './stream-slots.ts';

describe('stream slots per principal', () => {
  it('gives each principal at most max slots, independently of the others', () => {
    const slots = createStreamSlots(2);
    expect(slots.take('csm_a')).toBeTypeOf('function');
    expect(slots.take('csm_a')).toBeTypeOf('function');
    expect(slots.take('csm_a')).toBeNull();
    expect(slots.take('csm_b')).toBeTypeOf('function');
    expect(slots.held('csm_a')).toBe(2);
    expect(slots.held('csm_b')).toBe(1);
  });

  it('frees a slot once per release, however often the release is called', () => {
    const slots = createStreamSlots(2);
    const first = slots.take('csm_a')!;
    slots.take('csm_a');
    first();
    first();
    expect(slots.held('csm_a')).toBe(1);
    expect(slots.take('csm_a')).toBeTypeOf('function');
    expect(slots.take('csm_a')).toBeNull();
  });
});
