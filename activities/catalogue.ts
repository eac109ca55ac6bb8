/**
 * Activities of the catalogue change review. Each is idempotent: a retry finds the row already
 * written, or the change already applied, and changes nothing.
 */
import type { Db } from '../lib/db';

export interface OpenReviewInput {
  changeId: string;
  stage: string;
  position: number;
  department: string;
  role: string;
  openedAt: string;
}

export interface CloseReviewInput {
  changeId: string;
  stage: string;
  decision: 'approve' | 'reject';
  opinion: string;
  reviewer: string;
  decidedAt: string;
}

interface ChangeRow {
  id: string;
  kind: string;
  implementation_code: string;
  drafts: { code: string; version: number }[];
  state: string;
}

export function createCatalogueActivities(db: Db) {
  return {
    async openReview(r: OpenReviewInput): Promise<void> {
      await db('change_reviews')
        .insert({ change_id: r.changeId, stage: r.stage, position: r.position, department_code: r.department, role: r.role, status: 'open', opened_at: r.openedAt })
        .onConflict(['change_id', 'stage'])
        .ignore();
    },

    async closeReview(r: CloseReviewInput): Promise<void> {
      await db('change_reviews')
        .where({ change_id: r.changeId, stage: r.stage, status: 'open' })
        .update({ status: 'done', decision: r.decision, opinion: r.opinion, reviewer: r.reviewer, decided_at: r.decidedAt });
    },

    /** A rejected change: its drafts go back to draft for another try. */
    async rejectChange({ changeId, at }: { changeId: string; at: string }): Promise<void> {
      await db.transaction(async (trx) => {
        const change = await trx('change_requests').where({ id: changeId }).forUpdate().first<ChangeRow>();
        if (change.state !== 'in_review') return;
        for (const d of change.drafts) {
          await trx('implementation_versions').where({ implementation_code: d.code, version: d.version, state: 'in_review' }).update({ state: 'draft' });
        }
        await trx('change_requests').where({ id: changeId }).update({ state: 'rejected', decided_at: at });
      });
    },

    /** Applies an approved change in one transaction: new versions publish, old ones step aside. */
    async applyChange({ changeId, at }: { changeId: string; at: string }): Promise<void> {
      await db.transaction(async (trx) => {
        const change = await trx('change_requests').where({ id: changeId }).forUpdate().first<ChangeRow>();
        if (change.state !== 'in_review') return;
        const retire = async (code: string, state: 'superseded' | 'suspended' | 'cancelled') => {
          await trx('implementation_versions').where({ implementation_code: code }).whereIn('state', state === 'cancelled' ? ['published', 'suspended'] : ['published']).update({ state });
        };
        const publish = async (d: { code: string; version: number }) => {
          await retire(d.code, 'superseded');
          await trx('implementation_versions').where({ implementation_code: d.code, version: d.version, state: 'in_review' }).update({ state: 'published', published_at: at, change_id: changeId });
        };
        switch (change.kind) {
          case 'add':
          case 'change':
            for (const d of change.drafts) await publish(d);
            break;
          case 'suspend':
            await retire(change.implementation_code, 'suspended');
            break;
          case 'cancel':
            await retire(change.implementation_code, 'cancelled');
            break;
          case 'split':
          case 'delegate-down':
            for (const d of change.drafts) await publish(d);
            await retire(change.implementation_code, 'cancelled');
            break;
        }
        await trx('change_requests').where({ id: changeId }).update({ state: 'approved', decided_at: at });
      });
    },
  };
}
