-- POST the same JSON body with the workflow key on every request.
--   BENCH_PATH  request path (/api/workflows/<slug>/execute)
--   BENCH_KEY   the workflow's API key (may be empty for the static ceiling)
--   BENCH_BODY  the JSON body
dofile(os.getenv("BENCH_LUA_DIR") .. "/summary.lua")

wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.body = os.getenv("BENCH_BODY") or "{}"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_KEY") or ""
if key ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. key
end
