/**
 * Finds English words in text a zh-CN page shows. Codes and numbers are not words: a token
 * with a digit, a hyphen, a dot or an underscore (case numbers, item codes such as
 * XK-330000-00001.xh-scjg, user ids such as clerk-wang, document numbers), all-capital
 * abbreviations (PDF, CSV, A4) and a few names are allowed.
 */
const allowed = new Set(['English', 'Temporal', 'JSON']);

export function englishWords(text: string): string[] {
  const words: string[] = [];
  for (const token of text.split(/[\s\u3000，。、；：（）()“”"'《》〔〕【】·—…／/|,;:!?！？<>]+/)) {
    if (!/[A-Za-z]/.test(token)) continue;
    if (/[0-9._-]/.test(token)) continue; // a code or an identifier
    if (/^[A-Z]{2,6}$/.test(token)) continue; // an abbreviation
    if (allowed.has(token)) continue;
    const latin = token.match(/[A-Za-z]{2,}/g);
    if (latin) words.push(...latin);
  }
  return words;
}
