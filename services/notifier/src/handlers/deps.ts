import type { Knex, Logger } from '@invoice-signal/runtime';
import type { Preferences } from '../domain/preferences.ts';
import type { LiveHub } from '../adapters/live-hub.ts';

/** What the handlers, routes and workers share; built once in service.ts. */
export interface NotifierDeps {
  db: Knex;
  logger: Logger;
  now: () => number;
  defaults: Preferences;
  defaultZone: string;
  slackAvailable: boolean;
  emailAvailable: boolean;
  publicUrl: string;
  live: LiveHub;
  /** Wakes the delivery workers and the publisher after a change, so nothing waits for the next tick. */
  kick: () => void;
}
