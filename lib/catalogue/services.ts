/**
 * The adapter operations a `service` step may call, with their names for the editor. The case
 * activities (activities/case-services.ts) answer these; any other operation is refused there
 * at run time as "not connected yet".
 */
export const serviceOperations = [
  { adapter: 'identity', operation: 'verifyPerson', name: '人口信息核验' },
] as const;
