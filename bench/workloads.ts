// The request mixes the bench drives. Each workload says how to make its next request twice: in TypeScript (next(), for
// the probes sent before measuring) and in Lua (for wrk, which builds every request itself, in its own process).
import { seedUsername } from './database';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** A JSON body; sent with Content-Type: application/json. */
  body?: string;
}

export interface Workload {
  name: string;
  description: string;
  /** Statuses that count as success (wrk counts a status of 400 or more as an error). */
  expect: number[];
  /** Whether it creates or updates rows; the bench restores the seeded table after such a cell. */
  writes?: boolean;
  /** Sent with X-API-Key to a service started with API_KEY. */
  apiKey?: boolean;
  /** Sent with a bearer token signed with this algorithm to a service started with AUTH_ISSUER (bench/issuer.ts). */
  bearer?: BearerAlgorithm;
  next(): RequestSpec;
  /** The name of the Lua function in bench/wrk.lua's generators (see luaGenerators) that makes one request. */
  lua: string;
}

/** The algorithms of the bearer cells: those AUTH_ALGORITHMS accepts by default. */
export type BearerAlgorithm = 'ES256' | 'RS256';

export interface WorkloadData {
  /** Ids of seeded users (existing for the whole run: the bench never deletes). */
  ids: string[];
  seedRows: number;
  /** A cursor from the middle of the seeded rows. */
  cursor: string;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

// Shared by every create request in this process, so usernames stay unique across cells and targets.
let created = 0;

// 80% reads, 20% writes.
const MIX = [
  [0.4, 'getById'],
  [0.2, 'getByUsername'],
  [0.2, 'listFirst'],
  [0.1, 'create'],
  [0.1, 'patch'],
] as const;

export function createWorkloads(data: WorkloadData): Workload[] {
  const randomSeed = () => 1 + Math.floor(Math.random() * data.seedRows);
  const getById: Workload = {
    name: 'getById',
    description: 'GET /api/v1/users/id/:id (random existing id)',
    expect: [200],
    lua: 'getById',
    next: () => ({ method: 'GET', path: `/api/v1/users/id/${pick(data.ids)}` }),
  };
  const getByIdApiKey: Workload = {
    ...getById,
    name: 'getByIdApiKey',
    description: 'GET /api/v1/users/id/:id with X-API-Key (service started with API_KEY)',
    apiKey: true,
  };
  const getByIdBearer = (alg: BearerAlgorithm): Workload => ({
    ...getById,
    name: `getByIdBearer${alg}`,
    description: `GET /api/v1/users/id/:id with an ${alg} bearer token (service started with AUTH_ISSUER)`,
    bearer: alg,
  });
  const getByUsername: Workload = {
    name: 'getByUsername',
    description: 'GET /api/v1/users/username/:username (random existing)',
    expect: [200],
    lua: 'getByUsername',
    next: () => ({ method: 'GET', path: `/api/v1/users/username/${seedUsername(randomSeed())}` }),
  };
  const listFirst: Workload = {
    name: 'listFirst',
    description: 'GET /api/v1/users?limit=50 (first page)',
    expect: [200],
    lua: 'listFirst',
    next: () => ({ method: 'GET', path: '/api/v1/users?limit=50' }),
  };
  const listCursor: Workload = {
    name: 'listCursor',
    description: 'GET /api/v1/users?limit=50&cursor= (a page mid-table)',
    expect: [200],
    lua: 'listCursor',
    next: () => ({ method: 'GET', path: `/api/v1/users?limit=50&cursor=${data.cursor}` }),
  };
  const create: Workload = {
    name: 'create',
    description: 'POST /api/v1/users (unique username per request)',
    expect: [201],
    writes: true,
    lua: 'create',
    next: () => {
      const n = ++created;
      return {
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({ username: `bench${n}`, email: `bench${n}@bench.example`, full_name: 'Bench User' }),
      };
    },
  };
  const patch: Workload = {
    name: 'patch',
    description: 'PATCH /api/v1/users/id/:id (random existing id, new full_name)',
    expect: [200],
    writes: true,
    lua: 'patch',
    next: () => ({
      method: 'PATCH',
      path: `/api/v1/users/id/${pick(data.ids)}`,
      body: JSON.stringify({ full_name: `Patched Name ${Math.floor(Math.random() * 1e6)}` }),
    }),
  };
  const byName = { getById, getByUsername, listFirst, create, patch };
  const mix: Workload = {
    name: 'mix',
    description: '40% by id, 20% by username, 20% list, 10% create, 10% patch',
    expect: [200, 201],
    writes: true,
    lua: 'mix',
    next: () => {
      let roll = Math.random();
      for (const [share, name] of MIX) {
        if (roll < share) return byName[name].next();
        roll -= share;
      }
      return getById.next();
    },
  };
  const authenticated = [getByIdApiKey, getByIdBearer('ES256'), getByIdBearer('RS256')];
  return [getById, getByUsername, listFirst, listCursor, create, patch, mix, ...authenticated];
}

export function workloadNamed(workloads: readonly Workload[], name: string): Workload {
  const found = workloads.find((workload) => workload.name === name);
  if (!found) throw new Error(`no workload named ${name}`);
  return found;
}

const luaString = (value: string) => JSON.stringify(value); // a JSON string of ASCII is a valid Lua string

export interface LuaSettings {
  /** Makes this cell's created usernames unique across cells and runs: letters and digits only. */
  uniqueTag: string;
  /** Headers on every request (the API key or bearer token, the trace header the platform's ingress adds). */
  headers: Record<string, string>;
}

/**
 * The wrk script of one cell: the data, one generator per workload, `request` bound to the cell's workload, and a
 * `done` that prints the figures and wrk's own CPU time (from /proc/self/stat, all its threads) as one JSON line.
 * Requests that need no fresh value are formatted once, in init(), into pools picked from at random: formatting each
 * request in Lua would double the client's CPU. Only a create (a new username each time) is formatted per request.
 * wrk's CPU is counted from the end of init(): loading the script and formatting the pools (some 30,000 requests)
 * happen before the load starts, in every cell, and are not what the load costs the client.
 */
export function wrkScript(workload: Workload, data: WorkloadData, settings: LuaSettings): string {
  const headers = Object.entries(settings.headers)
    .map(([name, value]) => `[${luaString(name)}] = ${luaString(value)}`)
    .join(', ');
  const ids = data.ids.length ? data.ids.map(luaString).join(',\n') : '"00000000-0000-0000-0000-000000000000"';
  let mix = '';
  let total = 0;
  for (const [share, name] of MIX) {
    total += share;
    mix += `  if roll < ${total.toFixed(4)} then return gen.${name}() end\n`;
  }
  return `-- generated by bench/workloads.ts for the ${workload.name} cell
local ids = {
${ids}
}
local seedRows = ${data.seedRows}
local cursor = ${luaString(data.cursor)}
local tag = ${luaString(settings.uniqueTag)}
local POOL = 10000
local function plain() return { ${headers} } end
local headers = plain()
local jsonHeaders = plain()
jsonHeaders["Content-Type"] = "application/json"
local pools = {}
local created = 0
local gen = {}

-- wrk's CPU time so far (user + system, all its threads), in clock ticks.
local function cpuTicks()
  local f = io.open("/proc/self/stat", "r")
  local stat = f:read("*a")
  f:close()
  local fields = {}
  for field in stat:sub(stat:find(")", 1, true) + 2):gmatch("%S+") do fields[#fields + 1] = field end
  return tonumber(fields[12]) + tonumber(fields[13])
end
-- Set by each thread's init(), read by done() (which runs in wrk's main Lua state) through setup()'s thread objects.
setupTicks = 0
local threads = {}
function setup(thread) threads[#threads + 1] = thread end

local function pool(name, make)
  local p = {}
  for i = 1, POOL do p[i] = make(i) end
  pools[name] = p
end

function init(args)
  pool("getById", function(i) return wrk.format("GET", "/api/v1/users/id/" .. ids[(i - 1) % #ids + 1], headers) end)
  pool("getByUsername", function()
    return wrk.format("GET", "/api/v1/users/username/seed" .. math.random(seedRows), headers)
  end)
  pool("patch", function()
    return wrk.format("PATCH", "/api/v1/users/id/" .. ids[math.random(#ids)], jsonHeaders,
      '{"full_name":"Patched Name ' .. math.random(1000000) .. '"}')
  end)
  pools.listFirst = { wrk.format("GET", "/api/v1/users?limit=50", headers) }
  pools.listCursor = { wrk.format("GET", "/api/v1/users?limit=50&cursor=" .. cursor, headers) }
  -- Loading this script and formatting the pools comes before the load: not part of what the load costs wrk.
  setupTicks = cpuTicks()
end

local function fromPool(name)
  return function()
    local p = pools[name]
    return p[math.random(#p)]
  end
end
gen.getById = fromPool("getById")
gen.getByUsername = fromPool("getByUsername")
gen.listFirst = fromPool("listFirst")
gen.listCursor = fromPool("listCursor")
gen.patch = fromPool("patch")
gen.create = function()
  created = created + 1
  local name = "bench" .. tag .. "n" .. created
  return wrk.format("POST", "/api/v1/users", jsonHeaders,
    '{"username":"' .. name .. '","email":"' .. name .. '@bench.example","full_name":"Bench User"}')
end
gen.mix = function()
  local roll = math.random()
${mix}  return gen.getById()
end

request = gen.${workload.lua}

function done(summary, latency, requests)
  local setup = 0
  for _, thread in ipairs(threads) do setup = math.max(setup, thread:get("setupTicks")) end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationMicros":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f,"cpuTicks":%d,"setupTicks":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    cpuTicks() - setup, setup))
end
`;
}
