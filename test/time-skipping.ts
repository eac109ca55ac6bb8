/** A time-skipping test environment on the Java test server, with our search attributes. */
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CaseStatus, Department, ItemCode } from '../workflows/search-attributes';
import { ctx } from './context';

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: ctx.testServerPath } } });
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries([ItemCode, Department, CaseStatus].map((k) => [k.name, keyword])),
  });
  return env;
}
