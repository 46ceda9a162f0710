-- POST /api/deploy with a distinct name (hence slug) on every request.
--   BENCH_WORKFLOW  path of the workflow JSON file
--   BENCH_RUN       a token unique to this wrk invocation (slugs stay distinct across runs)
dofile(os.getenv("BENCH_LUA_DIR") .. "/summary.lua")

local file = assert(io.open(os.getenv("BENCH_WORKFLOW"), "r"))
local workflow = file:read("*a"):gsub("%s+$", "")
file:close()
local run = os.getenv("BENCH_RUN") or "0"
local headers = { ["Content-Type"] = "application/json" }
local threads = 0
local counter = 0

function setup(thread)
    threads = threads + 1
    thread:set("thread_id", threads)
end

function request()
    counter = counter + 1
    local name = string.format("bench-%s-%d-%d", run, thread_id or 0, counter)
    local body = '{"name":"' .. name .. '","workflow":' .. workflow .. '}'
    return wrk.format("POST", "/api/deploy", headers, body)
end
