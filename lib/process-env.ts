/**
 * The environment the platform's own Node processes (worker, API) are started with.
 *
 * glibc's malloc gives each thread that allocates an arena of its own, up to eight per core, and
 * returns little of them: a worker (its workflow thread, the core SDK's Rust threads, libuv's pool)
 * kept a fifth of its resident memory in them. Two arenas measured the same CPU and a fifth less
 * memory (README, "Benchmarks": a 2,000-case burst, worker 716 → 575 MiB at its peak). glibc reads
 * the setting only when a process starts, so whoever starts the process sets it; an operator's own
 * MALLOC_ARENA_MAX is kept.
 */
export const mallocArenas = '2';

export function platformProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? mallocArenas };
}
