-- Builds the end-to-end Ardour session (docs/vst3.md §12):
--   usage: ardour7-lua make_session.lua <session-dir> <strength> <post-filter> <comb>
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
local q = wet:nth_plugin(0)
print("plugin latency", q:signal_latency(), "wet track latency", wet:signal_latency(), "dry track latency", dry:signal_latency())
for i = 1, 3 do print("value", i - 1, (ARDOUR.LuaAPI.get_processor_param(q, i - 1))) end
print("worst_latency_preroll", Session:worst_latency_preroll(), "worst_route_latency", Session:worst_route_latency())
Session:save_state("", false, false, false, false, false)
close_session()
