-- wrk's script for bench/hot_paths.py: one connection per wrk thread (wrk -t N -c N), so
-- that a thread's Lua state knows which request each answer is for (one in flight). Each
-- connection sends as its own signed-in trainees (their session cookie and CSRF token), read
-- from the Lua table that HOT_PATHS_DATA names; the answers are checked here (the status, the
-- redirect, the JSON that acknowledges a write), and done() writes the figures, the statuses,
-- the unexpected answers and every acknowledged write to HOT_PATHS_OUT for hot_paths.py.

local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local data = dofile(os.getenv("HOT_PATHS_DATA"))
  kind = data.kind
  people = data.connections[id + 1] or {}
  codes = data.codes
  questions = data.questions
  text = data.text
  revision = data.revision or 0
  sent = 0
  statuses = {}
  unexpected = 0
  example = ""
  exhausted = 0
  acked = {}
  bases = {}
  pending = nil
end

local function form(person, body)
  local headers = {
    ["Cookie"] = person.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return headers, body .. "&csrfmiddlewaretoken=" .. person.csrf
end

function request()
  sent = sent + 1
  local n = sent - 1
  if kind == "bare" then
    return wrk.format("GET", "/healthz", {})
  elseif kind == "my day" or kind == "timetable" or kind == "signed-in floor" then
    local person = people[n % #people + 1]
    return wrk.format("GET", person.path, { ["Cookie"] = person.cookie })
  elseif kind == "check-in" then
    -- Each trainee once; a connection that has none left sends its last one again (an
    -- answer that is not the redirect: counted as unexpected, and the run fails).
    local person = people[sent]
    if person == nil then
      exhausted = exhausted + 1
      person = people[#people]
    end
    pending = person.key
    local code = codes[person.program][math.floor(os.time() / 30)] or "000000"
    local headers, body = form(person, "code=" .. code)
    return wrk.format("POST", "/timetable/check-in/", headers, body)
  elseif kind == "exam autosave" then
    -- Round-robin over the connection's trainees, question after question; the revision
    -- (the phone's clock) grows with every request, so the last one acknowledged must stay.
    local person = people[n % #people + 1]
    local round = math.floor(n / #people)
    local question = questions[round % #questions + 1]
    local choice = question.choices[(n + round) % #question.choices + 1]
    local rev = revision + n
    pending = { key = person.key .. ":" .. question.id, value = rev .. ":" .. choice, id = question.id }
    local headers, body = form(
      person, "question=" .. question.id .. "&revision=" .. rev .. "&choice=" .. choice
    )
    return wrk.format("POST", person.path, headers, body)
  elseif kind == "essay autosave" then
    local person = people[n % #people + 1]
    local rev = revision + n
    pending = { key = person.key, rev = rev }
    local headers, body = form(
      person,
      "title=" .. text.title .. "&body=" .. text.body .. rev .. text.tail
        .. "&revision=" .. rev .. "&base=" .. (bases[person.key] or 0)
    )
    return wrk.format("POST", person.path, headers, body)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local ok = false
  if kind == "bare" or kind == "my day" or kind == "timetable" or kind == "signed-in floor" then
    ok = status == 200
  elseif kind == "check-in" then
    ok = status == 302 and headers["Location"] == "/timetable/my-day/"
    if ok then acked[pending] = 1 end
  elseif kind == "exam autosave" then
    ok = status == 200
      and string.find(body, '"saved": [' .. pending.id .. "]", 1, true) ~= nil
    if ok then acked[pending.key] = pending.value end
  elseif kind == "essay autosave" then
    ok = status == 200
      and string.find(body, '"result": "saved", "revision": ' .. pending.rev .. ",", 1, true)
        ~= nil
    if ok then
      acked[pending.key] = pending.rev
      bases[pending.key] = pending.rev
    end
  end
  if not ok then
    unexpected = unexpected + 1
    if example == "" then
      example = status .. " " .. (headers["Location"] or "") .. " "
        .. string.gsub(string.sub(body, 1, 160), "%s+", " ")
    end
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("HOT_PATHS_OUT"), "w"))
  out:write("requests " .. summary.requests .. "\n")
  out:write("duration_us " .. summary.duration .. "\n")
  out:write("p50_us " .. latency:percentile(50) .. "\n")
  out:write("p99_us " .. latency:percentile(99) .. "\n")
  local e = summary.errors
  out:write("socket_errors " .. (e.connect + e.read + e.write + e.timeout) .. "\n")
  out:write("non_2xx_3xx " .. e.status .. "\n")
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      out:write("status " .. status .. " " .. count .. "\n")
    end
    out:write("unexpected " .. thread:get("unexpected") .. "\n")
    out:write("exhausted " .. thread:get("exhausted") .. "\n")
    local example = thread:get("example")
    if example ~= "" then out:write("example " .. example .. "\n") end
    for key, value in pairs(thread:get("acked")) do
      out:write("ack " .. key .. " " .. value .. "\n")
    end
  end
  out:close()
end
