/**
 * Activities are built by a factory from their dependencies; the worker entry point is the
 * only place real dependencies are constructed, and tests pass their own.
 */
import type { Db } from '../lib/db';
import type { Platforms } from '../lib/platforms';
import { createCalendarActivities } from './calendar';
import { createCaseServiceActivities } from './case-services';
import { createCatalogueActivities } from './catalogue';
import { classifyFailures } from './classify';
import { createFollowUpActivities } from './follow-up';
import { createProjectionActivities } from './projection';
import { createReconciliationActivities } from './reconciliation';
import { createRetentionActivities } from './retention';
import { createSupervisionSweepActivities } from './supervision-sweep';

export interface ActivityDeps {
  db: Db;
  platforms: Platforms;
}

export function createActivities(deps: ActivityDeps) {
  return classifyFailures({
    ...createProjectionActivities(deps.db),
    ...createCatalogueActivities(deps.db),
    ...createCalendarActivities(deps.db),
    ...createCaseServiceActivities(deps.db, deps.platforms),
    ...createFollowUpActivities(deps.db, deps.platforms),
    ...createReconciliationActivities(deps.db, deps.platforms),
    ...createRetentionActivities(deps.db),
    ...createSupervisionSweepActivities(deps.db, deps.platforms),
  });
}

export type Activities = ReturnType<typeof createActivities>;
