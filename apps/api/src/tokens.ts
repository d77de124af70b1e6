/** Injection tokens of the api's providers. */
export const API_SETTINGS = Symbol('API_SETTINGS');
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');
/** Redis for durable state (subscriptions): commands wait for a reconnect. */
export const STATE_REDIS = Symbol('STATE_REDIS');
/** Redis as the reference-data cache: fails fast, what-if falls back to the bundled snapshot. */
export const CACHE_REDIS = Symbol('CACHE_REDIS');
/** The casework database (Kysely over a pg pool). */
export const CASEWORK_DB = Symbol('CASEWORK_DB');
