/**
 * Catalogue routes. Public: search, guides, versions, diffs, export. Catalogue administrators:
 * drafts, import, submit for review, change requests. Reviewers: their review inbox and decisions.
 */
import { Router, type Request } from 'express';
import { discardDraft, exportDocument, draftFromCurrent, listVersions, updateDraft } from '../../lib/catalogue/store';
import { itemTypeNames } from '../../lib/catalogue/codes';
import { badRequest } from '../../lib/errors';
import type { ChangeKind, ReviewRequest } from '../../workflows/catalogue-definitions';
import { staffActor } from '../staff';
import { bodyValidator } from '../validate';
import {
  diffVersions, getChange, guide, importDraft, requestChange, review, reviewInbox, searchImplementations,
  submitDraft, versionDetail, type CatalogueDeps,
} from '../services/catalogue';
import { checkDraftEntry, editorOptions, previewSteps } from '../services/catalogue-editor';

const levels = ['province', 'city', 'county', 'township'];

const submitBody = bodyValidator<{ reason: string }>('SubmitRequest', {
  type: 'object', additionalProperties: false, required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } },
});
const changeBody = bodyValidator<{ kind: ChangeKind; reason: string; documents?: unknown[] }>('ChangeRequest', {
  type: 'object', additionalProperties: false, required: ['kind', 'reason'],
  properties: {
    kind: { enum: ['suspend', 'cancel', 'split', 'delegate-down'] },
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    documents: { type: 'array', maxItems: 10, items: { type: 'object' } },
  },
});
const reviewBody = bodyValidator<Omit<ReviewRequest, 'actor'>>('ReviewRequest', {
  type: 'object', additionalProperties: false, required: ['stage', 'decision', 'opinion'],
  properties: {
    stage: { enum: ['classification', 'legality', 'integrity'] },
    decision: { enum: ['approve', 'reject'] },
    opinion: { type: 'string', maxLength: 2000 },
  },
});
const entryBody = bodyValidator<{ entry: unknown }>('EntryRequest', {
  type: 'object', additionalProperties: false, required: ['entry'], properties: { entry: { type: 'object' } },
});

const checkBody = bodyValidator<{ entry: unknown }>('EntryCheckRequest', {
  type: 'object', additionalProperties: false, required: ['entry'], properties: { entry: { type: 'object' } },
});
const previewBody = bodyValidator<{ steps: unknown[]; formData: Record<string, unknown>; applicantKind?: 'person' | 'legal_person' }>('PreviewRequest', {
  type: 'object', additionalProperties: false, required: ['steps', 'formData'],
  properties: {
    steps: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'object' }, description: 'the process steps as an entry holds them (checked against lib/catalogue/entry.schema.json)' },
    formData: { type: 'object', description: 'the case\'s form data, e.g. the form\'s example' },
    applicantKind: { enum: ['person', 'legal_person'], description: 'default person' },
  },
});

function versionParam(raw: unknown, name = 'version'): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100000) throw badRequest(`${name} must be a positive integer`);
  return n;
}

function codeParam(raw: string): string {
  if (!/^[A-Za-z0-9.-]{1,64}$/.test(raw)) throw badRequest('an implementation code has letters, digits, dots and hyphens');
  return raw;
}

function optionalQuery(req: Request, name: string, allowed?: string[]): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 100) throw badRequest(`${name} must be one short string`);
  if (allowed && !allowed.includes(v)) throw badRequest(`${name} must be one of ${allowed.join(', ')}`);
  return v;
}

/** Staff who take part in catalogue changes: the administrator and the three reviewing offices. */
const catalogueRoles = ['catalogue-admin', 'classification-reviewer', 'legal-reviewer', 'integrity-reviewer'] as const;

