-- Load for bench/lib/load.ts runWrk: each request takes the next path and the next session cookie
-- from the files named by WRK_PATHS and WRK_COOKIES (one per line); Host from WRK_HOST.
local paths, cookies, n = {}, {}, 0

local function lines(name)
  local t = {}
  for l in io.lines(name) do
    if #l > 0 then t[#t + 1] = l end
  end
  return t
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end

function init(args)
  paths = lines(os.getenv("WRK_PATHS"))
  cookies = lines(os.getenv("WRK_COOKIES"))
  wrk.headers["Host"] = os.getenv("WRK_HOST")
  n = offset or 0
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], { Cookie = cookies[(n % #cookies) + 1] })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %.3f %.3f\n", summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
