/**
 * The staff password policy: at least 12 characters, not the user id or name (nor containing
 * them), not one of the common passwords shipped in lib/common-passwords.txt (compared in lower
 * case, with leading and trailing digits and punctuation removed), and at least 5 different
 * characters. Returns why a password is refused, or undefined.
 */
import fs from 'node:fs';
import path from 'node:path';

export const minPasswordLength = 12;
export const maxPasswordLength = 200;

let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(fs.readFileSync(path.join(__dirname, 'common-passwords.txt'), 'utf8')
    .split('\n').map((l) => l.trim().toLowerCase()).filter((l) => l && !l.startsWith('#')));
  return common;
}

export function passwordProblem(password: string, user: { id: string; name?: string }): string | undefined {
  const chars = [...password.normalize('NFC')];
  if (chars.length < minPasswordLength) return `the password must have at least ${minPasswordLength} characters`;
  if (chars.length > maxPasswordLength) return `the password may have at most ${maxPasswordLength} characters`;
  const lower = password.normalize('NFC').toLowerCase();
  for (const part of [user.id, user.name]) {
    if (part && part.length >= 3 && lower.includes(part.toLowerCase())) return 'the password may not contain your user id or name';
  }
  const stripped = lower.replace(/^[0-9\W_]+|[0-9\W_]+$/g, '');
  const list = commonPasswords();
  if (list.has(lower) || list.has(stripped) || list.has(lower.replace(/[\W_]+/g, ''))) return 'the password is too common; choose one that is not on lists of common passwords';
  if (new Set(chars).size < 5) return 'the password must have at least 5 different characters';
  return undefined;
}
