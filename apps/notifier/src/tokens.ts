/** The notifier's injection tokens (apart from providers.ts, which imports classes that use them). */

export const NOTIFIER_SETTINGS = Symbol('NOTIFIER_SETTINGS');
/** The one logger of the app (pino). */
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');
/** Redis for durable state (subscriptions, the delivery queue): commands wait for it rather than fail fast. */
export const STATE_REDIS = Symbol('STATE_REDIS');
