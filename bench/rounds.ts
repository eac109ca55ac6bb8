/**
 * Rounds of the end-to-end part (`--rounds N`): our cases and the two floors run again and again,
 * in alternating order, so that a host whose speed drifts from minute to minute (a shared machine)
 * moves all three alike, and the ratios are read from each round and summarised by their median.
 * Round 1 runs ours first (the floor follows our case's history); round 2 the other way round; and so on.
 */
import type { GroupUsage } from './procstat';
import { cpuPerCase, platformCpuPerCase } from './report';
import { median } from './stats';

export type RoundPart = 'e2e' | 'floor' | 'first-release floor';

/** What each round runs, in order: odd rounds ours first, even rounds ours last. */
export function roundOrder(round: number): RoundPart[] {
  if (!Number.isInteger(round) || round < 1) throw new RangeError(`round ${round} is not a positive integer`);
  const forward: RoundPart[] = ['e2e', 'floor', 'first-release floor'];
  return round % 2 === 1 ? forward : [...forward].reverse();
}

export interface RoundFigures {
  round: number;
  order: RoundPart[];
  /** Load average when the round began (1, 5 and 15 minutes). */
  loadAverage: number[];
  casesPerSecond: number;
  /** CPU s per case of every process measured, and of the platform's own (Temporal, PostgreSQL, worker, API). */
  cpuPerCase: number;
  platformCpuPerCase: number;
  floorCasesPerSecond: number;
  firstReleaseFloorCasesPerSecond: number;
  ratio: number;
  firstReleaseRatio: number;
}

interface Measured { cases: number; casesPerSecond: number; usage: Record<string, GroupUsage> }

export function roundFigures(round: number, loadAverage: number[], e2e: Measured, floor: Measured, firstRelease: Measured): RoundFigures {
  return {
    round, order: roundOrder(round), loadAverage,
    casesPerSecond: e2e.casesPerSecond,
    cpuPerCase: cpuPerCase(e2e.usage, e2e.cases),
    platformCpuPerCase: platformCpuPerCase(e2e.usage, e2e.cases),
    floorCasesPerSecond: floor.casesPerSecond,
    firstReleaseFloorCasesPerSecond: firstRelease.casesPerSecond,
    ratio: e2e.casesPerSecond / floor.casesPerSecond,
    firstReleaseRatio: e2e.casesPerSecond / firstRelease.casesPerSecond,
  };
}

export interface Spread { median: number; min: number; max: number }

const spread = (values: number[]): Spread => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

export interface RoundsSummary {
  rounds: number;
  casesPerSecond: Spread;
  platformCpuPerCase: Spread;
  ratio: Spread;
  firstReleaseRatio: Spread;
}

/** Each figure's median and range over the rounds (the ratios are each round's own, not ratios of medians). */
export function summariseRounds(rounds: readonly RoundFigures[]): RoundsSummary {
  if (rounds.length === 0) throw new RangeError('no rounds to summarise');
  return {
    rounds: rounds.length,
    casesPerSecond: spread(rounds.map((r) => r.casesPerSecond)),
    platformCpuPerCase: spread(rounds.map((r) => r.platformCpuPerCase)),
    ratio: spread(rounds.map((r) => r.ratio)),
    firstReleaseRatio: spread(rounds.map((r) => r.firstReleaseRatio)),
  };
}
