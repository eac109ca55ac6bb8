/**
 * Open data (政务服务数据开放) on the Internet zone: the index with the data dictionaries and the
 * licence, the catalogue of service guides, and the monthly statistics, as JSON or CSV
 * (`?format=`), at stable URLs. Nothing personal is in them (see api/services/open-data.ts).
 */
import { Router, type Response } from 'express';
import type { Db } from '../../lib/db';
import { queryString } from '../params';
import { catalogueDataset, catalogueFields, licence, monthParam, openDataIndex, publisher, statisticsDataset, statisticsFields, statisticsMonths, suppressibleFields, toCsv, type Field } from '../services/open-data';

function send(res: Response, format: string | undefined, dataset: string, fields: Field[], rows: Record<string, unknown>[], extra: Record<string, unknown> = {}): void {
  res.setHeader('link', '</api/open-data>; rel="license"');
  res.setHeader('cache-control', 'public, max-age=300');
  if (format === 'csv') {
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${dataset}.csv"`);
    res.send(toCsv(fields, rows, suppressibleFields));
    return;
  }
  res.json({ dataset, publisher, licence, ...extra, fields, rows });
}

export function openDataRoutes(db: Db): Router {
  const r = Router();
  const format = (req: Parameters<Parameters<Router['get']>[1]>[0]) => queryString(req, 'format', { oneOf: ['json', 'csv'] });

  r.get('/open-data', async (_req, res) => {
    res.json(openDataIndex(await statisticsMonths(db)));
  });

  r.get('/open-data/catalogue', async (req, res) => {
    const f = format(req);
    send(res, f, 'catalogue', catalogueFields, await catalogueDataset(db));
  });

  r.get('/open-data/statistics/:month', async (req, res) => {
    const f = format(req);
    const month = monthParam(req.params.month);
    send(res, f, `statistics-${month}`, statisticsFields, await statisticsDataset(db, month), { month });
  });

  return r;
}
