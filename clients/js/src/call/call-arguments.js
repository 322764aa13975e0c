// The arguments a call operation sends with its hub method, checked here with the server's rules, so that
// a wrong one fails at once (CallError 'InvalidArgument') instead of after a round trip. Pure functions.

import { CallError } from '../errors.js';

/** At most this many custom parameters per message (and per party, merged, on the server). */
export const MAX_CUSTOM_PARAMETERS = 16;
/** A custom parameter's key. */
export const CUSTOM_PARAMETER_KEY = /^[A-Za-z0-9_-]{1,64}$/;
/** A custom parameter's value: a string of at most this many UTF-8 bytes. */
export const MAX_CUSTOM_PARAMETER_VALUE_BYTES = 512;
/** EndCall's free text: at most this many characters. */
export const MAX_END_REASON_LENGTH = 256;
/** DTMF digits as SendDtmf takes them (`,` is a pause). */
export const DTMF_DIGITS = /^[0-9A-Da-d*#,]{1,64}$/;

const utf8 = new TextEncoder();

/**
 * An operation's options object ({} when absent). Throws CallError('InvalidArgument') for a non-object.
 * @template {object} T
 * @param {T | null | undefined} options
 * @returns {Partial<T>}
 */
export function optionsArgument(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new CallError('InvalidArgument', 'the options must be an object');
  return options;
}

/**
 * Custom parameters as the hub takes them: a plain object of string → string, or null for none (absent,
 * null or `{}`). Throws CallError('InvalidArgument') for anything else: not an object, more than 16
 * entries, a key not matching `[A-Za-z0-9_-]{1,64}`, a value that is not a string of at most 512 UTF-8 bytes.
 * @param {unknown} parameters
 * @returns {Record<string, string> | null} a copy, or null
 */
export function customParametersArgument(parameters) {
  if (parameters === undefined || parameters === null) return null;
  if (typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new CallError('InvalidArgument', 'customParameters must be an object of string values');
  }
  const entries = Object.entries(parameters);
  if (entries.length === 0) return null;
  if (entries.length > MAX_CUSTOM_PARAMETERS) {
    throw new CallError('InvalidArgument', `at most ${MAX_CUSTOM_PARAMETERS} custom parameters, not ${entries.length}`);
  }
  /** @type {Record<string, string>} */
  const copy = {};
  for (const [key, value] of entries) {
    if (!CUSTOM_PARAMETER_KEY.test(key)) {
      throw new CallError('InvalidArgument', `the custom parameter key "${key.slice(0, 80)}" is not 1 to 64 of A-Z a-z 0-9 _ -`);
    }
    if (typeof value !== 'string') {
      throw new CallError('InvalidArgument', `the custom parameter ${key} is not a string`);
    }
    if (utf8.encode(value).length > MAX_CUSTOM_PARAMETER_VALUE_BYTES) {
      throw new CallError('InvalidArgument', `the custom parameter ${key} is longer than ${MAX_CUSTOM_PARAMETER_VALUE_BYTES} UTF-8 bytes`);
    }
    copy[key] = value;
  }
  return copy;
}

/**
 * EndCall's reason: free text of at most 256 characters, or null for none (absent, null or '').
 * @param {unknown} reason
 * @returns {string | null}
 */
export function endReasonArgument(reason) {
  if (reason === undefined || reason === null || reason === '') return null;
  if (typeof reason !== 'string') throw new CallError('InvalidArgument', 'the end reason must be a string');
  if (reason.length > MAX_END_REASON_LENGTH) {
    throw new CallError('InvalidArgument', `the end reason is longer than ${MAX_END_REASON_LENGTH} characters`);
  }
  return reason;
}

/**
 * SendDtmf's digits: 1 to 64 of 0-9 A-D a-d * # and `,` (a pause), upper-cased as the server takes them.
 * @param {unknown} digits
 * @returns {string}
 */
export function dtmfArgument(digits) {
  if (typeof digits !== 'string' || !DTMF_DIGITS.test(digits)) {
    throw new CallError('InvalidArgument', 'DTMF digits are 1 to 64 of 0-9 A-D * # and , (pause)');
  }
  return digits.toUpperCase();
}
