/**
 * What GET /bench/stats answers, in both servers alike: SQL statements and requests since the
 * last reset, memory now and at its peak, and the process's CPU time since it started (the
 * benchmark subtracts two readings, so no reset is needed for it).
 */
export interface BenchStats {
  statements: number;
  requests: number;
  rss: number;
  heapUsed: number;
  maxRss: number;
  /** process.cpuUsage(), user plus system, in microseconds. */
  cpuMicros: number;
}

export function readStats(statements: number, requests: number): BenchStats {
  const { rss, heapUsed } = process.memoryUsage();
  const { user, system } = process.cpuUsage();
  // resourceUsage gives the peak in kilobytes.
  return { statements, requests, rss, heapUsed, maxRss: process.resourceUsage().maxRSS * 1024, cpuMicros: user + system };
}
