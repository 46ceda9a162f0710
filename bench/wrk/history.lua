-- GET execution history pages with the workflow key, cycling through a list of offsets.
--   BENCH_PATH     /api/workflows/<slug>/executions
--   BENCH_KEY      the workflow's API key
--   BENCH_OFFSETS  comma-separated offsets (e.g. 0,50,100)
--   BENCH_LIMIT    page size (50)
dofile(os.getenv("BENCH_LUA_DIR") .. "/summary.lua")

local base = os.getenv("BENCH_PATH")
local limit = os.getenv("BENCH_LIMIT") or "50"
local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY") }
local paths = {}
for offset in string.gmatch(os.getenv("BENCH_OFFSETS") or "0", "[^,]+") do
    paths[#paths + 1] = base .. "?limit=" .. limit .. "&offset=" .. offset
end
local next_index = 0

function request()
    next_index = next_index % #paths + 1
    return wrk.format("GET", paths[next_index], headers)
end
