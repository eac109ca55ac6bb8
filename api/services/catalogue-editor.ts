/**
 * What the catalogue's process editor asks of the server: the lists it picks from (departments,
 * roles, department systems, adapter operations), a check of an entry without saving it, and a
 * preview of which steps given form data would run (the engine's own condition code decides).
 */
import { previewProcess, type PreviewRow } from '../../lib/catalogue/preview';
import { serviceOperations } from '../../lib/catalogue/services';
import { checkEntry } from '../../lib/catalogue/store';
import { processShapeProblems } from '../../lib/catalogue/validate-entry';
import type { Db } from '../../lib/db';
import { validationFailed, type FieldProblem } from '../../lib/errors';
import type { ProcessStep } from '../../workflows/definitions';

interface StepLike {
  type?: unknown;
  department?: unknown;
  system?: unknown;
  branches?: { steps?: StepLike[] }[];
}

/** Every (department, system) pair a department step of any version names. */
function collectSystems(steps: StepLike[] | undefined, into: Map<string, { department: string; system: string }>): void {
  for (const s of steps ?? []) {
    if (s.type === 'department' && typeof s.department === 'string' && typeof s.system === 'string') into.set(`${s.department} ${s.system}`, { department: s.department, system: s.system });
    if (s.type === 'parallel') for (const b of s.branches ?? []) collectSystems(b.steps, into);
  }
}

/** The lists the editor picks from. Department systems are those the catalogue already dispatches to (no registry holds them). */
export async function editorOptions(db: Db) {
  const [departments, roles, entries] = await Promise.all([
    db('departments').orderBy('code').select<{ code: string; name: string; level: string }[]>('code', 'name', 'level'),
    db('roles').orderBy('code').select<{ code: string; name: string }[]>('code', 'name'),
    db('implementation_versions').select<{ entry: { process?: { steps?: StepLike[] } } }[]>('entry'),
  ]);
  const systems = new Map<string, { department: string; system: string }>();
  for (const e of entries) collectSystems(e.entry.process?.steps, systems);
  return {
    departments,
    roles,
    systems: [...systems.values()].sort((a, b) => `${a.department} ${a.system}`.localeCompare(`${b.department} ${b.system}`)),
    services: serviceOperations.map((s) => ({ ...s })),
  };
}

/** Every problem saving this entry as a draft would report; nothing is written. */
export async function checkDraftEntry(db: Db, entry: unknown): Promise<{ valid: boolean; problems: FieldProblem[] }> {
  const problems = await checkEntry(db, entry);
  return { valid: problems.length === 0, problems };
}

/** Which steps a case with this form data would run; steps that are not a process are a 422 with every problem. */
export function previewSteps(steps: unknown, formData: Record<string, unknown>, applicantKind: string): { steps: PreviewRow[] } {
  const problems = processShapeProblems(steps);
  // Pointers into the request body, whose `steps` are the process's.
  if (problems.length) throw validationFailed(problems.map((p) => ({ ...p, pointer: p.pointer.replace(/^\/process\/steps/, '/steps').replace(/^\/process$/, '/steps') })));
  return { steps: previewProcess(steps as ProcessStep[], { form: formData, applicant: { kind: applicantKind } }) };
}
