/**
 * A case's documents before its first projection lands (real database): the filing is stored, the
 * read model does not hold the case yet, so asking for a document is a 409 not-projected-yet and
 * nothing is numbered.
 */
import { expect } from 'chai';
import { createDb, type Db } from '../../lib/db';
import { AppError } from '../../lib/errors';
import { ctx } from '../../test/context';
import { issueAllDocuments, issueDocument } from './documents';

describe('documents of a case not yet in the read model (real database)', () => {
  let db: Db;
  const caseNo = `7751${String(Date.now()).slice(-10).padStart(18, '0')}`;
  const access = { scope: { caseNo, department: 'zz-doc-d', hall: 'zz-doc-d', regionCode: '330100', applicantId: '330106198807154411', legalRepresentativeId: null, filedByKind: 'staff', filedBy: 'zz' }, handles: true, full: true };

  before(async () => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb, poolMax: 2 });
    await db('case_filings').insert({ idempotency_key: `zz-doc:${caseNo}`, case_no: caseNo, request_hash: 'x', input: JSON.stringify({ caseNo }), filed_by_kind: 'staff', filed_by: 'zz' });
  });
  after(async () => {
    await db('case_filings').where({ case_no: caseNo }).delete();
    await db.destroy();
  });

  it('when a document is asked for, one or all, then the answer is 409 not-projected-yet and no number is taken', async () => {
    for (const ask of [() => issueDocument(db, access, caseNo, 'receipt', 'zz'), () => issueAllDocuments(db, access, caseNo, 'zz')]) {
      const err = await ask().then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(AppError);
      expect(err).to.include({ status: 409, code: 'not-projected-yet' });
    }
    expect(await db('case_documents').where({ case_no: caseNo }).first()).to.equal(undefined);
  });
});
