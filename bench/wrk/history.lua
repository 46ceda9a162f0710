-- GET execution history pages with the workflow key, cycling through a list of query strings.
--   BENCH_PATH     /api/workflows/<slug>/executions
--   BENCH_KEY      the workflow's API key
--   BENCH_QUERIES  comma-separated query strings, e.g. "limit=50&offset=0,limit=50&offset=50"
--                  or "limit=50&cursor=<pagination.nextCursor>"
dofile(os.getenv("BENCH_LUA_DIR") .. "/summary.lua")

local base = os.getenv("BENCH_PATH")
local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY") }
local paths = {}
for query in string.gmatch(os.getenv("BENCH_QUERIES") or "limit=50", "[^,]+") do
    paths[#paths + 1] = base .. "?" .. query
end
local next_index = 0

function request()
    next_index = next_index % #paths + 1
    return wrk.format("GET", paths[next_index], headers)
end
