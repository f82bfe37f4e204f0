-- Builds the end-to-end Ardour session (docs/vst3.md §12):
--   usage: ardour7-lua make_session.lua <session-dir> <strength> <post-filter> <comb> [<automation-file>]
-- With an automation file (the CLI's format, README.md "Automation files": time_seconds,control,
-- value[,ramp|step]) the plug-in's lanes get those points, in Play mode, times counted from the
-- session start; it prints the points each lane holds ("event <parameter> <sample> <value>").
-- Two mono tracks at 48 kHz on the Dummy backend: "Wet" runs PercepNetFx, "Dry" has no plug-in.
-- Wet is panned hard left and Dry hard right, so the exported master carries both: Ardour's
-- latency compensation must delay Dry by the plug-in's reported latency for the two to line up.
-- Records 3 s (creates the regions and their files, which the test then overwrites).
local dir = arg[1]
local values = { tonumber(arg[2]), tonumber(arg[3]), tonumber(arg[4]) }
ARDOUR.config():set_hide_dummy_backend(false)
local be = AudioEngine:set_backend("None (Dummy)", "", "")
be:set_device_name("Gaussian White Noise")
local name = ARDOUR.LuaAPI.path_get_basename(dir)
assert(create_session(dir, name, 48000), "create_session failed")
local wet = Session:new_audio_track(1, 2, nil, 1, "Wet", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front()
local dry = Session:new_audio_track(1, 2, nil, 1, "Dry", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front()
local p = ARDOUR.LuaAPI.new_plugin(Session, "PercepNetFx", ARDOUR.PluginType.VST3, "")
assert(not p:isnil(), "VST3 plugin not found: PercepNetFx")
assert(wet:add_processor_by_index(p, 0, nil, true) == 0)
local pi = p:to_insert():plugin(0)
for i = 0, pi:parameter_count() - 1 do
  if pi:parameter_is_input(i) then
    local _, r = pi:get_parameter_descriptor(i, ARDOUR.ParameterDescriptor())
    print("param", i, r[2].label, r[2].lower, r[2].upper, "default", r[2].normal)
  end
end
for i = 1, 3 do ARDOUR.LuaAPI.set_processor_param(p, i - 1, values[i]) end
wet:pan_azimuth_control():set_value(0, PBD.GroupControlDisposition.NoGroup)
dry:pan_azimuth_control():set_value(1, PBD.GroupControlDisposition.NoGroup)
for _, t in ipairs({ wet, dry }) do t:rec_enable_control():set_value(1, PBD.GroupControlDisposition.NoGroup) end
Session:maybe_enable_record(false)
Session:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
sleep(3)
Session:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
sleep(2)
-- Disarm and monitor disk only, so that when the session is loaded again for the export the
-- plug-in never sees the Dummy backend's capture noise, only the region (and silence).
for _, t in ipairs({ wet, dry }) do
  t:rec_enable_control():set_value(0, PBD.GroupControlDisposition.NoGroup)
  t:monitoring_control():set_value(ARDOUR.MonitorChoice.MonitorDisk, PBD.GroupControlDisposition.NoGroup)
end
if arg[5] then
  local index = { strength = 0, postfilter = 1, comb = 2, bypass = 3, listen = 4 }
  local labels = { off = 0, on = 1, output = 0, removed = 1 }
  local lanes = {}
  for line in io.lines(arg[5]) do
    line = line:gsub("#.*", "")
    local f = {}
    for field in line:gmatch("[^,]+") do f[#f + 1] = field:match("^%s*(.-)%s*$") end
    if #f >= 3 then
      local i = assert(index[f[2]:lower()], "unknown control " .. f[2])
      local choice = labels[f[3]:lower()] ~= nil
      local v = choice and labels[f[3]:lower()] or assert(tonumber((f[3]:gsub("%%", ""))), "bad value " .. f[3])
      lanes[i] = lanes[i] or {}
      table.insert(lanes[i], { t = tonumber(f[1]), v = v, step = not choice and f[4] == "step" })
    end
  end
  local start = Session:current_start_sample()
  for i, points in pairs(lanes) do
    local al, cl, pd = ARDOUR.LuaAPI.plugin_automation(p, i)
    assert(not al:isnil(), "no automation list for parameter " .. i)
    cl:clear_list()
    local previous = nil
    for _, pt in ipairs(points) do
      local s = start + math.floor(pt.t * 48000 + 0.5)
      -- A continuous lane only has lines, so a step is the old value held up to a point just before
      -- the new one. The list counts time in beats (1920 ticks, 12.5 samples at 120 bpm) and refuses a
      -- second point on the same tick, so "just before" is 25 samples. Choice lanes step by themselves.
      -- editor_add, not add: add() moves the last point instead of adding a third of the same value.
      if pt.step and previous ~= nil then assert(cl:editor_add(Temporal.timepos_t(s - 25), previous, false)) end
      assert(cl:editor_add(Temporal.timepos_t(s), pt.v, false))
      previous = pt.v
    end
    -- What the lane now holds, for the caller to compare with what it asked for.
    for e in cl:events():iter() do print("event", i, e.when:samples(), e.value) end
    local ac = p:to_automatable():automation_control(Evoral.Parameter(ARDOUR.AutomationType.PluginAutomation, 0, i), false)
    ac:set_automation_state(ARDOUR.AutoState.Play)
    print("lane", i, "points", cl:events():size(), "play", ac:automation_state() == ARDOUR.AutoState.Play, "start", start)
  end
end
local q = wet:nth_plugin(0)
print("plugin latency", q:signal_latency(), "wet track latency", wet:signal_latency(), "dry track latency", dry:signal_latency())
for i = 1, 3 do print("value", i - 1, (ARDOUR.LuaAPI.get_processor_param(q, i - 1))) end
print("worst_latency_preroll", Session:worst_latency_preroll(), "worst_route_latency", Session:worst_route_latency())
print("samples_per_cycle", be:buffer_size())
Session:save_state("", false, false, false, false, false)
close_session()
