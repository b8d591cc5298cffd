-- wrk script for bench/run.sh.
--
-- Always: prints one machine-readable "@@bench key=value ..." line when the run is done (latencies
-- in microseconds, straight from wrk's own histogram).
--
-- With BENCH_RATE set (requests/s): paces requests to that rate. wrk has no fixed-rate mode and
-- Debian has no wrk2, so delay() hands out send slots from one schedule, 1/rate apart, to whichever
-- connection is free next. Connections are many more than the in-flight requests needed at the
-- target rate, so a slow response does not delay the following requests: they go out on time on
-- other connections and every request's latency is measured from when it was actually sent.
-- When no connection was free at a slot's time, the send is late: those are counted (late=, and
-- the worst lateness) because they are exactly the requests whose queueing wrk cannot see
-- (coordinated omission). The schedule catches up after a late send (at most MAX_LAG_MS behind)
-- so the achieved rate stays the target rate; run.sh reports the achieved rate next to the latency.

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

-- With BENCH_METHOD and BENCH_BODY_FILE set: every request uses that method and that file as its body
-- (BENCH_CONTENT_TYPE its Content-Type, application/json by default), e.g. a GraphQL POST.
local method = os.getenv("BENCH_METHOD")
if method and method ~= "" then
    wrk.method = method
    local body_file = os.getenv("BENCH_BODY_FILE")
    if body_file and body_file ~= "" then
        local f = assert(io.open(body_file, "rb"))
        wrk.body = f:read("*a")
        f:close()
        wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/json"
    end
end

local rate = tonumber(os.getenv("BENCH_RATE") or "")

bench_late = 0
bench_late_max_ms = 0

if rate and rate > 0 then
    local ffi = require("ffi")
    ffi.cdef [[
        typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
        int clock_gettime(int clock_id, bench_timespec *tp);
    ]]
    local CLOCK_MONOTONIC = 1
    local ts = ffi.new("bench_timespec")
    local function now_ms()
        ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
        return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
    end

    -- How far the schedule may fall behind before the backlog is dropped instead of sent at once.
    local MAX_LAG_MS = 100
    -- A send this much after its slot counts as late (wrk's timers have 1 ms resolution).
    local LATE_MS = 1
    local interval = 1000 / rate
    local next_slot = nil

    function delay()
        local now = now_ms()
        if next_slot == nil then next_slot = now end
        if next_slot < now - MAX_LAG_MS then next_slot = now - MAX_LAG_MS end
        local slot = next_slot
        next_slot = next_slot + interval
        local wait = slot - now
        if wait < -LATE_MS then
            bench_late = bench_late + 1
            if -wait > bench_late_max_ms then bench_late_max_ms = -wait end
        end
        if wait <= 0 then return 0 end
        return math.floor(wait + 0.5)
    end
end

function done(summary, latency, requests)
    local late, late_max = 0, 0
    for _, t in ipairs(threads) do
        late = late + (t:get("bench_late") or 0)
        late_max = math.max(late_max, t:get("bench_late_max_ms") or 0)
    end
    local e = summary.errors
    io.write(string.format(
        "@@bench requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d"
            .. " err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d late=%d late_max_ms=%.1f\n",
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
        latency.max, e.connect, e.read, e.write, e.status, e.timeout, late, late_max))
end
