import { describe, expect, it } from 'vitest';
import type { CsmNotification } from '@invoice-signal/events';
import { toEvent, type InvoiceNotification } from './notification.ts';
import { sampleNotification } from '../../test/support/notification.ts';

describe('the notification event', () => {
  it('carries the topic’s fields only: what the notifier keeps for itself, or adds later, does not leak onto the topic', () => {
    const n = { ...sampleNotification(), acknowledgmentHistory: [], internalScore: 42 } as InvoiceNotification;
    const event = toEvent(n);
    for (const kept of ['details', 'revision', 'assessmentId', 'issuedAt', 'receivedAt', 'source', 'acknowledgmentHistory', 'internalScore']) {
      expect(event).not.toHaveProperty(kept);
    }
    expect(Object.keys(event)).toHaveLength(27);
    expect(event).toMatchObject<Partial<CsmNotification>>({ id: n.id, version: n.version, amountMinor: n.amountMinor, timeline: n.timeline });
  });
});
