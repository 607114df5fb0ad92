-- The requests of one wrk run of `make bench` (backend/bench/run.py starts wrk with this script).
--
-- BENCH_PATHS     a file with one request path (and query) per line; each request picks one at
--                 random, so the runs spread over the seeded months
-- BENCH_THINK_MS  "min,max": each connection waits a uniform random time in between before its
--                 next request (a family member reading the page); unset: no waiting
--
-- The Authorization header comes on wrk's command line (-H). At the end one line
-- "BENCH_RESULT {json}" carries the counts and the latency percentiles in microseconds.

local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if line ~= "" then
    paths[#paths + 1] = line
  end
end

local think = os.getenv("BENCH_THINK_MS")
if think ~= nil and think ~= "" then
  local low, high = think:match("^(%d+),(%d+)$")
  low, high = tonumber(low), tonumber(high)
  -- wrk asks delay() before every request only when the script defines it.
  function delay()
    return math.random(low, high)
  end
end

local thread_counter = 0
function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("seed", os.time() * 100 + thread_counter)
end

function init(_)
  math.randomseed(seed or os.time())
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "status_errors": %d, '
      .. '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean
  ))
end
