/** Injection tokens of the api's providers. */
export const API_SETTINGS = Symbol('API_SETTINGS');
export const LOGGER = Symbol('LOGGER');
