namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// The single place where the editor (issue 5: src/Editor renderer + X11 glue) plugs in.
/// IEditController::createView calls this; returning null ("no editor") is legal VST3
/// (vst3-abi.md §11). To hook the editor in, return an IPlugView* with one reference for the
/// view name "editor", built from <see cref="Controller.Model"/> (parameter values) and
/// reporting user edits through Controller.BeginEdit/PerformEdit/EndEdit.
/// </summary>
internal static unsafe class EditorHook
{
    public static void* CreateView(Controller controller, string name) => null;
}
