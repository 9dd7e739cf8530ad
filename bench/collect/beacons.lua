-- wrk script for bench/collect: realistic beacons from many visitors behind a trusted proxy.
-- Bodies vary in page, referrer, title and event type; X-Forwarded-For spreads them over
-- 1,000 addresses (the per-IP rate limit applies as in production); User-Agents are real.
local property = os.getenv("BENCH_PROPERTY") or "benchsite01"
local pages = {"/", "/blog/", "/blog/postgres-time-zones", "/blog/fsync-is-a-promise", "/pricing",
               "/docs/getting-started", "/docs/api#filters", "/about", "/contact", "/blog/2026/11/htmx"}
local referrers = {"", "", "https://www.google.com/", "https://news.ycombinator.com/item",
                   "https://duckduckgo.com/", "https://t.co/abc", "https://www.reddit.com/r/selfhosted/"}
local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
}
local kinds = {"page_view", "page_view", "page_view", "ping", "scroll", "page_exit"}
local requests = {}

local function body(i)
  local kind = kinds[i % #kinds + 1]
  local page = pages[i % #pages + 1]
  local fields = string.format('"p":"%s","n":"%s","u":"https://example.com%s?utm_source=news&x=%d",'
    .. '"t":"A page about things number %d","l":"en-US","w":%d',
    property, kind, page, i, i % 97, ({390, 1280, 1440, 1920})[i % 4 + 1])
  local referrer = referrers[i % #referrers + 1]
  if referrer ~= "" then fields = fields .. string.format(',"r":"%s"', referrer) end
  if kind == "ping" or kind == "page_exit" then fields = fields .. string.format(',"e":%d', i * 37 % 600000) end
  if kind == "scroll" or kind == "page_exit" then fields = fields .. string.format(',"s":%d', i * 25 % 125) end
  return "{" .. fields .. "}"
end

function init(args)
  for i = 1, 1000 do
    local headers = {["Content-Type"] = "text/plain;charset=UTF-8",
                     ["User-Agent"] = agents[i % #agents + 1],
                     ["X-Forwarded-For"] = string.format("10.%d.%d.%d", i % 5, i * 7 % 250, i * 13 % 200 + 1)}
    requests[i] = wrk.format("POST", "/metrics", headers, body(i))
  end
end

local n = 0
function request()
  n = n + 1
  return requests[n % #requests + 1]
end

function done(summary, latency, requests)
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,'
    .. '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
