/** The projector's injection tokens. */
export const PROJECTOR_SETTINGS = Symbol('PROJECTOR_SETTINGS');
/** The one logger of the app (pino). */
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');
/** The casework database (Kysely over a pg pool). */
export const CASEWORK_DB = Symbol('CASEWORK_DB');
