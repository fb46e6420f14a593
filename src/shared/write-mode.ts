/**
 * How a write treats what its input leaves out. create and replace (PUT) set every field, clearing
 * those not given; update (PATCH) touches only the fields present, and an explicit null clears one.
 * Shared by every domain whose writes come in these three kinds (people, notes, field values).
 */
export type WriteMode = 'create' | 'replace' | 'update';
