-- wrk script of the load harness: POSTs one GraphQL body and reports what came back as one JSON line.
--
--   wrk -t1 -c10 -d20s -s benchmarks/wrk_report.lua http://127.0.0.1:8000/api/graphql -- body.json
--
-- Counts status codes, responses whose body starts with an `errors` member (the API writes `errors`
-- before `data`) and the values of the `X-Cache` header, then prints `WRK_JSON {...}` at the end.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  wrk.method = "POST"
  wrk.body = file:read("*a")
  wrk.headers["Content-Type"] = "application/json"
  file:close()
  statuses = {}
  x_cache = {}
  error_bodies = 0
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  local cache = headers["x-cache"] or headers["X-Cache"]
  if cache then
    x_cache[cache] = (x_cache[cache] or 0) + 1
  end
  if string.sub(body, 1, 10) == '{"errors":' then
    error_bodies = error_bodies + 1
  end
end

local function merge(into, from)
  for key, count in pairs(from or {}) do
    into[key] = (into[key] or 0) + count
  end
end

local function object(counts)
  local parts = {}
  for key, count in pairs(counts) do
    table.insert(parts, string.format('"%s":%d', key, count))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local all_statuses, all_cache, all_error_bodies = {}, {}, 0
  for _, thread in ipairs(threads) do
    merge(all_statuses, thread:get("statuses"))
    merge(all_cache, thread:get("x_cache"))
    all_error_bodies = all_error_bodies + (thread:get("error_bodies") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_s":%.6f,"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,' ..
    '"max":%.3f,"mean":%.3f},"socket_errors":%d,"statuses":%s,"x_cache":%s,"error_bodies":%d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, latency.mean / 1e3,
    errors.connect + errors.read + errors.write + errors.timeout,
    object(all_statuses), object(all_cache), all_error_bodies))
end
