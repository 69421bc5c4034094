-- Load spread over many tenants for bench/lib/load.ts runWrkSpread: each request takes the next line of
-- the file named by WRK_TARGETS, "host<TAB>path<TAB>cookie" (cookie may be empty).
local targets, n = {}, 0

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end

function init(args)
  for l in io.lines(os.getenv("WRK_TARGETS")) do
    if #l > 0 then
      local host, path, cookie = l:match("^([^\t]*)\t([^\t]*)\t?(.*)$")
      targets[#targets + 1] = { host = host, path = path, cookie = cookie }
    end
  end
  n = offset or 0
end

function request()
  n = n + 1
  local t = targets[(n % #targets) + 1]
  local headers = { Host = t.host }
  if #t.cookie > 0 then headers["Cookie"] = t.cookie end
  return wrk.format("GET", t.path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %.3f %.3f\n", summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
