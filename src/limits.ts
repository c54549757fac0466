/**
 * The connector's memory and concurrency model: every limit a run works within, with why it is what it
 * is. The modules that enforce them import them from here, so the model reads in one place. Figures
 * behind the choices are measured by `npm run bench` and kept in its output and the docs, not here.
 *
 * What a run holds is bounded by the run, not by its tenants: Graph data waiting to be normalized by the
 * memory budget (control scores), records waiting to be sent by the request slots (1 MB requests).
 * Everything else a tenant holds is small (its checkpoint, its profiles' state histories).
 */

// --- Service limits: what Graph and Logs Ingestion accept ------------------------------------------

/** The most one ingestion request may carry as JSON: the Logs Ingestion API's 1 MB, as the SDK counts it. */
export const MAX_REQUEST_BYTES = 1_000_000;

/**
 * The most one record may take as JSON. Under MAX_REQUEST_BYTES with room for the array and the
 * columns' own 64 KB field limit; a record over it is cut to fit (sink/fit-record.ts), never sent to be
 * refused on every run.
 */
export const MAX_RECORD_BYTES = 900 * 1024;

// --- Graph data held: the run's memory budget -------------------------------------------------------

/**
 * Control scores one snapshot request may carry (about 4 MB of JSON): what one tenant holds of Graph
 * data at a time, so a tenant with thousands of controls is read in as many requests as it takes.
 */
export const MAX_CONTROL_SCORES_PER_REQUEST = 10_000;

/**
 * Control scores the whole run holds at once, read and not yet sent: two full snapshot requests, so one
 * tenant's next chunk is read while its last is sent. Waiters are served by tenant rank, so tenants
 * finish in turn rather than all hold part of their work.
 */
export const RUN_MEMORY_BUDGET_ITEMS = 2 * MAX_CONTROL_SCORES_PER_REQUEST;

/**
 * What a first run's read of a tenant's profiles counts for in the budget, in control scores: a few
 * hundred profiles with their texts weigh about as much as this many control scores.
 */
export const PROFILE_READ_ITEMS = 4_000;

/**
 * Snapshots a first run asks for in its first request, before their size is known (unless the profile
 * count tells it); incremental runs ask for two (today's and its comparison base).
 */
export const FIRST_SNAPSHOT_CHUNK = 8;

// --- Records on their way: request slots -----------------------------------------------------------

/**
 * Requests open at once in a run, whatever its tenants and destinations: being filled or in flight,
 * each holding up to 1 MB of JSON (and in flight its bytes and gzip too). Eight is enough to keep a slow
 * endpoint busy; more only holds more memory.
 */
export const RUN_REQUEST_SLOTS = 8;

/** Requests of one tenant's upload in flight at once: its next is serialized while one is answered. */
export const REQUESTS_IN_FLIGHT_PER_UPLOAD = 2;

// Retries: one layer per request, ours (src/http/retry-policy.ts), with the SDKs' own retries off:
// at most 1 + --max-retries attempts (6 by default) for a Graph read and for a Logs Ingestion request alike.

// --- Credentials and checkpoints --------------------------------------------------------------------

/**
 * Tenants one SDK credential serves: MSAL scans its whole token cache on every token request and save,
 * so a thousand tenants in one credential cost more CPU per tenant than a few credentials do.
 */
export const TENANTS_PER_CREDENTIAL = 32;

/** How long a token request may take: an authority that takes the connection and never answers is given up on. */
export const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

/**
 * A whole getToken (metadata, token request, the SDK's own retries) gets this many request
 * time-outs before it is abandoned, even by a credential that ignores abort signals.
 */
export const REQUESTS_PER_TOKEN = 3;

/**
 * How long a checkpoint-file write waits for other tenants' saves to share it, while saves come often:
 * the whole file is rewritten each time, and a thousand tenants rewrote a long file a thousand times.
 */
export const CHECKPOINT_SAVE_GATHER_MS = 200;

// --- Locks, leases and waits on others ------------------------------------------------------------

/** How long a checkpoint-file write waits for another run's write of the same file to end (each takes milliseconds). */
export const CHECKPOINT_WRITE_WAIT_MS = 30_000;

/** A checkpoint-file write lock older than this belongs to a run that died mid-write: writes take milliseconds. */
export const CHECKPOINT_WRITE_LOCK_STALE_MS = 2 * 60_000;

/** A checkpoint blob's lease; renewed at a third of it while the tenant's run goes on, so a dead run's lapses soon. */
export const CHECKPOINT_LEASE_SECONDS = 60;

/**
 * A tenant's file lock is taken over once older than the run deadline plus this margin: a run finishes
 * the uploads in flight after its deadline, and clocks differ a little.
 */
export const STALE_LOCK_MARGIN_MINUTES = 5;

/** How long a proxy may take to answer a CONNECT: one silent this long is stuck, whatever the request's own time-out. */
export const PROXY_CONNECT_TIMEOUT_MS = 10_000;

// --- Runaway guards: a service that never stops answering -------------------------------------------

/** Most pages one Graph collection read may take: a service handing out nextLinks for ever is stopped. */
export const MAX_PAGES = 500;

/** Most items one Graph collection read may hold (Secure Score has a few hundred controls; 90 snapshots). */
export const MAX_ITEMS = 100_000;
