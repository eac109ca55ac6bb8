/**
 * The service hall's test set-up, shared by the HTTP suite, the browser suite and the contract's
 * successes: an API of its own whose hall clock the test sets (the hall's slots and calling depend
 * on the hour), the sample hall's entries and the 2026 calendar in place, and its days emptied.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../api/app';
import { RateLimiter } from '../api/auth/rate-limit';
import { officialYears } from '../lib/calendar/official';
import { importYear } from '../lib/calendar/store';
import { createPlatforms } from '../lib/platforms';
import { platformSecret, restoreSampleCatalogue, secretKey, type Stack } from './harness';

/** The sample service hall (西湖区政务服务中心). */
export const sampleHall = 'xh-zwfw';

/** A time of day on a date, in China. */
export const china = (day: string, time: string): Date => new Date(`${day}T${time}:00+08:00`);

export interface HallApi {
  /** The stack with this API's address (and no default headers). */
  on: Stack;
  /** Closes the API, with the big screen's event streams. */
  close(): Promise<void>;
}

/** An API over the stack's database, Temporal and simulators whose service hall reads the time from `clock`. */
export async function hallApi(stack: Stack, clock: () => Date): Promise<HallApi> {
  const platforms = createPlatforms({ urls: stack.sims.urls, secret: platformSecret, departmentCodes: [] });
  const server: Server = createApp({
    db: stack.db, client: stack.client, taskQueue: stack.taskQueue, platformSecret, secretKey, identity: platforms.identity, certificates: platforms.certificates,
    notifier: platforms.notifier, hallClock: clock, limiter: new RateLimiter(),
  }).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    on: { ...stack, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, defaultHeaders: {} },
    async close() {
      server.closeAllConnections(); // the screen's event streams
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The hall's entries in service (other suites on this database may have suspended or cancelled
 * one: their windows' hours are the slots'), and the official calendar of 2026 (calendar suites
 * on this database correct days of it).
 */
export async function restoreHallSetting(stack: Stack, hall = sampleHall): Promise<void> {
  const hallItems = (await stack.db('hall_categories').where({ hall_code: hall }).pluck('implementation_codes')) as string[][];
  await restoreSampleCatalogue(stack, hallItems.flat());
  const y2026 = officialYears().find((y) => y.year === 2026)!;
  await importYear(stack.db, 2026, y2026.source, y2026.days, 'hall-test');
}

/** Empties the hall's `days` (a database kept from an earlier run may hold them): tickets with their events and ratings, counters, appointments and slots. */
export async function clearHallDays(stack: Stack, days: string[], hall = sampleHall): Promise<void> {
  const { db } = stack;
  const tickets = db('hall_tickets').where({ hall_code: hall }).whereIn('day', days).select('id');
  await db('hall_ticket_evaluations').whereIn('ticket_id', tickets).del();
  await db('hall_events').whereIn('ticket_id', tickets).del();
  await db('hall_tickets').whereIn('id', tickets).del();
  await db('hall_ticket_counters').where({ hall_code: hall }).whereIn('day', days).del();
  for (const d of days) {
    const range = [china(d, '00:00'), china(d, '23:59')] as const;
    await db('appointments').where({ hall_code: hall }).whereBetween('slot_start', range).del();
    await db('appointment_slots').where({ hall_code: hall }).whereBetween('slot_start', range).del();
  }
}
