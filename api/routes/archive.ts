/**
 * The approval archive (审批档案) for supervisors: the packages of their jurisdiction, one package
 * as a tar download (audited), and its verification (every file's SM3 digest and the SM2 seal;
 * a changed file is named).
 */
import { Router } from 'express';
import type { Db } from '../../lib/db';
import { requireStaff } from '../auth/principal';
import { caseNoParam, intQuery, queryString } from '../params';
import { downloadPackage, listPackages, verifyArchived } from '../services/archive';

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

  return r;
}
