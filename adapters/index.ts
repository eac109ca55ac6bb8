/**
 * Adapters to the external platforms: for each an interface, an HTTP client, and (in
 * simulators/) a simulator. Clients sign requests (signing.ts), retry transient faults, and
 * send an Idempotency-Key so a retry never repeats a side effect; callbacks.ts checks what the
 * platforms send back.
 */
export * from './assurance';
export * from './callbacks';
export * from './canonical-json';
export * from './certificate-seal';
export * from './certificates';
export * from './departments';
export * from './errors';
export * from './http';
export * from './identity';
export * from './logistics';
export * from './messaging';
export * from './payment';
export * from './signing';
export * from './sm2';