export function catalogueRoutes(deps: CatalogueDeps): Router {
  const r = Router();
  const { db } = deps;

  const requireAdmin = (req: Request) => staffActor(req, ['catalogue-admin']);

  r.get('/implementations', async (req, res) => {
    const limitRaw = optionalQuery(req, 'limit');
    const limit = limitRaw === undefined ? 100 : versionParam(limitRaw, 'limit');
    res.json({
      items: await searchImplementations(db, {
        q: optionalQuery(req, 'q'),
        department: optionalQuery(req, 'department'),
        type: optionalQuery(req, 'type', itemTypeNames),
        level: optionalQuery(req, 'level', levels),
        limit: Math.min(limit, 500),
      }),
    });
  });

  r.get('/implementations/:code', async (req, res) => {
    res.json(await guide(db, codeParam(req.params.code)));
  });

  r.get('/implementations/:code/versions', async (req, res) => {
    res.json({ versions: await listVersions(db, codeParam(req.params.code)) });
  });

  r.get('/implementations/:code/versions/:version', async (req, res) => {
    res.json(await versionDetail(db, codeParam(req.params.code), versionParam(req.params.version)));
  });

  r.get('/implementations/:code/diff', async (req, res) => {
    res.json(await diffVersions(db, codeParam(req.params.code), versionParam(req.query.from, 'from'), versionParam(req.query.to, 'to')));
  });

  r.get('/implementations/:code/export', async (req, res) => {
    const v = req.query.version === undefined ? undefined : versionParam(req.query.version);
    res.json(await exportDocument(db, codeParam(req.params.code), v));
  });

  r.post('/catalogue/import', async (req, res) => {
    const actor = requireAdmin(req);
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('the body must be an implementation document (a JSON object)');
    const draft = await importDraft(db, req.body, actor.userId);
    res.status(201).location(`/api/implementations/${draft.code}/versions/${draft.version}`).json(draft);
  });

  // The process editor: lists to pick from, a check without saving, and a preview of the path.
  r.get('/catalogue/options', async (req, res) => {
    staffActor(req, [...catalogueRoles]);
    res.json(await editorOptions(db));
  });

  r.post('/catalogue/validate', async (req, res) => {
    requireAdmin(req);
    res.json(await checkDraftEntry(db, checkBody(req.body).entry));
  });

  r.post('/catalogue/preview', (req, res) => {
    staffActor(req, [...catalogueRoles]);
    const body = previewBody(req.body);
    res.json(previewSteps(body.steps, body.formData, body.applicantKind ?? 'person'));
  });

  r.post('/implementations/:code/drafts', async (req, res) => {
    const actor = requireAdmin(req);
    const draft = await draftFromCurrent(db, codeParam(req.params.code), actor.userId);
    res.status(201).location(`/api/implementations/${draft.code}/versions/${draft.version}`).json(draft);
  });

  r.put('/implementations/:code/versions/:version', async (req, res) => {
    const actor = requireAdmin(req);
    const { entry } = entryBody(req.body);
    const code = codeParam(req.params.code);
    const version = versionParam(req.params.version);
    await updateDraft(db, code, version, entry, actor.userId);
    res.json(await versionDetail(db, code, version));
  });

  r.delete('/implementations/:code/versions/:version', async (req, res) => {
    requireAdmin(req);
    await discardDraft(db, codeParam(req.params.code), versionParam(req.params.version));
    res.status(204).end();
  });

  r.post('/implementations/:code/versions/:version/submit', async (req, res) => {
    const actor = requireAdmin(req);
    const { reason } = submitBody(req.body);
    const change = await submitDraft(deps, codeParam(req.params.code), versionParam(req.params.version), reason, actor.userId);
    res.status(202).location(`/api/changes/${change.changeId}`).json(change);
  });

  r.post('/implementations/:code/changes', async (req, res) => {
    const actor = requireAdmin(req);
    const change = await requestChange(deps, codeParam(req.params.code), changeBody(req.body), actor.userId);
    res.status(202).location(`/api/changes/${change.changeId}`).json(change);
  });

  r.get('/changes/:id', async (req, res) => {
    staffActor(req, [...catalogueRoles]);
    res.json(await getChange(db, req.params.id));
  });

  r.get('/reviews', async (req, res) => {
    const actor = staffActor(req, [...catalogueRoles]);
    res.json({ reviews: await reviewInbox(db, actor) });
  });

  r.post('/changes/:id/reviews', async (req, res) => {
    const actor = staffActor(req, [...catalogueRoles]);
    const body = reviewBody(req.body);
    res.json(await review(deps, req.params.id, { ...body, actor }));
  });

  return r;
}
