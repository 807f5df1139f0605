// The HTTP contract of the ticket service: its JSON schemas (TypeBox), their static
// types and its limits. Code that must not load TypeBox (the web bundle) imports
// types only, and values from '@tickets/contract/limits' alone.
export * from './accounts.ts';
export * from './audit.ts';
export * from './common.ts';
export * from './event-image.ts';
export * from './events.ts';
export * from './limits.ts';
export * from './purchase.ts';
export * from './tickets.ts';
export * from './waiting-room.ts';
export * from './webhooks.ts';
