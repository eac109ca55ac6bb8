/** Public catalogue routes: published items and their guides. */
import { Router } from 'express';
import type { Db } from '../../lib/db';
import { notFound } from '../../lib/errors';
import { loadForm, type FormRef } from '../../lib/forms';

export function catalogueRoutes(db: Db): Router {
  const r = Router();

  r.get('/implementations', async (_req, res) => {
    const rows = await db('implementations as i')
      .join('service_items as s', 's.code', 'i.item_code')
      .join('departments as d', 'd.code', 'i.department_code')
      .whereExists(db('implementation_versions as v').whereRaw('v.implementation_code = i.code').andWhere('v.state', 'published'))
      .orderBy('i.code')
      .select('i.code', 'i.name', 'i.item_code as itemCode', 's.name as itemName', 's.type', 'i.department_code as department', 'd.name as departmentName');
    res.json({ items: rows });
  });

  r.get('/implementations/:code', async (req, res) => {
    const row = await db('implementation_versions as v')
      .join('implementations as i', 'i.code', 'v.implementation_code')
      .join('service_items as s', 's.code', 'i.item_code')
      .join('departments as d', 'd.code', 'i.department_code')
      .where({ 'v.implementation_code': req.params.code, 'v.state': 'published' })
      .orderBy('v.version', 'desc')
      .first<{ entry: { form: FormRef } & Record<string, unknown> } & Record<string, unknown> | undefined>(
        'i.code', 'i.name', 'i.item_code as itemCode', 's.name as itemName', 's.type', 's.legal_basis as legalBasis',
        'i.department_code as department', 'd.name as departmentName', 'v.version', 'v.entry', 'v.published_at as publishedAt',
      );
    if (!row) throw notFound(`a published implementation entry "${req.params.code}"`);
    const form = loadForm(row.entry.form);
    res.json({ ...row, form: { key: form.key, version: form.version, schema: form.schema, uischema: form.uischema } });
  });

  return r;
}
