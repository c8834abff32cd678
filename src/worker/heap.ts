/**
 * NODE_OPTIONS for a worker process unless the operator set their own. V8 grows its heap lazily up
 * to a limit derived from the machine's memory (gigabytes), so on a big host the worker's resident
 * memory kept rising with every batch of enrollments although what it holds does not: with a
 * 512 MiB old space it collects instead, and memory stays flat from 10,000 to 20,000 sleeping
 * enrollments (BENCHMARKS.md, footprint).
 */
export const workerNodeOptions = (env: Record<string, string | undefined>) => env.NODE_OPTIONS?.trim() || '--max-old-space-size=512';
