/** A time-skipping test environment on the Java test server, with our search attributes. */
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Deadline, keywordAttributes } from '../workflows/search-attributes';
import { ctx } from './context';

/** A fresh time-skipping test server; `startAt` sets its clock (ISO instant), else it starts now. */
export async function createTimeSkippingEnv(startAt?: string): Promise<TestWorkflowEnvironment> {
  const env = await startWithRetries(startAt);
  const types = temporal.api.enums.v1.IndexedValueType;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: { ...Object.fromEntries(keywordAttributes.map((k) => [k.name, types.INDEXED_VALUE_TYPE_KEYWORD])), [Deadline.name]: types.INDEXED_VALUE_TYPE_DATETIME },
  });
  return env;
}

/**
 * The SDK gives the Java server 5 s to listen; on a loaded 2-core machine a JVM can take longer.
 * A start that timed out is tried again (a new server on a new port), up to three times.
 */
async function startWithRetries(startAt: string | undefined): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: ctx.testServerPath }, extraArgs: startAt ? ['--start-at', startAt] : [] },
      });
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test(String(err))) throw err;
    }
  }
}
