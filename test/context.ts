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

/** The password of every seeded staff member in the test database. */
export const testStaffPassword = 'onewindow-demo';
