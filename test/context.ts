/**
 * What the global fixtures started, shared with the tests in the same mocha process.
 */
export interface TestContext {
  /** URL of the test database (a fresh database on DATABASE_URL's server, or embedded PGlite). */
  databaseUrl: string;
  embeddedDb: boolean;
  /** Address of the real Temporal dev server started for this run. */
  temporalAddress: string;
  /** Executable of the Java time-skipping test server. */
  testServerPath: string;
}

export const ctx: TestContext = { databaseUrl: '', embeddedDb: false, temporalAddress: '', testServerPath: '' };

/**
 * What this mocha process started, printed at the end of the run: stacks (worker + simulators,
 * each with the API the simulators call back), API apps opened for suites on a shared stack, and
 * Java time-skipping test servers (every attempt, retries included), and time-skipping locks that tests left taken and the suite gave back.
 */
export const starts = { stacks: 0, suiteApis: 0, testServers: 0, leakedLocks: 0 };

/** Run by the global teardown before the servers go, last registered first (e.g. the shared stack's stop). */
export const teardowns: (() => Promise<void>)[] = [];

/** The password of every seeded staff member in the test database. */
export const testStaffPassword = 'onewindow-demo';
