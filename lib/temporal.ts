/** Connecting to Temporal with a one-line, actionable error when the server is not there. */
import { Client, Connection } from '@temporalio/client';
import { ConfigError } from './errors';

export async function connectClient(address: string, namespace: string): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  } catch (err) {
    throw new ConfigError(`cannot reach the Temporal server at ${address} (${(err as Error).message.split('\n')[0]}); start it, or fix TEMPORAL_ADDRESS`);
  }
  return new Client({ connection, namespace });
}
