/**
 * The catalogue change review's contract, shared by its workflow, the API and the tests.
 * A change (add / change / suspend / cancel / split / delegate-down) takes effect only after
 * three reviews in order: 编办 classification → 法制 legality → 监察 integrity risk.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from './definitions';

export type ChangeKind = 'add' | 'change' | 'suspend' | 'cancel' | 'split' | 'delegate-down';

export interface ReviewStage {
  stage: 'classification' | 'legality' | 'integrity';
  name: string;
  department: string;
  role: string;
}

/** The platform's review chain; departments are the province's reviewing bodies. */
export const reviewStages: readonly ReviewStage[] = [
  { stage: 'classification', name: '编办事项分类审核', department: 'zj-bianban', role: 'classification-reviewer' },
  { stage: 'legality', name: '法制办合法性审核', department: 'zj-sfj', role: 'legal-reviewer' },
  { stage: 'integrity', name: '监察廉政风险审核', department: 'zj-jwjw', role: 'integrity-reviewer' },
];

export interface ChangeInput {
  changeId: string;
  kind: ChangeKind;
  implementationCode: string;
  stages: ReviewStage[];
}

export interface ReviewRequest {
  stage: ReviewStage['stage'];
  decision: 'approve' | 'reject';
  opinion: string;
  actor: Actor;
}

export interface ChangeView {
  changeId: string;
  state: 'in_review' | 'approved' | 'rejected';
  currentStage: ReviewStage['stage'] | null;
  decisions: { stage: string; decision: 'approve' | 'reject'; opinion: string; by: string; at: string }[];
}

export const reviewChangeUpdate = defineUpdate<ChangeView, [ReviewRequest]>('reviewChange');
export const changeViewQuery = defineQuery<ChangeView>('changeView');
