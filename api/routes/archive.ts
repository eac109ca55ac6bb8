/**
 * Data outwards for supervisors: the approval archive (审批档案) of their jurisdiction (the
 * packages, one as a tar download (audited), and its verification: every file's SM3 digest and the
 * SM2 seal, a changed file named), and the state of 同源发布 to the provincial platform.
 */
import { Router } from 'express';
import type { Db } from '../../lib/db';
import { requireStaff } from '../auth/principal';
import { caseNoParam, intQuery, queryString } from '../params';
import { downloadPackage, listPackages, verifyArchived } from '../services/archive';
import { exchangeStatus } from '../services/exchange';

export function archiveRoutes(db: Db, archiveDir: string | undefined): Router {
  const r = Router();

  r.get('/archive', async (req, res) => {
    const sup = requireStaff(req, ['supervisor']);
    const department = queryString(req, 'department', { max: 32 });
    const caseNo = queryString(req, 'caseNo', { max: 22, pattern: /^[0-9]{22}$/ });
    res.json({ packages: await listPackages(db, sup, { department, caseNo, limit: intQuery(req, 'limit', 50, 1, 500) }) });
  });

  r.get('/archive/:caseNo', async (req, res) => {
    const sup = requireStaff(req, ['supervisor']);
    const pkg = await downloadPackage(db, archiveDir, sup, caseNoParam(req.params.caseNo));
    res.setHeader('content-type', 'application/x-tar');
    res.setHeader('content-disposition', `attachment; filename="${pkg.fileName}"`);
    res.send(pkg.content);
  });

  r.get('/archive/:caseNo/verify', async (req, res) => {
    const sup = requireStaff(req, ['supervisor']);
    res.json(await verifyArchived(db, archiveDir, sup, caseNoParam(req.params.caseNo)));
  });

  /** 同源发布's state: the outbox by state, the refused nodes, the latest daily reconciliations. */
  r.get('/exchange', async (req, res) => {
    requireStaff(req, ['supervisor', 'platform-admin']);
    res.json(await exchangeStatus(db, intQuery(req, 'limit', 30, 1, 200)));
  });

  return r;
}
