/**
 * Plain Chinese, checked on the source of truth: every problem type the API can answer with
 * (found in the API's, the catalogue's and the workflows' code) has a Chinese title in the web
 * app's problem catalogue, and no Chinese title there contains English. The rendered pages are
 * checked in the browser (pages.test.ts).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { Refusals } from '../../workflows/definitions';
import { fieldDetail, fieldLabel, problemTitle, problemTitles } from '../src/problems';
import { englishWords } from './english';

const root = path.resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  return (fs.readdirSync(path.join(root, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => fs.readFileSync(path.join(root, dir, f), 'utf8'));
}

/** Problem types as the code raises them: AppError(status, 'type', …), conflict('type', …), the refusals' kebab-case. */
function apiProblemTypes(): string[] {
  const found = new Set<string>();
  for (const text of [...sources('api'), ...sources('lib')]) {
    for (const m of text.matchAll(/AppError\(\s*\d{3},\s*'([a-z0-9-]+)'/g)) found.add(m[1]);
    for (const m of text.matchAll(/conflict\(\s*'([a-z0-9-]+)'/g)) found.add(m[1]);
  }
  for (const helper of ['bad-request', 'validation-failed', 'not-found', 'forbidden', 'unauthorised']) found.add(helper);
  // Refusals of the case workflow become problem types in kebab case (api/services/temporal-errors.ts); NotAuthorised is a 403 forbidden.
  for (const r of Object.values(Refusals)) if (r !== Refusals.notAuthorised) found.add(r.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase());
  return [...found].sort();
}

describe('plain Chinese: the API\'s problem catalogue', () => {
  it('when the API\'s code is searched for problem types, then it finds the known ones (so the search means something)', () => {
    const types = apiProblemTypes();
    expect(types).to.include.members(['validation-failed', 'assurance-too-low', 'change-in-review', 'task-not-open', 'document-not-available', 'too-many-drafts']);
    expect(types.length).to.be.greaterThan(35);
  });

  it('when each problem type is looked up, then the web app has a Chinese title for it without English', () => {
    const missing = apiProblemTypes().filter((t) => !problemTitles[t]);
    expect(missing, 'problem types without a Chinese title in web/src/problems.ts').to.deep.equal([]);
    for (const [type, [zh]] of Object.entries(problemTitles)) expect(englishWords(zh), `${type}: ${zh}`).to.deep.equal([]);
  });

  it('when a problem is shown in Chinese, then its title, field and detail are Chinese; an unknown one still reads as Chinese', () => {
    expect(problemTitle('https://onewindow.example/problems/assurance-too-low', 403, 'zh')).to.equal('该事项需要更高的身份认证等级');
    expect(problemTitle('https://onewindow.example/problems/some-new-problem', 418, 'zh')).to.equal('请求未能完成');
    expect(fieldLabel('/entry/promisedLimitDays', 'zh')).to.equal('承诺办结时限');
    expect(fieldDetail('the promised limit (30) exceeds the statutory limit (20)', 'zh')).to.equal('承诺时限（30 个工作日）不能超过法定时限（20 个工作日）');
    expect(fieldDetail('something the catalogue does not know yet', 'zh')).to.equal('此项内容不符合要求');
    expect(fieldDetail('must be integer', 'en'), 'English under the English switch').to.equal('must be integer');
  });
});
