export * from './endpoints.ts';
export * from './services.ts';
export * from './topics.ts';
export * from './wait.ts';
export * from './samples.ts';
export * from './system.ts';
export * from './stand-ins.ts';
export * from './vendor-payloads.ts';
