import { normalizeEmail } from './validation.ts';

/*
 * The keys by which two records are taken for the same person: suppression (src/privacy) compares
 * their digests, duplicates (src/duplicates) compare them in SQL through the functions of
 * migration 20261207110000_privacy_duplicates, which these mirror.
 */

/** An email's key: trimmed and lower-cased (as the API stores emails). */
export function emailKey(email: string): string {
  return normalizeEmail(email);
}

/**
 * A phone's key, as SQL's person_phone_key: its digits without the extension, and of those the
 * last nine, so that +44 20 7946 0958 and 020 7946 0958 are one number; none below seven digits.
 */
export function phoneKey(phone: string): string | undefined {
  const digits = phone.replace(/\s*(x|ext\.?)\s*\d+\s*$/i, '').replace(/[^0-9]/g, '');
  return digits.length >= 7 ? digits.slice(-9) : undefined;
}
